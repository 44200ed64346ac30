"""How two arms compare: the lift, its interval and the p-value, all from one test.

Pure functions over plain numbers so the portal's claims can be checked in isolation. The
interval of a comparison is the inversion of the very test its p-value comes from, so the
interval excludes no change exactly when the p-value is below the interval's alpha:

- rates: statsmodels' score test of the ratio of the two rates and its inversion
  (Miettinen-Nurminen), which stays inside the possible range at any sample size;
- means: Welch's t-test and Fieller's interval for the ratio of the means at Welch's
  degrees of freedom, the set of ratios that test would not reject.

Degenerate data never raises and never hides a nan: a quantity that is mathematically
undefined is ``None`` (interval, p-value, MDE) or ``math.nan`` (the float ``lift``, only when
the control value is 0), and ``untestable`` says why a randomized comparison has no test.
Inputs that are not data at all (negative counts, an arm with no users, a confidence
outside (0, 1)) raise ``ValueError``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace

import numpy as np
from scipy import optimize, special, stats
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    score_test_proportions_2indep,
)

from .distributions import alpha_of, two_sided_quantile
from .power import mean_mde, proportion_mde

Interval = tuple[float | None, float | None]
NO_INTERVAL: Interval = (None, None)
NO_VARIATION = "no variation in either arm: nothing to test"
CONTROL_AT_ZERO = "the control is at 0: a relative change is undefined"
TOO_EXTREME = "numbers too far apart in size to test"


@dataclass(frozen=True)
class Comparison:
    """One variant arm against the control for one metric."""

    control_value: float  # rate (conversions/users) or mean of the control
    variant_value: float
    abs_diff: float  # variant_value - control_value
    lift: float  # (variant - control) / |control|: variant/control - 1 if control > 0; nan at 0
    ci_low: float | None  # the interval of the relative lift shown (None when there is none)
    ci_high: float | None
    p_value: float | None  # raw two-sided p-value of the same test
    mde: float | None  # smallest lift the good way detectable at 80% power; inf: none was
    ci_confidence: float | None = None  # the level of ci_low/ci_high
    unadjusted: Interval = NO_INTERVAL  # the interval at the experiment's own confidence
    untestable: str | None = None  # why a randomized comparison has no test
    chance_better: float | None = None  # posterior chance the variant is better the good way
    always_valid: bool = False  # interval and p-value hold at any look (a running test's)

    def shown_at(self, interval: Interval, confidence: float, mde: float | None) -> Comparison:
        """The same comparison read at another level (a correction's): its interval, and
        the change a test at that level could detect."""
        return replace(
            self, ci_low=interval[0], ci_high=interval[1], ci_confidence=confidence, mde=mde
        )


def compare_proportions(
    control_users: int,
    control_conversions: int,
    variant_users: int,
    variant_conversions: int,
    confidence: float = 0.95,
    *,
    mde: bool = True,
    lower_is_better: bool = False,
) -> Comparison:
    """Compare conversion rates of two randomized arms by the score test of their ratio.

    Degenerate cases: a control rate of 0 leaves the ratio undefined (``lift = nan``, no
    test); both rates 0 or both 1 leave nothing to test. When no reachable rate would be
    detected with 80% power the MDE is ``math.inf``. ``mde=False`` skips the power solve for
    callers that compare many times and never show an MDE.
    """
    alpha = alpha_of(confidence)
    _check_counts(control_users, control_conversions, "control")
    _check_counts(variant_users, variant_conversions, "variant")
    p_c = control_conversions / control_users
    p_v = variant_conversions / variant_users
    pooled = (control_conversions + variant_conversions) / (control_users + variant_users)
    untestable = None
    if pooled in (0.0, 1.0):
        untestable = NO_VARIATION
    elif control_conversions == 0:
        untestable = CONTROL_AT_ZERO
    p_value = None
    interval = NO_INTERVAL
    chance = None
    if untestable is None:
        counts = (variant_conversions, variant_users, control_conversions, control_users)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # odds ratios at a rate of 1
            # test_proportions_2indep(method="score")'s own test, without its report
            _, p = score_test_proportions_2indep(
                *counts, compare="ratio", value=1, return_results=False
            )
        p_value = _probability(p)
        interval = proportion_interval(*counts, alpha)
        spread = p_c * (1 - p_c) / control_users + p_v * (1 - p_v) / variant_users
        chance = chance_better(p_v - p_c, spread, lower_is_better)
    return _comparison(
        p_c,
        p_v,
        interval,
        p_value,
        confidence,
        untestable,
        proportion_mde(p_c, control_users, variant_users, alpha, lower_is_better)
        if mde and untestable is None
        else None,
        chance,
    )


def proportion_interval(
    variant_conversions: int,
    variant_users: int,
    control_conversions: int,
    control_users: int,
    alpha: float,
) -> Interval:
    """The score interval of the rates' ratio, as a relative lift; ``None`` where undefined.

    statsmodels' ``confint_proportions_2indep`` finds it fast, but where an arm's rate is 0
    or 1 its root search can return a range that excludes the estimate; there each bound
    is checked against the test it inverts, and found again by scipy's ``brentq`` on that
    test when it does not hold.
    """
    if control_conversions == 0:
        return NO_INTERVAL
    counts = (variant_conversions, variant_users, control_conversions, control_users)
    ratio = (variant_conversions / variant_users) / (control_conversions / control_users)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        low, high = (
            np.real(bound)
            for bound in confint_proportions_2indep(
                *counts, compare="ratio", method="score", alpha=alpha
            )
        )
        if 0 < variant_conversions < variant_users and control_conversions < control_users:
            bounds = [float(low), float(high)]  # away from 0 and 1 its answer holds
        else:
            bounds = [
                _score_bound(counts, ratio, float(bound), alpha, side)
                for bound, side in ((low, -1), (high, 1))
            ]
    return _finite(bounds[0] - 1), _finite(bounds[1] - 1)


def _score_p(counts: tuple[int, int, int, int], ratio: float) -> float:
    return float(score_test_proportions_2indep(*counts, compare="ratio", value=ratio)[1])


def _score_bound(
    counts: tuple[int, int, int, int], estimate: float, found: float, alpha: float, side: int
) -> float:
    """The ratio on one side of the estimate where the score test's p-value falls to alpha."""
    if side < 0 and estimate == 0:
        return 0.0
    on_side = found < estimate if side < 0 else found > estimate
    trusted = on_side and math.isfinite(found) and found > 0
    if trusted and abs(_score_p(counts, found) - alpha) <= alpha * 1e-4:
        return found
    # From a ratio the test keeps (half a conversion when none happened), double away on
    # the log scale until it rejects, then brentq between the two.
    _, variant_users, control_conversions, control_users = counts
    near = estimate or (0.5 / variant_users) / (control_conversions / control_users)
    while _score_p(counts, near) < alpha and near > 1e-300:
        near /= 2
    for step in (2.0**k for k in range(10)):
        far = near * math.exp(side * step)
        if _score_p(counts, far) < alpha:
            break
    else:
        return math.inf if side > 0 else 0.0
    root = optimize.brentq(
        lambda log_ratio: _score_p(counts, math.exp(log_ratio)) - alpha,
        *sorted((math.log(near), math.log(far))),
        xtol=1e-12,
    )
    return math.exp(root)


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
    lower_is_better: bool = False,
) -> Comparison:
    """Compare means of two randomized arms without assuming equal variances (Welch).

    Degenerate cases: both standard deviations 0 leave nothing to test; a control mean of 0
    leaves the relative lift undefined (``lift = nan``, no test). A negative control mean
    keeps the lift's sign equal to the difference's (see ``lift``). ``mde=False`` skips the
    power solve, as in ``compare_proportions``.
    """
    alpha = alpha_of(confidence)
    _check_sample(control_n, control_mean, control_sd, "control")
    _check_sample(variant_n, variant_mean, variant_sd, "variant")
    untestable = None
    if control_sd * control_sd / control_n + variant_sd * variant_sd / variant_n == 0:
        untestable = NO_VARIATION  # also a spread so small that its square is 0
    elif control_mean == 0:
        untestable = CONTROL_AT_ZERO
    p_value = None
    interval = NO_INTERVAL
    chance = None
    numbers = (control_n, control_mean, control_sd, variant_n, variant_mean, variant_sd)
    if untestable is None:
        welch = stats.ttest_ind_from_stats(
            variant_mean,
            variant_sd,
            variant_n,
            control_mean,
            control_sd,
            control_n,
            equal_var=False,
        )
        p_value = _probability(welch.pvalue)
        untestable = TOO_EXTREME if p_value is None else None
        if p_value is not None:
            interval = mean_interval(*numbers, alpha)
            spread = control_sd * control_sd / control_n + variant_sd * variant_sd / variant_n
            chance = chance_better(variant_mean - control_mean, spread, lower_is_better)
    return _comparison(
        control_mean,
        variant_mean,
        interval,
        p_value,
        confidence,
        untestable,
        mean_mde(control_n, control_mean, control_sd, variant_n, variant_sd, alpha)
        if mde and untestable is None
        else None,
        chance,
    )


