"""When things changed: the build's date and each write-up's, from git where there is git.

Two builds of the same commit must give the same bytes, on any machine and any day, so
nothing here reads the clock. Git answers in a fixed number of calls however many files
there are (one ``git log`` for every write-up); outside git, or for a file with changes
not yet committed, the file's own modification time stands in, which an unchanged tree
keeps from one build to the next.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from pathlib import Path

# The reproducible-builds convention that MkDocs reads for the sitemap's dates and the
# timestamp inside sitemap.xml.gz (https://reproducible-builds.org/specs/source-date-epoch/).
EPOCH_VARIABLE = "SOURCE_DATE_EPOCH"

_COMMIT = "\x01"  # starts each commit in the log below; git never writes it otherwise


def pin_build_date(
    environ: MutableMapping[str, str], project: Path, inputs: Iterable[Path]
) -> str | None:
    """Sets ``SOURCE_DATE_EPOCH`` to :func:`build_epoch` and returns it (None: left alone)."""
    epoch = build_epoch(project, inputs)
    if epoch is None:
        return None
    environ[EPOCH_VARIABLE] = str(epoch)
    return environ[EPOCH_VARIABLE]


def epoch_date(environ: Mapping[str, str]) -> dt.date | None:
    """The build's date, as ``SOURCE_DATE_EPOCH`` gives it (UTC), or None when unset."""
    epoch = environ.get(EPOCH_VARIABLE, "")
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date() if epoch.isdigit() else None


def build_date(environ: Mapping[str, str], project: Path, inputs: Iterable[Path]) -> dt.date | None:
    """The build's date: ``SOURCE_DATE_EPOCH`` where the caller set it, else
    :func:`build_epoch`'s, for a build that leaves the environment alone."""
    given = epoch_date(environ)
    if given is not None:
        return given
    epoch = build_epoch(project, inputs)
    return dt.datetime.fromtimestamp(epoch, dt.UTC).date() if epoch is not None else None


def build_epoch(project: Path, inputs: Iterable[Path]) -> int | None:
    """The build's date: the last commit that touched the project, else its newest input.

    The fallback is the newest modification time of the files under ``inputs`` (folders
    or files); None when there is neither git history nor any input.
    """
    committed = _git(project, "log", "-1", "--format=%ct", "--", ".")
    if committed and committed.strip().isdigit():
        return int(committed.strip())
    times = [_mtime(path) for path in _files(inputs)]
    return int(max(times)) if times else None


def last_changed(project: Path, paths: Sequence[Path]) -> dict[Path, dt.date]:
    """The date each file last changed, keyed by the paths as given.

    That is the committer date of the newest commit that touched the file; a file that
    git does not know or that has uncommitted changes gets its modification date (UTC).
    """
    committed = _committed_dates(project, paths)
    return {
        path: (committed and committed.get(_absolute(project, path))) or _mtime_date(project / path)
        for path in paths
    }


def _committed_dates(project: Path, paths: Sequence[Path]) -> dict[Path, dt.date]:
    top = _git(project, "rev-parse", "--show-toplevel")
    if not top or not paths:
        return {}
    root = Path(top.rstrip("\n")).resolve()
    wanted = {_absolute(project, path) for path in paths}
    folders = sorted({str(path.parent) for path in wanted if path.is_relative_to(root)})
    if not folders:
        return {}
    log = _git(project, "log", "-z", f"--format={_COMMIT}%cs", "--name-only", "--", *folders)
    status = _git(project, "status", "--porcelain", "-z", "--untracked-files=all", "--", *folders)
    if log is None or status is None:
        return {}
    dates: dict[Path, dt.date] = {}
    for name, day in _log_names(log):
        path = root / name
        if path in wanted and (path not in dates or day > dates[path]):
            dates[path] = day
    for name in _status_names(status):
        dates.pop(root / name, None)  # uncommitted changes: the file's own date tells more
    return dates


def _log_names(log: str) -> Iterable[tuple[str, dt.date]]:
    """(file, date) pairs of ``git log -z --format=<_COMMIT>%cs --name-only``."""
    for commit in log.split(_COMMIT)[1:]:
        day, _, names = commit.partition("\0")
        date = dt.date.fromisoformat(day)
        for name in names.lstrip("\n").split("\0"):
            if name:
                yield name, date


def _status_names(status: str) -> Iterable[str]:
    """The paths of ``git status --porcelain -z``; a rename's old path follows its new one."""
    fields = iter(status.split("\0"))
    for field in fields:
        if len(field) > 3:
            yield field[3:]
            if "R" in field[:2] or "C" in field[:2]:
                next(fields, None)


def _git(project: Path, *args: str) -> str | None:
    """Git's output, or None outside a repository, without git, or on any git error."""
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=project,
            capture_output=True,
            encoding="utf-8",
            errors="surrogateescape",
            # A build only reads: status must not rewrite the index of a read-only checkout.
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
            check=False,
        )
    except OSError:
        return None
    return result.stdout if result.returncode == 0 else None


def _files(inputs: Iterable[Path]) -> Iterable[Path]:
    for path in inputs:
        if path.is_file():
            yield path
        elif path.is_dir():
            for folder, _dirs, names in os.walk(path):
                yield from (Path(folder) / name for name in names)


def _absolute(project: Path, path: Path) -> Path:
    return Path(os.path.realpath(project / path))  # resolve(), without pathlib's own cost


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # vanished while walking
        return 0.0


def _mtime_date(path: Path) -> dt.date:
    return dt.datetime.fromtimestamp(_mtime(path), dt.UTC).date()
