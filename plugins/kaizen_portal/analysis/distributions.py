"""The normal and t distributions the tests read, and the alpha a confidence leaves.

scipy.stats' norm and t evaluate these special functions; calling them directly gives the
same values, bit for bit, without the distribution objects' argument handling, which
costs many times the function itself on every comparison and every day of a trend.
"""

from __future__ import annotations

import functools

from scipy import special


def alpha_of(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    # Rounded so that 0.95 means alpha 0.05 exactly, not 0.050000000000000044: a p-value of
    # exactly 0.05 must not count as significant.
    return round(1.0 - confidence, 12)


@functools.cache
def _normal_quantile(tail: float) -> float:
    return float(special.ndtri(tail))


def two_sided_quantile(alpha: float, df: float | None = None) -> float:
    """The critical value of a two-sided test: normal, or Student's t with ``df``."""
    tail = 1 - alpha / 2
    return _normal_quantile(tail) if df is None else float(special.stdtrit(df, tail))