def mean_interval(
    control_n: int,
    control_mean: float,
    control_sd: float,
    variant_n: int,
    variant_mean: float,
    variant_sd: float,
    alpha: float,
) -> Interval:
    """Fieller's interval for the ratio of the means, as a relative lift.

    The ratios r with (v - r c)^2 <= t^2 (var_v + r^2 var_c), t at Welch's degrees of
    freedom: at r = 1 this is Welch's statistic, so the interval holds no change exactly
    when Welch's test does not reject. ``None`` when the set is not a bounded interval (the
    control's mean is not itself clearly away from 0) or there is no noise to scale by.
    """
    var_c = control_sd * control_sd / control_n  # products: ** raises on an underflow
    var_v = variant_sd * variant_sd / variant_n
    if var_c + var_v == 0 or control_mean == 0:
        return NO_INTERVAL
    # Welch-Satterthwaite df, with variance shares so that it cannot divide by an underflow
    share_c = var_c / (var_c + var_v)
    share_v = 1 - share_c
    df = 1 / (share_c * share_c / (control_n - 1) + share_v * share_v / (variant_n - 1))
    t = two_sided_quantile(alpha, df)
    t2 = t * t
    # In units of the control mean, so that tiny or huge values cannot over- or underflow.
    ratio = variant_mean / control_mean
    scale_v, scale_c = variant_sd / control_mean, control_sd / control_mean
    a, b = scale_v * scale_v / variant_n, scale_c * scale_c / control_n
    if not math.isfinite(a + b + ratio):
        return NO_INTERVAL
    quad = 1 - t2 * b  # bounded only when the control's mean is itself clearly away from 0
    if quad <= 0:
        return NO_INTERVAL
    half = math.sqrt(t2 * (a * quad + b * ratio * ratio))
    low, high = (ratio - half) / quad, (ratio + half) / quad
    if control_mean < 0:  # the lift is 1 - ratio when the control is below 0
        return 1 - high, 1 - low
    return low - 1, high - 1


