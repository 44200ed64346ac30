"""Always-valid intervals for a lift watched day by day: safe to look at every day.

A fixed-horizon 95% interval drawn every day of a test excludes no change on some day far
more often than 5% of the time when there is no effect, so a reader who stops at the first
"clear" day is fooled. The asymptotic confidence sequence of Waudby-Smith, Arnold, Wu,
Howard and Ramdas ("Time-uniform central limit theory", 2021; the normal-mixture boundary of
Howard et al., 2021), as GrowthBook's sequential testing uses it, holds at every look at
once. scipy and statsmodels have none, so the closed form is written out here.

Tuning: the mixture parameter rho makes the sequence tightest at a chosen sample size
N* = the sample the trend reaches by its last day (known before any outcome is read):
rho^2 = (-2 log alpha + log(1 - 2 log alpha)) / N*.
"""

from __future__ import annotations

import math

from .effects import NO_INTERVAL, Interval


def mixture_rho2(alpha: float, planned: int) -> float:
    """rho^2 tightest at ``planned`` observations (Howard et al., eq. for the normal mixture)."""
    log_alpha = math.log(alpha)
    return (-2 * log_alpha + math.log(1 - 2 * log_alpha)) / max(planned, 1)


def radius(se: float, n: int, alpha: float, rho2: float) -> float:
    """Half-width of the always-valid interval of an estimate with standard error ``se``
    after ``n`` observations: se * sqrt(n) is the per-observation spread sigma, and
    sigma * sqrt(2 (n rho^2 + 1) / (n^2 rho^2) * log(sqrt(n rho^2 + 1) / alpha)).
    """
    sigma = se * math.sqrt(n)
    spread = n * rho2 + 1
    return sigma * math.sqrt(2 * spread / (n * n * rho2) * math.log(math.sqrt(spread) / alpha))


def lift_interval(
    control: float,
    variant: float,
    var_control: float,
    var_variant: float,
    n: int,
    alpha: float,
    rho2: float,
) -> tuple[float | None, Interval]:
    """The lift and its always-valid interval, by the delta method's standard error."""
    if control == 0 or n < 1:
        return None, NO_INTERVAL
    lift = (variant - control) / abs(control)
    ratio = variant / control
    se = math.hypot(math.sqrt(var_variant), ratio * math.sqrt(var_control)) / abs(control)
    if not (math.isfinite(se) and se > 0 and math.isfinite(lift)):
        return lift if math.isfinite(lift) else None, NO_INTERVAL
    half = radius(se, n, alpha, rho2)
    return lift, (lift - half, lift + half)
