"""The site's search index: Pagefind, run over the built site after every build.

Pagefind splits its index into chunks, so a search fetches only the chunks and excerpts
its words need, however many experiments there are, where Material's own search makes
every reader download one JSON index of every page (see "Search" in the README). The
portal's search box (pages/assets/search.js) loads Pagefind only when the reader opens
search.

Nothing here imports MkDocs: the plugin calls ``index_site`` from ``on_post_build``.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import NamedTuple

BUNDLE_DIR = "pagefind"  # where the index and Pagefind's UI land, under the site root

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


def index_site(site_dir: Path) -> Indexed:
    """Indexes the built site in ``site_dir`` into ``site_dir/pagefind/``.

    Raises SearchIndexError if Pagefind is missing, fails, or finds no page to index.
    """
    binary = _pagefind_binary()
    command = [str(binary), "--site", str(site_dir), "--output-subdir", BUNDLE_DIR]
    command += ["--root-selector", ROOT_SELECTOR]
    for selector in EXCLUDE_SELECTORS:
        command += ["--exclude-selectors", selector]
    started = time.perf_counter()
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as error:
        raise SearchIndexError(f"could not run Pagefind ({binary}): {error}") from error
    seconds = time.perf_counter() - started
    counted = re.search(r"Indexed (\d+) pages?", result.stdout)
    pages = int(counted.group(1)) if counted else 0
    if result.returncode != 0 or pages == 0:
        # Pagefind repeats its error once per thread; once is enough.
        detail = "\n".join(dict.fromkeys(result.stderr.strip().splitlines()))
        raise SearchIndexError(
            f"Pagefind could not index {site_dir} (exit status {result.returncode}, "
            f"{pages} pages indexed): {detail or result.stdout.strip()[-2000:]}"
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
