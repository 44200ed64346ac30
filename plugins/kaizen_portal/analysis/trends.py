"""A daily CSV -> the cumulative trend: each arm's value and each variant's lift, day by day.

The rows were checked cell by cell in ``inputs.daily_csv``; here they are summed with
pandas, and each day's lift gets an always-valid interval (``sequential``), which a reader
may look at every day without being fooled by the day that happens to look clear.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..inputs.daily_csv import LAYOUTS, DailyData
from ..inputs.daily_totals import Summary, finite_or_none, pooled
from ..inputs.vocabulary import MetricKind
from . import sequential
from .distributions import alpha_of


@dataclass(frozen=True)
class ArmTrend:
    arm: str
    dates: tuple[dt.date, ...]
    values: tuple[float | None, ...]  # cumulative rate or mean; None while undefined


@dataclass(frozen=True)
class LiftTrend:
    arm: str  # a variant arm
    dates: tuple[dt.date, ...]
    lift: tuple[float | None, ...]  # cumulative relative lift vs control; None when undefined
    ci_low: tuple[float | None, ...]
    ci_high: tuple[float | None, ...]


@dataclass(frozen=True)
class Trend:
    kind: MetricKind
    dates: tuple[dt.date, ...]  # every date in the file, ascending
    arms: tuple[ArmTrend, ...]  # every arm, control first
    lifts: tuple[LiftTrend, ...]  # every variant arm, in arm order


def trend(data: DailyData, confidence: float = 0.95, planned: int | None = None) -> Trend:
    """Cumulative value per arm and cumulative lift per variant, one point per date.

    A date on which an arm has no row adds nothing to it, so its values carry forward.
    ``planned``: the test's planned sample over all arms, which tunes the intervals.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    arms = data.arms
    frame = daily_frame(data)
    dates = tuple(sorted(set(frame["date"])))
    values: dict[str, tuple[float | None, ...]] = {}
    points: dict[str, list[Point]] = {}
    alpha = alpha_of(confidence)
    plan = sequential.pair_plan(planned, len(arms))
    if data.kind is MetricKind.PROPORTION:
        totals = _proportion_totals(frame, arms, dates)
        for arm in arms:
            values[arm] = tuple(conv / users if users else None for users, conv in totals[arm])
        for arm in arms[1:]:
            pairs = list(zip(totals[arms[0]], totals[arm], strict=True))
            rho2 = sequential.mixture_rho2(
                alpha, plan or (sum(u for u, _ in pairs[-1]) if pairs else 1)
            )
            points[arm] = [_compare_rates(c, v, alpha, rho2) for c, v in pairs]
    else:
        summaries = _pooled_summaries(frame, arms, dates)
        for arm in arms:
            values[arm] = tuple(summary.mean for summary in summaries[arm])
        for arm in arms[1:]:
            pairs = list(zip(summaries[arms[0]], summaries[arm], strict=True))
            rho2 = sequential.mixture_rho2(
                alpha, plan or (sum(s.n for s in pairs[-1]) if pairs else 1)
            )
            points[arm] = [_compare_summaries(c, v, alpha, rho2) for c, v in pairs]
    return Trend(
        data.kind,
        dates,
        tuple(ArmTrend(arm, dates, values[arm]) for arm in arms),
        tuple(_lift_trend(arm, dates, points[arm]) for arm in arms[1:]),
    )


Point = tuple[float | None, float | None, float | None]  # lift, ci_low, ci_high
_NO_POINT: Point = (None, None, None)


def _cumulative(
    frame: pd.DataFrame, columns: list[str], arms: tuple[str, ...], dates: tuple[dt.date, ...]
) -> pd.DataFrame:
    """Running sums per (column, arm) over every date; a missing day adds zero.

    groupby-unstack, not pivot_table: the same table at half the cost, paid per CSV.
    """
    wide = frame.groupby(["date", "arm"], sort=False)[columns].sum().unstack("arm", fill_value=0)
    full = pd.MultiIndex.from_product([columns, arms])
    return wide.reindex(index=list(dates), columns=full, fill_value=0).cumsum()


def _proportion_totals(
    frame: pd.DataFrame, arms: tuple[str, ...], dates: tuple[dt.date, ...]
) -> dict[str, list[tuple[int, int]]]:
    """Cumulative (users, conversions) per arm and date."""
    sums = _cumulative(frame, ["users", "conversions"], arms, dates)
    return {
        arm: [
            (int(u), int(c))
            for u, c in zip(sums["users"][arm], sums["conversions"][arm], strict=True)
        ]
        for arm in arms
    }


def _pooled_summaries(
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
    sums = _cumulative(parts, ["n", "s", "q"], arms, dates)
    return {
        arm: [
            pooled(int(big_n), float(s), float(q), float(overall.get(arm, 0.0)))
            for big_n, s, q in zip(sums["n"][arm], sums["s"][arm], sums["q"][arm], strict=True)
        ]
        for arm in arms
    }


def _compare_rates(
    control: tuple[int, int], variant: tuple[int, int], alpha: float, rho2: float
) -> Point:
    (control_users, control_conv), (variant_users, variant_conv) = control, variant
    if control_users == 0 or variant_users == 0:
        return _NO_POINT
    p_c, p_v = control_conv / control_users, variant_conv / variant_users
    return _point(
        sequential.look(
            p_c,
            p_v,
            p_c * (1 - p_c) / control_users,
            p_v * (1 - p_v) / variant_users,
            control_users + variant_users,
            alpha,
            rho2,
            lowest=-1.0,
        )
    )


def _compare_summaries(control: Summary, variant: Summary, alpha: float, rho2: float) -> Point:
    if control.mean is None or control.sd is None or variant.mean is None or variant.sd is None:
        return _NO_POINT  # also covers n < 2, where no sd exists
    return _point(
        sequential.look(
            control.mean,
            variant.mean,
            control.sd * control.sd / control.n,
            variant.sd * variant.sd / variant.n,
            control.n + variant.n,
            alpha,
            rho2,
        )
    )


def _lift_trend(arm: str, dates: tuple[dt.date, ...], points: list[Point]) -> LiftTrend:
    return LiftTrend(
        arm,
        dates,
        tuple(p[0] for p in points),
        tuple(p[1] for p in points),
        tuple(p[2] for p in points),
    )


def _point(look: sequential.Look) -> Point:
    """Undefined comes out as None: the chart must leave a gap, not plot a nan."""
    low, high = look.interval
    return finite_or_none(look.lift), finite_or_none(low), finite_or_none(high)


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
