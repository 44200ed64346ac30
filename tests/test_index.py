"""The experiments index: every row rendered by the build, then filtered and sorted in place."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from kaizen_portal.build.pipeline import Build, Inputs, build
from kaizen_portal.inputs.schema import Experiment
from kaizen_portal.pages.links import PageOptions
from test_browser import wait_for_experiment

from conftest import screenshot
from helpers import ROOT, VALID, front_matter, make_project, write

HOSTILE = '"><img src=x onerror=alert(1)>'


class IndexHtml(HTMLParser):
    """The rows' attributes and the filter selects' options, as a browser would read them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.rows: list[dict[str, str]] = []
        self.options: dict[str, list[tuple[str, str]]] = {}
        self._select: str | None = None
        self._option: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "tr" and "data-kz-id" in found:
            self.rows.append(found)
        elif tag == "select":
            self._select = found["name"]
            self.options[self._select] = []
        elif tag == "option":
            self._option = found["value"]

    def handle_data(self, data: str) -> None:
        if self._select and self._option is not None:
            self.options[self._select].append((self._option, data))
            self._option = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def index_of(result: Build) -> IndexHtml:
    (page,) = [f for f in result.files if f.uri == "experiments/index.md"]
    return IndexHtml(page.content)


@pytest.fixture(scope="module")
def samples() -> Build:
    return build(Inputs(ROOT), PageOptions())


def experiments(result: Build) -> list[Experiment]:
    return [entry.meta for entry in result.portfolio.entries]


def started(exp: Experiment) -> dt.date | None:
    """The date the date filters apply to."""
    return exp.dates.test or exp.dates.build


# --- the built page ---------------------------------------------------------------------


def test_index_has_one_row_per_experiment_with_what_the_filters_need(samples: Build) -> None:
    rows = {row["data-kz-id"]: row for row in index_of(samples).rows}
    assert sorted(rows) == sorted(exp.id for exp in experiments(samples))
    row = rows["EXP-2025-012"]
    assert row["data-kz-team"] == "Web"
    assert row["data-kz-owner"] == "Ana Ruiz"
    assert row["data-kz-status"] == "concluded"
    assert row["data-kz-decision"] == "ship"
    assert row["data-kz-tags"] == "checkout forms conversion"
    assert row["data-kz-metrics"] == "checkout_completion order_value"
    assert row["data-kz-date"] == "2025-06-16"
    assert float(row["data-kz-lift"]) == pytest.approx(0.0457, abs=1e-3)
    planned = rows["EXP-2026-019"]  # no decision, dates or numbers yet: no empty attributes
    assert not {"data-kz-decision", "data-kz-date", "data-kz-lift"} & planned.keys()
    # A broken split's lift is struck through and ranks nowhere: it is not a result.
    assert "data-kz-lift" not in rows["EXP-2026-006"]
    page = next(f.content for f in samples.files if f.uri == "experiments/index.md")
    broken_row = page[page.index('data-kz-id="EXP-2026-006"') :].split("</tr>", 1)[0]
    assert 'class="kz-num kz-lift--invalid"' in broken_row


def test_filter_options_list_every_value_with_its_count(samples: Build) -> None:
    options = index_of(samples).options
    exps = experiments(samples)
    teams = Counter(exp.team for exp in exps)
    assert options["team"] == [("", f"All ({len(exps)})")] + [
        (team, f"{team} ({teams[team]})") for team in sorted(teams, key=str.casefold)
    ]
    statuses = [value for value, _ in options["status"][1:]]
    assert statuses == ["planned", "running", "concluded", "abandoned"]  # lifecycle order
    tags = Counter(tag for exp in exps for tag in exp.tags)
    assert dict(options["tag"][1:]) == {tag: f"{tag} ({n})" for tag, n in tags.items()}
    assert ("checkout_completion", "Checkout completion (3)") in options["metric"]
    assert {value for value, _ in options["owner"][1:]} == {exp.owner for exp in exps}


