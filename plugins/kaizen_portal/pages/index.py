"""The experiments index: every published experiment in one table, to filter and sort.

Every row is rendered on the server, so readers without JavaScript and crawlers see them
all; each row carries as data attributes what ``browse.js`` filters and sorts by, worked
out here, so the script never reads a value out of a cell's text.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from markupsafe import Markup

from ..analysis.comparisons import Analysis, ArmResult
from ..analysis.formatting import plural
from ..analysis.insights import primary_arm
from ..analysis.lineage import chronological
from ..analysis.states import State
from ..inputs.catalog import Catalog
from ..inputs.portfolio import Portfolio
from ..inputs.schema import Experiment
from ..inputs.vocabulary import Decision, Status
from .links import GeneratedFile
from .readouts import Outcome
from .rendering import Once, Renderer, made_now


@dataclass(frozen=True)
class IndexRow:
    """One experiment as its row shows it, and the keys its columns sort by."""

    analysis: Analysis
    arm: ArmResult | None  # the primary result: the primary metric's first variant
    more_arms: str  # "(+2 more arms)" when the primary metric has other variants
    start: dt.date | None  # the test's start, or the build's before a test has started
    lift_key: str  # the primary lift as a plain number; empty when there is none
    state_rank: str  # worst to best, as a number; empty without a primary result
    status_rank: int  # the status's place in an experiment's life
    outcome: Outcome

    @property
    def exp(self) -> Experiment:
        return self.analysis.entry.meta


def index_page(
    portfolio: Portfolio,
    analyses: Mapping[str, Analysis],
    render: Renderer,
    once: Once = made_now,
) -> GeneratedFile:
    """Every experiment, newest first; each row is made ``once`` for its write-up, as it
    reads nothing else, so a save renders one row of thousands."""
    ordered = sorted(
        (analyses[e.meta.slug] for e in portfolio.entries),
        key=lambda a: chronological(a.entry),
        reverse=True,
    )
    uri = render.links.index_uri()

    def made(analysis: Analysis) -> tuple[IndexRow, Markup]:
        row = index_row(analysis, render.outcome(analysis))
        return row, Markup(render.fragment("_index_row.html.j2", uri, row=row).rstrip("\n"))

    kept = [once(("index row", a.entry.key), partial(made, a)) for a in ordered]
    rows = [row for row, _ in kept]
    return render.page(
        "index.md.j2",
        uri,
        title="Experiments",
        in_nav=True,
        hide=("navigation", "toc"),
        rows=rows,
        row_html=[html for _, html in kept],
        teams=len({row.exp.team for row in rows}),
        filters=_index_filters([row.exp for row in rows], portfolio.catalog),
        portfolio=portfolio,
        catalog=portfolio.catalog,
    )


def index_row(analysis: Analysis, outcome: Outcome) -> IndexRow:
    exp = analysis.entry.meta
    arm = primary_arm(analysis)
    primary = analysis.primary
    others = len(primary.variants) - 1 if primary and primary.variants else 0
    return IndexRow(
        analysis,
        arm,
        f"(+{plural(others, 'more arm')})" if others else "",
        exp.dates.test or exp.dates.build,
        _lift_key(arm),
        str(arm.state.rank) if arm and arm.state else "",
        list(Status).index(exp.status),
        outcome,
    )


def _lift_key(arm: ArmResult | None) -> str:
    """Empty where there is no lift to rank by, a result that is not valid included."""
    comparison = arm.comparison if arm else None
    if comparison is None or not math.isfinite(comparison.lift) or arm.state is State.INVALID:
        return ""
    return f"{comparison.lift:.4g}"


@dataclass(frozen=True)
class FilterOption:
    value: str  # as written in the row's data attribute and the URL
    label: str
    count: int  # experiments that have the value, so a reader sees what a choice leaves


@dataclass(frozen=True)
class IndexFilter:
    """One select of the index's filter bar; ``name`` is also its URL query parameter."""

    name: str
    label: str
    options: tuple[FilterOption, ...]


def _index_filters(exps: Sequence[Experiment], catalog: Catalog) -> tuple[IndexFilter, ...]:
    """Only values that occur are offered: a choice that empties the table helps nobody."""

    def select(
        name: str,
        label: str,
        values: Callable[[Experiment], Iterable[str]],
        label_of: Callable[[str], str] = str,
        order: Callable[[str], int] | None = None,
    ) -> IndexFilter:
        counts = Counter(value for exp in exps for value in set(values(exp)))
        ordered = sorted(counts, key=order or (lambda value: label_of(value).casefold()))
        options = tuple(FilterOption(value, label_of(value), counts[value]) for value in ordered)
        return IndexFilter(name, label, options)

    return (
        select("team", "Team", lambda exp: [exp.team]),
        # Statuses and decisions in their lifecycle order, which reads better than A-Z.
        select(
            "status",
            "Status",
            lambda exp: [exp.status.value],
            lambda value: Status(value).label,
            list(Status).index,
        ),
        select(
            "decision",
            "Decision",
            lambda exp: [exp.decision.value] if exp.decision else [],
            lambda value: Decision(value).label,
            list(Decision).index,
        ),
        select("tag", "Tag", lambda exp: exp.tags),
        select(
            "metric",
            "Metric",
            lambda exp: [metric.name for metric in exp.metrics],
            lambda name: catalog.metrics[name].label,
        ),
        select("owner", "Owner", lambda exp: [exp.owner]),
    )
