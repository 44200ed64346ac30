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
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.tools.sm_exceptions import ConvergenceWarning

POWER = 0.8


def proportion_mde(p_c: float, n_c: int, n_v: int, alpha: float) -> float | None:
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
