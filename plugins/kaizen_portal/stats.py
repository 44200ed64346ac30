"""Statistics behind every result card: effect sizes, intervals, p-values and verdicts.

Pure functions over plain numbers so the portal's claims can be checked in isolation. Every
distribution, test, correction and power solve comes from scipy / statsmodels; only the
closed-form pieces (z statistic, delta-method variance, Welch-Satterthwaite df) are written out.

Degenerate data never raises and never hides a nan: a quantity that is mathematically undefined
is ``None`` (interval, p-value, MDE) or ``math.nan`` (the float ``lift``, only when the control
value is 0). The MDE is also ``None`` when the power solver's answer does not check out
against the forward power function (tiny samples at high confidence). Inputs that are not
data at all (negative counts, an arm with no users, a confidence outside (0, 1)) raise
``ValueError``.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
from scipy import special, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.tools.sm_exceptions import ConvergenceWarning

Verdict = Literal["win", "loss", "flat"]
Direction = Literal["higher", "lower"]
Correction = Literal["none", "holm", "benjamini-hochberg"]

SRM_THRESHOLD = 0.001
POWER = 0.8
UNDERPOWERED_MDE = 0.10

_STATSMODELS_METHOD: dict[Correction, str] = {"holm": "holm", "benjamini-hochberg": "fdr_bh"}


@dataclass(frozen=True)
class Comparison:
    """One variant arm against the control for one metric."""

    control_value: float  # rate (conversions/users) or mean of the control
    variant_value: float
    abs_diff: float  # variant_value - control_value
    lift: float  # (variant - control) / |control|: variant/control - 1 if control > 0; nan at 0
    ci_low: float | None  # interval for the relative lift (None when not computable)
    ci_high: float | None
    p_value: float | None  # raw two-sided p-value
    mde: float | None  # smallest relative lift detectable at 80% power, two-sided


def compare_proportions(
    control_users: int,
    control_conversions: int,
    variant_users: int,
    variant_conversions: int,
    confidence: float = 0.95,
    *,
    mde: bool = True,
) -> Comparison:
    """Compare conversion rates of two randomized arms.

    The p-value uses the pooled variance because that is the variance under the null being
    tested; the interval uses unpooled variances because it describes the alternative.

    Degenerate cases: control rate 0 gives ``lift = nan`` and no interval or MDE; both rates 0
    or both 1 (zero pooled variance) give no p-value; an interval whose delta-method standard
    error is 0 is omitted rather than shown with zero width. When even a variant rate of 1
    would not reach 80% power the MDE is ``math.inf``. ``mde=False`` skips the power solve
    (about 5 ms) for callers that compare many times and never show an MDE.
    """
    alpha = _alpha(confidence)
    _check_counts(control_users, control_conversions, "control")
    _check_counts(variant_users, variant_conversions, "variant")
    p_c = control_conversions / control_users
    p_v = variant_conversions / variant_users

    pooled = (control_conversions + variant_conversions) / (control_users + variant_users)
    pooled_se = math.sqrt(pooled * (1 - pooled) * (1 / control_users + 1 / variant_users))
    p_value = None if pooled_se == 0 else _two_sided_normal_p((p_v - p_c) / pooled_se)

    return _compare(
        control=p_c,
        variant=p_v,
        var_control=p_c * (1 - p_c) / control_users,
        var_variant=p_v * (1 - p_v) / variant_users,
        quantile=_two_sided_quantile(alpha),
        p_value=p_value,
        mde=_proportion_mde(p_c, control_users, variant_users, alpha) if mde else None,
    )


def compare_means(
    control_n: int,
    control_mean: float,
    control_sd: float,
    variant_n: int,
    variant_mean: float,
    variant_sd: float,
    confidence: float = 0.95,
    *,
    mde: bool = True,
) -> Comparison:
    """Compare means of two randomized arms without assuming equal variances (Welch).

    Degenerate cases: control mean 0 gives ``lift = nan`` and no interval or MDE; both standard
    deviations 0 give no p-value, interval or MDE (there is no noise to test against).
    A negative control mean keeps the lift's sign equal to the difference's (see ``lift``).
    ``mde=False`` skips the power solve, as in ``compare_proportions``.
    """
    alpha = _alpha(confidence)
    _check_sample(control_n, control_mean, control_sd, "control")
    _check_sample(variant_n, variant_mean, variant_sd, "variant")
    var_c = control_sd**2 / control_n
    var_v = variant_sd**2 / variant_n

    p_value: float | None = None
    quantile = math.nan
    if var_c + var_v > 0:
        welch = stats.ttest_ind_from_stats(
            variant_mean,
            variant_sd,
            variant_n,
            control_mean,
            control_sd,
            control_n,
            equal_var=False,
        )
        p_value = float(welch.pvalue)
        # Welch-Satterthwaite df, written with variance shares so it cannot divide by an underflow
        share_c = var_c / (var_c + var_v)
        df = 1 / (share_c**2 / (control_n - 1) + (1 - share_c) ** 2 / (variant_n - 1))
        quantile = _two_sided_quantile(alpha, df)

    return _compare(
        control=control_mean,
        variant=variant_mean,
        var_control=var_c,
        var_variant=var_v,
        quantile=quantile,
        p_value=p_value,
        mde=_mean_mde(control_n, control_mean, control_sd, variant_n, variant_sd, alpha)
        if mde
        else None,
    )


def describe_change(control_value: float, variant_value: float) -> Comparison:
    """Before/after numbers for non-randomized designs, with no inference.

    Without randomization a p-value or interval would claim a causal precision the design
    cannot support, so those fields stay ``None``.
    """
    if not (math.isfinite(control_value) and math.isfinite(variant_value)):
        raise ValueError("control_value and variant_value must be finite numbers")
    control_value, variant_value = float(control_value), float(variant_value)
    return Comparison(
        control_value=control_value,
        variant_value=variant_value,
        abs_diff=variant_value - control_value,
        lift=_relative_lift(control_value, variant_value),
        ci_low=None,
        ci_high=None,
        p_value=None,
        mde=None,
    )


def adjust_p_values(
    p_values: Sequence[float | None], method: Correction = "holm"
) -> list[float | None]:
    """Correct a family of p-values for multiple testing.

    ``None`` entries (nothing was tested) keep their place but are left out of the family, so
    they neither inflate the correction nor receive a made-up value.
    """
    if method not in get_args(Correction):
        raise ValueError(f"unknown correction {method!r}; expected one of {get_args(Correction)}")
    tested = [(i, p) for i, p in enumerate(p_values) if p is not None]
    for _, p in tested:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p-values must lie in [0, 1], got {p!r}")
    adjusted = list(p_values)
    # A family of one needs no correction (every method returns the p-value itself), and
    # statsmodels' Holm runs a full garbage collection per call: skip the call, not the maths.
    if method == "none" or len(tested) < 2:
        return adjusted
    corrected = multipletests([p for _, p in tested], method=_STATSMODELS_METHOD[method])[1]
    for (i, _), p in zip(tested, corrected, strict=True):
        adjusted[i] = float(p)
    return adjusted


def srm_p_value(users: Sequence[int], split: Sequence[float] | None = None) -> float:
    """Chi-square goodness-of-fit p-value of the observed users per arm against the plan.

    A tiny p-value means the assignment itself is broken, which invalidates every metric.
    With no users at all there is nothing to mismatch and the p-value is 1.
    """
    if len(users) < 2:
        raise ValueError("a sample ratio check needs at least two arms")
    if any(u < 0 for u in users):
        raise ValueError("user counts must be non-negative")
    weights = [1.0] * len(users) if split is None else [float(w) for w in split]
    if len(weights) != len(users):
        raise ValueError(f"split has {len(weights)} entries for {len(users)} arms")
    if not all(math.isfinite(w) and w > 0 for w in weights):
        raise ValueError("split entries must be positive finite numbers")
    total = sum(users)
    if total == 0:
        return 1.0
    expected = [total * w / sum(weights) for w in weights]
    return float(stats.chisquare(users, expected).pvalue)


def has_srm(p_value: float) -> bool:
    """The strict threshold keeps routine multi-arm checks from crying wolf."""
    return p_value < SRM_THRESHOLD


def verdict(
    lift: float, p_adjusted: float | None, direction: Direction, confidence: float = 0.95
) -> Verdict | None:
    """Read a result in the metric's own terms: a significant drop wins when lower is better.

    Only the sign of ``lift`` is read, so ``abs_diff`` may be passed where ``lift`` is nan
    (control at 0). ``None`` when nothing was tested or the direction of change is unknown.
    """
    alpha = _alpha(confidence)
    if direction not in get_args(Direction):
        raise ValueError(f"unknown direction {direction!r}; expected 'higher' or 'lower'")
    if p_adjusted is None or math.isnan(lift):
        return None
    if p_adjusted >= alpha or lift == 0:
        return "flat"
    return "win" if (lift > 0) == (direction == "higher") else "loss"


def is_underpowered(
    comparison: Comparison, verdict: Verdict | None, threshold: float = UNDERPOWERED_MDE
) -> bool:
    """A flat result means "no effect" only if the test could have seen a modest one.

    Rule: flat, and the MDE exceeds ``threshold`` (default 10%: only lifts above 10% were
    detectable). Wins, losses and untested results are never called underpowered.
    """
    return verdict == "flat" and comparison.mde is not None and comparison.mde > threshold


# --- shared machinery ---------------------------------------------------------------------


def _compare(
    *,
    control: float,
    variant: float,
    var_control: float,
    var_variant: float,
    quantile: float,
    p_value: float | None,
    mde: float | None,
) -> Comparison:
    """The one place both randomized paths turn estimates and variances into a Comparison."""
    control, variant = float(control), float(variant)
    lift = _relative_lift(control, variant)
    ci_low, ci_high = _interval(
        lift, _lift_se(control, variant, var_control, var_variant), quantile
    )
    return Comparison(
        control_value=control,
        variant_value=variant,
        abs_diff=variant - control,
        lift=lift,
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=p_value,
        mde=mde,
    )


def _relative_lift(control: float, variant: float) -> float:
    """Dividing by |control| keeps the lift's sign equal to the sign of the difference."""
    return math.nan if control == 0 else (variant - control) / abs(control)


