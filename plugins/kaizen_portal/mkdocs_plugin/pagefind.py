"""The site's search index: Pagefind, run over the built site after every build.

Pagefind splits its index into chunks, so a search fetches only the chunks and excerpts
its words need, however many experiments there are, where Material's own search makes
every reader download one JSON index of every page (see "Search" in the README). The
portal's search box (pages/assets/search.js) loads Pagefind only when the reader opens
search.

Nothing here imports MkDocs: the plugin calls ``index_site`` from ``on_post_build``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

BUNDLE_DIR = "pagefind"  # where the index and Pagefind's UI land, under the site root
ENTRY_FILE = "pagefind-entry.json"  # names the index's other files, by their content

# Pagefind reads only Material's page content, never the header, tabs, sidebars or footer,
# which repeat on every page. The root selector does that in any project using the plugin;
# this repo's theme/main.html also marks the content with data-pagefind-body, which leaves
# out the pages without the mark (Material's 404 page).
ROOT_SELECTOR = "article.md-content__inner"
EXCLUDE_SELECTORS = (
    ".headerlink",  # the "¶" of every heading, which would end each result's title
    # Labels written against their value without a space: Pagefind reads "Team" and "web"
    # as one word, "Teamweb" (it splits joined words only at capitals and digits), so a
    # search for the value would miss the page, and excerpts would show the joined word.
    ".kz-label",
    ".kz-facts dt",
    ".kz-phase__name",
    ".kz-results thead",
    ".kz-results__head .kz-chip",
    ".kz-direction",
    # The note on how results are computed, the same on every result page: it would make
    # every experiment a match for "test", "interval" or "confidence", and its 330 words
    # are over a third of a result page's, which Pagefind holds in memory all at once.
    ".kz-method",
    # Lists of experiments, which have pages of their own: without them a listing is found
    # by its name and summary rather than by every word of every title it lists, and the
    # index of thousands of experiments stays out of the excerpts a search downloads.
    "table.kz-listing",
    "table.kz-groups",
    "table.kz-index",
    ".kz-feed",
    ".kz-tiles",
)


class SearchIndexError(RuntimeError):
    """Pagefind could not index the site; the message says why."""


class Indexed(NamedTuple):
    pages: int
    seconds: float


def index_site(
    site_dir: Path,
    into: str = BUNDLE_DIR,
    *,
    yielding: bool = False,
    running: Callable[[subprocess.Popen[str]], None] = lambda process: None,
) -> Indexed:
    """Indexes the built site in ``site_dir`` into ``site_dir/<into>/``; ``yielding``: at
    the lowest CPU priority, where ``nice`` is there, so that a rebuild of the preview
    started meanwhile goes first. ``running`` is given Pagefind's process, to stop it.

    Raises SearchIndexError if Pagefind is missing, fails, or finds no page to index.
    """
    binary = _pagefind_binary()
    nice = shutil.which("nice") if yielding else None
    command = [nice, "-n", "19"] if nice else []
    command += [str(binary), "--site", str(site_dir), "--output-subdir", into]
    command += ["--root-selector", ROOT_SELECTOR]
    for selector in EXCLUDE_SELECTORS:
        command += ["--exclude-selectors", selector]
    started = time.perf_counter()
    pipe = subprocess.PIPE
    try:
        process = subprocess.Popen(command, stdout=pipe, stderr=pipe, text=True)
    except OSError as error:
        raise SearchIndexError(f"could not run Pagefind ({binary}): {error}") from error
    running(process)
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    counted = re.search(r"Indexed (\d+) pages?", stdout)
    pages = int(counted.group(1)) if counted else 0
    if process.returncode != 0 or pages == 0:
        # Pagefind repeats its error once per thread; once is enough.
        detail = "\n".join(dict.fromkeys(stderr.strip().splitlines()))
        raise SearchIndexError(
            f"Pagefind could not index {site_dir} (exit status {process.returncode}, "
            f"{pages} pages indexed): {detail or stdout.strip()[-2000:]}"
        )
    return Indexed(pages, seconds)


def _pagefind_binary() -> Path:
    """The binary that pip's ``pagefind[bin]`` installs, or PAGEFIND_BINARY_PATH."""
    try:
        from pagefind.service import get_executable
    except ImportError as error:
        raise SearchIndexError("Pagefind is not installed: pip install 'pagefind[bin]'") from error
    binary = get_executable()
    if binary is None:
        raise SearchIndexError(
            "Pagefind's binary is missing: pip install 'pagefind[bin]' "
            "(or set PAGEFIND_BINARY_PATH to a pagefind executable)"
        )
    return binary


class BackgroundIndex:
    """The live preview's search index, built while the preview goes on: a saved page is
    on screen at once, its words in search a few seconds later. Saves made while an index
    is being built are indexed together once it is done. Each index is written beside the
    one being read and moved in entry file last, so a search never reads half an index."""

    def __init__(self, report: Callable[[Indexed | SearchIndexError], None]) -> None:
        self._report = report
        self._lock = threading.Lock()
        self._wanted: Path | None = None
        self._running = False
        self._stopped = False
        self._process: subprocess.Popen[str] | None = None

    def request(self, site_dir: Path) -> None:
        with self._lock:
            self._wanted = site_dir
            if self._running or self._stopped:
                return
            self._running = True
        threading.Thread(target=self._run, name="pagefind", daemon=True).start()

    def stop(self, timeout: float = 10) -> None:
        """Ends the indexing when the preview ends, before MkDocs removes the folder that
        Pagefind writes into; what was asked for and not done is dropped."""
        with self._lock:
            self._stopped, self._wanted = True, None
            if self._process is not None:
                self._process.terminate()
        self.wait(timeout)
        with self._lock:
            self._stopped = False  # a later preview in the same process indexes again

    def _started(self, process: subprocess.Popen[str]) -> None:
        with self._lock:
            self._process = process
            if self._stopped:
                process.terminate()

    def wait(self, timeout: float) -> bool:
        """Whether every index asked for was built within ``timeout`` seconds (for tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._running:
                    return True
            time.sleep(0.05)
        return False

    def _run(self) -> None:
        while True:
            with self._lock:
                site, self._wanted = self._wanted, None
                if site is None:
                    self._running = False
                    return
            try:
                indexed: Indexed | SearchIndexError = _swapped(site, self._started)
            except SearchIndexError as error:
                indexed = error
            with self._lock:
                self._process, stopped = None, self._stopped
            if not stopped:
                self._report(indexed)


def _swapped(site_dir: Path, running: Callable[[subprocess.Popen[str]], None]) -> Indexed:
    """Indexes beside the index being read, then moves the new files in, its entry file
    last. Pagefind names every other file by its content, so the old ones are left in
    place: a page that loaded the old entry before the move still finds all it asks for."""
    fresh = site_dir / f"{BUNDLE_DIR}.next"
    shutil.rmtree(fresh, ignore_errors=True)
    indexed = index_site(site_dir, fresh.name, yielding=True, running=running)
    files = sorted(p for p in fresh.rglob("*") if p.is_file())
    files.sort(key=lambda p: p.name == ENTRY_FILE)  # stable: the entry file goes last
    try:
        for path in files:
            target = site_dir / BUNDLE_DIR / path.relative_to(fresh)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
    except OSError as error:  # the preview stopped and took its folder along
        raise SearchIndexError(f"could not put the new index in place: {error}") from error
    shutil.rmtree(fresh, ignore_errors=True)
    return indexed
