"""The portfolio timeline: every experiment's phases on one time axis, a section per team."""

from __future__ import annotations

from collections.abc import Sequence

from ..analysis import insights
from ..analysis.comparisons import Analysis
from ..analysis.lineage import Lineage
from ..charts.phases import portfolio_timeline
from .links import GeneratedFile
from .rendering import Renderer


def timeline_page(
    rows: Sequence[Analysis], family: dict[str, Lineage], render: Renderer
) -> GeneratedFile:
    links = render.links
    uri = links.timeline_uri()
    sections = []
    for team in insights.group_by(rows, lambda a: [a.entry.meta.team]):
        chart = portfolio_timeline(
            [a.entry for a in team.rows],
            family,
            lambda entry: links.relative(uri, links.page_uri(entry)),
            team.name,
        )
        sections.append((team, chart))
    return render.page(
        "timeline.md.j2",
        uri,
        title="Timeline",
        in_nav=True,
        hide=("navigation", "toc"),
        sections=sections,
    )