def chance_better(difference: float, variance: float, lower_is_better: bool) -> float | None:
    """The chance the variant is truly better the good way, given the data: the posterior
    probability that the difference is above 0 (below, when lower is better) under a flat
    prior and the normal approximation, Phi(d / se), as GrowthBook's Bayesian engine reports
    its "chance to win". ``None`` where the approximation has no spread to go by (every
    user of both arms did the same): it would claim certainty from a handful of users.
    """
    se = math.sqrt(variance)
    if not (se > 0 and math.isfinite(se) and math.isfinite(difference)):
        return None
    z = difference / se
    return float(special.ndtr(-z if lower_is_better else z))


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


# --- shared machinery ---------------------------------------------------------------------


def _comparison(
    control: float,
    variant: float,
    interval: Interval,
    p_value: float | None,
    confidence: float,
    untestable: str | None,
    mde: float | None,
    chance: float | None,
) -> Comparison:
    """The one place both randomized paths make a Comparison."""
    control, variant = float(control), float(variant)
    lift = _relative_lift(control, variant)
    low, high = interval
    if low is not None and high is not None and math.isfinite(lift):
        # The interval holds its estimate; rounding in the last bit must not say otherwise.
        interval = min(low, lift), max(high, lift)
    return Comparison(
        control_value=control,
        variant_value=variant,
        abs_diff=variant - control,
        lift=lift,
        ci_low=interval[0],
        ci_high=interval[1],
        p_value=p_value,
        mde=mde,
        ci_confidence=confidence if interval != NO_INTERVAL else None,
        unadjusted=interval,
        untestable=untestable,
        chance_better=chance,
    )


def _relative_lift(control: float, variant: float) -> float:
    """Dividing by |control| keeps the lift's sign equal to the sign of the difference."""
    return math.nan if control == 0 else (variant - control) / abs(control)


def _probability(value: float) -> float | None:
    p = float(value)
    return min(max(p, 0.0), 1.0) if math.isfinite(p) else None


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


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
