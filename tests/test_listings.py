"""Browse pages: team, tag, people and metric listings, the timeline and the dashboard."""

from __future__ import annotations

import copy
import datetime as dt
import html
import json
import re
from itertools import pairwise
from pathlib import Path

import pytest
from browsing import draw_all_charts
from kaizen_portal.analysis import insights
from kaizen_portal.analysis.lineage import lineages
from kaizen_portal.build.pipeline import Inputs, build
from kaizen_portal.inputs.vocabulary import Decision, group_slug
from kaizen_portal.pages.links import PageOptions

from conftest import screenshot
from helpers import ROOT, VALID, front_matter, make_project, mkdocs_build, write


@pytest.fixture(scope="module")
def built():
    """The samples as a published build sees them (drafts left out)."""
    return build(Inputs(ROOT), PageOptions())


@pytest.fixture(scope="module")
def samples(built):
    return built.portfolio, list(built.analyses.values())


@pytest.fixture(scope="module")
def pages(built) -> dict[str, str]:
    return {f.uri: f.content for f in built.files}


def figures(content: str) -> list[dict]:
    return [json.loads(html.unescape(m)) for m in re.findall(r"data-figure='([^']*)'", content)]


# --- insights ---------------------------------------------------------------------------


def test_names_that_slug_alike_are_one_group(samples) -> None:
    _, analyses = samples
    a, b = analyses[0], analyses[1]
    spelled = {id(a): "Ana Ruiz", id(b): "ana  ruiz"}
    (group,) = insights.group_by([a, b], lambda x: [spelled[id(x)]])
    assert group.slug == "ana-ruiz"
    assert len(group.rows) == 2
    assert group_slug("<>&") != group_slug("!!") != ""


def test_group_by_tags_counts_every_tagged_experiment(samples) -> None:
    _, analyses = samples
    groups = {g.name: g for g in insights.group_by(analyses, lambda a: a.entry.meta.tags)}
    tagged = [a for a in analyses if "subject-lines" in a.entry.meta.tags]
    assert {a.entry.meta.id for a in groups["subject-lines"].rows} == {
        a.entry.meta.id for a in tagged
    }
    dates = [a.entry.meta.dates.latest for a in groups["subject-lines"].rows]
    assert dates == sorted(dates, reverse=True)  # newest first


def test_velocity_lists_every_month_of_the_span(samples) -> None:
    _, analyses = samples
    months = insights.velocity(analyses)
    assert [m.month for m in months][:2] == ["2025-04", "2025-05"]
    concluded = [a for a in analyses if a.entry.meta.status.value == "concluded"]
    assert sum(m.total for m in months) == len(concluded)
    shipped = sum(1 for a in concluded if a.entry.meta.decision is Decision.SHIP)
    assert sum(m.decisions[Decision.SHIP] for m in months) == shipped
    spans = [dt.date.fromisoformat(m.month + "-01") for m in months]
    assert all((b.year - a.year) * 12 + b.month - a.month == 1 for a, b in pairwise(spans))


