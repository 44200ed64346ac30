"""A daily CSV's totals per arm, which the results in the front-matter must agree with.

The pooling of mean rows is exact and shared: ``analysis.trends`` pools its running sums
day by day with the same ``pooled``, so the chart's last day and this total agree.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from .daily_csv import DailyData
from .problems import Finding
from .schema import Experiment, MeanArm, ProportionArm
from .vocabulary import MetricKind


class Summary(NamedTuple):
    """A pooled sample; mean and sd are None while undefined (or beyond float range)."""

    n: int
    mean: float | None
    sd: float | None


def pooled(big_n: int, s: float, q: float, shift: float) -> Summary:
    """A sample from N = sum of n, S = sum of n (mean - shift) and
    Q = sum of [(n - 1) sd^2 + n (mean - shift)^2]: each arm's means shifted by its overall
    mean, so that Q - N mean^2 does not cancel catastrophically when the mean dwarfs the sd.
    """
    if big_n == 0:
        return Summary(0, None, None)
    offset = s / big_n
    mean = finite_or_none(shift + offset)
    if big_n < 2:
        return Summary(big_n, mean, None)
    variance = (q - big_n * offset**2) / (big_n - 1)
    sd = finite_or_none(math.sqrt(max(0.0, variance))) if math.isfinite(variance) else None
    return Summary(big_n, mean, sd)


def totals(data: DailyData) -> dict[str, tuple[int, int] | Summary]:
    """Each arm's numbers over the whole file: (users, conversions), or its pooled sample."""
    rows: dict[str, list[dict[str, object]]] = {arm: [] for arm in data.arms}
    for record in data.records:
        rows[str(record["arm"])].append(record)
    if data.kind is MetricKind.PROPORTION:
        return {
            arm: (sum(int(r["users"]) for r in got), sum(int(r["conversions"]) for r in got))
            for arm, got in rows.items()
        }
    return {arm: _pooled_rows(got) for arm, got in rows.items()}


def _pooled_rows(rows: list[dict[str, object]]) -> Summary:
    """The rows of one arm pooled exactly, as ``pooled`` pools running sums."""
    sizes = [int(r["n"]) for r in rows]
    means = [float(r["mean"]) for r in rows]  # type: ignore[arg-type]
    sds = [float(r["sd"]) for r in rows]  # type: ignore[arg-type]
    big_n = sum(sizes)
    if big_n == 0:
        return Summary(0, None, None)
    shift = math.fsum(n * m for n, m in zip(sizes, means, strict=True)) / big_n
    s = math.fsum(n * (m - shift) for n, m in zip(sizes, means, strict=True))
    q = math.fsum(
        (n - 1) * sd * sd + n * (m - shift) ** 2 for n, m, sd in zip(sizes, means, sds, strict=True)
    )
    return pooled(big_n, s, q, shift)


def disagreements(exp: Experiment, data: DailyData) -> list[Finding]:
    """Where the primary metric's results differ from the daily file's totals.

    Counts must be equal. A mean or sd is written rounded, so it agrees when it is the
    file's pooled value to the decimals it is written with (38.9 covers 38.85 to 38.95).
    """
    primary = exp.primary_metric
    if primary is None:
        return []
    index = exp.metrics.index(primary)
    found = []
    for arm, summed in totals(data).items():
        written = primary.results.get(arm)
        if isinstance(written, ProportionArm) and isinstance(summed, tuple):
            users, conversions = summed
            if (written.users, written.conversions) == (users, conversions):
                continue
            expected = f"users {users:,} and conversions {conversions:,}"
            said = f"users {written.users:,} and conversions {written.conversions:,}"
        elif isinstance(written, MeanArm) and isinstance(summed, Summary):
            if (
                written.n == summed.n
                and _rounds_to(summed.mean, written.mean)
                and (_rounds_to(summed.sd, written.sd))
            ):
                continue
            expected = f"n {summed.n:,}, mean {_number(summed.mean)}, sd {_number(summed.sd)}"
            said = f"n {written.n:,}, mean {_number(written.mean)}, sd {_number(written.sd)}"
        else:
            continue  # a kind mismatch is reported on its own
        found.append(
            Finding(
                ("metrics", index, "results", arm),
                f"the results do not match the totals of {data.path}",
                expected=f"{expected}, as the file sums them",
                found=said,
                hint=f"fill them from the file: kaizen results {exp.id} {data.path}",
            )
        )
    return found


def _rounds_to(exact: float | None, written: float) -> bool:
    if exact is None:
        return False
    text = repr(float(written))
    decimals = len(text.split(".")[1]) if "." in text and "e" not in text else 0
    half_unit = 0.5 * 10.0**-decimals if not text.endswith(".0") else 0.5
    return abs(exact - written) <= half_unit + 1e-9 * abs(written)


def _number(x: float | None) -> str:
    return "none" if x is None else f"{x:.6g}"


def finite_or_none(value: float | None) -> float | None:
    """A number beyond float range (or undefined) as None: shown as a gap, never as nan."""
    return float(value) if value is not None and math.isfinite(value) else None
