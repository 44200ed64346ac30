"""Work on one write-up at a time, spread over the machine's CPUs.

Reading, analysing and rendering a write-up change nothing the others read, so a large
build splits them between this process and forked copies of it, each taking every
n-th item; the copies send their results back pickled, and the order is kept. Forking is
the one start method that shares the loaded portfolio and the imported statistics
libraries instead of redoing them (importing scipy and statsmodels costs more than the
work on many write-ups), so it is used only where it is safe and pays: on Linux, from a
process running a single thread (`mkdocs serve` runs a server thread, and rebuilds from
its memo anyway), and for enough items to outweigh starting a process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 100  # fewer items are done in this process: a fork would cost what it saves
MAX_SHARES = 8  # each copy of the build grows in memory as it writes; a bound on them

# The running map's task and items, inherited by the forked copies instead of pickled.
_job: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def map_shared(task: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``[task(item) for item in items]``, computed on every CPU when that is worth it.

    ``task`` must return something picklable; an exception it raises in a copy is raised
    here.
    """
    shares = share_count(len(items))
    if shares < 2:
        return [task(item) for item in items]
    # The first item is done before forking, so whatever it loads on first use (templates
    # compiled, libraries imported lazily) is shared by every copy, not redone in each.
    first, rest = task(items[0]), items[1:]
    global _job
    _job = (task, rest)
    try:
        context = multiprocessing.get_context("fork")
        # The executor forks all its processes before it starts its own thread.
        with ProcessPoolExecutor(shares - 1, mp_context=context) as pool:
            futures = [pool.submit(_share, k, shares) for k in range(1, shares)]
            results: list[Any] = [None] * len(rest)
            results[0::shares] = [task(item) for item in rest[0::shares]]
            for k, future in enumerate(futures, start=1):
                results[k::shares] = future.result()
    finally:
        _job = None
    return [first, *results]


def share_count(items: int) -> int:
    """How many processes a map of ``items`` items uses: 1 where forking is unsafe or idle."""
    if items < MIN_ITEMS or sys.platform != "linux" or threading.active_count() > 1:
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), MAX_SHARES))


def _share(k: int, shares: int) -> list[Any]:
    """One forked copy's part: items k, k + shares, k + 2 * shares, ..."""
    if _job is None:  # only a forked copy of a running map calls this
        raise RuntimeError("no shared work in this process")
    task, items = _job
    return [task(item) for item in items[k::shares]]
