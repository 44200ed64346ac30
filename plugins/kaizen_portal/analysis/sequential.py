"""Always-valid intervals for a lift watched day by day: safe to look at every day.

A fixed-horizon 95% interval drawn every day of a test excludes no change on some day far
more often than 5% of the time when there is no effect, so a reader who stops at the first
"clear" day is fooled. The asymptotic confidence sequence of Waudby-Smith, Arnold, Wu,
Howard and Ramdas ("Time-uniform central limit theory", 2021; the normal-mixture boundary of
Howard et al., 2021), as GrowthBook's sequential testing uses it, holds at every look at
once. scipy and statsmodels have none, so the closed form is written out here.

Tuning: the mixture parameter rho makes the sequence tightest at a chosen sample size N*,
rho^2 = (-2 log alpha + log(1 - 2 log alpha)) / N*: the test's planned sample where the
write-up gives one (fixed before any outcome is read), else the sample the data reaches.

A running test's results use the same sequence, so its interim interval and p-value hold
however often the page is read, and a stop for a clear harm or win is a sound one.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from .effects import NO_INTERVAL, Interval


def mixture_rho2(alpha: float, planned: int) -> float:
    """rho^2 tightest at ``planned`` observations (Howard et al., eq. for the normal mixture)."""
    log_alpha = math.log(alpha)
    return (-2 * log_alpha + math.log(1 - 2 * log_alpha)) / max(planned, 1)


def pair_plan(planned: int | None, arms: int) -> int | None:
    """The planned sample of one variant-versus-control pair: a plan counts every arm."""
    return None if planned is None else max(1, round(planned * 2 / max(arms, 2)))


def radius(se: float, n: int, alpha: float, rho2: float) -> float:
    """Half-width of the always-valid interval of an estimate with standard error ``se``
    after ``n`` observations: se * sqrt(n) is the per-observation spread sigma, and
    sigma * sqrt(2 (n rho^2 + 1) / (n^2 rho^2) * log(sqrt(n rho^2 + 1) / alpha)).
    """
    sigma = se * math.sqrt(n)
    spread = n * rho2 + 1
    return sigma * math.sqrt(2 * spread / (n * n * rho2) * math.log(math.sqrt(spread) / alpha))


class Look(NamedTuple):
    """One look at a lift: the estimate, its always-valid interval and p-value."""

    lift: float | None
    interval: Interval
    p_value: float | None


def look(
    control: float,
    variant: float,
    var_control: float,
    var_variant: float,
    n: int,
    alpha: float,
    rho2: float,
    lowest: float = -math.inf,
) -> Look:
    """The lift with its always-valid interval and p-value, by the delta method's standard
    error. The p-value is the smallest alpha whose interval excludes no change, so the
    interval at any alpha with the same ``rho2`` excludes 0 exactly when p < alpha.
    ``lowest`` bounds the interval below where the lift cannot go (-100% for a rate).
    """
    if control == 0 or n < 1:
        return Look(None, NO_INTERVAL, None)
    lift = (variant - control) / abs(control)
    ratio = variant / control
    se = math.hypot(math.sqrt(var_variant), ratio * math.sqrt(var_control)) / abs(control)
    if not (math.isfinite(se) and se > 0 and math.isfinite(lift)):
        return Look(lift if math.isfinite(lift) else None, NO_INTERVAL, None)
    half = radius(se, n, alpha, rho2)
    return Look(lift, (max(lift - half, lowest), lift + half), p_value(lift, se, n, rho2))


def p_value(lift: float, se: float, n: int, rho2: float) -> float:
    """radius(alpha) = |lift| solved for alpha, with z = lift / se:
    sqrt(n rho^2 + 1) * exp(-z^2 n rho^2 / (2 (n rho^2 + 1))), at most 1."""
    spread = n * rho2 + 1
    z = lift / se
    return min(1.0, math.sqrt(spread) * math.exp(-z * z * n * rho2 / (2 * spread)))
