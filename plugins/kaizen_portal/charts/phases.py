"""Timelines of build, test and learn: the cycles of one idea, and the whole portfolio.

Each experiment's phases are bars on a date axis, coloured by what came of it (the state
of its primary result), the phase told by its shade; an abandoned experiment's bars are
hatched, and a phase under way is drawn to the build's date, where a line says "as of".
Each row's name is written above its bars across the plot's width, so a phone has room
for the bars too. The cycles of one idea share a lane on the portfolio timeline, joined
by a dotted line, and every bar opens its experiment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..analysis import formatting
from ..analysis.lineage import Lineage, chronological
from ..analysis.states import State
from ..inputs.portfolio import Entry
from ..inputs.schema import Phases
from ..inputs.vocabulary import SPANNING_PHASES, Phase, Status
from .figures import Chart, Figure, arm_colour, colour, layout, plotly_text, wrapped

DAY_MS = 86_400_000
CURRENT_OPACITY = 1.0
OTHER_OPACITY = 0.45
# How strongly each phase wears its experiment's colour: the test most of all.
PHASE_SHADES = {Phase.BUILD: 0.4, Phase.TEST: 1.0, Phase.LEARN: 0.7}
LABEL_CHARACTERS = 44  # per line of a row's name; longer names wrap onto more lines
ROW_PX = 30  # the bar and the gaps around it
LINE_PX = 16  # each line of the name above it
NO_RESULT = "No measured result"  # not yet, or a cycle decided without a metric


@dataclass(frozen=True)
class Row:
    """One row of bars: an experiment on its own row, or the cycles of one idea."""

    key: str  # the category plotly places bars on; unique
    label: str  # plotly text, written above the bars
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Frame:
    """What every timeline of a page shares: where bars lead, and the dates it covers."""

    url: Callable[[Entry], str]
    state: Callable[[Entry], State | None]  # what came of an experiment
    as_of: dt.date | None = None  # the build's date: an open phase is drawn to it
    span: tuple[dt.date, dt.date] | None = None  # one date range for all charts of a page
    faded: Callable[[Entry], bool] = lambda _: False  # drawn lighter (other cycles)


def cycles_chart(
    cycles: Sequence[Entry], current: str, number: Callable[[Entry], int], frame: Frame
) -> Chart | None:
    """Each cycle's build, test and learn phases on one time axis; bars link to the cycle."""
    if not any(_dated(c, frame.as_of) for c in cycles):
        return None
    rows = [
        Row(
            c.meta.slug, _label(f"Cycle {number(c)} · {c.meta.title}", c.meta.slug == current), (c,)
        )
        for c in cycles
    ]
    faded = Frame(frame.url, frame.state, frame.as_of, frame.span, lambda c: c.meta.slug != current)
    figure = phases_figure(rows, faded)
    caption = (
        f"Build, test and learn phases of the {formatting.plural(len(cycles), 'cycle')} of "
        "this idea, coloured by what came of each; select a bar to open its cycle."
    )
    undated = [c.meta.id for c in cycles if not _dated(c, frame.as_of)]
    if undated:
        caption += f" Not dated yet: {', '.join(undated)}."
    return Chart("cycles", figure, "Timeline of the cycles of this idea", caption)


def phases_figure(
    rows: Sequence[Row], frame: Frame, links: Sequence[tuple[Entry, Entry]] = ()
) -> Figure:
    """Bars on a date axis, a row per ``Row``, names above them; clicking a bar opens its page."""
    placed = [(entry, row) for row in rows for entry in row.entries]
    traces = [
        trace
        for state in [*reversed(State), None]
        if (
            trace := _state_bars(
                state, [(e, r) for e, r in placed if frame.state(e) is state], frame
            )
        )
    ]
    # The build's date is drawn only where a phase runs to it.
    open_as_of = frame.as_of if _any_open([e for e, _ in placed], frame.as_of) else None
    order = {row.key: i for i, row in enumerate(rows)}
    steps = _cycle_links(links, {e.meta.slug: order[r.key] for e, r in placed})
    # Rows of a categorical axis are all as high as the one with the most lines of name.
    lines = max(row.label.count("<br>") + 1 for row in rows)
    return {
        "data": traces,
        "layout": layout(
            len(rows) * (ROW_PX + LINE_PX * lines) + 110,
            top=60,
            bottom=40,
            barmode="overlay",
            xaxis={"type": "date", "automargin": True, **_span(frame)},
            yaxis={
                "categoryorder": "array",
                "categoryarray": [row.key for row in rows],
                "autorange": "reversed",
                "showticklabels": False,
                "showgrid": False,
            },
            annotations=[_name(row) for row in rows] + _as_of_label(open_as_of),
            shapes=steps + _as_of_line(open_as_of),
        ),
        # charts.js follows a clicked point's customdata[0] to its experiment page.
        "clickable": True,
    }