def _lift_se(control: float, variant: float, var_control: float, var_variant: float) -> float:
    """Delta-method SE of the ratio for independent arms; its sign convention does not matter."""
    if control == 0:
        return math.nan
    # sqrt(var_v / c^2 + v^2 var_c / c^4), arranged so tiny or huge values cannot over/underflow
    ratio = variant / control
    return math.hypot(math.sqrt(var_variant), ratio * math.sqrt(var_control)) / abs(control)


def _interval(estimate: float, se: float, quantile: float) -> tuple[float | None, float | None]:
    """A zero or undefined SE yields no interval, not a zero-width one that reads as certainty."""
    if not (math.isfinite(estimate) and math.isfinite(se) and math.isfinite(quantile)) or se <= 0:
        return None, None
    half_width = quantile * se
    return estimate - half_width, estimate + half_width


# scipy.stats' norm and t evaluate these special functions; calling them directly gives the
# same values, bit for bit, without the distribution objects' argument handling (~0.1 ms a
# call, 40 times the function itself), paid on every comparison and every day of a trend.


@functools.cache
def _normal_quantile(tail: float) -> float:
    return float(special.ndtri(tail))


def _two_sided_quantile(alpha: float, df: float | None = None) -> float:
    tail = 1 - alpha / 2
    return _normal_quantile(tail) if df is None else float(special.stdtrit(df, tail))


