"""Garbage collection during a build: only of what the build itself makes.

A build keeps many objects alive from start to end: the portfolio and, while `mkdocs
serve` runs, the memo of earlier builds (build/memo.py). CPython's full collections scan
every live object, about half a second each at 5,000 experiments and several times a
rebuild, to find cycles among objects that are not garbage. Frozen (``gc.freeze``, a
list splice), those objects are left out of every collection until the build ends; they
are still freed as soon as nothing refers to them, and any cycle among them is found by
the first full collection after.
"""

from __future__ import annotations

import ctypes
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_depth = 0  # blocks open: the outermost one unfreezes


@contextmanager
def frozen() -> Iterator[None]:
    """Collections inside the block look only at objects made after its start (or after
    the latest ``gc.freeze`` in it); blocks nest."""
    global _depth
    _depth += 1
    gc.freeze()
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            gc.unfreeze()


def release_memory() -> None:
    """Hands back to the system what a finished build no longer uses: MkDocs' pages refer
    to each other, so only a collection frees them, and the C allocator keeps freed memory
    for the process unless asked to return it."""
    gc.collect()
    if _libc is not None:
        _libc.malloc_trim(0)


def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        libc.malloc_trim  # noqa: B018 - glibc's, absent from other C libraries (musl)
    except (OSError, AttributeError):
        return None
    return libc


_libc = _glibc()
