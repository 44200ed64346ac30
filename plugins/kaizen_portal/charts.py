"""Results -> plotly figure specs: plain dicts that become lean JSON on the page.

Figures are dicts, not ``go.Figure`` objects: building a figure with a named template costs
about 10 ms and copies 7 KB of template into every figure's JSON, which a portfolio of
thousands of pages cannot afford. The tests check every spec against plotly's schema
instead. Colours here carry meaning (verdict, phase, arm); the page's look (background,
text, grid) is applied once in the browser by ``charts.js``, so charts follow the palette
toggle without a reload.

Plotly renders text as a small HTML subset, so every author string is escaped with
``plotly_text`` before it enters a figure.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import markupsafe

from . import fmt
from .analyze import Analysis, ArmResult, MetricResult
from .daily import Trend
from .insights import DECISIONS, Month, TeamRate, first_date, latest_date
from .lineage import Lineage, chronological
from .model import Decision, Entry, MetricKind, Phases

Figure = dict[str, Any]

# Mid tones that keep their contrast on Material's light and dark ("slate") backgrounds.
VERDICT_COLORS: dict[str | None, str] = {
    "win": "#2f9e5a",
    "loss": "#d9534f",
    "flat": "#8b8f98",
    None: "#5b8def",
}
VERDICT_NAMES: dict[str | None, str] = {
    "win": "Win",
    "loss": "Loss",
    "flat": "Flat",
    None: "Not tested",
}
PHASES = ("build", "test", "learn")
PHASE_COLORS = {"build": "#a1887f", "test": "#f4511e", "learn": "#26a69a"}
PHASE_NAMES = {"build": "Build", "test": "Test", "learn": "Learn"}
# The control is grey so the eye goes to the variants.
ARM_COLORS = ("#8b8f98", "#f4511e", "#5b8def", "#9b6bd6", "#2f9e5a", "#d4a017", "#d9534f")
DAY_MS = 86_400_000
ROW_HEIGHT = 44
CURRENT_OPACITY = 1.0
OTHER_OPACITY = 0.45
LEGEND = {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}


@dataclass(frozen=True)
class Chart:
    """A figure with the words that stand in for it where it cannot be seen."""

    name: str  # lift | daily | cycles: the chart's CSS modifier and test hook
    figure: Figure
    label: str  # the accessible name of the chart
    caption: str  # a text fallback for readers, screen readers and crawlers


def plotly_text(text: str) -> str:
    """Plotly would read ``<b>`` or ``<a href>`` in a label as markup; show it literally."""
    return html.escape(text, quote=False)


def figure_attribute(figure: Figure) -> markupsafe.Markup:
    """The figure as a single-quoted HTML attribute value, quotes and all.

    A data attribute survives Material's instant navigation, which re-creates inline
    scripts from their text and would lose a JSON script's type. Inside single quotes only
    ``'`` and ``&`` need escaping (``<`` and ``>`` are escaped too, for old parsers), so
    the JSON's many double quotes stay one byte each.
    """
    text = json.dumps(figure, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    escaped = html.escape(text, quote=False).replace("'", "&#39;")
    return markupsafe.Markup(f"'{escaped}'")


def _number(x: float | None, scale: float = 1.0) -> float | None:
    """JSON has no NaN: an undefined value is a gap."""
    if x is None or not math.isfinite(x):
        return None
    return x * scale


# --- lift -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForestRow:
    """One comparison in a forest of lifts: a metric's arm on one page, an experiment on many."""

    label: str  # plotly text, already escaped
    arm: ArmResult
    hover: str  # plotly text naming the comparison in the tooltip
    url: str = ""  # where a click on the point goes; empty for none


def lift_chart(analysis: Analysis, confidence: float) -> Chart | None:
    """Every variant's lift with its interval, one row per metric and arm, by verdict."""
    rows = [_lift_row(metric, arm) for metric in analysis.metrics for arm in metric.variants]
    rows = [row for row in rows if _has_lift(row.arm)]
    if not rows:
        return None
    level = round(confidence * 100)
    randomized = analysis.entry.meta.design.randomized
    axis_title = f"Lift vs control, with {level}% interval" if randomized else "Change vs baseline"
    caption = f"{axis_title}: {_tally(rows)}. The results table gives the same numbers."
    return Chart(
        "lift", forest_figure(rows, axis_title, confidence), "Lift per metric and arm", caption
    )