def _two_sided_normal_p(z: float) -> float:
    return float(2 * special.ndtr(-abs(z)))


def _proportion_mde(p_c: float, n_c: int, n_v: int, alpha: float) -> float | None:
    """Cohen's h back to a rate: p_v = sin(asin(sqrt(p_c)) + h/2)^2, then to a relative lift."""
    if p_c == 0:
        return None
    h = _normal_effect(n_c, n_v, alpha)
    if h is None:
        return None
    angle = math.asin(math.sqrt(p_c)) + h / 2
    if angle > math.pi / 2:
        return math.inf
    return math.sin(angle) ** 2 / p_c - 1


def _normal_effect(n_c: int, n_v: int, alpha: float) -> float | None:
    """The standardized effect the two-sample z-test detects with 80% power."""
    unit = _normal_effect_at_unit_sample(alpha)
    return None if unit is None else unit / math.sqrt(n_c * n_v / (n_c + n_v))


@functools.cache
def _normal_effect_at_unit_sample(alpha: float) -> float | None:
    """The effect the two-sample z-test detects with 80% power when n_eff = 1.

    statsmodels' normal power depends on the effect and the samples only through
    effect * sqrt(n_eff), n_eff = n_c * n_v / (n_c + n_v), so this one solve (n_c = n_v = 2)
    scaled by 1 / sqrt(n_eff) is statsmodels' answer for every sample size. Solving per
    comparison cost ~4 ms each, most of a 1,000-experiment build.
    """
    return _detectable_effect(NormalIndPower, 2, 2, alpha)


