"""Work already done, remembered by the content it was done on.

`mkdocs serve` rebuilds the whole site on every save. Parsing, validating and analysing
a write-up depends only on its bytes, the catalog and the data files, so a rebuild after
editing one write-up recomputes that one and reuses the rest. Keys are content digests,
never paths or times, so a stale result cannot be served: a changed input is a new key.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Hashable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class Memo:
    """A content-keyed store that forgets whatever the latest build did not use."""

    def __init__(self) -> None:
        self._store: dict[Hashable, Any] = {}
        self._used: set[Hashable] = set()

    def fill(self, keys: Sequence[Hashable], compute: Callable[[list[int]], list[T]]) -> list[T]:
        """The value of every key, computing the missing ones in one call.

        ``compute`` gets the positions of the missing keys and returns their values in that
        order; one call for all of them lets it share the work among processes.
        """
        missing = [i for i, key in enumerate(keys) if key not in self._store]
        for i, value in zip(missing, compute(missing) if missing else [], strict=True):
            self._store[keys[i]] = value
        self._used.update(keys)
        return [self._store[key] for key in keys]

    def sweep(self) -> None:
        """After a build: drop results of files that were deleted or changed."""
        self._store = {k: v for k, v in self._store.items() if k in self._used}
        self._used = set()


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def files_digest(paths: Iterable[Path]) -> str:
    """One digest of many files' names and bytes, in a stable order."""
    parts: list[bytes | str] = []
    for path in sorted(paths):
        parts += [path.as_posix(), _content(path)]
    return digest(*parts)


def _content(path: Path) -> bytes:
    """A file's bytes, by their digest and read in chunks, as a data file may be large;
    what is not a regular file (a pipe, a device, nothing) by what it is, never read."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return b"\0not a file"
        with path.open("rb") as file:
            return hashlib.file_digest(file, "sha256").digest()
    except OSError:
        return b"\0missing"
