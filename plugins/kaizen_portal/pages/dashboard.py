"""The home page: what runs now, what was learned lately, and the pace of it."""

from __future__ import annotations

from ..analysis import insights
from ..analysis.comparisons import Analysis
from ..analysis.lineage import Lineage
from ..charts.portfolio import velocity_chart, win_rate_chart
from ..inputs.portfolio import Portfolio
from ..inputs.vocabulary import Status
from .groups import primary_tally
from .links import HOME_URI
from .markers import DASHBOARD_MARKER
from .readouts import interim_note
from .rendering import Renderer, as_html, front_matter

LATEST = 6  # concluded experiments on the dashboard


def default_home(site_name: str) -> str:
    """The home page of a portal whose docs have none: the dashboard under the site's name."""
    head = front_matter(title="Home", hide=["navigation", "toc"])
    # HTML, not a Markdown heading: mkdocs.yml's site name is input like any other.
    return f"{head}<h1>{as_html(site_name)}</h1>\n\n{DASHBOARD_MARKER}\n"


def with_dashboard(home: str, dashboard_html: str) -> str:
    """The home page's Markdown with the dashboard where it asks for it: a block of its own,
    so Markdown leaves the HTML as it is."""
    return home.replace(DASHBOARD_MARKER, f"\n\n{dashboard_html}\n\n")


def dashboard(
    portfolio: Portfolio,
    analyses: dict[str, Analysis],
    family: dict[str, Lineage],
    render: Renderer,
) -> str:
    """The home page's summary, as HTML to drop into the page at ``DASHBOARD_MARKER``."""
    rows = insights.newest_first(analyses[e.meta.slug] for e in portfolio.entries)
    concluded = [a for a in rows if a.entry.meta.status is Status.CONCLUDED]
    return render.fragment(
        "_dashboard.html.j2",
        HOME_URI,
        running=[a for a in rows if a.entry.meta.status is Status.RUNNING],
        latest=concluded[:LATEST],
        concluded=len(concluded),
        total=len(rows),
        tally=primary_tally(rows),
        median_days=insights.median_cycle_days(rows),
        depth=insights.idea_depth(family[e.meta.slug] for e in portfolio.entries),
        velocity=velocity_chart(insights.velocity(rows)),
        win_rates=win_rate_chart(insights.win_rates(rows)),
        outcome_of=render.outcome,
        progress_of=lambda analysis: interim_note(analysis, render.links.options.as_of),
    )
