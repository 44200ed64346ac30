"""The live preview at scale: after a save, `mkdocs serve --dirty` renders again only the
pages the save changed, and removes the pages it deleted.

In a dirty build MkDocs renders a page again when its File says it was modified: a
generated File always says so, a docs page asks its file's modification time. The portal
knows better. A page is the page the last build wrote when what it is rendered from is
the same: its Markdown (for the home page, with the dashboard), and everything around
every page, which is mkdocs.yml and the theme's folder. This module keeps, for the serve
session, a digest of each page's sources; the plugin tells MkDocs which pages to skip.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import jinja2.bccache


@dataclass
class Written:
    """What the last build of a serve session wrote: each page's digest and file."""

    site_dir: str = ""
    digests: dict[str, int] = field(default_factory=dict)
    dests: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    unchanged: frozenset[str]  # pages whose last output stands
    gone: dict[str, str]  # pages no longer made, and the files they were written to


def page_digest(markdown: str, frame: int) -> int:
    """What a page is rendered from. ``hash`` of a string is computed once per string, and
    pages kept by the content memo are the same strings build after build."""
    return hash((markdown, frame))


def frame_digest(paths: Iterable[Path]) -> int:
    """What every page is rendered with: the files' names, sizes and modification times."""
    stamps = []
    for path in paths:
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            try:
                stat = file.stat()
            except OSError:
                continue
            stamps.append((str(file), stat.st_size, stat.st_mtime_ns))
    return hash(tuple(stamps))


def plan(last: Written, site_dir: str, digests: Mapping[str, int]) -> Plan:
    """Which pages need no rendering, and which were made last time but not now. A new
    serve session (another site folder) starts from nothing."""
    if last.site_dir != site_dir:
        return Plan(frozenset(), {})
    unchanged = frozenset(
        uri
        for uri, digest in digests.items()
        if last.digests.get(uri) == digest and os.path.isfile(last.dests.get(uri, ""))
    )
    gone = {uri: dest for uri, dest in last.dests.items() if uri not in digests}
    return Plan(unchanged, gone)


def remove(gone: Mapping[str, str], site_dir: str) -> None:
    """Deletes the pages of write-ups that are no more, and their folders once empty."""
    root = Path(site_dir)
    for dest in gone.values():
        path = Path(dest)
        path.unlink(missing_ok=True)
        folder = path.parent
        while folder != root and folder.is_relative_to(root) and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


class CompiledTemplates(jinja2.BytecodeCache):
    """The theme's templates as Python code, kept for the serve session.

    MkDocs makes the theme's Jinja environment anew for every build, and Jinja would parse
    and compile Material's templates again each time (about half a second). Jinja checks
    each template's source against what was compiled from it, so an edited template is
    compiled again; what frames the pages (mkdocs.yml, the theme's folder) starts a new
    cache, as it may change how the environment compiles.
    """

    def __init__(self) -> None:
        self.frame: int | None = None
        self._code: dict[str, bytes] = {}

    def for_frame(self, frame: int) -> CompiledTemplates:
        if frame != self.frame:
            self.frame, self._code = frame, {}
        return self

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


class IdleCollection:
    """A full garbage collection once the preview is idle after a rebuild.

    A rebuild keeps the earlier builds' objects out of garbage collection (build/heap.py),
    and so the cycles MkDocs leaves behind each build (its pages, files and navigation
    refer to each other) with them. Collected during a rebuild they would cost the
    author's wait; collected just after one, they cost nothing anyone waits for, and the
    preview's memory stays flat from save to save.
    """

    def __init__(self, delay: float = 1.0) -> None:
        self.delay = delay
        self._lock = threading.Lock()
        self._building = False
        self._timer: threading.Timer | None = None

    def build_started(self) -> None:
        with self._lock:
            self._building = True
            if self._timer is not None:
                self._timer.cancel()

    def build_ended(self) -> None:
        with self._lock:
            self._building = False
            self._timer = threading.Timer(self.delay, self._collect)
            self._timer.daemon = True
            self._timer.start()

    def _collect(self) -> None:
        with self._lock:
            if not self._building:
                gc.collect()