def forest_figure(rows: Sequence[ForestRow], axis_title: str, confidence: float) -> Figure:
    """Lifts with intervals around a zero line, one trace per verdict so the legend reads."""
    traces = []
    for verdict in VERDICT_COLORS:
        picked = [row for row in rows if row.arm.verdict == verdict]
        if picked:
            traces.append(_forest_trace(verdict, picked, confidence))
    figure: Figure = {
        "data": traces,
        "layout": {
            "height": 90 + ROW_HEIGHT * len(rows),
            "margin": {"l": 10, "r": 20, "t": 30, "b": 50},
            "showlegend": True,
            "legend": LEGEND,
            "xaxis": {
                "title": {"text": axis_title},
                "ticksuffix": "%",
                "zeroline": True,
                "zerolinewidth": 2,
                "rangemode": "tozero",
                "automargin": True,
            },
            "yaxis": {
                "categoryorder": "array",
                "categoryarray": [row.label for row in rows],
                "autorange": "reversed",
                "automargin": True,
            },
        },
    }
    if any(row.url for row in rows):
        figure["clickable"] = True
    return figure


def _has_lift(arm: ArmResult) -> bool:
    return arm.comparison is not None and _number(arm.comparison.lift) is not None


def _tally(rows: Sequence[ForestRow]) -> str:
    wins = sum(1 for row in rows if row.arm.verdict == "win")
    losses = sum(1 for row in rows if row.arm.verdict == "loss")
    return f"{fmt.plural(len(rows), 'comparison')}, {wins} won, {losses} lost"


def _lift_row(metric: MetricResult, arm: ArmResult) -> ForestRow:
    lower = metric.definition.direction.value == "lower"
    label = plotly_text(metric.definition.label)
    arm_name = plotly_text(arm.arm)
    shown = f"{label}<br>{arm_name}" + (" · ↓ lower is better" if lower else "")
    return ForestRow(shown, arm, f"{label} · {arm_name}")


def _forest_trace(verdict: str | None, rows: Sequence[ForestRow], confidence: float) -> Figure:
    lifts, above, below, hover = [], [], [], []
    for row in rows:
        c = row.arm.comparison
        assert c is not None
        lift = _number(c.lift, 100)
        low, high = _number(c.ci_low, 100), _number(c.ci_high, 100)
        lifts.append(lift)
        has_interval = lift is not None and low is not None and high is not None
        above.append(high - lift if has_interval else None)  # type: ignore[operator]
        below.append(lift - low if has_interval else None)  # type: ignore[operator]
        hover.append(
            [
                row.url,
                row.hover,
                fmt.signed_percent(c.lift),
                fmt.interval(c.ci_low, c.ci_high),
                VERDICT_NAMES[verdict],
            ]
        )
    color = VERDICT_COLORS[verdict]
    return {
        "type": "scatter",
        "mode": "markers",
        "name": VERDICT_NAMES[verdict],
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
        "marker": {"color": color, "size": 11, "symbol": "diamond"},
        "customdata": hover,
        "hovertemplate": (
            "%{customdata[1]}<br>lift %{customdata[2]}, "
            f"{round(confidence * 100)}% interval %{{customdata[3]}}"
            "<br>%{customdata[4]}<extra></extra>"
        ),
    }


# --- daily trend ------------------------------------------------------------------------


