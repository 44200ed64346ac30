"""Figure specs: the right traces, values and colours, valid for plotly, safe to embed."""

from __future__ import annotations

import copy
import datetime as dt
import html
import json
import re
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import pytest
from kaizen_portal.analysis.states import State
from kaizen_portal.analysis.trends import trend
from kaizen_portal.build.pipeline import Inputs, build
from kaizen_portal.charts import figures, forest, phases
from kaizen_portal.charts.forest import state_colour
from kaizen_portal.charts.phases import DAY_MS
from kaizen_portal.charts.trend import daily_chart
from kaizen_portal.inputs.daily_csv import read_daily
from kaizen_portal.inputs.portfolio import Entry
from kaizen_portal.inputs.schema import Experiment
from kaizen_portal.inputs.vocabulary import Phase
from kaizen_portal.pages.links import PageOptions

from helpers import ROOT, VALID, analysed

STYLESHEET = ROOT / "plugins" / "kaizen_portal" / "pages" / "assets" / "kaizen.css"
NAMED_COLOUR = re.compile(r"var\((--kz-[\w-]+)\)")


def painted(value: Any) -> Any:
    """The figure as charts.js hands it to plotly: each named colour a real one."""
    if isinstance(value, str):
        return NAMED_COLOUR.sub("18, 52, 86" if value.startswith("rgba(") else "#123456", value)
    if isinstance(value, list):
        return [painted(item) for item in value]
    if isinstance(value, dict):
        return {key: painted(item) for key, item in value.items()}
    return value


def valid_for_plotly(figure: dict[str, Any]) -> None:
    """Plotly's own validators reject any property its schema does not know."""
    assert set(figure) <= {"data", "layout", "clickable"}
    go.Figure(data=painted(figure["data"]), layout=painted(figure["layout"]))
    json.dumps(figure, allow_nan=False)  # no NaN: it is not JSON


def traces_by_name(figure: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in figure["data"] if "name" in t}


def test_lift_chart_has_one_point_per_variant_with_its_interval(tmp_path: Path) -> None:
    analysis = analysed(tmp_path, VALID)
    chart = forest.lift_chart(analysis, 0.95)
    assert chart is not None
    valid_for_plotly(chart.figure)
    points = {y: (trace, i) for trace in chart.figure["data"] for i, y in enumerate(trace["y"])}
    assert len(points) == 2  # checkout completion and order value, one variant each
    for metric in analysis.metrics:
        arm = metric.variants[0]
        c = arm.comparison
        trace, i = points[f"{metric.definition.label}<br>short form"]  # the arm, as it reads
        assert trace["name"] == arm.state.label
        assert trace["marker"]["color"] == state_colour(arm.state)
        assert trace["x"][i] == pytest.approx(c.lift * 100)
        assert trace["error_x"]["array"][i] == pytest.approx((c.ci_high - c.lift) * 100)
        assert trace["error_x"]["arrayminus"][i] == pytest.approx((c.lift - c.ci_low) * 100)
    assert chart.figure["layout"]["xaxis"]["zeroline"] is True
    assert chart.figure["layout"]["xaxis"]["rangemode"] == "tozero"


def test_lift_chart_colours_a_significant_drop_as_a_win_when_lower_is_better(
    tmp_path: Path,
) -> None:
    data = copy.deepcopy(VALID)
    data["metrics"] = [
        {
            "name": "unsubscribe_rate",
            "primary": True,
            "results": {
                "control": {"users": 20000, "conversions": 400},
                "short_form": {"users": 20000, "conversions": 250},
            },
        }
    ]
    chart = forest.lift_chart(analysed(tmp_path, data), 0.95)
    assert chart is not None
    (trace,) = chart.figure["data"]
    assert trace["name"] == "Win"
    assert trace["marker"]["color"] == state_colour(State.WIN) == "var(--kz-win)"
    assert trace["x"][0] < 0
    assert "lower is better" in trace["y"][0]


def test_lift_chart_shows_untested_changes_without_intervals(tmp_path: Path) -> None:
    data = copy.deepcopy(VALID)
    data["design"] = "before_after"
    chart = forest.lift_chart(analysed(tmp_path, data), 0.95)
    assert chart is not None
    (trace,) = chart.figure["data"]
    assert trace["name"] == "Not a test"
    assert trace["error_x"]["array"] == [None, None]
    assert chart.figure["layout"]["xaxis"]["title"]["text"] == "Change vs baseline"


def test_no_lift_chart_without_comparisons(tmp_path: Path) -> None:
    data = copy.deepcopy(VALID)
    data.update(design="qualitative", metrics=[], arms=[])
    assert forest.lift_chart(analysed(tmp_path, data), 0.95) is None


