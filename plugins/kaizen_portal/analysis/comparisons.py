"""Entries -> results: every arm judged against the control the same way.

This stage decides *which* statistics an experiment earns (only randomized designs get
p-values and intervals; reported numbers are passed through and marked so) and applies
the multiple-comparison correction across all of an experiment's comparisons. The
arithmetic itself lives in ``effects``, ``verdicts`` and ``validity``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property

from ..inputs.catalog import Catalog, MetricDef
from ..inputs.portfolio import Entry
from ..inputs.schema import (
    Arm,
    Experiment,
    MeanArm,
    MetricResults,
    PrecomputedArm,
    ProportionArm,
)
from ..inputs.vocabulary import Direction, MetricKind, Status
from . import effects, power, sequential, trends, validity, verdicts
from .distributions import alpha_of
from .states import State, state_of


@dataclass(frozen=True)
class ArmResult:
    arm: str
    numbers: Arm
    value: float
    comparison: effects.Comparison | None = None  # None for the control
    p_adjusted: float | None = None
    verdict: verdicts.Verdict | None = None  # the test's reading alone
    underpowered: bool = False
    state: State | None = None  # what the result may be taken for; None for the control

    @property
    def sample(self) -> int | None:
        return self.numbers.sample

    @property
    def change_only(self) -> bool:
        """A variant shown as a plain change: no interval or p-value was computed for it
        (not randomized, or nothing to test) nor reported by the author's tool."""
        c = self.comparison
        return (
            c is not None
            and c.p_value is None
            and c.ci_low is None
            and not isinstance(self.numbers, PrecomputedArm)
        )


@dataclass(frozen=True)
class MetricResult:
    name: str
    definition: MetricDef
    primary: bool
    arms: tuple[ArmResult, ...]
    guardrail: bool = False  # watched for harm beside the primary metric

    @property
    def reported(self) -> bool:
        """Numbers an author copied from another tool, not computed here."""
        return self.definition.kind is MetricKind.PRECOMPUTED

    @property
    def variants(self) -> tuple[ArmResult, ...]:
        return self.arms[1:]


@dataclass(frozen=True)
class Analysis:
    entry: Entry
    metrics: tuple[MetricResult, ...]
    srm_p_value: float | None
    trend: trends.Trend | None = None  # cumulative day-by-day results, when a CSV is given

    @property
    def srm(self) -> bool:
        return self.srm_p_value is not None and validity.has_srm(self.srm_p_value)

    # Kept once worked out (the dataclass is frozen, its fields never change): listings
    # and tallies ask every experiment for these many times a build.
    @cached_property
    def primary(self) -> MetricResult | None:
        return next((m for m in self.metrics if m.primary), None)

    def breaches(self, metric: MetricResult, arm: ArmResult) -> bool:
        """Whether this comparison is a guardrail that got clearly worse (see breached)."""
        return metric.guardrail and arm.verdict == "loss" and not self.srm

    @property
    def breached(self) -> tuple[tuple[MetricResult, ArmResult], ...]:
        """Guardrails that got clearly worse in a valid test, whatever the primary result.

        Interim looks count: a guardrail is watched so that harm stops a test early, and a
        running test's comparisons are tested with always-valid p-values.
        """
        return tuple(
            (metric, arm)
            for metric in self.metrics
            for arm in metric.variants
            if self.breaches(metric, arm)
        )

    @cached_property
    def known_by(self) -> ArmResult | None:
        """The primary metric's best variant: the result the experiment is known by.

        With several variants, the one in the best state (a win before no clear
        difference), then with the lift furthest the good way; the first on a tie. Pages
        show the others beside it; an experiment whose best variant won is one win.
        """
        primary = self.primary
        if primary is None or not primary.variants:
            return None
        better = -1.0 if primary.definition.direction is Direction.LOWER else 1.0

        def standing(arm: ArmResult) -> tuple[int, float]:
            lift = arm.comparison.lift if arm.comparison else None
            rank = arm.state.rank if arm.state else -1
            known = lift is not None and not math.isnan(lift)
            return rank, better * lift if known else -math.inf

        return max(primary.variants, key=standing)

    @property
    def state(self) -> State | None:
        """What the experiment's primary result may be taken for."""
        arm = self.known_by
        return arm.state if arm else None


