"""Analyses -> the ways into the portfolio: team, tag, people and metric pages, the
portfolio timeline and the home dashboard.

Experiment pages stay out of the navigation (every page embeds the whole nav); these
listings are how readers reach them, so each one links every experiment it counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import markupsafe

from . import charts, insights, pages
from .analyze import Analysis, ArmResult
from .catalog import Catalog, MetricDef
from .insights import Group
from .lineage import Lineage, chronological
from .load import Portfolio
from .model import Status
from .pages import GeneratedFile, Renderer

DASHBOARD_MARKER = "<!-- kaizen:dashboard -->"
LATEST = 6  # concluded experiments on the dashboard


@dataclass(frozen=True)
class Kind:
    """One way of grouping experiments, and how its pages are worded."""

    key: str  # team | tag | owner | metric: also the section in ``GROUP_SECTIONS``
    title: str  # the index page's title and nav label
    noun: str  # one group, in running text
    plural: str
    names: Callable[[Analysis], Iterable[str]]


KINDS = (
    Kind("team", "Teams", "team", "teams", lambda a: [a.entry.meta.team]),
    Kind("tag", "Tags", "tag", "tags", lambda a: a.entry.meta.tags),
    Kind("owner", "People", "person", "people", lambda a: [a.entry.meta.owner]),
)


def generate(
    portfolio: Portfolio,
    analyses: dict[str, Analysis],
    family: dict[str, Lineage],
    render: Renderer,
) -> list[GeneratedFile]:
    rows = insights.newest_first(analyses[e.meta.slug] for e in portfolio.entries)
    catalog = portfolio.catalog
    files: list[GeneratedFile] = []
    for kind in KINDS:
        groups = insights.group_by(rows, kind.names)
        files.append(_groups_page(render, kind, groups, catalog))
        files.extend(_group_page(render, kind, group, catalog) for group in groups)
    files.extend(_metric_pages(render, rows, catalog))
    files.append(_timeline_page(render, rows, family))
    return files


def _groups_page(
    render: Renderer, kind: Kind, groups: Sequence[Group], catalog: Catalog
) -> GeneratedFile:
    return render.page(
        "groups.md.j2",
        render.links.groups_uri(kind.key),
        title=kind.title,
        in_nav=True,
        hide=("navigation", "toc"),
        kind=kind,
        groups=groups,
        tallies={g.slug: _primary_tally(g.rows) for g in groups},
        catalog=catalog,
    )


def _group_page(render: Renderer, kind: Kind, group: Group, catalog: Catalog) -> GeneratedFile:
    team = catalog.teams.get(group.name) if kind.key == "team" else None
    description = team.description if team else ""
    uri = render.links.group_uri(kind.key, group.name)
    return render.page(
        "group.md.j2",
        uri,
        title=group.name,
        hide=("navigation", "toc"),
        kind=kind,
        group=group,
        description=description,
        tally=_primary_tally(group.rows),
        median_days=insights.median_cycle_days(group.rows),
        listing_row=render.rows("_listing_row.html.j2", uri),
    )


def _primary_tally(rows: Iterable[Analysis]) -> insights.Tally:
    concluded = (a for a in rows if a.entry.meta.status is Status.CONCLUDED)
    return insights.tally(insights.primary_arm(a) for a in concluded)


# --- metrics ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricView:
    """One catalog metric and every comparison made on it, oldest experiment first."""

    name: str
    definition: MetricDef
    comparisons: tuple[tuple[Analysis, ArmResult], ...]
    experiments: int

    @property
    def tally(self) -> insights.Tally:
        return insights.tally(arm for _, arm in self.comparisons)


def metric_views(rows: Sequence[Analysis], catalog: Catalog) -> list[MetricView]:
    """Every metric in the catalog, measured or not, so the catalog page lists them all."""
    oldest_first = sorted(rows, key=lambda a: chronological(a.entry))
    views = []
    for name, definition in catalog.metrics.items():
        measured = [a for a in oldest_first if any(m.name == name for m in a.metrics)]
        comparisons = tuple((a, arm) for a in measured for arm in insights.metric_arms(a, name))
        views.append(MetricView(name, definition, comparisons, len(measured)))
    return sorted(views, key=lambda v: (v.definition.label.casefold(), v.name))


def _metric_pages(
    render: Renderer, rows: Sequence[Analysis], catalog: Catalog
) -> list[GeneratedFile]:
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
        uri = links.group_uri("metric", view.name)
        chart = charts.metric_forest(
            view.comparisons,
            lambda entry, uri=uri: links.relative(uri, links.page_uri(entry)),
            catalog.settings.confidence,
        )
        files.append(
            render.page(
                "metric.md.j2",
                uri,
                title=view.definition.label,
                hide=("navigation", "toc"),
                view=view,
                chart=chart,
                settings=catalog.settings,
            )
        )
    return files


# --- timeline and dashboard -------------------------------------------------------------


def _timeline_page(
    render: Renderer, rows: Sequence[Analysis], family: dict[str, Lineage]
) -> GeneratedFile:
    links = render.links
    uri = links.timeline_uri()
    sections = []
    for team in insights.group_by(rows, lambda a: [a.entry.meta.team]):
        chart = charts.portfolio_timeline(
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


def default_home(site_name: str) -> str:
    """The home page of a portal whose docs have none: the dashboard under the site's name."""
    head = pages.front_matter(title="Home", hide=["navigation", "toc"])
    return f"{head}# {markupsafe.escape(site_name)}\n\n{DASHBOARD_MARKER}\n"


def dashboard(
    portfolio: Portfolio,
    analyses: dict[str, Analysis],
    family: dict[str, Lineage],
    render: Renderer,
    uri: str,
) -> str:
    """The home page's summary, as HTML to drop into the page at ``DASHBOARD_MARKER``."""
    rows = insights.newest_first(analyses[e.meta.slug] for e in portfolio.entries)
    concluded = [a for a in rows if a.entry.meta.status is Status.CONCLUDED]
    return render.env.get_template("_dashboard.html.j2").render(
        link=lambda target: render.links.relative(uri, target),
        links=render.links,
        running=[a for a in rows if a.entry.meta.status is Status.RUNNING],
        latest=concluded[:LATEST],
        concluded=len(concluded),
        total=len(rows),
        tally=_primary_tally(rows),
        median_days=insights.median_cycle_days(rows),
        depth=insights.idea_depth(family[e.meta.slug] for e in portfolio.entries),
        velocity=charts.velocity_chart(insights.velocity(rows)),
        win_rates=charts.win_rate_chart(insights.win_rates(rows)),
    )
