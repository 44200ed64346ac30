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
from collections.abc import Iterator
from contextlib import contextmanager
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
    # By string, not pathlib: a build names every write-up it reads this way.
    absolute, base = os.path.abspath(path), os.path.abspath(root)
    if absolute == base:
        shown = "."
    elif _within(absolute, base):
        shown = absolute[len(base.rstrip(os.sep)) + 1 :].replace(os.sep, "/")
    else:
        shown = path.as_posix()
    # A name that is not UTF-8 arrives with stand-ins no page can hold: b"\xff" as "\\xff".
    return os.fsencode(shown).decode("utf-8", "backslashreplace")


def _is_utf8(path: Path) -> bool:
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _within(path: str, folder: str) -> bool:
    """Whether an absolute, normalised path lies under ``folder``."""
    return path.startswith(folder.rstrip(os.sep) + os.sep)


# Real paths of folders already looked up in the current ``one_pass`` block, else None.
_real_folders: dict[str, str] | None = None


@contextmanager
def one_pass() -> Iterator[None]:
    """Inside the block, each folder's real path is looked up once: a build reads thousands
    of files from a few folders. Never for longer, so that a folder swapped for a link
    between two rebuilds of a live preview is seen as one."""
    global _real_folders
    outer, _real_folders = _real_folders, {} if _real_folders is None else _real_folders
    try:
        yield
    finally:
        _real_folders = outer


def _real(folder: str) -> str:
    if _real_folders is None:
        return os.path.realpath(folder)
    if folder not in _real_folders:
        _real_folders[folder] = os.path.realpath(folder)
    return _real_folders[folder]


def _plainly_inside(path: Path, project: Path) -> bool:
    """The usual case, checked cheaply: a regular file, not a link, in a folder whose real
    path is the project's or under it. Such a file resolves to itself, inside."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return False
    folder = _real(os.path.dirname(os.path.abspath(path)))
    root = _real(os.path.abspath(project))
    return stat.S_ISREG(mode) and (folder == root or _within(folder, root))


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
    if _plainly_inside(path, project):
        return None
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