def analyze(entry: Entry, catalog: Catalog) -> Analysis:
    exp = entry.meta
    settings = catalog.settings
    randomized = exp.design.randomized
    primary = exp.primary_metric
    srm_p_value = _srm(entry) if randomized else None
    valid = srm_p_value is None or not validity.has_srm(srm_p_value)
    planned = exp.plan.sample if exp.plan else None
    looks = (
        Looks(alpha_of(settings.confidence), sequential.pair_plan(planned, len(exp.arms)))
        if randomized and exp.status is not Status.CONCLUDED
        else None
    )
    drafts = [
        _compare_metric(exp, m, catalog.metrics[m.name], settings.confidence, randomized, looks)
        for m in exp.metrics
    ]
    # One family per experiment: every arm-versus-control comparison of every metric.
    flat = [arm for metric in drafts for arm in metric[1:]]
    p_values = [a.comparison.p_value if a.comparison else None for a in flat]
    adjusted = verdicts.adjust_p_values(p_values, settings.correction)
    alphas = verdicts.interval_alphas(p_values, adjusted, settings.correction, settings.confidence)
    corrected = iter(zip(adjusted, alphas, strict=True))
    metrics = []
    for spec, arms in zip(exp.metrics, drafts, strict=True):
        definition = catalog.metrics[spec.name]
        judged = [arms[0]]
        for arm in arms[1:]:
            p_adjusted, alpha = next(corrected)
            lower = definition.direction is Direction.LOWER
            shown = _shown(arms[0], arm, alpha, settings.confidence, looks, lower)
            verdict = _judge(shown, p_adjusted, definition, settings.confidence)
            judged.append(replace(verdict, state=_state(verdict, exp, valid)))
        metrics.append(
            MetricResult(spec.name, definition, spec is primary, tuple(judged), spec.guardrail),
        )
    trend = trends.trend(entry.daily, settings.confidence, planned) if entry.daily else None
    return Analysis(entry, tuple(metrics), srm_p_value, trend)


@dataclass(frozen=True)
class Looks:
    """A test that has not concluded: its comparisons are looks, tested always-valid."""

    alpha: float  # the experiment's own, which tunes every interval of it alike
    planned: int | None  # the planned sample of one variant-versus-control pair

    def look(self, control: Arm, variant: Arm, alpha: float) -> sequential.Look:
        """The always-valid interval at ``alpha`` and the p-value of one comparison."""
        if isinstance(control, ProportionArm) and isinstance(variant, ProportionArm):
            p_c, p_v = control.estimate, variant.estimate
            var_c, var_v = p_c * (1 - p_c) / control.users, p_v * (1 - p_v) / variant.users
            n, lowest = control.users + variant.users, -1.0
        else:
            assert isinstance(control, MeanArm) and isinstance(variant, MeanArm)
            p_c, p_v = control.mean, variant.mean
            var_c = control.sd * control.sd / control.n
            var_v = variant.sd * variant.sd / variant.n
            n, lowest = control.n + variant.n, -math.inf
        rho2 = sequential.mixture_rho2(self.alpha, self.planned or n)
        return sequential.look(p_c, p_v, var_c, var_v, n, alpha, rho2, lowest)

    def tested(self, control: Arm, variant: Arm, c: effects.Comparison) -> effects.Comparison:
        """The comparison with the always-valid interval and p-value for its fixed ones."""
        if c.p_value is None:
            return c
        seen = self.look(control, variant, self.alpha)
        return replace(
            c,
            ci_low=seen.interval[0],
            ci_high=seen.interval[1],
            p_value=seen.p_value,
            unadjusted=seen.interval,
            ci_confidence=c.ci_confidence if seen.interval[0] is not None else None,
            always_valid=True,
        )


def _shown(
    control: ArmResult,
    arm: ArmResult,
    alpha: float | None,
    confidence: float,
    looks: Looks | None,
    lower_is_better: bool,
) -> ArmResult:
    """The arm with its interval, and the change it could detect, at the level the
    correction tested it at: "too small to tell" is about the test the verdict reads.

    Only intervals the portal computed move; an author's reported interval is shown as
    given, and an interval at the experiment's own level is already there. A running
    test's MDE stays the planned test's, at the experiment's level.
    """
    c = arm.comparison
    if c is None or alpha is None or c.p_value is None or c.ci_confidence is None:
        return arm
    level = round(1 - alpha, 12)
    if isinstance(arm.numbers, PrecomputedArm) or level == c.ci_confidence:
        return arm
    if looks is not None:
        interval, mde = looks.look(control.numbers, arm.numbers, alpha).interval, c.mde
    else:
        interval = _interval(control.numbers, arm.numbers, alpha)
        mde = c.mde and _mde(control.numbers, arm.numbers, alpha, lower_is_better)
    return replace(arm, comparison=c.shown_at(interval, level, mde))