def entry(id_: str, parent: str | None = None, **dates: str) -> Entry:
    meta = Experiment.model_validate(
        {
            "id": id_,
            "title": f"Title of {id_}",
            "status": "running",
            "owner": "A",
            "team": "Web",
            "parent": parent,
            "dates": dates,
        }
    )
    return Entry(meta, "", f"experiments/{id_}.md")


def frame(states=None, as_of=None) -> phases.Frame:
    known = states or {}
    return phases.Frame(lambda e: f"../{e.meta.slug}/", lambda e: known.get(e.meta.id), as_of)


def test_cycles_chart_draws_each_known_phase_by_outcome_and_the_open_one_to_the_build_date() -> (
    None
):
    cycles = [
        entry("E-1", build="2025-01-01", test="2025-01-11", learn="2025-02-01", end="2025-02-05"),
        entry("E-2", "E-1", build="2025-03-01", test="2025-03-15"),
        entry("E-3", "E-2"),
    ]
    number = lambda e: int(e.meta.id[-1])  # noqa: E731
    chart = phases.cycles_chart(
        cycles, "e-2", number, frame({"E-1": State.WIN}, dt.date(2025, 3, 25))
    )
    assert chart is not None
    valid_for_plotly(chart.figure)
    traces = traces_by_name(chart.figure)
    # A trace per outcome, each bar a phase: E-1 won, E-2 has no result yet.
    won, open_ = traces["Win"], traces[phases.NO_RESULT]
    assert won["base"] == ["2025-01-01", "2025-01-11", "2025-02-01"]
    assert won["x"] == [10 * DAY_MS, 21 * DAY_MS, 4 * DAY_MS]
    assert won["marker"]["color"] == "var(--kz-win)"
    # Phases by shade; the other cycles fainter than the current one.
    build, test, learn = (phases.PHASE_SHADES[p] for p in (Phase.BUILD, Phase.TEST, Phase.LEARN))
    faint = phases.OTHER_OPACITY
    assert won["marker"]["opacity"] == [build * faint, test * faint, learn * faint]
    # E-2's test has started and not ended: it runs to the build's date, dotted.
    assert open_["base"] == ["2025-03-01", "2025-03-15"]
    assert open_["x"] == [14 * DAY_MS, 10 * DAY_MS]
    assert open_["marker"]["pattern"]["shape"] == ["", "."]
    assert [c[0] for c in won["customdata"]] == ["../e-1/"] * 3
    names = [a["text"] for a in chart.figure["layout"]["annotations"]]
    assert names[:3] == [
        "Cycle 1 · Title of E-1",
        "<b>Cycle 2 · Title of E-2</b>",
        "Cycle 3 · Title of E-3",
    ]
    assert names[3] == "as of 25 Mar 2025"
    assert chart.figure["layout"]["shapes"][-1]["x0"] == "2025-03-25"  # the as-of line
    assert chart.figure["clickable"] is True
    assert "3 cycles" in chart.caption and "Not dated yet: E-3." in chart.caption


def test_cycles_chart_needs_a_date() -> None:
    assert phases.cycles_chart([entry("E-1")], "e-1", lambda e: 1, frame()) is None


def test_timeline_names_wrap_instead_of_being_cut() -> None:
    long = "A title that goes on and on past what one line of a phone can hold, and on"
    label = phases._label(long)
    assert label.replace("<br>", " ") == long
    assert all(len(line) <= phases.LABEL_CHARACTERS for line in label.split("<br>"))


def test_author_strings_are_text_to_plotly() -> None:
    hostile = entry("E-1", build="2025-01-01", test="2025-01-11")
    hostile = Entry(
        hostile.meta.model_copy(update={"title": '<a href="javascript:alert(1)">x</a>'}),
        "",
        hostile.path,
    )
    chart = phases.cycles_chart([hostile], "e-1", lambda e: 1, frame())
    assert chart is not None
    hover = chart.figure["data"][0]["customdata"][0][1]
    assert "<a" not in hover
    assert '&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;' in hover
    name = chart.figure["layout"]["annotations"][0]["text"]
    assert "<a" not in name and "&lt;a" in name


def test_figure_attribute_round_trips_and_cannot_close_its_quote_or_tag() -> None:
    figure = {"data": [{"type": "scatter", "name": "it's </script><b>"}], "layout": {}}
    attribute = str(figures.figure_attribute(figure))
    assert attribute.startswith("'") and attribute.endswith("'")
    inner = attribute[1:-1]
    assert "'" not in inner and "<" not in inner and ">" not in inner
    assert json.loads(html.unescape(inner)) == figure


