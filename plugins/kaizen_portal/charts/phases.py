"""Timelines of build, test and learn: the cycles of one idea, and the whole portfolio.

Each experiment's phases are bars on a date axis; the cycles of one idea share a lane on
the portfolio timeline, joined by a dotted line, and every bar opens its experiment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from ..analysis import formatting
from ..analysis.lineage import Lineage, chronological
from ..inputs.portfolio import Entry
from ..inputs.schema import Phases
from ..inputs.vocabulary import SPANNING_PHASES, Phase
from .figures import ROW_HEIGHT, Chart, Figure, arm_colour, colour, layout, plotly_text

DAY_MS = 86_400_000
CURRENT_OPACITY = 1.0
OTHER_OPACITY = 0.45
LANE_HEIGHT = 28
LANE_LABEL = 42  # characters of an idea's title on its lane


def phase_colour(phase: Phase) -> str:
    return colour(f"phase-{phase}")


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
        f"Build, test and learn phases of the {formatting.plural(len(cycles), 'cycle')} of "
        "this idea; select a bar to open its cycle."
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
    traces = [
        trace for phase in SPANNING_PHASES if (trace := _phase_bars(phase, placed, url, opacity))
    ]
    ongoing = _ongoing_markers(placed, url, opacity)
    if ongoing:
        traces.append(ongoing)
    if links:
        traces.append(_cycle_links(links, {c.meta.slug: row for c, row in placed}))
    return {
        "data": traces,
        "layout": layout(
            110 + row_height * len(rows),
            bottom=30,
            barmode="overlay",
            bargap=0.35,
            xaxis={"type": "date", "automargin": True},
            yaxis={
                "categoryorder": "array",
                "categoryarray": list(rows),
                "autorange": "reversed",
                "automargin": True,
            },
        ),
        # charts.js follows a clicked point's customdata[0] to its experiment page.
        "clickable": True,
    }


def _phase_bars(
    phase: Phase,
    placed: Sequence[tuple[Entry, str]],
    url: Callable[[Entry], str],
    opacity: Callable[[Entry], float],
) -> Figure | None:
    """One bar trace of a phase, a bar per entry that has both its start and its end."""
    bars = [
        (c, row, start, end)
        for c, row in placed
        for p, start, end in _spans(c.meta.dates)
        if p is phase
    ]
    if not bars:
        return None
    return {
        "type": "bar",
        "orientation": "h",
        "name": phase.label,
        "base": [start.isoformat() for _, _, start, _ in bars],
        "x": [(end - start).days * DAY_MS for _, _, start, end in bars],
        "y": [row for _, row, _, _ in bars],
        "marker": {
            "color": phase_colour(phase),
            "opacity": [opacity(c) for c, _, _, _ in bars],
        },
        "customdata": [[url(c), _phase_hover(c, phase, start, end)] for c, _, start, end in bars],
        "hovertemplate": "%{customdata[1]}<extra></extra>",
    }


def _ongoing_markers(
    placed: Sequence[tuple[Entry, str]],
    url: Callable[[Entry], str],
    opacity: Callable[[Entry], float],
) -> Figure | None:
    """A marker at the start of each phase that has begun and not ended."""
    ongoing = [(c, row, *found) for c, row in placed if (found := _open_phase(c.meta.dates))]
    if not ongoing:
        return None
    return {
        "type": "scatter",
        "mode": "markers",
        "name": "Started, not ended",
        "x": [start.isoformat() for _, _, _, start in ongoing],
        "y": [row for _, row, _, _ in ongoing],
        "marker": {
            "symbol": "triangle-right",
            "size": 14,
            "color": [phase_colour(phase) for _, _, phase, _ in ongoing],
            "opacity": [opacity(c) for c, _, _, _ in ongoing],
        },
        "customdata": [
            [url(c), _phase_hover(c, phase, start, None)] for c, _, phase, start in ongoing
        ],
        "hovertemplate": "%{customdata[1]}<extra></extra>",
    }


def _cycle_links(links: Sequence[tuple[Entry, Entry]], rows: dict[str, str]) -> Figure:
    """One dotted trace for every parent-to-child step; gaps (None) separate the steps."""
    x: list[str | None] = []
    y: list[str | None] = []
    for parent, child in links:
        end, start = parent.meta.dates.latest, child.meta.dates.first
        if end and start:
            x += [end.isoformat(), start.isoformat(), None]
            y += [rows[parent.meta.slug], rows[child.meta.slug], None]
    return {
        "type": "scatter",
        "mode": "lines",
        "name": "Next cycle",
        "x": x,
        "y": y,
        "line": {"color": arm_colour(0), "width": 1.5, "dash": "dot"},
        "hoverinfo": "skip",
    }


def _dated(entry: Entry) -> bool:
    return bool(_spans(entry.meta.dates) or _open_phase(entry.meta.dates))


def _spans(dates: Phases) -> list[tuple[Phase, dt.date, dt.date]]:
    """The phases whose start and end are both known: build until test, and so on."""
    bounds = [dates.of(phase) for phase in Phase]
    return [
        (phase, start, end)
        for phase, start, end in zip(SPANNING_PHASES, bounds, bounds[1:], strict=False)
        if start is not None and end is not None
    ]


def _open_phase(dates: Phases) -> tuple[Phase, dt.date] | None:
    """The last phase that started, when nothing after it is dated."""
    dated = list(dates.dated())
    if not dated or dated[-1][0] not in SPANNING_PHASES:
        return None
    return dated[-1]


def _cycle_label(entry: Entry, number: int, current: bool) -> str:
    label = f"Cycle {number} · {plotly_text(entry.meta.id)}"
    return f"<b>{label}</b>" if current else label


def _phase_hover(entry: Entry, phase: Phase, start: dt.date, end: dt.date | None) -> str:
    date = formatting.date
    when = f"{date(start)} to {date(end)}" if end else f"since {date(start)}"
    return f"{plotly_text(entry.meta.title)}<br>{phase.label}: {when}"


# --- the portfolio ------------------------------------------------------------------------


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
        f"{formatting.plural(len(dated), 'experiment')} of {name} on one time axis, each idea "
        "on its own lane with its cycles in order; select a bar to open the experiment."
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
            start, end = entry.meta.dates.first, entry.meta.dates.latest
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
