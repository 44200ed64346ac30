"""Relative links between generated pages, with and without directory URLs."""

from __future__ import annotations

import pytest
from kaizen_portal.pages import Links, PageOptions


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
