"""The built pages in headless Chromium, as a reader meets them."""

from __future__ import annotations

import pytest
from browsing import click_first_cycle_bar, draw_all_charts

from conftest import screenshot


def wait_for_experiment(page, exp_id: str) -> None:
    """Instant navigation changes the URL before the content: wait for the new card."""
    page.wait_for_url(f"**/experiments/{exp_id.lower()}/")
    page.wait_for_function(
        "id => document.querySelector('.kz-card')?.textContent.includes(id)", arg=exp_id
    )


def test_experiment_page_renders_card_and_results(page, site_url: str) -> None:
    page.goto(site_url + "experiments/exp-2025-012/")
    card = page.locator(".kz-card")
    assert card.is_visible()
    assert card.locator("h1").inner_text() == "Shorter checkout form"
    table = page.locator("table.kz-results")
    assert table.is_visible()
    assert table.locator("tbody.kz-results__metric").count() >= 2
    assert page.locator(".kz-results .kz-state").first.is_visible()
    # The outcome opens the card: the primary result, its state and the decision.
    outcome = card.locator(".kz-outcome")
    assert outcome.locator(".kz-state").inner_text() == "Win"
    assert "61.20% → 64.01%" in outcome.inner_text()
    screenshot(page, "experiment")
    assert page.console_errors == []


def test_index_lists_experiments_and_links_to_them(page, site_url: str) -> None:
    page.goto(site_url + "experiments/")
    rows = page.locator("table.kz-index tbody tr")
    assert rows.count() >= 15
    screenshot(page, "index")
    page.locator("table.kz-index a", has_text="Sunset policy").click()
    wait_for_experiment(page, "EXP-2025-001")
    assert page.locator(".kz-card h1").inner_text().startswith("Sunset policy")
    assert page.console_errors == []


def test_cycle_links_navigate_between_iterations(page, site_url: str) -> None:
    page.goto(site_url + "experiments/exp-2025-011/")
    page.locator("a[rel=next]").click()
    wait_for_experiment(page, "EXP-2026-004")
    current = page.locator(".kz-cycle--current .kz-cycle__step").inner_text()
    assert current.upper() == "CYCLE 3"
    assert page.console_errors == []


def drawn_charts(page) -> list[str]:
    """Waits for every chart of the page to be drawn as SVG; returns their kinds."""
    draw_all_charts(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.kz-chart')].every("
        "c => c.classList.contains('kz-chart--drawn') && c.querySelector('svg.main-svg'))"
    )
    return page.eval_on_selector_all(
        ".kz-chart",
        "charts => charts.map(c => c.className.match(/kz-chart--(lift|daily|cycles|forest)/)[1])",
    )


def test_experiment_charts_render_as_svg_and_load_plotly_once(page, site_url: str) -> None:
    plotly_requests: list[str] = []
    page.on("request", lambda r: plotly_requests.append(r.url) if "plotly" in r.url else None)
    page.goto(site_url + "experiments/exp-2025-012/")
    assert drawn_charts(page) == ["lift", "daily", "cycles"]
    assert len(plotly_requests) == 1
    assert plotly_requests[0].startswith(site_url + "assets/kaizen/plotly-basic.min.js")
    screenshot(page, "charts-light")
    # Instant navigation to another chart page reuses the loaded plotly.js: its preload
    # link is answered by the browser's cache, and the script is not run again.
    downloads: list[int] = []
    page.on(
        "requestfinished",
        lambda r: downloads.append(r.sizes()["responseBodySize"]) if "plotly" in r.url else None,
    )
    page.evaluate("() => { window.firstPlotly = window.Plotly; }")
    page.locator("a[rel=next]").first.click()
    wait_for_experiment(page, "EXP-2025-018")
    assert "lift" in drawn_charts(page)
    assert all(size <= 0 for size in downloads), downloads
    assert page.evaluate("() => window.Plotly === window.firstPlotly")
    assert page.console_errors == []


def test_pages_without_charts_do_not_load_plotly(page, site_url: str) -> None:
    plotly_requests: list[str] = []
    page.on("request", lambda r: plotly_requests.append(r.url) if "plotly" in r.url else None)
    page.goto(site_url + "experiments/")
    page.wait_for_load_state("networkidle")
    assert page.locator(".kz-chart").count() == 0
    assert plotly_requests == []


