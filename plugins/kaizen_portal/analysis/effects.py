"""How two arms compare: the lift, its interval and the p-value of one test per comparison.

Pure functions over plain numbers so the portal's claims can be checked in isolation. Every
distribution and test comes from scipy / statsmodels; only the closed-form pieces
(z statistic, delta-method variance, Welch-Satterthwaite df) are written out.

Degenerate data never raises and never hides a nan: a quantity that is mathematically undefined
is ``None`` (interval, p-value, MDE) or ``math.nan`` (the float ``lift``, only when the control
value is 0). The MDE is also ``None`` when the power solver's answer does not check out
against the forward power function (tiny samples at high confidence). Inputs that are not
data at all (negative counts, an arm with no users, a confidence outside (0, 1)) raise
``ValueError``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from .distributions import alpha_of, two_sided_normal_p, two_sided_quantile
from .power import mean_mde, proportion_mde


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
    for callers that compare many times and never show an MDE.
    """
    alpha = alpha_of(confidence)
    _check_counts(control_users, control_conversions, "control")
    _check_counts(variant_users, variant_conversions, "variant")
    p_c = control_conversions / control_users
    p_v = variant_conversions / variant_users

    pooled = (control_conversions + variant_conversions) / (control_users + variant_users)
    pooled_se = math.sqrt(pooled * (1 - pooled) * (1 / control_users + 1 / variant_users))
    p_value = None if pooled_se == 0 else two_sided_normal_p((p_v - p_c) / pooled_se)

    return _compare(
        control=p_c,
        variant=p_v,
        var_control=p_c * (1 - p_c) / control_users,
        var_variant=p_v * (1 - p_v) / variant_users,
        quantile=two_sided_quantile(alpha),
        p_value=p_value,
        mde=proportion_mde(p_c, control_users, variant_users, alpha) if mde else None,
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
    alpha = alpha_of(confidence)
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
        quantile = two_sided_quantile(alpha, df)

    return _compare(
        control=control_mean,
        variant=variant_mean,
        var_control=var_c,
        var_variant=var_v,
        quantile=quantile,
        p_value=p_value,
        mde=mean_mde(control_n, control_mean, control_sd, variant_n, variant_sd, alpha)
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
