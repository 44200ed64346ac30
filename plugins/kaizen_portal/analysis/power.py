"""How big a lift a test could have seen: the minimum detectable effect at 80% power.

A "no clear difference" result means little when only a huge lift was detectable, so every
computed comparison carries its MDE. The solves are statsmodels'; this module turns their
standardized effects back into relative lifts and refuses answers it cannot check.
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
from scipy import optimize, special
from statsmodels.stats.power import NormalIndPower
from statsmodels.tools.sm_exceptions import ConvergenceWarning

POWER = 0.8


def proportion_mde(
    p_c: float, n_c: int, n_v: int, alpha: float, lower_is_better: bool = False
) -> float | None:
    """The detectable change the good way, as a relative size: the rise of a rate where
    higher is better, the fall where lower is. Cohen's h back to a rate,
    p_v = sin(asin(sqrt(p_c)) +/- h/2)^2; ``math.inf`` when no rate in [0, 1] is that far.
    """
    if p_c == 0 and not lower_is_better:
        return None
    h = _normal_effect(n_c, n_v, alpha)
    if h is None:
        return None
    start = math.asin(math.sqrt(p_c))
    angle = start - h / 2 if lower_is_better else start + h / 2
    if not 0 <= angle <= math.pi / 2:
        return math.inf
    if p_c == 0:
        return None
    return abs(math.sin(angle) ** 2 / p_c - 1)


def _normal_effect(n_c: int, n_v: int, alpha: float) -> float | None:
    """The standardized effect the two-sample z-test detects with 80% power."""
    unit = _normal_effect_at_unit_sample(alpha)
    return None if unit is None else unit / math.sqrt(n_c * n_v / (n_c + n_v))


@functools.cache
def _normal_effect_at_unit_sample(alpha: float) -> float | None:
    """The effect the two-sample z-test detects with 80% power when n_eff = 1.

    statsmodels' normal power depends on the effect and the samples only through
    effect * sqrt(n_eff), n_eff = n_c * n_v / (n_c + n_v), so this one solve (n_c = n_v = 2)
    scaled by 1 / sqrt(n_eff) is statsmodels' answer for every sample size, without a
    root-finding solve per comparison, which dominated the build of a large portfolio.
    """
    return _detectable_effect(NormalIndPower, 2, 2, alpha)


def mean_mde(
    n_c: int, mean_c: float, sd_c: float, n_v: int, sd_v: float, alpha: float
) -> float | None:
    """Cohen's d back to a relative lift: d * pooled sd / |control mean|."""
    pooled_sd = math.sqrt(((n_c - 1) * sd_c**2 + (n_v - 1) * sd_v**2) / (n_c + n_v - 2))
    if mean_c == 0 or pooled_sd == 0:
        return None
    d = _t_effect(n_c, n_v, alpha)
    return None if d is None else d * pooled_sd / abs(mean_c)


def _t_power(d: float, n_eff: float, df: float, crit: float) -> float:
    """statsmodels' TTestIndPower.power, two-sided, on the noncentral t's special function:
    the same arithmetic without the per-call dispatch that made each solve milliseconds."""
    shift = d * math.sqrt(n_eff)
    far_tail = float(special.nctdtr(df, shift, -crit))  # nan once it underflows: it is 0
    return float(1 - special.nctdtr(df, shift, crit)) + (far_tail if far_tail >= 0 else 0.0)


def _t_effect(n_c: int, n_v: int, alpha: float) -> float | None:
    """Cohen's d the two-sample t-test detects with 80% power, by scipy's brentq.

    The z-test detects smaller effects than the t-test on the same samples, so its answer
    is a lower bound of the root; the upper bound doubles from there. The answer is checked
    against the power function, which turns nan at extreme noncentrality for tiny samples.
    """
    n_eff = n_c * n_v / (n_c + n_v)
    df = n_c + n_v - 2
    crit = float(special.stdtrit(df, 1 - alpha / 2))
    low = _normal_effect(n_c, n_v, alpha) or 1e-9
    high = low * 1.05
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            for _ in range(60):
                achieved = _t_power(high, n_eff, df, crit)
                if not math.isfinite(achieved):
                    return None
                if achieved > POWER:
                    break
                low, high = high, high * 2
            else:
                return None
            d = optimize.brentq(
                lambda x: _t_power(x, n_eff, df, crit) - POWER, low, high, xtol=1e-14
            )
        except (ValueError, RuntimeError):
            return None
    return d if abs(_t_power(d, n_eff, df, crit) - POWER) < 1e-6 else None


def _detectable_effect(
    solver_type: type[NormalIndPower],
    n_c: int,
    n_v: int,
    alpha: float,
    low: float = 0.0,
) -> float | None:
    """Standardized effect reaching 80% power, or None when the solver cannot be trusted.

    statsmodels' default tolerance (1e-5 absolute) is coarse next to the tiny effects of large
    samples, so the tolerance is tightened on this private instance and the answer is
    checked against the forward power function instead of being trusted.
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
