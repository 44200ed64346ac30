"""Reading comparisons: the multiple-comparison correction, and win, loss or flat.

A verdict is read in the metric's own terms (a significant drop wins when lower is better)
from the p-value the correction leaves, so every page, chart and count says the same.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, get_args

from statsmodels.stats.multitest import multipletests

from ..inputs.vocabulary import Correction, Direction
from .distributions import alpha_of
from .effects import Comparison

Verdict = Literal["win", "loss", "flat"]
# How each verdict reads where a legend names it; None is a comparison without a test.
VERDICT_LABELS: dict[Verdict | None, str] = {
    "win": "Win",
    "loss": "Loss",
    "flat": "Flat",
    None: "Not tested",
}
# Worst to best, the order a table sorts verdicts in.
VERDICT_ORDER: tuple[Verdict, ...] = ("loss", "flat", "win")
UNDERPOWERED_MDE = 0.10

_STATSMODELS_METHOD: dict[Correction, str] = {"holm": "holm", "benjamini-hochberg": "fdr_bh"}
_DIRECTIONS = tuple(direction.value for direction in Direction)


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


def interval_alphas(
    p_values: Sequence[float | None],
    adjusted: Sequence[float | None],
    method: Correction,
    confidence: float,
) -> list[float | None]:
    """The alpha each comparison's interval is shown at, so that it agrees with the verdict.

    A verdict is a win or a loss when the adjusted p-value is below alpha; the interval
    shown excludes no change when the raw p-value is below the alpha given here. Holm
    tests the k-th smallest p-value of m at alpha / (m - k + 1) and stops at the first it
    keeps: a rejected comparison is shown at its step's level, every kept one at the level
    of the step where Holm stopped. Benjamini-Hochberg rejects R of m at R * alpha / m
    (the false-coverage-rate interval of Benjamini and Yekutieli), alpha / m when it
    rejects none. ``None`` where nothing was tested.
    """
    alpha = alpha_of(confidence)
    tested = [i for i, p in enumerate(p_values) if p is not None]
    alphas: list[float | None] = [None] * len(p_values)
    m = len(tested)
    if method == "none" or m < 2:
        for i in tested:
            alphas[i] = alpha
        return alphas
    rejected = {i for i in tested if (q := adjusted[i]) is not None and q < alpha}
    if method == "benjamini-hochberg":
        for i in tested:
            alphas[i] = max(len(rejected), 1) * alpha / m
        return alphas
    order = sorted(tested, key=lambda i: (i not in rejected, p_values[i]))
    for step, i in enumerate(order):
        # A kept comparison is shown at the level of the step where Holm stopped.
        alphas[i] = alpha / (m - min(step, len(rejected)))
    return alphas


def verdict(
    lift: float, p_adjusted: float | None, direction: str, confidence: float = 0.95
) -> Verdict | None:
    """Read a result in the metric's own terms: a significant drop wins when lower is better.

    Only the sign of ``lift`` is read, so ``abs_diff`` may be passed where ``lift`` is nan
    (control at 0). ``None`` when nothing was tested or the direction of change is unknown.
    """
    alpha = alpha_of(confidence)
    if direction not in _DIRECTIONS:
        known = " or ".join(map(repr, _DIRECTIONS))
        raise ValueError(f"unknown direction {direction!r}; expected {known}")
    if p_adjusted is None or math.isnan(lift):
        return None
    if p_adjusted >= alpha or lift == 0:
        return "flat"
    return "win" if (lift > 0) == (direction == Direction.HIGHER) else "loss"


def is_underpowered(
    comparison: Comparison, verdict: Verdict | None, threshold: float = UNDERPOWERED_MDE
) -> bool:
    """A flat result means "no effect" only if the test could have seen a modest one.

    Rule: flat, and the MDE exceeds ``threshold`` (default 10%: only lifts above 10% were
    detectable). Wins, losses and untested results are never called underpowered.
    """
    return verdict == "flat" and comparison.mde is not None and comparison.mde > threshold
