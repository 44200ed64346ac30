"""The files kept off the site, each with every problem found in it."""

from __future__ import annotations

from ..inputs.portfolio import Portfolio
from .links import GeneratedFile
from .rendering import Renderer


def needs_attention_page(portfolio: Portfolio, render: Renderer) -> GeneratedFile:
    return render.page(
        "needs-attention.md.j2",
        render.links.problems_uri(),
        title="Needs attention",
        hide=None,
        portfolio=portfolio,
    )
