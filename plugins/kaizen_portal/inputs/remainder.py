"""What is left of a front-matter that breaks the schema, so its other rules still run.

A misspelt metric must not hide a missing parent, nor a wrong tag an unknown team: an
author fixes a file in one pass only when every problem is listed at once. The parts the
schema refused are set aside (a field, one metric, one date) and the rest is validated
again, with a stand-in for each required field that was set aside; the rules then run on
that, and ``sift`` keeps only their findings that do not lean on a part set aside.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError

from .problems import Finding, Loc, closest
from .schema import Experiment

# What a required field set aside is replaced by: valid, and never reported (see sift).
_STAND_INS: dict[str, Any] = {
    "id": "EXP-0000-000",
    "title": "untitled",
    "status": "idea",
    "owner": "unknown",
    "team": "unknown",
}
# The fields each one's rules read besides its own: a finding at the key is not to be
# trusted when any of these was set aside (a concluded test's dates need its status).
_LEANS_ON: dict[str, frozenset[str]] = {
    "decision": frozenset({"status"}),
    "hypothesis": frozenset({"status"}),
    "dates": frozenset({"status"}),
    "plan": frozenset({"dates", "status"}),
    "arms": frozenset({"metrics"}),
    "arm_labels": frozenset({"arms"}),
    "split": frozenset({"arms"}),
    "metrics": frozenset({"arms"}),
    "data": frozenset({"arms", "metrics"}),
    "parent": frozenset({"id"}),
}
# Fields whose parts are set aside one by one: a broken date leaves the other dates, a
# broken metric the other metrics.
_BY_PART = frozenset({"dates", "plan", "arm_labels", "metrics"})


@dataclass(frozen=True)
class Remainder:
    """The valid rest of a front-matter, and what was set aside to get it."""

    meta: Experiment
    whole: frozenset[str]  # top-level fields set aside entirely (or stood in for)
    parts: frozenset[Loc]  # parts set aside of fields kept in part: ("dates", "test")
    kept_metrics: tuple[int, ...]  # the file's index of each metric that was kept

    @property
    def aside(self) -> frozenset[str]:
        """Every top-level field set aside in whole or in part."""
        return self.whole | {str(part[0]) for part in self.parts}

    def sift(self, findings: Iterable[Finding]) -> list[Finding]:
        """The findings that stand on kept parts, placed where the file has them."""
        kept = []
        aside = self.aside
        for finding in map(self._placed, findings):
            top = str(finding.loc[0]) if finding.loc else ""
            if top in self.whole or finding.loc[:2] in self.parts:
                continue  # the schema's own problem there says it already
            if not _LEANS_ON.get(top, frozenset()) & aside:
                kept.append(finding)
        return kept

    def _placed(self, finding: Finding) -> Finding:
        loc = finding.loc
        if len(loc) >= 2 and loc[0] == "metrics" and isinstance(loc[1], int):
            return replace(finding, loc=("metrics", self.kept_metrics[loc[1]], *loc[2:]))
        return finding


def valid_remainder(
    data: Mapping[str, Any],
    error: ValidationError,
    known_fields: Callable[[Loc], Iterable[str]],
) -> Remainder | None:
    """The front-matter without the parts ``error`` names, validated; ``None`` when no
    valid rest is left to check (the front-matter is not a mapping, or the rest fails too,
    which a stand-in cannot fix). A misspelt field sets aside the field it was meant to be,
    whose absence the rules would otherwise report again."""
    if not isinstance(data, Mapping):
        return None
    rest: dict[str, Any] = dict(data)
    whole: set[str] = set()
    parts: set[Loc] = set()
    dropped_metrics: set[int] = set()
    for problem in error.errors():
        loc: Loc = tuple(problem["loc"])
        if not loc or not isinstance(loc[0], str):
            return None
        top = loc[0]
        part = loc[1] if len(loc) >= 2 else None
        if problem["type"] == "extra_forbidden" and len(loc) <= 2:
            meant = closest(str(loc[-1]), known_fields(loc[:-1]))
            if meant is not None:
                parts.add((top, meant)) if len(loc) == 2 else whole.add(meant)
        if top == "metrics" and isinstance(part, int) and isinstance(rest.get(top), list):
            dropped_metrics.add(part)
            parts.add((top, part))
        elif top in _BY_PART and isinstance(part, str) and isinstance(rest.get(top), dict):
            rest[top] = {k: v for k, v in rest[top].items() if k != part}
            parts.add((top, part))
        else:
            rest.pop(top, None)
            whole.add(top)
    kept_metrics: tuple[int, ...] = ()
    if isinstance(rest.get("metrics"), list):
        kept_metrics = tuple(i for i in range(len(rest["metrics"])) if i not in dropped_metrics)
        rest["metrics"] = [rest["metrics"][i] for i in kept_metrics]
    for name, stand_in in _STAND_INS.items():
        if name not in rest:
            rest[name] = stand_in
            whole.add(name)
    try:
        meta = Experiment.model_validate(rest)
    except ValidationError:
        return None
    return Remainder(meta, frozenset(whole), frozenset(parts), kept_metrics)
