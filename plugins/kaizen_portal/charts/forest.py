"""Forests of lifts: each comparison's lift with its interval, coloured by its state.

An experiment page shows one row per metric and arm; a metric's page shows one row per
experiment that measured it, so a reader sees whether an effect held up over time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ..analysis import formatting
from ..analysis.comparisons import Analysis, ArmResult, MetricResult
from ..analysis.states import State
from ..inputs.catalog import confidence_level
from ..inputs.portfolio import Entry
from ..inputs.schema import Experiment
from ..inputs.vocabulary import Direction
from .figures import Chart, Figure, colour, layout, number, plotly_text, row_height, wrapped

FOREST_LIMIT = 60  # rows in a metric's forest; the table under it lists every comparison


def state_colour(state: State) -> str:
    """Each state in its own colour, the badges' colour: a broken split never looks green."""
    return colour(state.css)


@dataclass(frozen=True)
class ForestRow:
    """One comparison in a forest of lifts: a metric's arm on one page, an experiment on many."""

    label: str  # plotly text, already escaped
    arm: ArmResult
    hover: str  # plotly text naming the comparison in the tooltip
    url: str = ""  # where a click on the point goes; empty for none
    key: str = ""  # what tells the row from another of the same label (an id)


def lift_chart(analysis: Analysis, confidence: float) -> Chart | None:
    """Every variant's lift with its interval, one row per metric and arm, by verdict."""
    exp = analysis.entry.meta
    rows = [_lift_row(metric, arm, exp) for metric in analysis.metrics for arm in metric.variants]
    rows = [row for row in rows if _has_lift(row.arm)]
    if not rows:
        return None
    randomized = analysis.entry.meta.design.randomized
    axis_title = f"Lift, {_levels(rows, confidence)}" if randomized else "Change vs baseline"
    caption = f"{axis_title}: {_tally(rows)}. The results table gives the same numbers."
    return Chart("lift", forest_figure(rows, axis_title), "Lift per metric and arm", caption)


def _levels(rows: Sequence[ForestRow], confidence: float) -> str:
    """The intervals' level (and whether they are a running test's always-valid ones), or
    that they differ, as a correction or a running test makes them."""
    kinds = {
        formatting.interval_level(c, confidence)
        for row in rows
        if (c := row.arm.comparison) and c.ci_confidence
    }
    if len(kinds) > 1:
        return "intervals at their tested levels"  # short: the phone's axis is narrow
    return f"{kinds.pop() if kinds else confidence_level(confidence)} interval"


AXIS_TITLE_CHARACTERS = 22  # per line of the axis title


def forest_figure(rows: Sequence[ForestRow], axis_title: str) -> Figure:
    """Lifts with intervals around a zero line, one trace per state so the legend reads."""
    traces = []
    for state in reversed(State):  # the legend reads from the best
        picked = [row for row in rows if _state(row.arm) is state]
        if picked:
            traces.append(_forest_trace(state, picked))
    title = wrapped(axis_title, AXIS_TITLE_CHARACTERS)  # centred under a phone's narrow plot
    figure: Figure = {
        "data": traces,
        "layout": layout(
            90 + row_height([row.label for row in rows]) * len(rows),
            bottom=32 + 18 * (title.count("<br>") + 1),
            showlegend=True,
            xaxis={
                "title": {"text": title},
                "ticksuffix": "%",
                "zeroline": True,
                "zerolinewidth": 2,
                "rangemode": "tozero",
                "automargin": True,
            },
            yaxis={
                "categoryorder": "array",
                "categoryarray": [row.label for row in rows],
                "autorange": "reversed",
                "automargin": True,
            },
        ),
    }
    if any(row.url for row in rows):
        figure["clickable"] = True
    return figure


def _has_lift(arm: ArmResult) -> bool:
    return arm.comparison is not None and number(arm.comparison.lift) is not None


_SYMBOLS = {State.TOO_SMALL: "diamond-open", State.INTERIM: "circle-open"}


def _state(arm: ArmResult) -> State:
    return arm.state or State.UNTESTED