def _state_bars(
    state: State | None, placed: Sequence[tuple[Entry, Row]], frame: Frame
) -> Figure | None:
    """Every phase of the experiments in one state, as one trace of the legend."""
    bars = [
        (entry, row, phase, start, end, open_)
        for entry, row in placed
        for phase, start, end, open_ in _spans(entry.meta.dates, frame.as_of)
    ]
    if not bars:
        return None
    shade = [
        PHASE_SHADES[phase] * (OTHER_OPACITY if frame.faded(e) else 1) for e, _, phase, *_ in bars
    ]
    hatched = [
        "/" if e.meta.status is Status.ABANDONED else ("." if open_ else "")
        for e, _, _, _, _, open_ in bars
    ]
    return {
        "type": "bar",
        "orientation": "h",
        "name": state.label if state else NO_RESULT,
        "base": [start.isoformat() for _, _, _, start, _, _ in bars],
        "x": [max(1, (end - start).days) * DAY_MS for _, _, _, start, end, _ in bars],
        "y": [row.key for _, row, *_ in bars],
        # In the lower part of its row (the axis runs downwards), under the row's name.
        "width": 0.4,
        "offset": 0.05,
        "marker": {
            "color": colour(state.css) if state else colour("no-result"),
            "opacity": shade,
            "pattern": {"shape": hatched, "solidity": 0.4},
            "line": {"width": 0},
        },
        "customdata": [
            [frame.url(e), _hover(e, phase, start, end, open_, state)]
            for e, _, phase, start, end, open_ in bars
        ],
        "hovertemplate": "%{customdata[1]}<extra></extra>",
    }


def _name(row: Row) -> Figure:
    """A row's name, above its bars, from the plot's left edge."""
    return {
        "text": row.label,
        "xref": "paper",
        "x": 0,
        "xanchor": "left",
        "yref": "y",
        "y": row.key,
        "yanchor": "bottom",
        "yshift": -4,
        "showarrow": False,
        "align": "left",
        "font": {"size": 12},
    }


def _as_of_label(as_of: dt.date | None) -> list[Figure]:
    if as_of is None:
        return []
    return [
        {
            "text": f"as of {formatting.date(as_of)}",
            "xref": "x",
            "x": as_of.isoformat(),
            "xanchor": "right",
            "yref": "paper",
            "y": 1,
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"size": 12, "color": colour("interim")},
        }
    ]


def _as_of_line(as_of: dt.date | None) -> list[Figure]:
    if as_of is None:
        return []
    return [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": as_of.isoformat(),
            "x1": as_of.isoformat(),
            "y0": 0,
            "y1": 1,
            "line": {"color": colour("interim"), "width": 1.5, "dash": "dot"},
        }
    ]


