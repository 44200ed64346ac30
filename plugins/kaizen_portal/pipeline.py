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
    catalog, entries = portfolio.catalog, portfolio.entries

    def analysed(i: int) -> Analysis:
        gc.freeze()
        return analyze(entries[i], catalog)

    def fresh_analyses(todo: list[int]) -> list[Analysis]:
        done = workers.map_shared(analysed, todo)
        # A worker's result holds a copy of its entry; pages and listings share this one.
        return [replace(a, entry=entries[i]) for i, a in zip(todo, done, strict=True)]

    try:
        analyses = memo.fill([("analysis", e.key) for e in entries], fresh_analyses)
    finally:
        gc.unfreeze()

    def rendered(i: int) -> GeneratedFile:
        entry = entries[i]
        lineage = family[entry.meta.slug]
        return experiment_page(analyses[i], lineage, catalog, render, changed.get(entry.path))

    def page_key(entry: Entry) -> Hashable:
        """A page reads its write-up, the cycles of its idea, its date and the templates."""
        cycles = tuple(cycle.key for cycle in family[entry.meta.slug].cycles)
        return (
            "page",
            entry.key,
            cycles,
            changed.get(entry.path),
            render.links.options,
            render.version,
        )

    keys = [page_key(entry) for entry in entries]
    pages = memo.fill(keys, lambda todo: workers.map_shared(rendered, todo))
    return {e.meta.slug: a for e, a in zip(entries, analyses, strict=True)}, pages


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
