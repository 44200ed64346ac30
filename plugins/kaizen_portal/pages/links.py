"""Where each generated page lands in the site, and the relative links between them.

Pages are addressed by their Markdown source (``experiments/exp-2025-011.md``); ``Links``
turns that into the URL the site generator will give it, with or without directory URLs,
so every link a page holds is relative and the site works under any base path.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass
from pathlib import Path

from ..inputs.portfolio import Entry
from ..inputs.vocabulary import DEFAULT_PAGES_DIR, INDEX_PAGE, PROBLEMS_PAGE, group_slug


@dataclass(frozen=True)
class PageOptions:
    pages_dir: str = DEFAULT_PAGES_DIR
    directory_urls: bool = True
    template_dir: Path | None = None  # a folder whose templates override the shipped ones
    site_url: str = ""  # absolute base URL, for feeds and links that leave the site
    site_name: str = "Experiments"
    # The build's own date (the last commit's): what a running test's days count up to
    # where it has no daily data. Never the clock, so a commit always builds the same.
    as_of: dt.date | None = None
    # Links in href and src written as Markdown links to the pages' sources are
    # (``../teams/web.md``), for an engine that rewrites every link of a page as it does
    # a Markdown link (Zensical); otherwise as the site's own URLs, which MkDocs leaves
    # alone in HTML.
    source_links: bool = False


@dataclass(frozen=True)
class GeneratedFile:
    uri: str
    content: str
    in_nav: bool = False  # only listing pages; experiment pages are reached through them
    source: str = ""  # the write-up an experiment page shows (its path, as problems name it)


HOME_URI = f"{INDEX_PAGE}.md"
# Where each kind of listing lives; experiment pages stay under their own folder.
GROUP_SECTIONS = {"team": "teams", "tag": "tags", "owner": "people", "metric": "metrics"}


class Links:
    """Relative URLs between generated pages, as the site generator will lay them out."""

    def __init__(self, options: PageOptions) -> None:
        self.options = options

    def page_uri(self, entry: Entry) -> str:
        return f"{self.options.pages_dir}/{entry.meta.slug}.md"

    def index_uri(self) -> str:
        return f"{self.options.pages_dir}/{INDEX_PAGE}.md"

    def problems_uri(self) -> str:
        return f"{self.options.pages_dir}/{PROBLEMS_PAGE}.md"

    def group_uri(self, kind: str, name: str) -> str:
        """The page of one team, tag, person or metric."""
        return f"{GROUP_SECTIONS[kind]}/{group_slug(name)}.md"

    def groups_uri(self, kind: str) -> str:
        return f"{GROUP_SECTIONS[kind]}/{INDEX_PAGE}.md"

    def timeline_uri(self) -> str:
        return "timeline.md"

    def url(self, uri: str) -> str:
        """The URL path of a Markdown source, like MkDocs' use_directory_urls does it."""
        stem = uri.removesuffix(".md")
        if not self.options.directory_urls:
            return stem + ".html"
        if stem == "index" or stem.endswith("/index"):
            return stem.removesuffix("index")
        return stem + "/"

    def relative(self, from_uri: str, to_uri: str) -> str:
        """The link an attribute of the page of ``from_uri`` holds to the page of ``to_uri``."""
        return _relative_url(self._linked(from_uri), self._linked(to_uri))

    def for_script(self, from_uri: str, to_uri: str) -> str:
        """The URL a script of the page opens (a chart's bar): relative to the page's URL
        on every route, since no engine rewrites the data a script reads."""
        return _relative_url(self.url(from_uri), self.url(to_uri))

    def depth(self, uri: str) -> int:
        """How many folders deep the links of the page of ``uri`` start."""
        return len(_folders(self._linked(uri)))

    def via_root(self, depth: int, to_uri: str) -> str:
        """A link up to the site root and down to ``to_uri``: the same from every page as
        deep, so HTML holding it can be shared by all of them."""
        return "../" * depth + self._linked(to_uri) or "./"

    def _linked(self, uri: str) -> str:
        return uri if self.options.source_links else self.url(uri)


def _relative_url(here: str, target: str) -> str:
    """The relative link between two site URLs, by their path segments.

    posixpath.relpath consults the working directory on every call, which made it the
    largest single cost of rendering listings that link thousands of pages.
    """
    base = _folders(here)
    parts = target.split("/")
    common = 0
    while common < min(len(base), len(parts) - 1) and base[common] == parts[common]:
        common += 1
    return "../" * (len(base) - common) + "/".join(parts[common:]) or "./"


def _folders(url: str) -> list[str]:
    """The folders a site URL's page sits in: a/b/ is in a and b, a/b.html in a only."""
    folder = url if url.endswith("/") or not url else posixpath.dirname(url) + "/"
    return [part for part in folder.split("/") if part]
