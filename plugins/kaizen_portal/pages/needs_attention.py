"""The files kept off the site, each with every problem found in it.

A file that says it is internal or a draft is named on a public build's page too, so that
none goes missing without a word, but what is wrong with it (which may quote its title or
its team) is left to the builds and the checks its audience sees.
"""

from __future__ import annotations

from itertools import groupby

from ..inputs.portfolio import Portfolio
from ..inputs.problems import plural
from .links import GeneratedFile
from .rendering import Renderer


def needs_attention_page(
    portfolio: Portfolio, render: Renderer, withheld: frozenset[str]
) -> GeneratedFile:
    """``withheld``: the files whose problems this build's readers may not see."""
    by_file = groupby(portfolio.problems, lambda problem: problem.path)  # sorted by path
    files = [(path, list(problems)) for path, problems in by_file]
    return render.page(
        "needs-attention.md.j2",
        render.links.problems_uri(),
        title="Needs attention",
        hide=None,
        files=[
            (path, [] if path in withheld else problems, plural(len(problems), "problem"))
            for path, problems in files
        ],
    )
