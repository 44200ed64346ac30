"""A daily CSV's rows summed: each arm's running totals day by day, and its totals.

The trend drawn from a daily file (``analysis.trends``) and the check that the file agrees
with the results written in the front-matter both read the same sums, from here.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple

import pandas as pd

from .daily_csv import LAYOUTS, DailyData
from .vocabulary import MetricKind


class Summary(NamedTuple):
    """A pooled sample; mean and sd are None while undefined (or beyond float range)."""

    n: int
    mean: float | None
    sd: float | None


def cumulative(
    frame: pd.DataFrame, columns: list[str], arms: tuple[str, ...], dates: tuple[dt.date, ...]
) -> pd.DataFrame:
    """Running sums per (column, arm) over every date; a missing day adds zero.

    groupby-unstack, not pivot_table: the same table at half the cost, paid per CSV.
    """
    wide = frame.groupby(["date", "arm"], sort=False)[columns].sum().unstack("arm", fill_value=0)
    full = pd.MultiIndex.from_product([columns, arms])
    return wide.reindex(index=list(dates), columns=full, fill_value=0).cumsum()


def proportion_totals(
    frame: pd.DataFrame, arms: tuple[str, ...], dates: tuple[dt.date, ...]
) -> dict[str, list[tuple[int, int]]]:
    """Cumulative (users, conversions) per arm and date."""
    sums = cumulative(frame, ["users", "conversions"], arms, dates)
    return {
        arm: [
            (int(u), int(c))
            for u, c in zip(sums["users"][arm], sums["conversions"][arm], strict=True)
        ]
        for arm in arms
    }


def pooled_summaries(
    frame: pd.DataFrame, arms: tuple[str, ...], dates: tuple[dt.date, ...]
) -> dict[str, list[Summary]]:
    """Daily summaries pooled exactly: N = Σn, S = Σn·mean, Q = Σ[(n-1)·sd² + n·mean²].

    Each arm's means are first shifted by that arm's overall mean (the variance does not
    change), so Q - N·mean² does not cancel catastrophically when the mean dwarfs the sd.
    """
    n = frame["n"].astype("float64")
    overall = (frame["mean"] * n).groupby(frame["arm"]).sum() / n.groupby(frame["arm"]).sum()
    centred = frame["mean"] - frame["arm"].map(overall).astype("float64")
    parts = pd.DataFrame(
        {
            "date": frame["date"],
            "arm": frame["arm"],
            "n": frame["n"],
            "s": n * centred,
            "q": (n - 1) * frame["sd"] ** 2 + n * centred**2,
        }
    )
    sums = cumulative(parts, ["n", "s", "q"], arms, dates)
    return {
        arm: [
            _pooled(int(big_n), float(s), float(q), float(overall.get(arm, 0.0)))
            for big_n, s, q in zip(sums["n"][arm], sums["s"][arm], sums["q"][arm], strict=True)
        ]
        for arm in arms
    }


def _pooled(big_n: int, s: float, q: float, shift: float) -> Summary:
    if big_n == 0:
        return Summary(0, None, None)
    offset = s / big_n
    mean = finite_or_none(shift + offset)
    if big_n < 2:
        return Summary(big_n, mean, None)
    variance = (q - big_n * offset**2) / (big_n - 1)
    sd = finite_or_none(math.sqrt(max(0.0, variance))) if math.isfinite(variance) else None
    return Summary(big_n, mean, sd)


def daily_frame(data: DailyData) -> pd.DataFrame:
    """One row per (date, arm), sorted by date then arm order: date (datetime.date), arm,
    and users, conversions (int) or n (int), mean, sd (float)."""
    frame = pd.DataFrame.from_records(list(data.records), columns=list(LAYOUTS[data.kind]))
    rank = {arm: i for i, arm in enumerate(data.arms)}
    frame["_rank"] = frame["arm"].map(rank)
    frame = frame.sort_values(["date", "_rank"], kind="stable").drop(columns="_rank")
    counts = ("users", "conversions") if data.kind is MetricKind.PROPORTION else ("n",)
    types: dict[str, str] = {name: "int64" for name in counts}
    if data.kind is MetricKind.MEAN:
        types |= {"mean": "float64", "sd": "float64"}
    return frame.astype(types).reset_index(drop=True)


def totals(data: DailyData) -> dict[str, tuple[int, int] | Summary]:
    """Each arm's numbers over the whole file: (users, conversions), or its pooled sample."""
    frame = daily_frame(data)
    dates = tuple(sorted(set(frame["date"])))
    if data.kind is MetricKind.PROPORTION:
        running: dict = proportion_totals(frame, data.arms, dates)
    else:
        running = pooled_summaries(frame, data.arms, dates)
    return {arm: steps[-1] for arm, steps in running.items() if steps}


def finite_or_none(value: float | None) -> float | None:
    """A number beyond float range (or undefined) as None: shown as a gap, never as nan."""
    return float(value) if value is not None and math.isfinite(value) else None
