"""What every chart shares: the figure, its words, its frame, and how it reaches a page.

Figures are plain dicts, not ``go.Figure`` objects: building a figure with a named template
is slow and copies plotly's template into every figure's JSON, which a portfolio of
thousands of pages cannot afford. The tests check every spec against plotly's schema
instead.

Colours carry meaning (verdict, decision, phase, arm) and are named here by that meaning:
``colour("win")`` is the stylesheet's ``--kz-win``, which ``charts.js`` reads when it draws
(``rgba(var(--kz-win), 0.2)`` a tint of it), so a chart and a badge always agree, in the
light palette and the dark. The page's look (background, text, grid) is applied the same
way.

Plotly renders text as a small HTML subset, so every author string is escaped with
``plotly_text`` before it enters a figure.
"""

from __future__ import annotations

import html
import json
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import markupsafe

Figure = dict[str, Any]

ROW_HEIGHT = 44  # pixels per row of a chart that lists things (lifts, cycles, teams)
LEGEND = {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}
ARM_COLOURS = 7  # the stylesheet's --kz-arm-1 ... --kz-arm-7, the control first


def colour(role: str, opacity: float | None = None) -> str:
    """The colour of a meaning, as the stylesheet names it (``--kz-<role>``); with an
    ``opacity``, a tint of it that lets what is behind show through."""
    named = f"var(--kz-{role})"
    return named if opacity is None else f"rgba({named}, {opacity})"


def arm_colour(index: int, opacity: float | None = None) -> str:
    """The colour of the arm at ``index`` (0 is the control, grey so the eye goes on)."""
    return colour(f"arm-{index % ARM_COLOURS + 1}", opacity)


def layout(height: int, *, top: int = 30, bottom: int = 40, **rest: Any) -> Figure:
    """The frame every chart shares: its height, margins and legend; each adds its axes."""
    return {
        "height": height,
        "margin": {"l": 10, "r": 20, "t": top, "b": bottom},
        "legend": LEGEND,
        **rest,
    }


@dataclass(frozen=True)
class Chart:
    """A figure with the words that stand in for it where it cannot be seen."""

    name: str  # lift | daily | cycles: the chart's CSS modifier and test hook
    figure: Figure
    label: str  # the accessible name of the chart
    caption: str  # a text fallback for readers, screen readers and crawlers


def plotly_text(text: str) -> str:
    """Plotly would read ``<b>`` or ``<a href>`` in a label as markup; show it literally."""
    return html.escape(text, quote=False)


def wrapped(text: str, width: int, lines: int | None = None) -> str:
    """Plotly text on lines of at most ``width`` characters, and at most ``lines`` of them
    (the last cut with …): a long name wraps rather than pushing the plot off a phone."""
    parts = textwrap.wrap(text, width) or [""]
    if lines is not None and len(parts) > lines:
        parts = [
            *parts[: lines - 1],
            textwrap.shorten(" ".join(parts[lines - 1 :]), width, placeholder="…"),
        ]
    return "<br>".join(plotly_text(part) for part in parts)


def row_height(labels: Sequence[str]) -> int:
    """Pixels per row of a chart whose rows are named by ``labels`` (plotly text)."""
    lines = max((label.count("<br>") + 1 for label in labels), default=1)
    return max(ROW_HEIGHT, 18 * lines + 12)


def figure_attribute(figure: Figure) -> markupsafe.Markup:
    """The figure as a single-quoted HTML attribute value, quotes and all.

    A data attribute survives Material's instant navigation, which re-creates inline
    scripts from their text and would lose a JSON script's type. Inside single quotes only
    ``'`` and ``&`` need escaping (``<`` and ``>`` are escaped too, for old parsers), so
    the JSON's many double quotes stay one byte each.
    """
    text = json.dumps(figure, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    escaped = html.escape(text, quote=False).replace("'", "&#39;")
    return markupsafe.Markup(f"'{escaped}'")


def number(x: float | None, scale: float = 1.0) -> float | None:
    """JSON has no NaN: an undefined value is a gap."""
    if x is None or not math.isfinite(x):
        return None
    return x * scale