def _mean_mde(
    n_c: int, mean_c: float, sd_c: float, n_v: int, sd_v: float, alpha: float
) -> float | None:
    """Cohen's d back to a relative lift: d * pooled sd / |control mean|."""
    pooled_sd = math.sqrt(((n_c - 1) * sd_c**2 + (n_v - 1) * sd_v**2) / (n_c + n_v - 2))
    if mean_c == 0 or pooled_sd == 0:
        return None
    # The z-test detects smaller effects than the t-test on the same samples, so its answer
    # brackets the t root from below: the same root in half the power evaluations.
    low = _normal_effect(n_c, n_v, alpha) or 0.0
    d = _detectable_effect(TTestIndPower, n_c, n_v, alpha, low)
    return None if d is None else d * pooled_sd / abs(mean_c)


def _detectable_effect(
    solver_type: type[NormalIndPower] | type[TTestIndPower],
    n_c: int,
    n_v: int,
    alpha: float,
    low: float = 0.0,
) -> float | None:
    """Standardized effect reaching 80% power, or None when the solver cannot be trusted.

    statsmodels' default tolerance (1e-5 absolute) is coarse next to the tiny effects of large
    samples, and its t power turns nan at extreme noncentrality for very small samples, so the
    tolerance is tightened on this private instance and the answer is checked against the
    forward power function instead of being trusted.
    """
    solver = solver_type()
    solver.start_bqexp["effect_size"] = {
        "low": low,
        "start_upp": low * 1.05 if low else 1.0,
        "xtol": 1e-14,
        "increasing": True,
    }
    ratio = n_v / n_c
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            effect = np.asarray(
                solver.solve_power(
                    effect_size=None, nobs1=n_c, alpha=alpha, power=POWER, ratio=ratio
                )
            ).item()
            achieved = np.asarray(
                solver.power(effect_size=effect, nobs1=n_c, alpha=alpha, ratio=ratio)
            ).item()
        except (ValueError, RuntimeError):
            return None
    if not (math.isfinite(effect) and effect > 0 and abs(achieved - POWER) < 1e-6):
        return None
    return float(effect)


def _alpha(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    # Rounded so that 0.95 means alpha 0.05 exactly, not 0.050000000000000044: a p-value of
    # exactly 0.05 must not count as significant.
    return round(1.0 - confidence, 12)


def _check_counts(users: int, conversions: int, arm: str) -> None:
    if users < 1:
        raise ValueError(f"{arm} arm needs at least one user, got {users}")
    if not 0 <= conversions <= users:
        raise ValueError(f"{arm} conversions must lie in [0, {users}], got {conversions}")


def _check_sample(n: int, mean: float, sd: float, arm: str) -> None:
    if n < 2:
        raise ValueError(f"{arm} arm needs at least two observations for a standard deviation")
    if not (math.isfinite(mean) and math.isfinite(sd)) or sd < 0:
        raise ValueError(f"{arm} mean must be finite and its sd finite and non-negative")