def _interval(control: Arm, variant: Arm, alpha: float) -> effects.Interval:
    if isinstance(control, ProportionArm) and isinstance(variant, ProportionArm):
        return effects.proportion_interval(
            variant.conversions, variant.users, control.conversions, control.users, alpha
        )
    assert isinstance(control, MeanArm) and isinstance(variant, MeanArm)
    return effects.mean_interval(
        control.n, control.mean, control.sd, variant.n, variant.mean, variant.sd, alpha
    )


def _mde(control: Arm, variant: Arm, alpha: float, lower_is_better: bool) -> float | None:
    if isinstance(control, ProportionArm) and isinstance(variant, ProportionArm):
        return power.proportion_mde(
            control.estimate, control.users, variant.users, alpha, lower_is_better
        )
    assert isinstance(control, MeanArm) and isinstance(variant, MeanArm)
    return power.mean_mde(control.n, control.mean, control.sd, variant.n, variant.sd, alpha)


def _state(arm: ArmResult, exp: Experiment, valid: bool) -> State:
    return state_of(arm.verdict, arm.underpowered, exp.status, valid)


def _compare_metric(
    exp: Experiment,
    spec: MetricResults,
    definition: MetricDef,
    confidence: float,
    randomized: bool,
    looks: Looks | None,
) -> list[ArmResult]:
    control = spec.results[exp.arms[0]]
    arms = [ArmResult(exp.arms[0], control, control.estimate)]
    lower = definition.direction is Direction.LOWER
    for arm in exp.arms[1:]:
        numbers = spec.results[arm]
        comparison = _compare(control, numbers, confidence, randomized, lower)
        if looks is not None and not isinstance(numbers, PrecomputedArm):
            comparison = looks.tested(control, numbers, comparison)
        arms.append(ArmResult(arm, numbers, numbers.estimate, comparison))
    return arms


def _compare(
    control: Arm, variant: Arm, confidence: float, randomized: bool, lower_is_better: bool
) -> effects.Comparison:
    if isinstance(variant, PrecomputedArm):
        return _reported(control.estimate, variant, confidence)
    if not randomized:
        return effects.describe_change(control.estimate, variant.estimate)
    if isinstance(control, ProportionArm) and isinstance(variant, ProportionArm):
        return effects.compare_proportions(
            control.users,
            control.conversions,
            variant.users,
            variant.conversions,
            confidence,
            lower_is_better=lower_is_better,
        )
    assert isinstance(control, MeanArm) and isinstance(variant, MeanArm)
    return effects.compare_means(
        control.n,
        control.mean,
        control.sd,
        variant.n,
        variant.mean,
        variant.sd,
        confidence,
        lower_is_better=lower_is_better,
    )


def _reported(
    control_value: float, variant: PrecomputedArm, confidence: float
) -> effects.Comparison:
    """The author's own lift, interval and p-value, when given, else the plain change; the
    interval read at the experiment's confidence."""
    plain = effects.describe_change(control_value, variant.value)
    interval = (variant.ci_low, variant.ci_high)
    return effects.Comparison(
        control_value=plain.control_value,
        variant_value=plain.variant_value,
        abs_diff=plain.abs_diff,
        lift=variant.lift if variant.lift is not None else plain.lift,
        ci_low=variant.ci_low,
        ci_high=variant.ci_high,
        p_value=variant.p_value,
        mde=None,
        ci_confidence=confidence if variant.ci_low is not None else None,
        unadjusted=interval,
    )


def _judge(
    arm: ArmResult, p_adjusted: float | None, definition: MetricDef, confidence: float
) -> ArmResult:
    comparison = arm.comparison
    assert comparison is not None
    verdict = verdicts.verdict(comparison.lift, p_adjusted, definition.direction.value, confidence)
    return ArmResult(
        arm.arm,
        arm.numbers,
        arm.value,
        comparison,
        p_adjusted,
        verdict,
        verdicts.is_underpowered(comparison, verdict),
    )


def _srm(entry: Entry) -> float | None:
    """Users assigned per arm, read from the primary (else first) proportion metric."""
    exp = entry.meta
    candidates = sorted(exp.metrics, key=lambda m: not m.primary)
    for metric in candidates:
        numbers = [metric.results[arm] for arm in exp.arms]
        if all(isinstance(n, ProportionArm) for n in numbers):
            users = [n.users for n in numbers if isinstance(n, ProportionArm)]
            return validity.srm_p_value(users, exp.split)
    return None