def daily_chart(trend: Trend, metric_label: str | None, confidence: float) -> Chart | None:
    """Cumulative value per arm above, cumulative lift with its interval band below."""
    if not trend.dates:
        return None
    dates = [d.isoformat() for d in trend.dates]
    proportion = trend.kind is MetricKind.PROPORTION
    scale = 100.0 if proportion else 1.0
    traces: list[Figure] = []
    for index, arm in enumerate(trend.arms):
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": plotly_text(arm.arm),
                "legendgroup": plotly_text(arm.arm),
                "x": dates,
                "y": [_number(v, scale) for v in arm.values],
                "line": {"color": _arm_color(index), "width": 2},
                "xaxis": "x",
                "yaxis": "y",
            }
        )
    for index, lift in enumerate(trend.lifts, start=1):
        color = _arm_color(index)
        band = {
            "type": "scatter",
            "mode": "lines",
            "x": dates,
            "line": {"width": 0, "color": color},
            "showlegend": False,
            "hoverinfo": "skip",
            "legendgroup": plotly_text(lift.arm),
            "xaxis": "x2",
            "yaxis": "y2",
        }
        traces.append({**band, "y": [_number(v, 100) for v in lift.ci_high]})
        traces.append(
            {
                **band,
                "y": [_number(v, 100) for v in lift.ci_low],
                "fill": "tonexty",
                "fillcolor": _translucent(color),
            }
        )
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"lift of {plotly_text(lift.arm)}",
                "legendgroup": plotly_text(lift.arm),
                "showlegend": False,
                "x": dates,
                "y": [_number(v, 100) for v in lift.lift],
                "line": {"color": color, "width": 2},
                "xaxis": "x2",
                "yaxis": "y2",
            }
        )
    what = metric_label or ("conversion rate" if proportion else "mean")
    level = round(confidence * 100)
    figure = {
        "data": traces,
        "layout": {
            "height": 460,
            "margin": {"l": 10, "r": 20, "t": 30, "b": 40},
            "hovermode": "x unified",
            "legend": LEGEND,
            "xaxis": {"type": "date", "anchor": "y", "matches": "x2", "showticklabels": False},
            "xaxis2": {"type": "date", "anchor": "y2"},
            "yaxis": {
                "domain": [0.56, 1],
                "title": {"text": f"Cumulative {plotly_text(what).lower()}"},
                "ticksuffix": "%" if proportion else "",
                "automargin": True,
            },
            "yaxis2": {
                "domain": [0, 0.44],
                "title": {"text": f"Lift, {level}% interval"},
                "ticksuffix": "%",
                "zeroline": True,
                "zerolinewidth": 2,
                "automargin": True,
            },
        },
    }
    return Chart("daily", figure, f"Cumulative {what} per day", _daily_caption(trend, level))


def _daily_caption(trend: Trend, level: int) -> str:
    first, last = trend.dates[0], trend.dates[-1]
    text = (
        f"Cumulative results per day, {fmt.plural(len(trend.dates), 'day')} "
        f"from {fmt.date(first)} to {fmt.date(last)}."
    )
    for lift in trend.lifts:
        final = lift.lift[-1]
        if final is not None:
            interval = fmt.interval(lift.ci_low[-1], lift.ci_high[-1])
            text += (
                f" On the last day {lift.arm} stood at {fmt.signed_percent(final)} "
                f"against the control ({level}% interval {interval})."
            )
    return text


def _arm_color(index: int) -> str:
    return ARM_COLORS[index % len(ARM_COLORS)]


def _translucent(color: str, alpha: float = 0.18) -> str:
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


# --- cycles -----------------------------------------------------------------------------


def cycles_chart(
    cycles: Sequence[Entry],
    current: str,
    number: Callable[[Entry], int],
    url: Callable[[Entry], str],
) -> Chart | None:
    """Each cycle's build, test and learn phases on one time axis; bars link to the cycle."""
    if not any(_dated(c) for c in cycles):
        return None
    rows = [_cycle_label(c, number(c), c.meta.slug == current) for c in cycles]
    figure = phases_figure(
        list(zip(cycles, rows, strict=True)),
        rows,
        url,
        lambda c: CURRENT_OPACITY if c.meta.slug == current else OTHER_OPACITY,
    )
    caption = (
        f"Build, test and learn phases of the {fmt.plural(len(cycles), 'cycle')} of this idea; "
        "select a bar to open its cycle."
    )
    undated = [c.meta.id for c in cycles if not _dated(c)]
    if undated:
        caption += f" Not dated yet: {', '.join(undated)}."
    return Chart("cycles", figure, "Timeline of the cycles of this idea", caption)


