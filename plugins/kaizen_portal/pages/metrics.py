"""The metric catalog's pages: each metric across every experiment that measured it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from ..analysis import insights
from ..analysis.comparisons import Analysis, ArmResult
from ..charts.forest import metric_forest
from ..inputs.catalog import Catalog, MetricDef
from .links import GeneratedFile
from .rendering import Once, Renderer, listed, made_now


@dataclass(frozen=True)
class MetricView:
    """One catalog metric and every comparison made on it, newest experiment first: the
    chart and the table of its page share the order."""

    name: str
    definition: MetricDef
    comparisons: tuple[tuple[Analysis, ArmResult], ...]
    experiments: int

    @property
    def tally(self) -> insights.Tally:
        return insights.tally(arm for _, arm in self.comparisons)


def metric_views(rows: Sequence[Analysis], catalog: Catalog) -> list[MetricView]:
    """Every metric in the catalog, measured or not, so the catalog page lists them all."""
    measured: dict[str, list[Analysis]] = {name: [] for name in catalog.metrics}
    for analysis in insights.newest_first(rows):
        for name in dict.fromkeys(m.name for m in analysis.metrics):
            measured.setdefault(name, []).append(analysis)
    views = []
    for name, definition in catalog.metrics.items():
        comparisons = tuple(
            (a, arm) for a in measured[name] for arm in insights.metric_arms(a, name)
        )
        views.append(MetricView(name, definition, comparisons, len(measured[name])))
    return sorted(views, key=lambda v: (v.definition.label.casefold(), v.name))


def metric_pages(
    rows: Sequence[Analysis], catalog: Catalog, render: Renderer, once: Once = made_now
) -> list[GeneratedFile]:
    """The catalog's page and one page per metric, made ``once`` for the same definition
    and write-ups."""
    views = metric_views(rows, catalog)
    links = render.links
    files = [
        render.page(
            "metrics.md.j2",
            links.groups_uri("metric"),
            title="Metrics",
            in_nav=True,
            hide=("navigation", "toc"),
            views=views,
        )
    ]
    for view in views:
        measured = tuple(dict.fromkeys(listed(analysis for analysis, _ in view.comparisons)))
        key = ("metric", view.name, view.definition, catalog.settings, measured)
        files.append(once(key, partial(_metric_page, view, catalog, render)))
    return files


def _metric_page(view: MetricView, catalog: Catalog, render: Renderer) -> GeneratedFile:
    links = render.links
    uri = links.group_uri("metric", view.name)
    chart = metric_forest(
        view.comparisons,
        lambda entry: links.for_script(uri, links.page_uri(entry)),
        catalog.settings.confidence,
    )
    return render.page(
        "metric.md.j2",
        uri,
        title=view.definition.label,
        hide=("navigation", "toc"),
        view=view,
        chart=chart,
        comparison_row=render.rows("_metric_row.html.j2", uri),
    )
