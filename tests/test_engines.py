"""The same portal on each engine: MkDocs 1.6, ProperDocs (its maintained fork) and
Zensical (through `kaizen generate`).

Each engine builds the shipped samples with --strict; every published experiment must
have its page with its title and the state of its primary result, the search index must
hold it, and every internal link must resolve. On Zensical, which renders pages the
portal wrote out rather than ones the plugin handed over, every page must read as the
plugin's does, and charts, filters and search must work in a browser. (The hostile
write-ups are built and opened in a browser on each engine in test_hostile.py.)
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import markupsafe
import pytest
from browsing import click_first_cycle_bar, draw_all_charts, serve

from conftest import screenshot
from helpers import ENGINES, ROOT, make_project, mkdocs_build


@pytest.fixture(scope="module")
def samples_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples in a project of their own: Zensical writes into the project it builds."""
    return make_project(tmp_path_factory.mktemp("samples"), samples=True)


@pytest.fixture(scope="module")
def zensical_site(samples_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site") / "zensical"
    result = mkdocs_build(samples_copy, site, strict=True, engine="zensical")
    assert result.returncode == 0, result.stdout + result.stderr
    return site


@pytest.fixture(scope="module", params=ENGINES)
def engine_site(
    request: pytest.FixtureRequest, sample_site: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    if request.param == "mkdocs":
        return sample_site  # the session's build, as `make site` makes it
    if request.param == "zensical":
        return request.getfixturevalue("zensical_site")
    site = tmp_path_factory.mktemp(f"site-{request.param}")
    result = mkdocs_build(ROOT, site, strict=True, engine=request.param)
    assert result.returncode == 0, result.stderr
    return site


def searchable(site: Path) -> set[str]:
    """The URLs the engine's search index can lead to: Zensical's own index, else Pagefind's."""
    if (site / "search.json").is_file():
        items = json.loads((site / "search.json").read_text(encoding="utf-8"))["items"]
        return {item["location"] for item in items}
    assert (site / "pagefind" / "pagefind.js").is_file()
    return {"*"}  # Pagefind's index is binary; test_search.py searches it in a browser


@pytest.mark.site
def test_every_published_experiment_has_its_page_title_and_state(engine_site: Path) -> None:
    export = json.loads((engine_site / "experiments.json").read_text(encoding="utf-8"))
    experiments = export["experiments"]
    assert len(experiments) >= 20
    found = searchable(engine_site)
    for exp in experiments:
        page = (engine_site / exp["url"] / "index.html").read_text(encoding="utf-8")
        assert f'<h1 class="kz-card__title">{markupsafe.escape(exp["title"])}</h1>' in page, exp[
            "id"
        ]
        if exp["state"]:
            assert f'data-kz-state="{exp["state"]}"' in page, exp["id"]
        assert found == {"*"} or exp["url"] in found, exp["id"]


@pytest.mark.site
def test_every_internal_link_resolves(engine_site: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check-links"), str(engine_site)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


class _ArticleText(HTMLParser):
    """The words inside a page's <article>: what a reader reads, whatever the markup."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = 0
        self.words: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.inside += tag == "article"

    def handle_endtag(self, tag: str) -> None:
        self.inside -= tag == "article"

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.words += data.split()


def article_text(page: Path) -> list[str]:
    parser = _ArticleText()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.words


@pytest.mark.site
def test_zensical_pages_read_as_the_plugin_s_pages(
    samples_copy: Path, zensical_site: Path, tmp_path: Path
) -> None:
    """Every generated page of the same project reads word for word as MkDocs builds it:
    card, results, charts' captions, cycles, listings, dashboard and the write-up."""
    mkdocs_site = tmp_path / "mkdocs"
    result = mkdocs_build(samples_copy, mkdocs_site, strict=True)
    assert result.returncode == 0, result.stderr
    pages = [p.relative_to(mkdocs_site) for p in sorted(mkdocs_site.rglob("index.html"))]
    generated = [p for p in pages if p.parts[0] != "authoring"]  # docs the engines render
    assert len(generated) > 100
    for page in generated:
        assert article_text(zensical_site / page) == article_text(mkdocs_site / page), page
    assert sorted(p.relative_to(zensical_site) for p in zensical_site.rglob("index.html")) == pages


@pytest.fixture(scope="module")
def zensical_url(zensical_site: Path):
    with serve(zensical_site) as url:
        yield url


def test_zensical_experiment_page_draws_its_charts(page, zensical_url: str) -> None:
    page.goto(zensical_url + "experiments/exp-2025-012/")
    assert page.locator(".kz-card h1").inner_text() == "Shorter checkout form"
    assert page.locator(".kz-outcome .kz-state").inner_text() == "Win"
    assert draw_all_charts(page) == page.locator(".kz-chart").count() == 3
    page.wait_for_function("() => document.querySelectorAll('.kz-chart svg.main-svg').length")
    screenshot(page, "zensical-experiment")
    assert page.console_errors == []


def test_zensical_index_filters(page, zensical_url: str) -> None:
    page.goto(zensical_url + "experiments/")
    rows = page.locator("table.kz-index tbody tr:visible")
    everything = rows.count()
    page.select_option("select[name=team]", "Paid Ads")
    assert 0 < rows.count() < everything
    assert all("Paid Ads" in row.inner_text() for row in rows.all())
    assert page.console_errors == []


def test_zensical_search_finds_an_experiment(page, zensical_url: str) -> None:
    page.goto(zensical_url + "experiments/")
    page.locator(".md-search__button").click()
    page.keyboard.type("three promises")
    result = page.locator("dialog a[href$='experiments/exp-2025-011/']").first
    result.wait_for()
    assert "three promises" in result.inner_text()
    screenshot(page, "zensical-search")
    assert page.console_errors == []


def test_zensical_timeline_bars_open_their_experiment(page, zensical_url: str) -> None:
    """A chart's links are data a script reads, which no engine rewrites: still the site's."""
    page.goto(zensical_url + "experiments/exp-2025-011/")
    click_first_cycle_bar(page)
    page.wait_for_url("**/experiments/exp-2025-003/")
    assert "EXP-2025-003" in page.locator(".kz-card").inner_text()
    assert page.console_errors == []


@pytest.mark.site
def test_zensical_table_of_contents_lists_the_write_up_s_headings(zensical_site: Path) -> None:
    """The write-up reaches Zensical as cleaned HTML; its top headings come as Markdown of
    their text alone, so the page's table of contents has them as MkDocs' has."""
    page = (zensical_site / "experiments" / "exp-2025-011" / "index.html").read_text("utf-8")
    toc = page.split("md-nav--secondary", 1)[1].split("</nav>", 1)[0]
    linked = re.findall(r'href="#([^"]+)"', toc)
    assert linked[:4] == ["measured-results", "cycles-of-this-idea", "background", "hypothesis"]
    assert {"design", "results", "learnings", "next-cycle"} <= set(linked)