def phases_figure(
    placed: Sequence[tuple[Entry, str]],
    rows: Sequence[str],
    url: Callable[[Entry], str],
    opacity: Callable[[Entry], float] = lambda _: CURRENT_OPACITY,
    row_height: int = ROW_HEIGHT,
    links: Sequence[tuple[Entry, Entry]] = (),
) -> Figure:
    """Phases as bars on a date axis, each entry on its row; clicking a bar opens its page.

    A phase that has started but not ended (a running test) is a marker at its start:
    drawing it to "today" would make the page depend on the day it was built. ``links``
    draws a dotted line from each earlier cycle's last date to the next cycle's first.
    """
    traces: list[Figure] = []
    for phase in PHASES:
        bars = [
            (c, row, start, end)
            for c, row in placed
            for p, start, end in _spans(c.meta.dates)
            if p == phase
        ]
        if bars:
            traces.append(
                {
                    "type": "bar",
                    "orientation": "h",
                    "name": PHASE_NAMES[phase],
                    "base": [start.isoformat() for _, _, start, _ in bars],
                    "x": [(end - start).days * DAY_MS for _, _, start, end in bars],
                    "y": [row for _, row, _, _ in bars],
                    "marker": {
                        "color": PHASE_COLORS[phase],
                        "opacity": [opacity(c) for c, _, _, _ in bars],
                    },
                    "customdata": [
                        [url(c), _phase_hover(c, phase, start, end)] for c, _, start, end in bars
                    ],
                    "hovertemplate": "%{customdata[1]}<extra></extra>",
                }
            )
    ongoing = [
        (c, row, *_open_phase(c.meta.dates)) for c, row in placed if _open_phase(c.meta.dates)
    ]
    if ongoing:
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Started, not ended",
                "x": [start.isoformat() for _, _, _, start in ongoing],
                "y": [row for _, row, _, _ in ongoing],
                "marker": {
                    "symbol": "triangle-right",
                    "size": 14,
                    "color": [PHASE_COLORS[phase] for _, _, phase, _ in ongoing],
                    "opacity": [opacity(c) for c, _, _, _ in ongoing],
                },
                "customdata": [
                    [url(c), _phase_hover(c, phase, start, None)] for c, _, phase, start in ongoing
                ],
                "hovertemplate": "%{customdata[1]}<extra></extra>",
            }
        )
    if links:
        traces.append(_cycle_links(links, {c.meta.slug: row for c, row in placed}))
    return {
        "data": traces,
        "layout": {
            "height": 110 + row_height * len(rows),
            "margin": {"l": 10, "r": 20, "t": 30, "b": 30},
            "barmode": "overlay",
            "bargap": 0.35,
            "legend": LEGEND,
            "xaxis": {"type": "date", "automargin": True},
            "yaxis": {
                "categoryorder": "array",
                "categoryarray": list(rows),
                "autorange": "reversed",
                "automargin": True,
            },
        },
        # charts.js follows a clicked point's customdata[0] to its experiment page.
        "clickable": True,
    }


def _cycle_links(links: Sequence[tuple[Entry, Entry]], rows: dict[str, str]) -> Figure:
    """One dotted trace for every parent-to-child step; gaps (None) separate the steps."""
    x: list[str | None] = []
    y: list[str | None] = []
    for parent, child in links:
        end, start = latest_date(parent), first_date(child)
        if end and start:
            x += [end.isoformat(), start.isoformat(), None]
            y += [rows[parent.meta.slug], rows[child.meta.slug], None]
    return {
        "type": "scatter",
        "mode": "lines",
        "name": "Next cycle",
        "x": x,
        "y": y,
        "line": {"color": ARM_COLORS[0], "width": 1.5, "dash": "dot"},
        "hoverinfo": "skip",
    }


def _dated(entry: Entry) -> bool:
    return bool(_spans(entry.meta.dates) or _open_phase(entry.meta.dates))


def _spans(dates: Phases) -> list[tuple[str, dt.date, dt.date]]:
    """The phases whose start and end are both known: build until test, and so on."""
    bounds = [dates.build, dates.test, dates.learn, dates.end]
    return [
        (phase, start, end)
        for phase, start, end in zip(PHASES, bounds, bounds[1:], strict=False)
        if start is not None and end is not None
    ]


def _open_phase(dates: Phases) -> tuple[str, dt.date] | None:
    """The last phase that started, when nothing after it is dated."""
    bounds = [dates.build, dates.test, dates.learn, dates.end]
    known = [i for i, d in enumerate(bounds) if d is not None]
    if not known or known[-1] == len(PHASES):
        return None
    last = known[-1]
    start = bounds[last]
    assert start is not None
    return PHASES[last], start