def daily_text(rows: list[tuple[str, str, int, int]]) -> str:
    return "date,arm,users,conversions\n" + "".join(f"{d},{a},{u},{c}\n" for d, a, u, c in rows)


def test_daily_chart_draws_cumulative_rates_and_the_lift_band() -> None:
    text = daily_text(
        [
            ("2025-06-16", "control", 500, 50),
            ("2025-06-16", "variant", 500, 60),
            ("2025-06-17", "control", 500, 40),
            ("2025-06-17", "variant", 500, 70),
        ]
    )
    data, problems = read_daily(text, "data/x.csv", ["control", "variant"])
    assert problems == [] and data is not None
    series = trend(data, 0.95)
    chart = daily_chart(series, "Checkout completion", 0.95)
    assert chart is not None
    valid_for_plotly(chart.figure)
    traces = traces_by_name(chart.figure)
    assert traces["control"]["y"] == pytest.approx([10.0, 9.0])
    assert traces["variant"]["y"] == pytest.approx([12.0, 13.0])
    lift = traces["lift of variant"]
    assert lift["y"] == pytest.approx([v * 100 for v in series.lifts[0].lift])
    assert lift["yaxis"] == "y2"
    # The band is drawn from the upper edge down to the lower one, filled between.
    upper, lower = (t for t in chart.figure["data"] if t.get("hoverinfo") == "skip")
    assert upper["y"] == pytest.approx([v * 100 for v in series.lifts[0].ci_high])
    assert lower["fill"] == "tonexty"
    # A tint of the variant's colour, so the line and the grid show through the band.
    assert lower["fillcolor"] == "rgba(var(--kz-arm-2), 0.18)"
    assert "Cumulative<br>checkout completion" in chart.figure["layout"]["yaxis"]["title"]["text"]
    assert "2 days from 16 Jun 2025 to 17 Jun 2025" in chart.caption


@pytest.fixture(scope="module")
def sample_build():
    return build(Inputs(ROOT), PageOptions())


def test_every_sample_figure_is_valid_and_lean(sample_build) -> None:
    figures = []
    for generated in sample_build.files:
        for match in re.finditer(r"data-figure='([^']*)'", generated.content):
            figures.append(json.loads(html.unescape(match.group(1))))
    assert len(figures) > 30
    for figure in figures:
        valid_for_plotly(figure)
        # No template and no per-figure styling: a figure stays a few KB at most.
        assert "template" not in figure["layout"]
        assert len(json.dumps(figure)) < 8_000


def test_every_colour_a_figure_names_is_set_by_the_stylesheet(sample_build) -> None:
    """A misspelt colour would draw as nothing: each one a chart names must exist."""
    pages = [generated.content for generated in sample_build.files] + [sample_build.dashboard]
    named = {
        name
        for page in pages
        for figure in re.findall(r"data-figure='([^']*)'", page)
        for name in NAMED_COLOUR.findall(html.unescape(figure))
    }
    assert {"--kz-win", "--kz-invalid", "--kz-interim", "--kz-arm-1", "--kz-decision-ship"} <= named
    defined = set(re.findall(r"(--kz-[\w-]+):", STYLESHEET.read_text(encoding="utf-8")))
    assert named - defined == set()


def test_sample_pages_carry_the_charts_they_have_data_for(sample_build) -> None:
    pages = {f.uri: f.content for f in sample_build.files}
    daily_page = pages["experiments/exp-2025-012.md"]
    assert "kz-chart--lift" in daily_page and "kz-chart--daily" in daily_page
    assert "kz-chart--cycles" in daily_page
    qualitative = pages["experiments/exp-2025-005.md"]
    assert "kz-chart--lift" not in qualitative
    assert "kz-chart--daily" not in pages["experiments/exp-2025-011.md"]


def test_the_browser_draws_with_the_plotly_js_the_figures_are_checked_against() -> None:
    """The vendored bundle is the plotly.js of the plotly package that validates figures."""
    import plotly

    def version(path: Path) -> str:
        head = path.read_text(encoding="utf-8")[:200]
        found = re.search(r"plotly\.js(?: \([^)]*\))? v(\d+\.\d+\.\d+)", head)
        assert found, path
        return found.group(1)

    vendored = ROOT / "plugins" / "kaizen_portal" / "pages" / "assets" / "vendor"
    full = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert version(vendored / "plotly-basic.min.js") == version(full)
    assert "MIT" in (vendored / "plotly-basic.LICENSE").read_text(encoding="utf-8")
