"""Every kind of page as a reader meets it, on a phone (390 px) and a desktop (1366 px).

Nothing sticks out sideways, no text is under 12 px, and each result state reads the same
at the top of its experiment's page, in the index and on its team's page. Screenshots of
each page kind at both widths land in tests/screenshots/ for people to look at.
"""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from browsing import draw_all_charts
from kaizen_portal.analysis.states import State

from conftest import screenshot

PHONE, DESKTOP = 390, 1366

# One page of every kind the sample site has; experiments in each result state.
PAGES = {
    "home": "",
    "index": "experiments/",
    "win": "experiments/exp-2025-003/",
    "loss": "experiments/exp-2025-018/",
    "flat": "experiments/exp-2026-014/",
    "too-small": "experiments/exp-2025-001/",
    "invalid": "experiments/exp-2026-006/",
    "interim": "experiments/exp-2026-020/",
    "untested": "experiments/exp-2025-009/",
    "qualitative": "experiments/exp-2025-005/",
    "planned": "experiments/exp-2026-016/",
    "abandoned": "experiments/exp-2026-010/",
    "teams": "teams/",
    "team": "teams/web/",
    "tags": "tags/",
    "people": "people/",
    "person": "people/priya-natarajan/",
    "metrics": "metrics/",
    "metric": "metrics/checkout_completion/",
    "timeline": "timeline/",
    "guide": "authoring/",
}

# What a reader cannot read or reach: an element past the right edge that no scrolling
# box holds (a wide table of the guide scrolls in Material's own box), and text set under 12 px (chart labels are Plotly's own, sized
# to the chart). Material's off-screen drawer and search are not on the page.
LAYOUT_PROBLEMS = """() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  const held = el => {  // inside a box of its own that fits, and scrolls or clips it
    for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p);
      const boxed = ['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX);
      if (boxed && p.getBoundingClientRect().right <= width + 1) return true;
    }
    return false;
  };
  const name = el => el.tagName.toLowerCase() + (el.classList[0] ? '.' + el.classList[0] : '');
  for (const el of document.querySelectorAll('.md-main *, .md-header *')) {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === 'hidden' || box.width === 0 || box.height === 0) continue;
    if (el.closest('.md-sidebar, .md-search, .js-plotly-plot')) continue;
    if (box.right > width + 1 && !held(el)) {
      problems.push(`${name(el)} reaches ${Math.round(box.right)} px`);
    }
    const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (text && parseFloat(style.fontSize) < 12) {
      problems.push(`${name(el)} "${el.textContent.trim().slice(0, 30)}" is ${style.fontSize}`);
    }
  }
  return [...new Set(problems)].slice(0, 10);
}"""


@pytest.fixture(scope="module", params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def screen(request: pytest.FixtureRequest, browser):
    context = browser.new_context(viewport={"width": request.param, "height": 844})
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(str(error)))  # type: ignore[attr-defined]
    yield request.param, page
    context.close()


@pytest.mark.parametrize("kind", PAGES)
def test_every_page_fits_the_screen_in_readable_type(kind: str, screen, site_url: str) -> None:
    width, page = screen
    page.goto(site_url + PAGES[kind])
    draw_all_charts(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    screenshot(page, f"{kind}-{width}")
    assert page.errors == []


STATES = {
    State.WIN: "exp-2025-003",
    State.LOSS: "exp-2025-018",
    State.FLAT: "exp-2026-014",
    State.TOO_SMALL: "exp-2025-001",
    State.INVALID: "exp-2026-006",
    State.INTERIM: "exp-2026-020",
    State.UNTESTED: "exp-2025-009",
}


def test_a_result_reads_the_same_first_on_its_page_and_in_every_list(
    browser, site_url: str
) -> None:
    context = browser.new_context(viewport={"width": PHONE, "height": 844})
    page = context.new_page()
    read: dict[State, list[str]] = {}
    teams: dict[State, str] = {}
    for state, slug in STATES.items():
        page.goto(f"{site_url}experiments/{slug}/")
        outcome = page.locator(".kz-outcome")
        assert outcome.get_attribute("data-kz-state") == state.value
        # The outcome is in a phone's first screen, before the hypothesis and the facts.
        box = outcome.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 844, state
        read[state] = [outcome.locator(".kz-state").first.inner_text()]
        team = page.locator(".kz-card a[href*='/teams/']:not([href$='/teams/'])")
        teams[state] = urljoin(page.url, team.first.get_attribute("href") or "")
    # The same words in the index, and on the team's page the card links to.
    page.goto(f"{site_url}experiments/")
    for state, slug in STATES.items():
        read[state].append(_state_in_row(page, slug))
    for state, slug in STATES.items():
        page.goto(teams[state])
        read[state].append(_state_in_row(page, slug))
    assert read == {state: [state.label] * 3 for state in STATES}
    context.close()


def _state_in_row(page, slug: str) -> str:
    # Off-screen rows are not laid out (content-visibility), so their text, not innerText.
    row = page.locator(f"tr[data-kz-id='{slug.upper()}']")
    return (row.locator(".kz-state").first.text_content() or "").strip()


def test_the_home_tally_counts_only_valid_concluded_tests_and_names_the_rest(
    page, site_url: str
) -> None:
    """The win rate reads from experiments.json's states: nothing invalid, running or
    untested counts as won or as tested, and a measured result left out is said (a
    qualitative study has none)."""
    published = page.request.get(site_url + "experiments.json").json()["experiments"]
    ended = [e for e in published if e["status"] == "concluded" and e["state"]]
    concluded = [State(e["state"]) for e in ended]
    tested = [s for s in concluded if s in (State.WIN, State.LOSS, State.FLAT, State.TOO_SMALL)]
    left_out = [s for s in concluded if s not in tested]
    assert State.INVALID in left_out and State.WIN in tested  # the samples hold both
    page.goto(site_url)
    tile = page.locator(".kz-tile--win")
    assert tile.locator(".kz-tile__value").inner_text() == (
        f"{tested.count(State.WIN)} of {len(tested)}"
    )
    label = tile.locator(".kz-tile__label").inner_text()
    for state in sorted(set(left_out), key=lambda s: s.rank):
        n = left_out.count(state)
        assert f"{n} {state.noun(n)}" in label
    assert all(e["state"] != "interim" for e in published if e["status"] == "concluded")