def _cycle_label(entry: Entry, number: int, current: bool) -> str:
    label = f"Cycle {number} · {plotly_text(entry.meta.id)}"
    return f"<b>{label}</b>" if current else label


def _phase_hover(entry: Entry, phase: str, start: dt.date, end: dt.date | None) -> str:
    when = f"{fmt.date(start)} to {fmt.date(end)}" if end else f"since {fmt.date(start)}"
    return f"{plotly_text(entry.meta.title)}<br>{PHASE_NAMES[phase]}: {when}"


# --- portfolio ----------------------------------------------------------------------------

DECISION_COLORS = {
    Decision.SHIP: VERDICT_COLORS["win"],
    Decision.ITERATE: VERDICT_COLORS[None],
    Decision.ROLLBACK: VERDICT_COLORS["loss"],
    Decision.INCONCLUSIVE: VERDICT_COLORS["flat"],
}
FOREST_LIMIT = 60  # rows in a metric's forest; the table under it lists every comparison
LANE_HEIGHT = 28
LANE_LABEL = 42  # characters of an idea's title on its lane


def metric_forest(
    rows: Sequence[tuple[Analysis, ArmResult]],
    url: Callable[[Entry], str],
    confidence: float,
) -> Chart | None:
    """One metric across experiments, oldest first: has the effect held up over time?"""
    placed = [
        ForestRow(
            f"{plotly_text(a.entry.meta.id)} · {plotly_text(arm.arm)}",
            arm,
            f"{plotly_text(a.entry.meta.title)} · {plotly_text(arm.arm)}",
            url(a.entry),
        )
        for a, arm in rows
        if _has_lift(arm)
    ]
    if not placed:
        return None
    shown = placed[-FOREST_LIMIT:]
    level = round(confidence * 100)
    axis_title = f"Lift vs control, with {level}% interval where tested"
    caption = f"Every experiment that measured this metric, oldest first: {_tally(placed)}."
    if len(shown) < len(placed):
        caption += f" The chart shows the latest {len(shown)}; the table lists all."
    return Chart(
        "forest", forest_figure(shown, axis_title, confidence), "Lift per experiment", caption
    )


def portfolio_timeline(
    entries: Sequence[Entry],
    family: dict[str, Lineage],
    url: Callable[[Entry], str],
    name: str,
) -> Chart | None:
    """Every experiment's phases; the cycles of one idea share a lane, linked in order.

    A cycle that overlaps an earlier one of the same idea (two next cycles at once) opens
    a second lane, so no bar hides another.
    """
    dated = [e for e in entries if _dated(e)]
    if not dated:
        return None
    placed, rows = _lanes(dated, family)
    shown = {e.meta.slug for e in dated}
    links = [
        (lineage.parent, e)
        for e in dated
        if (lineage := family[e.meta.slug]).parent is not None and lineage.parent.meta.slug in shown
    ]
    figure = phases_figure(placed, rows, url, row_height=LANE_HEIGHT, links=links)
    caption = (
        f"{fmt.plural(len(dated), 'experiment')} of {name} on one time axis, each idea on its "
        "own lane with its cycles in order; select a bar to open the experiment."
    )
    return Chart("timeline", figure, f"Timeline of {name}", caption)


def _lanes(
    entries: Sequence[Entry], family: dict[str, Lineage]
) -> tuple[list[tuple[Entry, str]], list[str]]:
    by_idea: dict[str, list[Entry]] = {}
    for entry in sorted(entries, key=chronological):
        by_idea.setdefault(family[entry.meta.slug].cycles[0].meta.slug, []).append(entry)
    ideas = sorted(by_idea.values(), key=lambda cycles: chronological(cycles[0]))
    placed: list[tuple[Entry, str]] = []
    rows: list[str] = []
    for cycles in ideas:
        root = family[cycles[0].meta.slug].cycles[0]
        lane_ends: list[dt.date] = []
        for entry in cycles:
            start, end = first_date(entry), latest_date(entry)
            assert start is not None and end is not None
            lane = next((i for i, last in enumerate(lane_ends) if last <= start), None)
            if lane is None:
                lane = len(lane_ends)
                lane_ends.append(end)
                rows.append(_lane_label(root, lane))
            lane_ends[lane] = end
            placed.append((entry, _lane_label(root, lane)))
    return placed, rows


