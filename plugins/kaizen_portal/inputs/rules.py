"""Rules beyond the schema's types: the ones that need the catalog or other experiments.

Each check returns ``Finding``s at a field path rather than raising, so one pass over a
file reports every mistake in it, not just the first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import pairwise
from pathlib import PurePosixPath

from confusable_homoglyphs import confusables

from .catalog import Catalog, reserved_name
from .problems import Finding, did_you_mean, show
from .schema import Experiment, arm_fields_text
from .vocabulary import (
    RESERVED_EXPERIMENT_SLUGS,
    RESERVED_GROUP_SLUGS,
    Decision,
    MetricKind,
    Phase,
    Status,
    group_slug,
)

# Which phase dates each status needs, so the timeline never shows half a cycle.
_REQUIRED_DATES = {
    Status.RUNNING: (Phase.TEST,),
    Status.CONCLUDED: (Phase.TEST, Phase.END),
}


def check_experiment(
    exp: Experiment, catalog: Catalog, data_exists: Callable[[str], bool]
) -> list[Finding]:
    """Every rule one write-up must satisfy on its own."""
    return [
        *_check_status(exp),
        *_check_dates(exp),
        *_check_team(exp, catalog),
        *_check_arms(exp),
        *_check_metrics(exp, catalog),
        *_check_data(exp, data_exists),
        *_check_parent(exp),
        *_check_page_names(exp, catalog),
    ]


def _check_page_names(exp: Experiment, catalog: Catalog) -> Iterator[Finding]:
    """An id, owner, team or tag whose page would take the place of one of the portal's."""
    if exp.slug in RESERVED_EXPERIMENT_SLUGS:
        yield Finding(
            ("id",),
            f"the id '{exp.id}' is the name of one of the portal's own pages",
            expected="an id such as EXP-2025-014",
            found=show(exp.id),
            hint="give the experiment another id",
        )
    named = [("owner", exp.owner)] + [(("tags", i), tag) for i, tag in enumerate(exp.tags)]
    if not catalog.teams:  # a team of teams.yml is checked there
        named.append(("team", exp.team))
    for field, name in named:
        if group_slug(name) in RESERVED_GROUP_SLUGS:
            yield reserved_name(field if isinstance(field, tuple) else (field,), name)


def name_warnings(exp: Experiment) -> list[Finding]:
    """Names that look like another's but are not: a Cyrillic A (U+0410) in "Ana Ruiz"
    would give her a second page that reads the same. The write-up is still published."""
    return [
        Finding(
            (field,),
            "this name mixes alphabets with letters that look alike",
            found=f"{show(name)}, whose {look_alikes(name)}",
            hint="retype the name with one keyboard layout, or keep it if it is meant",
        )
        for field, name in (("owner", exp.owner), ("team", exp.team))
        if look_alikes(name)
    ]


def look_alikes(name: str) -> str:
    """The letters of words that mix alphabets, as ``'x' is Cyrillic``; empty for none."""
    mixed = [word for word in name.split() if confusables.is_dangerous(word)]
    if not mixed:
        return ""
    scripts = {
        found["character"]: found["alias"]
        for word in mixed
        for found in confusables.is_confusable(word, greedy=True) or []
    }
    usual = max(set(scripts.values()), key=list(scripts.values()).count)
    odd = [f"'{char}' is {script.title()}" for char, script in scripts.items() if script != usual]
    return ", ".join(odd)


def _check_status(exp: Experiment) -> Iterator[Finding]:
    if exp.status is Status.CONCLUDED and exp.decision is None:
        yield Finding(
            ("decision",),
            "a concluded experiment needs its decision",
            expected="one of " + ", ".join(Decision),
            hint="add 'decision: ship' (or iterate, rollback, inconclusive)",
        )
    if exp.status is not Status.CONCLUDED and exp.decision is not None:
        yield Finding(
            ("decision",),
            f"a decision is only given once the experiment is concluded (status is '{exp.status}')",
            found=show(exp.decision.value),
            hint="set 'status: concluded' or remove the decision",
        )
    if exp.status is not Status.IDEA and exp.hypothesis is None:
        yield Finding(
            ("hypothesis",),
            "required field is missing",
            expected="one sentence saying what should change and why",
            hint="every cycle past the idea stage states its hypothesis",
        )


