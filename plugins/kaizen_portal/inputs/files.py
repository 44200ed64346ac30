"""Reading an input file: where it may be, what it may be, how big, how encoded, how named.

Every file a build reads (write-ups, site_config, daily CSVs) comes through ``read_input``,
so each refusal is worded the same way and names the file as the author sees it in the
repo. A file is read only if it resolves to a regular file inside the project: a link to
the system's password file, to a process's environment or to a named pipe is refused
before a byte of it is read, and no file is read past its size limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .problems import Problem, SourceError

MAX_BYTES = 1_000_000  # a write-up is prose; anything bigger is a pasted export or a mistake
MAX_DATA_BYTES = 5_000_000  # 1,000 days of a dozen arms fit; more is a mistake or an export

_NOT_REGULAR = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFDIR: "a folder",
}


def display_path(path: Path, root: Path) -> str:
    """Paths in messages are relative to the project, as authors see them in the repo.

    The path itself, not where a link in it leads: the author knows the link's name.
    """
    absolute = Path(os.path.abspath(path))
    try:
        shown = absolute.relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        shown = path.as_posix()
    # A name that is not UTF-8 arrives with stand-ins no page can hold: b"\xff" as "\\xff".
    return os.fsencode(shown).decode("utf-8", "backslashreplace")


def _is_utf8(path: Path) -> bool:
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unreadable(path: Path, project: Path, shown: str) -> Problem | None:
    """Why ``path`` must not be read, or None for a regular file inside ``project``."""
    if not _is_utf8(path):
        return Problem.in_file(
            shown,
            "this file's name is not UTF-8",
            expected="a name in UTF-8, as every page address must be",
            found=f"'{shown}'",
            hint="rename the file, e.g. with letters, digits and dashes only",
        )
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return Problem.in_file(
            shown,
            "this is a link to a file that does not exist",
            expected="a file",
            found="a link that leads nowhere",
            hint="remove the link, or put the file it named back",
        )
    except (OSError, RuntimeError):  # a loop of links, or a path the system refuses
        return Problem.in_file(
            shown,
            "this file cannot be opened",
            expected="a file",
            found="a link that cannot be followed",
            hint="replace the link with the file itself",
        )
    if not target.is_relative_to(project.resolve()):
        return Problem.in_file(
            shown,
            "this is a link that leads outside the project",
            expected="a file inside the project folder",
            found="a link",
            hint="copy the file into the project instead of linking to it",
        )
    kind = _NOT_REGULAR.get(stat.S_IFMT(target.stat().st_mode))
    if kind is not None:
        linked = "a link to " if path.is_symlink() else ""
        return Problem.in_file(
            shown,
            "this is not a file that can be read",
            expected="a regular file",
            found=linked + kind,
            hint="links to folders are not followed: keep the files themselves here"
            if kind == "a folder"
            else "keep only the portal's files here",
        )
    return None


TOO_LARGE = "check that the right file is named"
WRITE_UP_TOO_LARGE = f"{TOO_LARGE}; a write-up holds prose, not data"


def read_input(
    path: Path, project: Path, shown: str, limit: int = MAX_BYTES, hint: str = TOO_LARGE
) -> bytes:
    """The bytes of an input file, refused (``SourceError``) unless it may be read whole.

    The size is checked before reading, and the read stops one byte past the limit, since
    some files (those under /proc) say they are empty whatever they hold. ``hint`` says
    what to do about a file too large.
    """
    problem = unreadable(path, project, shown)
    if problem is not None:
        raise SourceError(problem)
    size = path.stat().st_size
    if size <= limit:
        with path.open("rb") as file:
            raw = file.read(limit + 1)
        if len(raw) <= limit:
            return raw
        size = max(size, len(raw))
    raise SourceError(
        Problem.in_file(
            shown,
            "the file is too large",
            expected=f"at most {limit:,} bytes",
            found=f"{size:,} bytes",
            hint=hint,
        )
    )


def decode(raw: bytes, path: str) -> str:
    """UTF-8 text with a line break where an editor shows one.

    A byte-order mark from Windows editors is accepted and dropped, and Windows' and old
    Macs' line endings become ``\\n``, so lines are numbered as editors number them.
    """
    try:
        text = raw.decode("utf-8-sig")
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
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: Path, project: Path, shown: str, limit: int = MAX_BYTES) -> str:
    return decode(read_input(path, project, shown, limit), shown)


def read_write_up(path: Path, project: Path, shown: str) -> bytes:
    return read_input(path, project, shown, MAX_BYTES, WRITE_UP_TOO_LARGE)