def _lane_label(root: Entry, lane: int) -> str:
    title = root.meta.title
    if len(title) > LANE_LABEL:
        title = title[: LANE_LABEL - 1].rstrip() + "…"
    suffix = f" ({lane + 1})" if lane else ""
    return f"{plotly_text(title)}{suffix} · {plotly_text(root.meta.id)}"


def velocity_chart(months: Sequence[Month]) -> Chart | None:
    """Decisions per month, stacked: the pace of learning and what it led to."""
    if not months:
        return None
    x = [f"{m.month}-01" for m in months]
    traces = [
        {
            "type": "bar",
            "name": decision.value.capitalize(),
            "x": x,
            "y": [m.decisions[decision] for m in months],
            "marker": {"color": DECISION_COLORS[decision]},
            "hovertemplate": f"%{{x|%b %Y}}: %{{y}} {decision.value}<extra></extra>",
        }
        for decision in DECISIONS
        if any(m.decisions[decision] for m in months)
    ]
    figure = {
        "data": traces,
        "layout": {
            "height": 300,
            "margin": {"l": 10, "r": 20, "t": 30, "b": 30},
            "barmode": "stack",
            "legend": LEGEND,
            "xaxis": {"type": "date", "tickformat": "%b %Y", "automargin": True},
            "yaxis": {
                "title": {"text": "Concluded"},
                "rangemode": "tozero",
                "dtick": max(1, math.ceil(max(m.total for m in months) / 5)),  # whole counts
                "automargin": True,
            },
        },
    }
    total = sum(m.total for m in months)
    shipped = sum(m.decisions[Decision.SHIP] for m in months)
    caption = (
        f"{fmt.plural(total, 'experiment')} concluded between {_month_name(months[0])} and "
        f"{_month_name(months[-1])}; {shipped} shipped."
    )
    return Chart("velocity", figure, "Concluded experiments per month by decision", caption)


def _month_name(month: Month) -> str:
    return dt.date.fromisoformat(f"{month.month}-01").strftime("%b %Y")


def win_rate_chart(rates: Sequence[TeamRate]) -> Chart | None:
    """Share of each team's tested, concluded experiments whose primary result won."""
    tested = [r for r in rates if r.tally.tested]
    if not tested:
        return None
    labels = [plotly_text(r.team) for r in tested]
    figure = {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "Win rate",
                "x": [round(100 * (r.tally.win_rate or 0), 1) for r in tested],
                "y": labels,
                "text": [f"{r.tally.win} of {r.tally.tested}" for r in tested],
                "textposition": "auto",
                "marker": {"color": VERDICT_COLORS["win"]},
                "hovertemplate": "%{y}: %{text} won<extra></extra>",
            }
        ],
        "layout": {
            "height": 90 + ROW_HEIGHT * len(tested),
            "margin": {"l": 10, "r": 20, "t": 10, "b": 40},
            "showlegend": False,
            "xaxis": {
                "range": [0, 100],
                "ticksuffix": "%",
                "title": {"text": "Primary result a significant win"},
            },
            "yaxis": {"autorange": "reversed", "automargin": True},
        },
    }
    caption = "; ".join(f"{r.team}: {r.tally.win} of {r.tally.tested}" for r in tested) + "."
    return Chart("win-rate", figure, "Win rate by team", f"Wins among tested results: {caption}")


# --- one page ---------------------------------------------------------------------------


def experiment_charts(
    analysis: Analysis,
    cycles: Sequence[Entry],
    number: Callable[[Entry], int],
    url: Callable[[Entry], str],
    confidence: float,
) -> dict[str, Chart | None]:
    """The charts of one experiment page by name; None where there is nothing to draw."""
    trend = analysis.trend
    primary = analysis.primary
    label = None
    if trend is not None and primary is not None and primary.definition.kind is trend.kind:
        label = primary.definition.label
    return {
        "lift": lift_chart(analysis, confidence),
        "daily": daily_chart(trend, label, confidence) if trend is not None else None,
        "cycles": cycles_chart(cycles, analysis.entry.meta.slug, number, url),
    }