def _check_dates(exp: Experiment) -> Iterator[Finding]:
    for phase in _REQUIRED_DATES.get(exp.status, ()):
        if exp.dates.of(phase) is None:
            yield Finding(
                ("dates", phase),
                f"a {exp.status.value} experiment needs the date of its '{phase}' phase",
                expected="a date like 2025-03-10",
                hint=f"add '{phase}:' under 'dates:'",
            )
    start, planned_end = exp.dates.test, exp.plan.end if exp.plan else None
    if start and planned_end and planned_end < start:
        yield Finding(
            ("plan", "end"),
            f"the planned end comes before the test starts ({start})",
            expected=f"a date on or after {start}",
            found=str(planned_end),
            hint="the plan's end is the last day the test is meant to run",
        )
    for (before, earlier), (after, later) in pairwise(exp.dates.dated()):
        if later < earlier:
            yield Finding(
                ("dates", after),
                f"the '{after}' date comes before the '{before}' date ({earlier})",
                expected=f"a date on or after {earlier}",
                found=str(later),
                hint=f"phases run in the order {', '.join(Phase)}",
            )


def _check_team(exp: Experiment, catalog: Catalog) -> Iterator[Finding]:
    if catalog.teams and exp.team not in catalog.teams:
        yield Finding(
            ("team",),
            "unknown team",
            expected="a team from site_config/teams.yml",
            found=show(exp.team),
            hint=did_you_mean(exp.team, catalog.teams),
        )


def _check_arms(exp: Experiment) -> Iterator[Finding]:
    if exp.metrics and not exp.arms:
        yield Finding(
            ("arms",),
            "metrics are given but no arms",
            expected="the list of arms, control first, e.g. [control, variant]",
            hint="add 'arms: [control, variant]'",
        )
    for index, arm in enumerate(exp.arms):
        if arm in exp.arms[:index]:
            yield Finding(("arms", index), "this arm is listed twice", found=show(arm))
    for arm in exp.arm_labels:
        if arm not in exp.arms:
            yield Finding(
                ("arm_labels", arm),
                "a label for an arm that is not in 'arms'",
                expected="one of " + ", ".join(exp.arms) if exp.arms else "arms listed in 'arms'",
                found=show(arm),
                hint=did_you_mean(arm, exp.arms) or "label only the arms listed in 'arms'",
            )
    if exp.split is not None:
        if len(exp.split) != len(exp.arms):
            yield Finding(
                ("split",),
                "the split needs one share per arm",
                expected=f"{len(exp.arms)} numbers",
                found=f"{len(exp.split)}",
            )
        elif abs(sum(exp.split) - 1) > 0.01 and abs(sum(exp.split) - 100) > 1:
            yield Finding(
                ("split",),
                "the shares of the split do not add up to 1 (or 100)",
                found=show(sum(exp.split)),
                hint="write it as fractions, e.g. [0.5, 0.5]",
            )


def _check_metrics(exp: Experiment, catalog: Catalog) -> Iterator[Finding]:
    primaries = [i for i, m in enumerate(exp.metrics) if m.primary]
    for extra in primaries[1:]:
        yield Finding(
            ("metrics", extra, "primary"),
            "only one metric can be primary",
            hint=f"metrics[{primaries[0]}] is already primary",
        )
    primary = exp.primary_metric
    if primary is not None and primary.guardrail:
        yield Finding(
            ("metrics", exp.metrics.index(primary), "guardrail"),
            "the primary metric cannot also be a guardrail",
            hint="a guardrail watches for harm beside the primary metric:"
            " mark another metric `primary: true`, or drop `guardrail`",
        )
    names_seen: set[str] = set()
    for index, metric in enumerate(exp.metrics):
        here = ("metrics", index)
        if metric.name in names_seen:
            yield Finding((*here, "name"), "this metric is listed twice", found=show(metric.name))
        names_seen.add(metric.name)
        definition = catalog.metrics.get(metric.name)
        if definition is None:
            yield Finding(
                (*here, "name"),
                "unknown metric",
                expected="a metric from site_config/metrics.yml",
                found=show(metric.name),
                hint=did_you_mean(metric.name, catalog.metrics)
                or "add the metric to site_config/metrics.yml",
            )
        yield from _check_results(exp, index, definition.kind if definition else None)


