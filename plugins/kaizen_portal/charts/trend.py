"""The day-by-day chart: each arm's cumulative value above, each variant's lift below.

The lift is drawn with its interval as a band, so a reader sees how the estimate and its
uncertainty settled as the days went by.
"""

from __future__ import annotations

from collections.abc import Callable

from ..analysis import formatting
from ..analysis.trends import LiftTrend, Trend
from ..inputs.catalog import confidence_level
from ..inputs.vocabulary import MetricKind
from .figures import Chart, Figure, arm_colour, layout, number, plotly_text

BAND_OPACITY = 0.18  # the interval band is a tint of its arm's colour
HEIGHT = 460


def daily_chart(
    trend: Trend,
    metric_label: str | None,
    confidence: float,
    arm_label: Callable[[str], str] = str,
) -> Chart | None:
    """Cumulative value per arm above, cumulative lift with its interval band below;
    ``arm_label`` names an arm as the page does (its label in the write-up)."""
    if not trend.dates:
        return None
    dates = [d.isoformat() for d in trend.dates]
    proportion = trend.kind is MetricKind.PROPORTION
    scale = 100.0 if proportion else 1.0
    traces: list[Figure] = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": plotly_text(arm_label(arm.arm)),
            "legendgroup": plotly_text(arm.arm),
            "x": dates,
            "y": [number(v, scale) for v in arm.values],
            "line": {"color": arm_colour(index), "width": 2},
            "xaxis": "x",
            "yaxis": "y",
        }
        for index, arm in enumerate(trend.arms)
    ]
    for index, lift in enumerate(trend.lifts, start=1):
        traces += _lift_traces(lift, dates, index, arm_label(lift.arm))
    what = metric_label or ("conversion rate" if proportion else "mean")
    level = confidence_level(confidence)
    figure = {
        "data": traces,
        "layout": layout(
            HEIGHT,
            hovermode="x unified",
            xaxis={"type": "date", "anchor": "y", "matches": "x2", "showticklabels": False},
            xaxis2={"type": "date", "anchor": "y2"},
            yaxis={
                "domain": [0.56, 1],
                # Two lines each: a panel is shorter than a title on one line.
                "title": {"text": f"Cumulative<br>{plotly_text(what).lower()}"},
                "ticksuffix": "%" if proportion else "",
                "automargin": True,
            },
            yaxis2={
                "domain": [0, 0.44],
                "title": {"text": f"Lift, {level}<br>always-valid interval"},
                "ticksuffix": "%",
                "zeroline": True,
                "zerolinewidth": 2,
                "automargin": True,
            },
        ),
    }
    return Chart(
        "daily", figure, f"Cumulative {what} per day", _daily_caption(trend, level, arm_label)
    )


def _lift_traces(lift: LiftTrend, dates: list[str], arm: int, name: str) -> list[Figure]:
    """The interval as a filled band between its bounds, and the lift as a line on it."""
    color = arm_colour(arm)
    band = {
        "type": "scatter",
        "mode": "lines",
        "x": dates,
        "line": {"width": 0, "color": color},
        "showlegend": False,
        "hoverinfo": "skip",
        "legendgroup": plotly_text(lift.arm),
        "xaxis": "x2",
        "yaxis": "y2",
    }
    return [
        {**band, "y": [number(v, 100) for v in lift.ci_high]},
        {
            **band,
            "y": [number(v, 100) for v in lift.ci_low],
            "fill": "tonexty",
            "fillcolor": arm_colour(arm, BAND_OPACITY),
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": f"lift of {plotly_text(name)}",
            "legendgroup": plotly_text(lift.arm),
            "showlegend": False,
            "x": dates,
            "y": [number(v, 100) for v in lift.lift],
            "line": {"color": color, "width": 2},
            "xaxis": "x2",
            "yaxis": "y2",
        },
    ]


def _daily_caption(trend: Trend, level: str, arm_label: Callable[[str], str]) -> str:
    first, last = trend.dates[0], trend.dates[-1]
    text = (
        f"Cumulative results per day, {formatting.plural(len(trend.dates), 'day')} "
        f"from {formatting.date(first)} to {formatting.date(last)}."
    )
    for lift in trend.lifts:
        final = lift.lift[-1]
        if final is not None:
            interval = formatting.interval(lift.ci_low[-1], lift.ci_high[-1])
            stood = formatting.signed_percent(final)
            text += (
                f" On the last day {arm_label(lift.arm)} stood at {stood} "
                f"against the control ({level} always-valid interval {interval}, which holds "
                "on every day at once and so is wider than the final result's)."
            )
    return text
