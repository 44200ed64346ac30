"""The home page's charts: the pace of decisions, and each team's win rate."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from ..analysis import formatting
from ..analysis.insights import Month, TeamRate
from ..inputs.vocabulary import Decision
from .figures import ROW_HEIGHT, Chart, colour, layout, plotly_text


def decision_colour(decision: Decision) -> str:
    return colour(f"decision-{decision}")


def velocity_chart(months: Sequence[Month]) -> Chart | None:
    """Decisions per month, stacked: the pace of learning and what it led to."""
    if not months:
        return None
    x = [f"{m.month}-01" for m in months]
    traces = [
        {
            "type": "bar",
            "name": decision.label,
            "x": x,
            "y": [m.decisions[decision] for m in months],
            "marker": {"color": decision_colour(decision)},
            "hovertemplate": f"%{{x|%b %Y}}: %{{y}} {decision.value}<extra></extra>",
        }
        for decision in Decision
        if any(m.decisions[decision] for m in months)
    ]
    figure = {
        "data": traces,
        "layout": layout(
            300,
            bottom=30,
            barmode="stack",
            xaxis={"type": "date", "tickformat": "%b %Y", "automargin": True},
            yaxis={
                "title": {"text": "Concluded"},
                "rangemode": "tozero",
                "dtick": max(1, math.ceil(max(m.total for m in months) / 5)),  # whole counts
                "automargin": True,
            },
        ),
    }
    total = sum(m.total for m in months)
    shipped = sum(m.decisions[Decision.SHIP] for m in months)
    caption = (
        f"{formatting.plural(total, 'experiment')} concluded between {_month_name(months[0])} "
        f"and {_month_name(months[-1])}; {shipped} shipped."
    )
    return Chart("velocity", figure, "Concluded experiments per month by decision", caption)


def _month_name(month: Month) -> str:
    return dt.date.fromisoformat(f"{month.month}-01").strftime("%b %Y")


def win_rate_chart(rates: Sequence[TeamRate]) -> Chart | None:
    """Share of each team's tested, concluded experiments whose primary result won."""
    tested = [r for r in rates if r.tally.tested]
    if not tested:
        return None
    figure = {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "Win rate",
                "x": [round(100 * (r.tally.win_rate or 0), 1) for r in tested],
                "y": [plotly_text(r.team) for r in tested],
                "text": [f"{r.tally.win} of {r.tally.tested}" for r in tested],
                "textposition": "auto",
                "marker": {"color": colour("win")},
                "hovertemplate": "%{y}: %{text} won<extra></extra>",
            }
        ],
        "layout": layout(
            90 + ROW_HEIGHT * len(tested),
            top=10,
            showlegend=False,
            xaxis={
                "range": [0, 100],
                "ticksuffix": "%",
                "title": {"text": "Primary result a significant win"},
            },
            yaxis={"autorange": "reversed", "automargin": True},
        ),
    }
    caption = "; ".join(f"{r.team}: {r.tally.win} of {r.tally.tested}" for r in tested) + "."
    return Chart("win-rate", figure, "Win rate by team", f"Wins among tested results: {caption}")
