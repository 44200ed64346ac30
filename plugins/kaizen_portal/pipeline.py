"""The whole pipeline in one call: files -> portfolio -> analyses -> generated files.

The MkDocs plugin and the command line both run this, so a site built by either is the
same; nothing here imports MkDocs.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from . import history, listings, workers
from .analyze import Analysis, analyze
from .export import EXPORT_URI, export_json
from .feeds import feeds
from .lineage import Lineage, lineages
from .load import Portfolio, load_portfolio
from .memo import Memo
from .model import Entry, Visibility
from .pages import GeneratedFile, PageOptions, Renderer, experiment_page, portfolio_pages

ASSETS = Path(__file__).parent / "assets"
STYLESHEET = "assets/kaizen/kaizen.css"
SCRIPTS = ("assets/kaizen/charts.js", "assets/kaizen/browse.js", "assets/kaizen/search.js")
HOME_URI = "index.md"


def static_files() -> dict[str, Path]:
    """Files every portal serves as they are: its look, its chart loader, one plotly.js.

    plotly.js comes from the installed plotly package, never a CDN: company intranets are
    often offline. charts.js loads it from beside itself, only on pages with a chart.
    """
    plotly_js = resources.files("plotly") / "package_data" / "plotly.min.js"
    return {
        STYLESHEET: ASSETS / "kaizen.css",
        "assets/kaizen/charts.js": ASSETS / "charts.js",
        "assets/kaizen/browse.js": ASSETS / "browse.js",
        "assets/kaizen/search.js": ASSETS / "search.js",
        "assets/kaizen/plotly.min.js": Path(str(plotly_js)),
    }


@dataclass(frozen=True)
class Inputs:
    project: Path
    experiments_dir: str = "experiments"
    site_config_dir: str = "site_config"
    # Who the site is for: a published build never shows drafts; a public one no internals.
    audience: frozenset[Visibility] = field(
        default_factory=lambda: frozenset({Visibility.PUBLIC, Visibility.INTERNAL})
    )
    data_dir: str = "data"
    # Results of earlier builds in this process (`mkdocs serve`), reused by content.
    memo: Memo = field(default_factory=Memo, compare=False)


@dataclass(frozen=True)
class Build:
    portfolio: Portfolio
    analyses: dict[str, Analysis]
    files: list[GeneratedFile]
    hidden: tuple[str, ...]  # paths of valid write-ups left out for this audience
    dashboard: str = ""  # HTML for the home page, where it says DASHBOARD_MARKER


def _experiments(
    portfolio: Portfolio,
    family: Mapping[str, Lineage],
    changed: Mapping[str, dt.date],
    render: Renderer,
    memo: Memo,
) -> tuple[dict[str, Analysis], list[GeneratedFile]]:
    """Each write-up's statistics and page: the work per write-up, shared among the CPUs
    (workers.py), and in `mkdocs serve` done again only for write-ups that changed.

    statsmodels' Holm correction runs a full garbage collection on every call, which costs
    in proportion to every object alive: 86 s of a 1,000-experiment build, and quadratic,
    since each analysis adds objects. Freezing the heap before each experiment (a cheap
    list splice) leaves each collection only that experiment's own objects to look at.
    """
    catalog = portfolio.catalog

    def keys(entry: Entry) -> tuple[Hashable, Hashable] | None:
        cycles = family[entry.meta.slug].cycles
        if not all(cycle.key for cycle in cycles):  # read without a memo: no content key
            return None
        # A page reads its write-up, the cycles of its idea, its date and the templates.
        page = (entry.key, tuple(c.key for c in cycles), changed.get(entry.path))
        return ("analysis", entry.key), ("page", *page, render.links.options, render.version)

    def analysed(entry: Entry) -> Analysis:
        gc.freeze()
        return analyze(entry, catalog)

    def rendered(entry: Entry, analysis: Analysis) -> GeneratedFile:
        lineage = family[entry.meta.slug]
        return experiment_page(analysis, lineage, catalog, render, changed.get(entry.path))

    def one(entry: Entry) -> tuple[Analysis, GeneratedFile]:
        remembered = keys(entry)
        if remembered is None:
            analysis = analysed(entry)
            return analysis, rendered(entry, analysis)
        analysis = memo.get(remembered[0], lambda: analysed(entry))
        return analysis, memo.get(remembered[1], lambda: rendered(entry, analysis))

    def remembered(entry: Entry) -> bool:
        known = keys(entry)
        return known is not None and all(key in memo for key in known)

    # Only work the memo lacks goes to the workers: a rebuild after one edit forks nothing.
    todo = [entry for entry in portfolio.entries if not remembered(entry)]
    try:
        done = workers.map_shared(one, todo)
        fresh = {entry.meta.slug: result for entry, result in zip(todo, done, strict=True)}
    finally:
        gc.unfreeze()
    analyses, pages = {}, []
    for entry in portfolio.entries:
        if entry.meta.slug not in fresh:
            analysis, page = one(entry)
        else:
            # A worker's result arrives as a copy: the memo and the entry are this
            # process's own, so every page and listing shares one object per write-up.
            analysis, page = fresh[entry.meta.slug]
            known = keys(entry)
            if known is not None:
                analysis = memo.get(known[0], lambda a=analysis: a)
                page = memo.get(known[1], lambda p=page: p)
            if analysis.entry is not entry:
                analysis = replace(analysis, entry=entry)
        analyses[entry.meta.slug] = analysis
        pages.append(page)
    return analyses, pages


def build(inputs: Inputs, options: PageOptions) -> Build:
    loaded = load_portfolio(
        inputs.project,
        inputs.experiments_dir,
        inputs.site_config_dir,
        inputs.memo,
        inputs.data_dir,
    )
    # Filtered before any page is made, so hidden write-ups reach no page, list or search.
    shown = tuple(e for e in loaded.entries if e.meta.visibility in inputs.audience)
    hidden = tuple(e.path for e in loaded.entries if e.meta.visibility not in inputs.audience)
    portfolio = replace(loaded, entries=shown)
    # One git call for every write-up; a commit's checkout always gives the same dates.
    dates = history.last_changed(inputs.project, [Path(e.path) for e in shown])
    changed = {e.path: dates[Path(e.path)] for e in shown}
    family = lineages(portfolio.entries)
    render = Renderer.for_options(options)
    analyses, files = _experiments(portfolio, family, changed, render, inputs.memo)
    files += portfolio_pages(portfolio, analyses, render)
    files += listings.generate(portfolio, analyses, family, render)
    links = render.links
    export = export_json(portfolio, analyses, lambda e: links.url(links.page_uri(e)))
    files.append(GeneratedFile(EXPORT_URI, export))
    files += feeds(portfolio, analyses, options)
    dashboard = listings.dashboard(portfolio, analyses, family, render, HOME_URI)
    inputs.memo.sweep()
    return Build(portfolio, analyses, files, hidden, dashboard)