def _check_results(exp: Experiment, index: int, kind: MetricKind | None) -> Iterator[Finding]:
    metric = exp.metrics[index]
    here = ("metrics", index, "results")
    for arm in exp.arms:
        if arm not in metric.results:
            yield Finding(
                here,
                f"no results for arm '{arm}'",
                expected="results for every arm in 'arms'",
                hint=f"add '{arm}:' under results"
                + (" (the first arm is the control)" if arm == exp.arms[0] else ""),
            )
    for arm, numbers in metric.results.items():
        if exp.arms and arm not in exp.arms:
            yield Finding(
                (*here, arm),
                "this arm is not in the experiment's 'arms' list",
                expected="one of " + ", ".join(exp.arms),
                found=show(arm),
                hint=did_you_mean(arm, exp.arms),
            )
        if kind is not None and numbers.kind is not kind:
            yield Finding(
                (*here, arm),
                f"'{metric.name}' is a {kind.value} metric",
                expected=arm_fields_text(kind),
                found=arm_fields_text(numbers.kind),
                hint="see the metric's kind in site_config/metrics.yml",
            )


def _check_data(exp: Experiment, data_exists: Callable[[str], bool]) -> Iterator[Finding]:
    if exp.data is None:
        return
    path = PurePosixPath(exp.data)
    if path.is_absolute() or ".." in path.parts or "\\" in exp.data:
        yield Finding(
            ("data",),
            "the data path must stay inside the project",
            expected="a relative path like data/exp-2025-014.csv",
            found=show(exp.data),
        )
    elif path.suffix.lower() != ".csv" or any(part.startswith(".") for part in path.parts):
        # Its first line is quoted when it is not a daily CSV: never a .env or a .git file.
        yield Finding(
            ("data",),
            "the data file must be a CSV file",
            expected="a path ending in .csv, no part of it hidden, like data/exp-2025-014.csv",
            found=show(exp.data),
            hint="keep the daily numbers in data/, one .csv per experiment",
        )
    elif not data_exists(exp.data):
        yield Finding(
            ("data",),
            "the data file does not exist",
            expected="a CSV file relative to the project folder",
            found=show(exp.data),
            hint="check the file name and that it is committed",
        )


def _check_parent(exp: Experiment) -> Iterator[Finding]:
    if exp.parent is not None and exp.parent.lower() == exp.slug:
        yield Finding(
            ("parent",),
            "an experiment cannot be its own parent",
            expected="the id of the previous cycle",
            found=show(exp.parent),
        )


def check_lineage(ids: dict[str, str], parents: dict[str, str | None]) -> dict[str, list[Finding]]:
    """Parents must exist and chains must end; keys are slugs.

    ``ids`` maps each known slug to its id as written (invalid files included, so a
    child is not punished for its parent's typo); ``parents`` maps valid slugs to theirs.
    """
    findings: dict[str, list[Finding]] = {}
    for slug, parent in parents.items():
        missing = missing_parent(ids, slug, parent) if parent is not None else None
        if missing is not None:
            findings.setdefault(slug, []).append(missing)
    for cycle in _cycles(parents):
        path = " → ".join(ids[s] for s in [*cycle, cycle[0]])
        for slug in cycle:
            findings.setdefault(slug, []).append(
                Finding(
                    ("parent",),
                    f"the parents form a loop: {path}",
                    hint="the first cycle of an idea has no parent",
                )
            )
    return findings


def missing_parent(ids: dict[str, str], slug: str, parent: str) -> Finding | None:
    """The finding for a parent that no file in the folder has as its id, if it is one."""
    if parent.lower() in ids:
        return None
    return Finding(
        ("parent",),
        "the parent experiment does not exist",
        expected="the id of an experiment in the experiments folder",
        found=show(parent),
        # An experiment cannot be its own parent, so its id is no suggestion.
        hint=did_you_mean(parent, (i for s, i in ids.items() if s != slug))
        or "check the id in the previous cycle's file",
    )


def _cycles(parents: dict[str, str | None]) -> list[Sequence[str]]:
    """Loops in the parent graph (each node has at most one parent)."""
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = done
    loops: list[Sequence[str]] = []
    for start in sorted(parents):
        walk: list[str] = []
        node: str | None = start
        while node is not None and node in parents and node not in state:
            state[node] = 1
            walk.append(node)
            parent = parents[node]
            node = parent.lower() if parent is not None else None
        if node is not None and state.get(node) == 1:
            loops.append(walk[walk.index(node) :])
        for visited in walk:
            state[visited] = 2
    return loops
