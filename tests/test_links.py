"""Relative links between generated pages, with and without directory URLs."""

from __future__ import annotations

import posixpath

import pytest
from kaizen_portal.pages.links import Links, PageOptions


@pytest.mark.parametrize(
    ("from_uri", "to_uri", "expected"),
    [
        ("index.md", "experiments/index.md", "experiments/"),
        ("experiments/index.md", "index.md", "../"),
        ("experiments/index.md", "experiments/exp-1.md", "exp-1/"),
        ("experiments/exp-1.md", "experiments/exp-2.md", "../exp-2/"),
        ("experiments/exp-1.md", "experiments/index.md", "../"),
        ("teams/web.md", "experiments/exp-1.md", "../../experiments/exp-1/"),
        ("teams/web.md", "teams/index.md", "../"),
        ("teams/index.md", "teams/web.md", "web/"),
        ("timeline.md", "experiments/exp-1.md", "../experiments/exp-1/"),
        ("index.md", "index.md", "./"),
    ],
)
def test_directory_urls(from_uri: str, to_uri: str, expected: str) -> None:
    assert Links(PageOptions()).relative(from_uri, to_uri) == expected


@pytest.mark.parametrize(
    ("from_uri", "to_uri", "expected"),
    [
        ("index.md", "experiments/exp-1.md", "experiments/exp-1.html"),
        ("experiments/index.md", "experiments/exp-1.md", "exp-1.html"),
        ("experiments/exp-1.md", "index.md", "../index.html"),
        ("teams/web.md", "experiments/exp-1.md", "../experiments/exp-1.html"),
    ],
)
def test_file_urls(from_uri: str, to_uri: str, expected: str) -> None:
    assert Links(PageOptions(directory_urls=False)).relative(from_uri, to_uri) == expected


PAGES = ["index.md", "timeline.md", "experiments/index.md", "experiments/exp-1.md"]
PAGES += ["teams/web.md", "teams/index.md", "tags/a-b.md"]


@pytest.mark.parametrize("directory_urls", [True, False])
@pytest.mark.parametrize("from_uri", PAGES)
def test_links_through_the_root_reach_what_relative_links_reach(
    from_uri: str, directory_urls: bool
) -> None:
    # Rows shared by every page as deep link through the site root; from any page they
    # must land where the shortest relative link lands.
    links = Links(PageOptions(directory_urls=directory_urls))
    here = links.url(from_uri)
    folder = here if here.endswith("/") or not here else posixpath.dirname(here) + "/"
    depth = links.depth(from_uri)
    for to_uri in PAGES:
        shared = posixpath.normpath(posixpath.join("/", folder, links.via_root(depth, to_uri)))
        shortest = posixpath.normpath(posixpath.join("/", folder, links.relative(from_uri, to_uri)))
        assert shared == shortest == posixpath.normpath("/" + links.url(to_uri))


@pytest.mark.parametrize(
    ("from_uri", "to_uri", "expected"),
    [
        ("index.md", "experiments/exp-1.md", "experiments/exp-1.md"),
        ("experiments/exp-1.md", "experiments/exp-2.md", "exp-2.md"),
        ("experiments/exp-1.md", "index.md", "../index.md"),
        ("teams/web.md", "experiments/exp-1.md", "../experiments/exp-1.md"),
        ("teams/index.md", "teams/web.md", "web.md"),
    ],
)
def test_source_links_lead_from_source_to_source(from_uri: str, to_uri: str, expected: str) -> None:
    """As Markdown links are written, for an engine that resolves them in HTML too."""
    links = Links(PageOptions(source_links=True))
    assert links.relative(from_uri, to_uri) == expected
    # A script's URL (a chart's bar) is the site's on every route: no engine rewrites it.
    assert links.for_script(from_uri, to_uri) == Links(PageOptions()).relative(from_uri, to_uri)


@pytest.mark.parametrize("from_uri", PAGES)
def test_source_links_through_the_root_reach_the_same_source(from_uri: str) -> None:
    links = Links(PageOptions(source_links=True))
    folder = posixpath.dirname(from_uri)
    for to_uri in PAGES:
        shared = links.via_root(links.depth(from_uri), to_uri)
        assert posixpath.normpath(posixpath.join("/", folder, shared)) == "/" + to_uri
        shortest = posixpath.join("/", folder, links.relative(from_uri, to_uri))
        assert posixpath.normpath(shortest) == "/" + to_uri
