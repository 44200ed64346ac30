"""Reading an input file: how big it may be, how it must be encoded, how it is named.

Every file a build reads (write-ups, site_config, daily CSVs) comes through here, so each
refusal is worded the same way and names the file as the author sees it in the repo.
"""

from __future__ import annotations

from pathlib import Path

from .problems import Problem, SourceError

MAX_BYTES = 1_000_000  # a write-up is prose; anything bigger is a pasted export or a mistake
MAX_DATA_BYTES = 50_000_000  # years of daily rows for many arms fit easily


def display_path(path: Path, root: Path) -> str:
    """Paths in messages are relative to the project, as authors see them in the repo."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def decode(raw: bytes, path: str, limit: int = MAX_BYTES) -> str:
    """UTF-8 text; a byte-order mark from Windows editors is accepted and dropped."""
    if len(raw) > limit:
        raise SourceError(
            Problem.in_file(
                path,
                "the file is too large",
                expected=f"at most {limit:,} bytes",
                found=f"{len(raw):,} bytes",
                hint="check that the right file is named; a write-up holds prose, not data",
            )
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(
            Problem.in_file(
                path,
                "the file is not valid UTF-8 text",
                expected="UTF-8 text",
                found=f"byte 0x{raw[exc.start]:02x}",
                hint="save the file as UTF-8 in your editor",
                line=raw[: exc.start].count(b"\n") + 1,
            )
        ) from exc