def test_hostile_author_strings_are_escaped_in_rows_and_filters(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    teams = project / "site_config" / "teams.yml"
    teams.write_text(yaml.safe_dump({HOSTILE: {"description": "x"}}), encoding="utf-8")
    hostile = {**VALID, "title": HOSTILE, "owner": HOSTILE, "team": HOSTILE, "hypothesis": HOSTILE}
    write(project, "a.md", front_matter(hostile))
    result = build(Inputs(project), PageOptions())
    (page,) = [f.content for f in result.files if f.uri == "experiments/index.md"]
    assert "<img" not in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    parsed = IndexHtml(page)
    (row,) = parsed.rows
    assert row["data-kz-team"] == row["data-kz-owner"] == HOSTILE  # escaped, not mangled
    assert (HOSTILE, f"{HOSTILE} (1)") in parsed.options["team"]
    assert (HOSTILE, f"{HOSTILE} (1)") in parsed.options["owner"]


# --- in the browser ---------------------------------------------------------------------


def open_index(page, url: str) -> None:
    page.goto(url)
    wait_for_index(page)


def wait_for_index(page) -> None:
    """browse.js marks the index once it has read the URL and applied it."""
    page.wait_for_function("() => document.querySelector('[data-kz-browse]')?.dataset.kzReady")


def shown_ids(page) -> list[str]:
    return page.eval_on_selector_all(
        "table.kz-index tbody tr:not(.kz-filtered-out)", "rows => rows.map(row => row.dataset.kzId)"
    )


def wait_for_query(page, query: str) -> None:
    """The URL follows the table once it has painted."""
    page.wait_for_function("query => location.search === query", arg=query)


def count_text(page) -> str:
    return page.locator("[data-kz-count]").inner_text()


def test_team_filter_narrows_rows_and_a_link_restores_it(page, site_url: str, samples) -> None:
    exps = experiments(samples)
    web = {exp.id for exp in exps if exp.team == "Web"}
    open_index(page, site_url + "experiments/")
    assert len(shown_ids(page)) == len(exps)
    page.select_option("select[name=team]", "Web")
    assert set(shown_ids(page)) == web
    wait_for_query(page, "?team=Web")
    assert count_text(page) == f"Showing {len(web)} of {len(exps)} experiments"
    screenshot(page, "index-filtered")

    fresh = page.context.new_page()
    fresh.on("pageerror", lambda error: page.console_errors.append(str(error)))
    open_index(fresh, page.url)
    assert fresh.locator("select[name=team]").input_value() == "Web"
    assert shown_ids(fresh) == shown_ids(page)
    assert page.console_errors == []


def test_free_text_matches_the_hypothesis(page, site_url: str, samples) -> None:
    word = "immersion"  # only in a hypothesis, which the table does not show
    expected = {exp.id for exp in experiments(samples) if word in (exp.hypothesis or "").lower()}
    assert expected
    open_index(page, site_url + "experiments/")
    page.fill("input[name=text]", word.upper())
    wait_for_query(page, "?text=IMMERSION")
    assert set(shown_ids(page)) == expected
    page.fill("input[name=text]", f"{word} no-such-word")
    page.wait_for_function(
        "() => document.querySelector('[data-kz-count]').textContent.startsWith('Showing 0 ')"
    )
    assert shown_ids(page) == []
    assert page.console_errors == []


def test_date_range_narrows_rows(page, site_url: str, samples) -> None:
    low, high = dt.date(2026, 1, 1), dt.date(2026, 6, 30)
    expected = {
        exp.id for exp in experiments(samples) if (day := started(exp)) and low <= day <= high
    }
    assert 0 < len(expected) < len(experiments(samples))
    open_index(page, site_url + "experiments/")
    page.fill("input[name=from]", low.isoformat())
    page.fill("input[name=to]", high.isoformat())
    assert set(shown_ids(page)) == expected
    wait_for_query(page, f"?from={low}&to={high}")
    assert page.console_errors == []


def lifts(page) -> list[float | None]:
    return page.eval_on_selector_all(
        "table.kz-index tbody tr",
        "rows => rows.map(row => row.dataset.kzLift ? Number(row.dataset.kzLift) : null)",
    )


def test_sorting_by_lift_orders_rows_and_toggles(page, site_url: str) -> None:
    open_index(page, site_url + "experiments/")
    header = page.locator("th", has=page.locator("button[data-kz-sort=lift]"))
    assert header.get_attribute("aria-sort") is None
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    order = lifts(page)
    numbers = [x for x in order if x is not None]
    assert numbers == sorted(numbers, reverse=True) and len(numbers) > 5
    assert order == numbers + [None] * (len(order) - len(numbers))  # no lift: always last
    wait_for_query(page, "?sort=lift&dir=desc")

    header.locator("button").press("Enter")  # a button, so the keyboard sorts too
    assert header.get_attribute("aria-sort") == "ascending"
    order = lifts(page)
    assert order[: len(numbers)] == sorted(numbers)
    wait_for_query(page, "?sort=lift&dir=asc")

    page.goto(site_url + "experiments/?sort=team&dir=desc")
    wait_for_index(page)
    teams = page.eval_on_selector_all("tbody tr", "rows => rows.map(r => r.dataset.kzTeam)")
    assert teams == sorted(teams, key=str.casefold, reverse=True)
    assert page.locator("th[aria-sort=descending] button").inner_text().lower() == "team"
    assert page.console_errors == []


def test_clear_restores_every_row_and_the_plain_url(page, site_url: str, samples) -> None:
    total = len(experiments(samples))
    open_index(page, site_url + "experiments/?team=Web&status=concluded&text=checkout")
    assert 0 < len(shown_ids(page)) < total
    clear = page.locator("[data-kz-clear]")
    clear.click()
    assert len(shown_ids(page)) == total
    wait_for_query(page, "")
    assert page.locator("select[name=team]").input_value() == ""
    assert page.locator("input[name=text]").input_value() == ""
    assert count_text(page) == f"Showing {total} of {total} experiments"
    assert clear.is_disabled()  # nothing left to clear
    assert page.console_errors == []


def test_filters_survive_instant_navigation_away_and_back(page, site_url: str, samples) -> None:
    exps = experiments(samples)
    open_index(page, site_url + "experiments/?team=Web")
    page.evaluate("() => { window.__sameDocument = true; }")
    page.locator("table.kz-index a", has_text="Shorter checkout form").click()
    wait_for_experiment(page, "EXP-2025-012")
    page.go_back()
    wait_for_query(page, "?team=Web")
    wait_for_index(page)
    assert page.evaluate("() => window.__sameDocument") is True  # Material swapped the content
    assert page.locator("select[name=team]").input_value() == "Web"
    assert set(shown_ids(page)) == {exp.id for exp in exps if exp.team == "Web"}
    # The new page's controls work, and the old page's listeners are gone with it.
    page.select_option("select[name=team]", "Paid Ads")
    assert set(shown_ids(page)) == {exp.id for exp in exps if exp.team == "Paid Ads"}
    wait_for_query(page, "?team=Paid+Ads")
    assert page.console_errors == []


def test_index_on_a_phone_is_a_list_of_cards_with_the_filters_folded(
    browser, site_url: str
) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_index(page, site_url + "experiments/?status=concluded&sort=lift")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    wrap = page.locator(".kz-table-wrap")
    assert not wrap.evaluate("el => el.scrollWidth > el.clientWidth")  # nothing hides sideways
    # Each experiment is a card whose state and lift are in view, not in a hidden column.
    cards = page.locator("table.kz-index tbody tr:not(.kz-filtered-out)")
    assert cards.count() > 5
    for card in cards.all()[:5]:
        for part in ("td:first-child a", ".kz-state", "td.kz-num"):
            box = card.locator(part).first.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, part
    # The filters fold behind one button, which says how many apply.
    toggle = page.locator("[data-kz-toggle]")
    assert toggle.inner_text() == "Filters (1)"
    assert not page.locator(".kz-filters").is_visible()
    toggle.click()
    assert page.locator(".kz-filters").is_visible()
    boxes = page.eval_on_selector_all(
        ".kz-filters > *", "els => els.map(el => el.getBoundingClientRect().right)"
    )
    assert max(boxes) <= 375
    # Rows off screen are not drawn until scrolled to (content-visibility); a full-page
    # capture never scrolls, so draw them all for it.
    page.add_style_tag(content=".kz-index tbody tr { content-visibility: visible !important }")
    screenshot(page, "index-phone")
    assert errors == []
    context.close()
