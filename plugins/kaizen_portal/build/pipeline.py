"""The whole pipeline in one call: files -> portfolio -> analyses -> generated files.

The MkDocs plugin and the command line both run this, so a site built by either is the
same; nothing here imports MkDocs.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..analysis.comparisons import Analysis, analyze
from ..analysis.insights import newest_first
from ..analysis.lineage import Lineage, lineages
from ..inputs.portfolio import Entry, Portfolio
from ..inputs.vocabulary import DEFAULT_LAYOUT, ProjectLayout, Visibility
from ..pages.dashboard import dashboard
from ..pages.experiment import experiment_page
from ..pages.export import EXPORT_URI, export_json
from ..pages.feeds import feeds
from ..pages.groups import group_pages
from ..pages.index import index_page
from ..pages.links import GeneratedFile, PageOptions
from ..pages.metrics import metric_pages
from ..pages.needs_attention import needs_attention_page
from ..pages.rendering import Once, Renderer, T
from ..pages.timeline import timeline_page
from . import git_dates, heap, workers
from .loading import load_portfolio
from .memo import Memo, files_digest


@dataclass(frozen=True)
class Inputs:
    project: Path
    layout: ProjectLayout = DEFAULT_LAYOUT
    # Who the site is for: a published build never shows drafts; a public one no internals.
    audience: frozenset[Visibility] = field(
        default_factory=lambda: frozenset({Visibility.PUBLIC, Visibility.INTERNAL})
    )
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
    in proportion to every object alive, and so grows with the square of the portfolio,
    since each analysis adds objects. Freezing the heap before each experiment (a cheap
    list splice, see heap.py) leaves each collection only that experiment's own objects
    to look at.
    """
    catalog, entries = portfolio.catalog, portfolio.entries

    def analysed(i: int) -> Analysis:
        gc.freeze()
        return analyze(entries[i], catalog)

    def fresh_analyses(todo: list[int]) -> list[Analysis]:
        done = workers.map_shared(analysed, todo)
        # A worker's result holds a copy of its entry; pages and listings share this one.
        return [replace(a, entry=entries[i]) for i, a in zip(todo, done, strict=True)]

    with heap.frozen():
        analyses = memo.fill([("analysis", e.key) for e in entries], fresh_analyses)

    states = {e.meta.slug: a.state for e, a in zip(entries, analyses, strict=True)}

    def rendered(i: int) -> GeneratedFile:
        entry = entries[i]
        lineage = family[entry.meta.slug]
        cycles = {c.meta.slug: states.get(c.meta.slug) for c in lineage.cycles}
        changed_on = changed.get(entry.path)
        return experiment_page(analyses[i], lineage, catalog, render, changed_on, cycles)

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
    with heap.frozen():  # what earlier builds left in the memo is not collected again
        return _build(inputs, options)


def _build(inputs: Inputs, options: PageOptions) -> Build:
    loaded = load_portfolio(inputs.project, inputs.layout, inputs.memo)
    # Filtered before any page is made, so hidden write-ups reach no page, list or search.
    shown = tuple(e for e in loaded.entries if e.meta.visibility in inputs.audience)
    hidden = tuple(e.path for e in loaded.entries if e.meta.visibility not in inputs.audience)
    portfolio = replace(loaded, entries=shown)
    # One git call for every write-up; a commit's checkout always gives the same dates.
    dates = git_dates.last_changed(inputs.project, [Path(e.path) for e in shown])
    changed = {e.path: dates[Path(e.path)] for e in shown}
    family = lineages(portfolio.entries)
    confidence = portfolio.catalog.settings.confidence
    version = _templates_version(options.template_dir)
    once = _remembered(inputs.memo, options, version, confidence)
    render = Renderer.for_options(options, version, confidence, once)
    analyses, files = _experiments(portfolio, family, changed, render, inputs.memo)
    withheld = portfolio.withheld(inputs.audience)
    files += _listings(portfolio, analyses, family, render, withheld, once)
    links = render.links
    url = lambda e: links.url(links.page_uri(e))  # noqa: E731
    export = export_json(portfolio, analyses, url, options.as_of, once)
    files.append(GeneratedFile(EXPORT_URI, export))
    files += feeds(portfolio, analyses, options)
    home = dashboard(portfolio, analyses, family, render)
    inputs.memo.sweep()
    return Build(portfolio, analyses, files, hidden, home)


def audience(include_internal: bool, drafts: bool) -> frozenset[Visibility]:
    """Who a build is for: drafts only in a live preview, internals unless the site is public."""
    shown = {Visibility.PUBLIC}
    if include_internal:
        shown.add(Visibility.INTERNAL)
    if drafts:
        shown.add(Visibility.DRAFT)
    return frozenset(shown)


def templates_folder(project: Path, configured: str | None) -> Path | None:
    """The override templates' folder; they are the project's own files, never a folder
    elsewhere (ValueError says so)."""
    if not configured:
        return None
    folder = project / configured
    if not folder.resolve().is_relative_to(project.resolve()):
        raise ValueError(
            f"templates_dir: {configured} leads out of the project;"
            " hint: keep override templates in a folder beside mkdocs.yml"
        )
    return folder


def _listings(
    portfolio: Portfolio,
    analyses: dict[str, Analysis],
    family: dict[str, Lineage],
    render: Renderer,
    withheld: frozenset[str],
    once: Once,
) -> list[GeneratedFile]:
    """The pages that list write-ups: the index, the groups, the metrics, the timeline, and
    the files that need attention when some do."""
    files = [index_page(portfolio, analyses, render, once)]
    if portfolio.problems:
        files.append(needs_attention_page(portfolio, render, withheld))
    rows = newest_first(analyses[e.meta.slug] for e in portfolio.entries)
    files += group_pages(rows, portfolio.catalog, render, once)
    files += metric_pages(rows, portfolio.catalog, render, once)
    files.append(timeline_page(rows, family, render, once))
    return files


def _remembered(memo: Memo, options: PageOptions, version: str, confidence: float) -> Once:
    """Parts made once for the same inputs while `mkdocs serve` keeps the memo: a page of
    one group or metric and a team's timeline by what they show, an experiment's outcome,
    listing rows and part of the export by its write-up."""

    def once(key: Hashable, make: Callable[[], T]) -> T:
        part = ("part", key, options, version, confidence)
        return memo.fill([part], lambda _: [make()])[0]

    return once


def _templates_version(folder: Path | None) -> str:
    """A digest of the override templates: pages made with other templates are other pages."""
    return files_digest(folder.rglob("*"), folder) if folder and folder.is_dir() else ""
