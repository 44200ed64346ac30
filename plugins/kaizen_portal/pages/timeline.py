"""The portfolio timeline: every experiment's phases on one time axis, a section per team."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from markupsafe import Markup

from ..analysis import insights
from ..analysis.comparisons import Analysis
from ..analysis.lineage import Lineage
from ..charts.phases import Frame, portfolio_timeline, span_of
from ..inputs.portfolio import Entry
from .links import GeneratedFile
from .rendering import Once, Renderer, listed, made_now


def timeline_page(
    rows: Sequence[Analysis], family: dict[str, Lineage], render: Renderer, once: Once = made_now
) -> GeneratedFile:
    """A team's chart, as HTML, is made ``once`` for the same write-ups, their ideas' cycles (a lane
    is labelled by its idea's first cycle, maybe another team's) and the date range."""
    links = render.links
    uri = links.timeline_uri()
    states = {a.entry.meta.slug: a.state for a in rows}
    as_of = links.options.as_of
    frame = Frame(
        lambda entry: links.for_script(uri, links.page_uri(entry)),
        lambda entry: states.get(entry.meta.slug),
        as_of,
        span_of([a.entry for a in rows], as_of),  # one date range for every team
    )
    sections = []
    for team in insights.group_by(rows, lambda a: [a.entry.meta.team]):
        entries = [a.entry for a in team.rows]
        cycles = tuple(tuple(c.key for c in family[e.meta.slug].cycles) for e in entries)
        key = ("timeline", team.name, listed(team.rows), cycles, frame.span)
        make = partial(_drawn, render, uri, entries, family, frame, team.name)
        sections.append((team, once(key, make)))
    return render.page(
        "timeline.md.j2",
        uri,
        title="Timeline",
        in_nav=True,
        hide=("navigation", "toc"),
        sections=sections,
    )


def _drawn(
    render: Renderer,
    uri: str,
    entries: Sequence[Entry],
    family: dict[str, Lineage],
    frame: Frame,
    team: str,
) -> Markup | None:
    """A team's chart as the page holds it, figure data and all: kept whole, a save writes
    out only its own team's thousand bars again."""
    chart = portfolio_timeline(entries, family, frame, team)
    html = render.fragment("_chart.html.j2", uri, chart=chart).rstrip("\n") if chart else ""
    return Markup(html) if html else None
