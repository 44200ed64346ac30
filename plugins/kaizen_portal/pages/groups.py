"""The team, tag and people pages: the experiments that share a name, with their outcomes.

Experiment pages stay out of the navigation (every page embeds the whole nav); these
listings are how readers reach them, so each one links every experiment it counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial

from ..analysis import insights
from ..analysis.comparisons import Analysis
from ..analysis.formatting import plural
from ..analysis.insights import Group
from ..inputs.catalog import Catalog
from ..inputs.vocabulary import Status
from .links import GeneratedFile
from .rendering import Once, Renderer, listed, made_now


@dataclass(frozen=True)
class Kind:
    """One way of grouping experiments, and how its pages are worded."""

    key: str  # team | tag | owner: also the section in ``GROUP_SECTIONS``
    title: str  # the index page's title and nav label
    noun: str  # one group, in running text
    plural: str
    names: Callable[[Analysis], Iterable[str]]

    def count(self, n: int) -> str:
        """``1 team``, ``5 teams``, ``3 people``."""
        return f"{n:,} {self.noun if n == 1 else self.plural}"


KINDS = (
    Kind("team", "Teams", "team", "teams", lambda a: [a.entry.meta.team]),
    Kind("tag", "Tags", "tag", "tags", lambda a: a.entry.meta.tags),
    Kind("owner", "People", "person", "people", lambda a: [a.entry.meta.owner]),
)


def group_pages(
    rows: Sequence[Analysis], catalog: Catalog, render: Renderer, once: Once = made_now
) -> list[GeneratedFile]:
    """For each kind, the page of every group and the page that lists them; ``rows``
    newest first. A group's page is made ``once`` for the same write-ups and description."""
    files: list[GeneratedFile] = []
    for kind in KINDS:
        groups = insights.group_by(rows, kind.names)
        files.append(_groups_page(render, kind, groups, catalog))
        for group in groups:
            key = ("group", kind.key, group.name, _description(kind, group, catalog))
            make = partial(_group_page, render, kind, group, catalog)
            files.append(once((*key, listed(group.rows)), make))
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
        tallies={g.slug: primary_tally(g.rows) for g in groups},
        descriptions={g.slug: _description(kind, g, catalog) for g in groups},
    )


def _group_page(render: Renderer, kind: Kind, group: Group, catalog: Catalog) -> GeneratedFile:
    uri = render.links.group_uri(kind.key, group.name)
    return render.page(
        "group.md.j2",
        uri,
        title=group.name,
        hide=("navigation", "toc"),
        kind=kind,
        group=group,
        about=_description(kind, group, catalog),
        tally=insights.tally(insights.primary_arm(a) for a in group.rows),
        counted="primary results",
        median_days=insights.median_cycle_days(group.rows),
        listing_row=render.rows("_listing_row.html.j2", uri),
        summary=_summary(group),
    )


def _description(kind: Kind, group: Group, catalog: Catalog) -> str:
    """A team's description from teams.yml; tags and people have none."""
    team = catalog.teams.get(group.name) if kind.key == "team" else None
    return team.description if team else ""


def _summary(group: Group) -> str:
    """``6 experiments: 4 concluded, 1 running, 1 planned``: every status counted."""
    return status_summary(group.rows)


def status_summary(rows: Sequence[Analysis]) -> str:
    counts = Counter(a.entry.meta.status for a in rows)
    each = ", ".join(f"{counts[status]} {status.value}" for status in Status if counts[status])
    return f"{plural(len(rows), 'experiment')}: {each}" if each else plural(0, "experiment")


def primary_tally(rows: Iterable[Analysis]) -> insights.Tally:
    """The primary results of the concluded experiments among ``rows``, by state."""
    concluded = (a for a in rows if a.entry.meta.status is Status.CONCLUDED)
    return insights.tally(insights.primary_arm(a) for a in concluded)
