"""The portfolio timeline: every experiment's phases on one time axis, a section per team."""

from __future__ import annotations

from collections.abc import Sequence

from ..analysis import insights
from ..analysis.comparisons import Analysis
from ..analysis.lineage import Lineage
from ..charts.phases import Frame, portfolio_timeline, span_of
from .links import GeneratedFile
from .rendering import Renderer


def timeline_page(
    rows: Sequence[Analysis], family: dict[str, Lineage], render: Renderer
) -> GeneratedFile:
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
        chart = portfolio_timeline([a.entry for a in team.rows], family, frame, team.name)
        sections.append((team, chart))
    return render.page(
        "timeline.md.j2",
        uri,
        title="Timeline",
        in_nav=True,
        hide=("navigation", "toc"),
        sections=sections,
    )
