"""Work already done, remembered by the content it was done on.

`mkdocs serve` rebuilds the whole site on every save. Parsing, validating and analysing
a write-up depends only on its bytes, the catalog and the data files, so a rebuild after
editing one write-up recomputes that one and reuses the rest. Keys are content digests,
never paths or times, so a stale result cannot be served: a changed input is a new key.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Hashable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from ..inputs.files import MAX_DATA_BYTES, unreadable

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
        # surrogateescape: a file name that is not UTF-8 still has its own bytes
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def files_digest(paths: Iterable[Path], project: Path) -> str:
    """One digest of many files' names and bytes, in a stable order."""
    parts: list[bytes | str] = []
    for path in sorted(paths):
        parts += [path.as_posix(), _content(path, project)]
    return digest(*parts)


def _content(path: Path, project: Path) -> bytes:
    """A file's bytes, by their digest and read in chunks, as a data file may be large.

    What the loader refuses to read (a link out of the project, a pipe, a file past every
    size limit) is keyed by that alone, never read: the digest is no way round the limits.
    """
    if unreadable(path, project, "") is not None:
        return b"\0refused"
    try:
        if os.stat(path).st_size > MAX_DATA_BYTES:
            return b"\0too large"
        with path.open("rb") as file:
            return hashlib.file_digest(file, "sha256").digest()
    except OSError:
        return b"\0missing"