def test_median_cycle_and_idea_depth(samples) -> None:
    portfolio, analyses = samples
    days = sorted(
        (a.entry.meta.dates.end - a.entry.meta.dates.build).days
        for a in analyses
        if a.entry.meta.dates.build and a.entry.meta.dates.end
    )
    assert insights.median_cycle_days(analyses) == pytest.approx(
        (days[len(days) // 2] + days[(len(days) - 1) // 2]) / 2
    )
    depth = insights.idea_depth(lineages(portfolio.entries).values())
    # Counted independently: walk each cycle up to its idea's first cycle.
    parents = {e.meta.id: e.meta.parent for e in portfolio.entries}
    deepest: dict[str, int] = {}
    for exp_id in parents:
        steps, node = 0, exp_id
        while parents.get(node) in parents:
            node, steps = parents[node], steps + 1
        deepest[node] = max(deepest.get(node, 0), steps)
    assert depth.ideas == len(deepest)
    assert depth.second == sum(1 for d in deepest.values() if d >= 1)
    assert depth.third == sum(1 for d in deepest.values() if d >= 2)
    assert depth.third >= 2  # the samples follow several ideas to a third cycle


def test_win_rates_count_concluded_primary_verdicts(samples) -> None:
    _, analyses = samples
    rates = {r.team: r.tally for r in insights.win_rates(analyses)}
    web = [
        (a, insights.primary_arm(a))
        for a in analyses
        if a.entry.meta.team == "Web" and a.entry.meta.status.value == "concluded"
    ]
    valid = [arm for a, arm in web if arm and arm.verdict and not a.srm]
    assert rates["Web"].win == sum(1 for arm in valid if arm.verdict == "win")
    assert rates["Web"].tested == len(valid)
    # The broken split of EXP-2026-006 tested as a win, and counts as nothing of the kind.
    broken = next(arm for a, arm in web if a.entry.meta.id == "EXP-2026-006")
    assert broken.verdict == "win" and broken.state.value == "invalid"
    assert rates["Web"].of(broken.state) == 1


# --- generated pages --------------------------------------------------------------------


def test_each_team_page_lists_exactly_its_experiments(samples, pages) -> None:
    portfolio, _ = samples
    teams = {e.meta.team for e in portfolio.entries}
    index = pages["teams/index.md"]
    for team in teams:
        uri = f"teams/{group_slug(team)}.md"
        listed = set(re.findall(r'data-kz-id="([^"]+)"', pages[uri]))
        assert listed == {e.meta.id for e in portfolio.entries if e.meta.team == team}
        assert f'href="{group_slug(team)}/"' in index


def test_tag_and_people_pages_exist_for_every_name(samples, pages) -> None:
    portfolio, _ = samples
    for entry in portfolio.entries:
        for tag in entry.meta.tags:
            assert entry.meta.id in pages[f"tags/{tag}.md"]
        assert entry.meta.id in pages[f"people/{group_slug(entry.meta.owner)}.md"]
    assert 'class="md-tag"' in pages["tags/index.md"]


def test_metric_page_puts_every_comparison_in_its_forest(samples, pages) -> None:
    _, analyses = samples
    page = pages["metrics/email_click_rate.md"]
    measured = [a for a in analyses if insights.metric_arms(a, "email_click_rate")]
    (forest,) = figures(page)
    rows = [y for trace in forest["data"] for y in trace["y"]]
    # A row per comparison, named by the experiment's title (and the variant, where an
    # experiment has several), in the order of the table below it: newest first.
    assert len(rows) == sum(len(insights.metric_arms(a, "email_click_rate")) for a in measured)
    order = {y: i for i, y in enumerate(forest["layout"]["yaxis"]["categoryarray"])}
    # Each point's first custom datum is its experiment's page.
    placed = [
        (order[y], url)
        for trace in forest["data"]
        for y, (url, *_) in zip(trace["y"], trace["customdata"], strict=True)
    ]
    slugs = [a.entry.meta.slug for a in insights.newest_first(measured)]
    firsts = [min(i for i, url in placed if f"/{slug}/" in url) for slug in slugs]
    assert firsts == sorted(firsts)
    tally = insights.tally(
        arm for a in analyses for arm in insights.metric_arms(a, "email_click_rate")
    )
    assert (
        f'<span class="kz-tile__value">{tally.no_difference}</span><span class="kz-tile__label">'
        "no clear difference" in page
    )
    assert tally.too_small and (
        f'<span class="kz-tile__value">{tally.too_small}</span><span class="kz-tile__label">'
        "too small to tell" in page
    )
    assert f"{tally.total} comparisons in {len(measured)} experiments" in page
    # Every metric of the catalog gets a page, measured or not.
    portfolio, _ = samples
    for name in portfolio.catalog.metrics:
        assert f"metrics/{group_slug(name)}.md" in pages


def test_timeline_has_a_section_and_a_chart_per_team(samples, pages) -> None:
    portfolio, _ = samples
    page = pages["timeline.md"]
    teams = {e.meta.team for e in portfolio.entries}
    assert len(re.findall(r"data-kz-section=", page)) == len(teams)
    charts = figures(page)
    assert len(charts) == len(teams)
    # The samples' longest chain sits on one lane, linked by dotted steps.
    email = next(f for f in charts if any("exp-2025-003" in t["y"] for t in f["data"]))
    steps = [
        s for s in email["layout"]["shapes"] if s["line"]["dash"] == "dot" and s["yref"] == "y"
    ]
    assert len(steps) == 3  # three steps: 003→011→004→018
    # One date range for every team, covering the build's date.
    ranges = {tuple(f["layout"]["xaxis"]["range"]) for f in charts}
    assert len(ranges) == 1


def test_the_dashboard_replaces_its_marker_on_the_home_page(sample_site: Path) -> None:
    home = (sample_site / "index.html").read_text(encoding="utf-8")
    assert "kaizen:dashboard" not in home
    assert 'id="running-now"' in home and 'id="latest-outcomes"' in home
    assert "kz-chart--velocity" in home and "kz-chart--win-rate" in home
    assert "What we tried, and what we learned" in home  # the author's own text stays


@pytest.mark.site
def test_a_project_without_a_home_page_gets_the_dashboard(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project / "docs" / "index.md").unlink()
    hostile = copy.deepcopy(VALID)
    hostile["owner"] = '<img src=x onerror=alert(1)> "Ana"'
    write(project, "a.md", front_matter(hostile))
    result = mkdocs_build(project, tmp_path / "site", strict=True)
    assert result.returncode == 0, result.stderr
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'id="latest-outcomes"' in home
    people = (tmp_path / "site" / "people" / "index.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in people
    assert "<img src=x" not in people


# --- in the browser ---------------------------------------------------------------------


def wait_for_charts(page) -> int:
    draw_all_charts(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.kz-chart')].filter(c => c.offsetParent)"
        ".every(c => c.querySelector('svg.main-svg'))"
    )
    return page.locator(".kz-chart--drawn").count()


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("", "home"),
        ("metrics/", "metrics"),
        ("metrics/landing_conversion/", "metric"),
        ("teams/", "teams"),
        ("teams/web/", "team"),
        ("tags/", "tags"),
        ("tags/subject-lines/", "tag"),
        ("people/ana-ruiz/", "person"),
        ("timeline/", "timeline"),
    ],
)
def test_browse_pages_render_without_errors(page, site_url: str, path: str, name: str) -> None:
    page.goto(site_url + path)
    wait_for_charts(page)
    assert page.locator("article h1").count() >= 1
    screenshot(page, f"browse-{name}")
    assert page.console_errors == []


def test_dashboard_and_metric_charts_draw(page, site_url: str) -> None:
    page.goto(site_url)
    assert wait_for_charts(page) == 2
    page.goto(site_url + "metrics/landing_conversion/")
    assert wait_for_charts(page) == 1
    points = page.locator(".kz-chart--forest .scatterlayer .point").count()
    rows = page.locator("table.kz-listing tbody tr").count()
    assert points == rows
    assert page.console_errors == []


def test_timeline_team_filter_narrows_and_lives_in_the_url(page, site_url: str) -> None:
    page.goto(site_url + "timeline/")
    wait_for_charts(page)
    sections = page.locator("[data-kz-section]")
    assert sections.count() == 5
    page.select_option("select[data-kz-section-filter]", "Web")
    assert page.locator("[data-kz-section]:visible").count() == 1
    assert page.locator("[data-kz-section]:visible h2").inner_text() == "Web"
    assert "team=Web" in page.url
    fresh = page.context.new_page()
    fresh.goto(page.url)
    assert fresh.locator("select[data-kz-section-filter]").input_value() == "Web"
    assert fresh.locator("[data-kz-section]:visible").count() == 1
    wait_for_charts(fresh)
    width = fresh.evaluate(
        "() => document.querySelector('[data-kz-section]:not([hidden]) svg.main-svg')"
        ".getBoundingClientRect().width"
    )
    assert width > 600  # drawn at full width, not at a hidden section's zero width
    assert page.console_errors == []