def _span(frame: Frame) -> Figure:
    if frame.span is None:
        return {}
    start, end = frame.span
    pad = dt.timedelta(days=max(7, (end - start).days // 40))
    return {"range": [(start - pad).isoformat(), (end + pad).isoformat()]}


def span_of(entries: Sequence[Entry], as_of: dt.date | None) -> tuple[dt.date, dt.date] | None:
    """The dates that cover every experiment's phases, and the build's date if one is open."""
    days = [d for e in entries for d in (e.meta.dates.first, e.meta.dates.latest) if d]
    days += [as_of] if as_of and days and _any_open(entries, as_of) else []
    return (min(days), max(days)) if days else None


def _cycle_links(links: Sequence[tuple[Entry, Entry]], rows: dict[str, int]) -> list[Figure]:
    """A dotted line from each earlier cycle's last day to the next cycle's first, at the
    height of the bars (a row's bars lie a quarter of a row below its middle)."""
    steps = []
    for parent, child in links:
        end, start = parent.meta.dates.latest, child.meta.dates.first
        if end and start:
            steps.append(
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "y",
                    "x0": end.isoformat(),
                    "x1": start.isoformat(),
                    "y0": rows[parent.meta.slug] + 0.25,
                    "y1": rows[child.meta.slug] + 0.25,
                    "line": {"color": arm_colour(0), "width": 1.5, "dash": "dot"},
                }
            )
    return steps


def _any_open(entries: Sequence[Entry], as_of: dt.date | None) -> bool:
    return any(open_ for e in entries for *_, open_ in _spans(e.meta.dates, as_of))


def _dated(entry: Entry, as_of: dt.date | None) -> bool:
    return bool(_spans(entry.meta.dates, as_of))


def _spans(dates: Phases, as_of: dt.date | None) -> list[tuple[Phase, dt.date, dt.date, bool]]:
    """Each phase with its start and end: build until test, and so on. A phase that has
    started and not ended runs to the build's date (``open`` True); without that date it
    is a day long, a mark where it began."""
    bounds = [dates.of(phase) for phase in Phase]
    spans = []
    for i, phase in enumerate(SPANNING_PHASES):
        start, end = bounds[i], bounds[i + 1]
        if start is None:
            continue
        if end is not None:
            spans.append((phase, start, end, False))
        elif all(b is None for b in bounds[i + 1 :]):
            spans.append((phase, start, max(start, as_of or start), True))
    return spans


def _label(text: str, current: bool = False) -> str:
    """A row's name as plotly text, wrapped to lines rather than cut."""
    label = wrapped(text, LABEL_CHARACTERS)
    return f"<b>{label}</b>" if current else label


def _hover(
    entry: Entry, phase: Phase, start: dt.date, end: dt.date, open_: bool, state: State | None
) -> str:
    date = formatting.date
    when = f"since {date(start)}" if open_ else f"{date(start)} to {date(end)}"
    came = state.label if state else NO_RESULT
    status = f" ({entry.meta.status.value})" if entry.meta.status is Status.ABANDONED else ""
    return f"{plotly_text(entry.meta.title)}<br>{phase.label}: {when}<br>{came}{status}"


# --- the portfolio ------------------------------------------------------------------------


def portfolio_timeline(
    entries: Sequence[Entry], family: dict[str, Lineage], frame: Frame, name: str
) -> Chart | None:
    """Every experiment's phases; the cycles of one idea share a lane, linked in order.

    A cycle that overlaps an earlier one of the same idea (two next cycles at once) opens
    a second lane, so no bar hides another.
    """
    dated = [e for e in entries if _dated(e, frame.as_of)]
    if not dated:
        return None
    rows = _lanes(dated, family)
    shown = {e.meta.slug for e in dated}
    links = [
        (lineage.parent, e)
        for e in dated
        if (lineage := family[e.meta.slug]).parent is not None and lineage.parent.meta.slug in shown
    ]
    figure = phases_figure(rows, frame, links)
    caption = (
        f"{formatting.plural(len(dated), 'experiment')} of {name} on one time axis, each idea "
        "on its own lane with its cycles in order, coloured by what came of each; select a "
        "bar to open the experiment."
    )
    return Chart("timeline", figure, f"Timeline of {name}", caption)


def _lanes(entries: Sequence[Entry], family: dict[str, Lineage]) -> list[Row]:
    by_idea: dict[str, list[Entry]] = {}
    for entry in sorted(entries, key=chronological):
        by_idea.setdefault(family[entry.meta.slug].cycles[0].meta.slug, []).append(entry)
    ideas = sorted(by_idea.values(), key=lambda cycles: chronological(cycles[0]))
    rows: list[Row] = []
    for cycles in ideas:
        root = family[cycles[0].meta.slug].cycles[0]
        lanes: list[list[Entry]] = []
        for entry in cycles:
            start = entry.meta.dates.first
            assert start is not None
            lane = next((ln for ln in lanes if (ln[-1].meta.dates.latest or start) <= start), None)
            if lane is None:
                lanes.append(lane := [])
            lane.append(entry)
        for number, lane in enumerate(lanes):
            suffix = f" ({number + 1})" if number else ""
            key = f"{root.meta.slug}{suffix}"
            rows.append(Row(key, _label(f"{root.meta.title}{suffix}"), tuple(lane)))
    return rows