def _tally(rows: Sequence[ForestRow]) -> str:
    """``3 comparisons: 1 win, 2 no clear difference``: every state that occurs."""
    counts = Counter(_state(row.arm) for row in rows)
    each = ", ".join(f"{counts[s]} {s.noun(counts[s])}" for s in reversed(State) if counts[s])
    return f"{formatting.plural(len(rows), 'comparison')}: {each}"


def _lift_row(metric: MetricResult, arm: ArmResult, exp: Experiment) -> ForestRow:
    lower = metric.definition.direction is Direction.LOWER
    label = plotly_text(metric.definition.label)
    arm_name = plotly_text(exp.arm_label(arm.arm))
    shown = f"{label}<br>{arm_name}" + ("<br>↓ lower is better" if lower else "")
    return ForestRow(shown, arm, f"{label} · {arm_name}")


def _forest_trace(state: State, rows: Sequence[ForestRow]) -> Figure:
    lifts, above, below, hover = [], [], [], []
    for row in rows:
        c = row.arm.comparison
        assert c is not None
        lift = number(c.lift, 100)
        low, high = number(c.ci_low, 100), number(c.ci_high, 100)
        lifts.append(lift)
        has_interval = lift is not None and low is not None and high is not None
        above.append(high - lift if has_interval else None)  # type: ignore[operator]
        below.append(lift - low if has_interval else None)  # type: ignore[operator]
        hover.append(
            [
                row.url,
                row.hover,
                formatting.signed_percent(c.lift),
                formatting.shown_interval(c),
                state.label,
            ]
        )
    color = state_colour(state)
    return {
        "type": "scatter",
        "mode": "markers",
        "name": state.label,
        "x": lifts,
        "y": [row.label for row in rows],
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": above,
            "arrayminus": below,
            "color": color,
            "thickness": 2.5,
            "width": 6,
        },
        # Too small to tell wears the colour of no clear difference, hollow: it says less.
        "marker": {"color": color, "size": 11, "symbol": _SYMBOLS.get(state, "diamond")},
        "customdata": hover,
        "hovertemplate": (
            "%{customdata[1]}<br>lift %{customdata[2]}, interval %{customdata[3]}"
            "<br>%{customdata[4]}<extra></extra>"
        ),
    }


def metric_forest(
    rows: Sequence[tuple[Analysis, ArmResult]],
    url: Callable[[Entry], str],
    confidence: float,
) -> Chart | None:
    """One metric across experiments, newest first as in the table below it: has the
    effect held up over time? Rows are named by the experiment's title."""
    placed = [_experiment_row(a, arm, url) for a, arm in rows if _has_lift(arm)]
    if not placed:
        return None
    placed = _distinct(placed)
    shown = placed[:FOREST_LIMIT]
    axis_title = f"Lift, {_levels(shown, confidence)}"
    caption = f"Every experiment that measured this metric, newest first: {_tally(placed)}."
    if len(shown) < len(placed):
        caption += f" The chart shows the latest {len(shown)}; the table lists all."
    return Chart("forest", forest_figure(shown, axis_title), "Lift per experiment", caption)


TITLE_CHARACTERS = 26  # per line of a title on a chart row (two lines); the hover has it all


def _experiment_row(analysis: Analysis, arm: ArmResult, url: Callable[[Entry], str]) -> ForestRow:
    exp = analysis.entry.meta
    variant = plotly_text(exp.arm_label(arm.arm))
    label = wrapped(exp.title, TITLE_CHARACTERS, 2) + (
        f"<br>{variant}" if len(exp.arms) > 2 else ""
    )
    hover = f"{plotly_text(exp.title)} · {variant}"
    return ForestRow(label, arm, hover, url(analysis.entry), plotly_text(exp.id))


def _distinct(rows: list[ForestRow]) -> list[ForestRow]:
    """Rows of the same title (two experiments named alike) keep apart by their ids."""
    seen = Counter(row.label for row in rows)
    return [
        replace(row, label=f"{row.label} · {row.key}") if seen[row.label] > 1 else row
        for row in rows
    ]
