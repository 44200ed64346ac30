"""Whether an experiment's numbers can be trusted at all: the sample-ratio check.

A split that came out unlike the plan means assignment or tracking is broken, which
invalidates every metric of the experiment, however significant.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from scipy import special

SRM_THRESHOLD = 0.001


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
    # scipy.stats.chisquare's statistic and its chi-square tail, without the distribution
    # object's argument handling (most of its cost, paid by every experiment)
    statistic = sum((u - e) ** 2 / e for u, e in zip(users, expected, strict=True))
    return float(special.chdtrc(len(users) - 1, statistic))


def has_srm(p_value: float) -> bool:
    """The strict threshold keeps routine multi-arm checks from crying wolf."""
    return p_value < SRM_THRESHOLD
