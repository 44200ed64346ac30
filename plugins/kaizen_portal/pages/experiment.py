"""One experiment's page: its card, results, charts, the cycles of its idea, its write-up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from ..analysis.comparisons import Analysis
from ..analysis.lineage import Lineage
from ..analysis.states import State
from ..charts.figures import Chart
from ..charts.forest import lift_chart
from ..charts.phases import Frame, cycles_chart
from ..charts.trend import daily_chart
from ..inputs.catalog import Catalog
from ..inputs.portfolio import Entry
from .links import GeneratedFile
from .readouts import readout
from .rendering import Renderer


def experiment_page(
    analysis: Analysis,
    lineage: Lineage,
    catalog: Catalog,
    render: Renderer,
    last_changed: dt.date | None = None,
    states: Mapping[str, State | None] | None = None,
) -> GeneratedFile:
    """One experiment's page; it reads no other write-up than the cycles of its idea,
    whose ``states`` (by slug) colour their bars."""
    links = render.links
    entry = analysis.entry
    uri = links.page_uri(entry)
    settings = catalog.settings
    known = states or {}
    frame = Frame(
        lambda cycle: links.for_script(uri, links.page_uri(cycle)),
        lambda cycle: known.get(cycle.meta.slug),
        links.options.as_of,
    )
    page_charts = experiment_charts(
        analysis, lineage.cycles, lineage.cycle_number, frame, settings.confidence
    )
    page = render.page(
        "experiment.md.j2",
        uri,
        title=entry.meta.title,
        description=entry.meta.hypothesis or entry.meta.title,
        entry=entry,
        exp=entry.meta,
        analysis=analysis,
        lineage=lineage,
        catalog=catalog,
        settings=settings,
        charts=page_charts,
        last_changed=last_changed,
        outcome=render.outcome(analysis),
        readout=lambda arm: readout(analysis, arm, links.options.as_of),
    )
    return replace(page, source=entry.path)


def experiment_charts(
    analysis: Analysis,
    cycles: Sequence[Entry],
    number: Callable[[Entry], int],
    frame: Frame,
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
        "daily": (
            daily_chart(trend, label, confidence, analysis.entry.meta.arm_label)
            if trend is not None
            else None
        ),
        "cycles": cycles_chart(cycles, analysis.entry.meta.slug, number, frame),
    }
