"""Shared fixtures: the sample site built once per session, served, and a real browser;
and the tiers: tests that build a site, and tests that open pages in a browser.

A test that uses the sample site is marked ``site``, one that uses the browser ``browser``
(and ``site``: it needs a site to open); a test that runs MkDocs itself carries the mark
by hand, and fails if it does not (see ``helpers.mkdocs``). `make test-fast` runs the
tests without either mark.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import CHROMIUM, CHROMIUM_ARGS, free_port, serve

import helpers
from helpers import ROOT, mkdocs_build

SITE_FIXTURES = {"sample_site", "site_url"}
BROWSER_FIXTURES = {"browser", "page"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if fixtures & (SITE_FIXTURES | BROWSER_FIXTURES) or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.site)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before any fixture of the test is made, so a module's shared site counts too."""
    helpers.MARKERS.clear()
    helpers.MARKERS.update(mark.name for mark in item.iter_markers())


SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture(scope="session")
def site_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory, site_port: int) -> Path:
    """The shipped samples built as `make site` does, with --strict, for the test server.

    Material's instant navigation only takes over links listed in the sitemap, which holds
    absolute URLs, so the site is built for the address it is served from.
    """
    site = tmp_path_factory.mktemp("sample-site")
    env = {"SITE_URL": f"http://127.0.0.1:{site_port}/"}
    result = mkdocs_build(ROOT, site, strict=True, env=env)
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="session")
def site_url(sample_site: Path, site_port: int) -> Iterator[str]:
    with serve(sample_site, site_port) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors; a test asserts on them explicitly."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.console_errors = []  # type: ignore[attr-defined]
    page.on(
        "console",
        lambda message: (
            page.console_errors.append(message.text)  # type: ignore[attr-defined]
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))  # type: ignore[attr-defined]
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Saved for people to look at (tests/screenshots is not committed)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
