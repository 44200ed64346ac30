"""Analyses -> what the company has learned: groups, velocity, win rates, cycle times.

Pure functions over the analysed portfolio, so the dashboard, the browse pages and any
later export agree on every count. "Newest" always means the latest known phase date,
and ties fall back to the id, so the same input lists the same order.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..inputs.portfolio import Entry
from ..inputs.vocabulary import Decision, Status, group_slug
from .comparisons import Analysis, ArmResult
from .lineage import Lineage
from .states import State


def newest_first(analyses: Iterable[Analysis]) -> list[Analysis]:
    """Latest phase date first; undated ideas last; the id breaks ties."""

    def key(a: Analysis) -> tuple[bool, int, str]:
        when = a.entry.meta.dates.latest
        return (when is None, -when.toordinal() if when else 0, a.entry.meta.slug)

    return sorted(analyses, key=key)


# --- groups -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """The experiments that share a team, tag, owner or metric."""

    name: str  # as authors write it
    slug: str  # its URL segment, unique within its kind
    rows: tuple[Analysis, ...]  # newest first

    @property
    def concluded(self) -> int:
        return sum(1 for a in self.rows if a.entry.meta.status is Status.CONCLUDED)

    @property
    def running(self) -> int:
        return sum(1 for a in self.rows if a.entry.meta.status is Status.RUNNING)


def group_by(
    analyses: Iterable[Analysis], keys: Callable[[Analysis], Iterable[str]]
) -> list[Group]:
    """One group per slug, sorted by name; an experiment may sit in several (its tags).

    Names that share a slug ("Ana Ruiz", "ana ruiz") are one group, shown under the
    spelling most experiments use, so one person or team never splits across two pages.
    """
    members: dict[str, list[Analysis]] = {}
    spellings: dict[str, Counter[str]] = {}
    for analysis in newest_first(analyses):  # one sort: each group keeps its order
        for key in dict.fromkeys(keys(analysis)):
            slug = group_slug(key)
            if not members.get(slug) or members[slug][-1] is not analysis:
                members.setdefault(slug, []).append(analysis)
            spellings.setdefault(slug, Counter())[key] += 1
    groups = [Group(_usual(spellings[slug]), slug, tuple(rows)) for slug, rows in members.items()]
    return sorted(groups, key=lambda g: (g.name.casefold(), g.slug))


def _usual(spellings: Counter[str]) -> str:
    return min(spellings, key=lambda name: (-spellings[name], name))


# --- outcomes ---------------------------------------------------------------------------


def primary_arm(analysis: Analysis) -> ArmResult | None:
    """The result an experiment is known by (see ``Analysis.known_by``)."""
    return analysis.known_by


@dataclass(frozen=True)
class Tally:
    """Results counted by state: the headline of a metric, a team, a tag or a person.

    Only final results (a concluded, valid test's reading) are wins, losses or no clear
    difference; invalid and interim results are counted apart, never among them.
    """

    counts: tuple[tuple[State, int], ...] = ()  # every state, in State's order

    def of(self, state: State) -> int:
        return dict(self.counts).get(state, 0)

    @property
    def win(self) -> int:
        return self.of(State.WIN)

    @property
    def loss(self) -> int:
        return self.of(State.LOSS)

    @property
    def flat(self) -> int:
        """No clear difference, too small a test to tell included."""
        return self.of(State.FLAT) + self.of(State.TOO_SMALL)

    @property
    def no_difference(self) -> int:
        """No clear difference from a test large enough to have seen one."""
        return self.of(State.FLAT)

    @property
    def too_small(self) -> int:
        return self.of(State.TOO_SMALL)

    @property
    def tested(self) -> int:
        """Final results: what a win rate is a rate of."""
        return sum(n for state, n in self.counts if state.final)

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)

    @property
    def others(self) -> tuple[tuple[State, int], ...]:
        """The results that are not final (not valid, interim, not a test), with counts."""
        return tuple((state, n) for state, n in self.counts if not state.final and n)

    @property
    def win_rate(self) -> float | None:
        return self.win / self.tested if self.tested else None


def tally(arms: Iterable[ArmResult | None]) -> Tally:
    counts = Counter(arm.state for arm in arms if arm is not None and arm.state)
    return Tally(tuple((state, counts[state]) for state in State))


def metric_arms(analysis: Analysis, metric: str) -> list[ArmResult]:
    """Every variant arm of one experiment on one metric."""
    return [arm for m in analysis.metrics if m.name == metric for arm in m.variants]


@dataclass(frozen=True)
class TeamRate:
    team: str
    tally: Tally  # verdicts of concluded experiments' primary results


def win_rates(analyses: Iterable[Analysis]) -> list[TeamRate]:
    """Per team, how often a concluded experiment's primary result was a significant win."""
    concluded = [a for a in analyses if a.entry.meta.status is Status.CONCLUDED]
    teams = group_by(concluded, lambda a: [a.entry.meta.team])
    return [TeamRate(g.name, tally(primary_arm(a) for a in g.rows)) for g in teams]


# --- pace -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    month: str  # YYYY-MM
    decisions: dict[Decision, int]

    @property
    def total(self) -> int:
        return sum(self.decisions.values())


def velocity(analyses: Iterable[Analysis]) -> list[Month]:
    """Concluded experiments per month of their decision, every month in the span listed."""
    counts: dict[str, Counter[Decision]] = {}
    for analysis in analyses:
        exp = analysis.entry.meta
        when = exp.dates.latest
        if exp.status is Status.CONCLUDED and exp.decision and when:
            counts.setdefault(when.strftime("%Y-%m"), Counter())[exp.decision] += 1
    if not counts:
        return []
    months = _month_range(min(counts), max(counts))
    return [Month(m, {d: counts.get(m, Counter())[d] for d in Decision}) for m in months]


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def cycle_days(entry: Entry) -> int | None:
    """Build to end: how long one turn of build-test-learn took."""
    dates = entry.meta.dates
    if dates.build and dates.end:
        return (dates.end - dates.build).days
    return None


def median_cycle_days(analyses: Iterable[Analysis]) -> float | None:
    days = [d for a in analyses if (d := cycle_days(a.entry)) is not None]
    return statistics.median(days) if days else None


@dataclass(frozen=True)
class Depth:
    """How far ideas got: the repeat in build-test-learn-repeat."""

    ideas: int
    second: int  # ideas with at least a second cycle
    third: int  # ideas with at least a third cycle


def idea_depth(family: Iterable[Lineage]) -> Depth:
    """An idea is a chain from one first cycle; its depth is that of its deepest cycle."""
    deepest = {lineage.cycles[0].meta.slug: max(lineage.depth.values()) for lineage in family}
    return Depth(
        ideas=len(deepest),
        second=sum(1 for depth in deepest.values() if depth >= 1),
        third=sum(1 for depth in deepest.values() if depth >= 2),
    )