def test_a_desktop_fetches_plotly_with_the_page_and_a_phone_only_near_a_chart(
    browser, site_url: str
) -> None:
    fetched: dict[int, list[str]] = {}
    for width in (1366, 390):
        context = browser.new_context(viewport={"width": width, "height": 844})
        page = context.new_page()
        page.goto(site_url + "experiments/exp-2025-012/")
        page.wait_for_load_state("networkidle")
        # What asked for it: the page's preload link, or charts.js once a chart was near.
        fetched[width] = page.evaluate(
            "() => performance.getEntriesByType('resource')"
            ".filter(e => e.name.includes('plotly')).map(e => e.initiatorType)"
        )
        context.close()
    assert fetched[1366] == ["link"]
    assert fetched[390] in ([], ["script"])


# The first lift trace's colour as drawn, and the stylesheet's colour of its verdict now.
VERDICT_COLOURS = """() => {
  const trace = document.querySelector('.kz-chart--lift')._fullData[0];
  const named = getComputedStyle(document.body).getPropertyValue('--kz-' + trace.name.toLowerCase());
  return [trace.marker.color, named.trim()];
}"""


def test_charts_follow_the_palette_toggle_without_reload(page, site_url: str) -> None:
    page.goto(site_url + "experiments/exp-2025-011/")
    drawn_charts(page)
    background = "() => document.querySelector('.kz-chart--lift')._fullLayout.paper_bgcolor"
    light = page.evaluate(background)
    light_marker, light_verdict = page.evaluate(VERDICT_COLOURS)
    assert light_marker == light_verdict  # the stylesheet's colour, not the name in the figure
    page.evaluate("() => { window.__sameDocument = true; }")
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_function(f"({background})() !== {light!r}")
    dark = page.evaluate(background)
    assert dark != light
    assert page.evaluate("() => window.__sameDocument") is True  # no reload happened
    assert page.evaluate("() => document.body.dataset.mdColorScheme") == "slate"
    # The chart now wears the dark page's own background colour.
    as_rgb = (
        "c => { const probe = document.createElement('i'); probe.style.color = c;"
        " document.body.append(probe); const rgb = getComputedStyle(probe).color;"
        " probe.remove(); return rgb; }"
    )
    page_background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert page.evaluate(as_rgb, dark) == page_background
    # Its verdicts now wear the dark palette's colours, as the badges beside them do.
    dark_marker, dark_verdict = page.evaluate(VERDICT_COLOURS)
    assert dark_marker == dark_verdict != light_marker
    screenshot(page, "charts-dark")
    assert page.console_errors == []


def test_charts_fit_a_phone_screen(browser, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(site_url + "experiments/exp-2025-012/")
    drawn_charts(page)
    widths = page.eval_on_selector_all(
        ".kz-chart svg.main-svg", "svgs => svgs.map(s => s.getBoundingClientRect().right)"
    )
    assert max(widths) <= 375
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    screenshot(page, "charts-phone")
    context.close()


# Every axis title of every chart, against the chart's own box.
AXIS_TITLES_INSIDE = """() => [...document.querySelectorAll(".kz-chart svg.main-svg")].flatMap(
  (svg) => [...svg.querySelectorAll(".xtitle, .ytitle")].map((title) => {
    const box = svg.getBoundingClientRect(), text = title.getBoundingClientRect();
    return [title.textContent, text.left >= box.left - 1 && text.right <= box.right + 1];
  }))"""


@pytest.mark.parametrize("path", ["metrics/checkout_completion/", "experiments/exp-2025-012/"])
def test_axis_titles_are_whole_on_a_phone(browser, site_url: str, path: str) -> None:
    """A long title ("Lift, intervals at their tested levels") wraps under a narrow plot."""
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(site_url + path)
    drawn_charts(page)
    titles = page.evaluate(AXIS_TITLES_INSIDE)
    assert titles and [title for title, inside in titles if not inside] == []
    screenshot(page, "axis-titles-phone")
    context.close()


def test_cycle_timeline_bars_open_their_experiment(page, site_url: str) -> None:
    page.goto(site_url + "experiments/exp-2025-011/")
    drawn_charts(page)
    # The first bar is the build phase of cycle 1; a real click on it opens that cycle.
    click_first_cycle_bar(page)
    wait_for_experiment(page, "EXP-2025-003")
    assert page.console_errors == []
