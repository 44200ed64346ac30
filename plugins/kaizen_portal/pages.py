"""Results -> generated Markdown pages, independent of the site generator that renders them.

Each page is Markdown whose author-derived parts are HTML rendered by Jinja with
autoescaping, so titles, tags and names are escaped once, here. Markdown is never used
for author strings: ``[x](javascript:...)`` in a title must stay text.
"""

from __future__ import annotations

import datetime as dt
import math
import posixpath
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jinja2
import markupsafe
import yaml

from . import charts, fmt, insights
from .analyze import Analysis
from .catalog import Catalog
from .insights import group_slug
from .lineage import Lineage, chronological
from .load import Portfolio
from .memo import files_digest
from .model import (
    Decision,
    Design,
    Entry,
    Experiment,
    MeanArm,
    PrecomputedArm,
    ProportionArm,
    Status,
)
from .sanitize import WRITEUP_MARKER

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class PageOptions:
    pages_dir: str = "experiments"
    directory_urls: bool = True
    template_dir: Path | None = None  # a folder whose templates override the shipped ones
    site_url: str = ""  # absolute base URL, for feeds and links that leave the site
    site_name: str = "Experiments"


@dataclass(frozen=True)
class GeneratedFile:
    uri: str
    content: str
    in_nav: bool = False  # only listing pages; experiment pages are reached through them


# Where each kind of listing lives; experiment pages stay under their own folder.
GROUP_SECTIONS = {"team": "teams", "tag": "tags", "owner": "people", "metric": "metrics"}


class Links:
    """Relative URLs between generated pages, as the site generator will lay them out."""

    def __init__(self, options: PageOptions) -> None:
        self.options = options

    def page_uri(self, entry: Entry) -> str:
        return f"{self.options.pages_dir}/{entry.meta.slug}.md"

    def index_uri(self) -> str:
        return f"{self.options.pages_dir}/index.md"

    def problems_uri(self) -> str:
        return f"{self.options.pages_dir}/needs-attention.md"

    def group_uri(self, kind: str, name: str) -> str:
        """The page of one team, tag, person or metric."""
        return f"{GROUP_SECTIONS[kind]}/{group_slug(name)}.md"

    def groups_uri(self, kind: str) -> str:
        return f"{GROUP_SECTIONS[kind]}/index.md"

    def timeline_uri(self) -> str:
        return "timeline.md"

    def url(self, uri: str) -> str:
        """The URL path of a Markdown source, like MkDocs' use_directory_urls does it."""
        stem = uri.removesuffix(".md")
        if not self.options.directory_urls:
            return stem + ".html"
        if stem == "index" or stem.endswith("/index"):
            return stem.removesuffix("index")
        return stem + "/"

    def relative(self, from_uri: str, to_uri: str) -> str:
        return _relative_url(self.url(from_uri), self.url(to_uri))

    def depth(self, uri: str) -> int:
        """How many folders deep the page of ``uri`` lands."""
        return len(_folders(self.url(uri)))

    def via_root(self, depth: int, to_uri: str) -> str:
        """A link up to the site root and down to ``to_uri``: the same from every page as
        deep, so HTML holding it can be shared by all of them."""
        return "../" * depth + self.url(to_uri) or "./"


def _relative_url(here: str, target: str) -> str:
    """The relative link between two site URLs, by their path segments.

    posixpath.relpath consults the working directory on every call, which made it the
    largest single cost of rendering listings that link thousands of pages.
    """
    base = _folders(here)
    parts = target.split("/")
    common = 0
    while common < min(len(base), len(parts) - 1) and base[common] == parts[common]:
        common += 1
    return "../" * (len(base) - common) + "/".join(parts[common:]) or "./"


def _folders(url: str) -> list[str]:
    """The folders a site URL's page sits in: a/b/ is in a and b, a/b.html in a only."""
    folder = url if url.endswith("/") or not url else posixpath.dirname(url) + "/"
    return [part for part in folder.split("/") if part]


@lru_cache(maxsize=4)  # a serve session that edits templates need not keep every old one
def _environment(template_dir: Path | None, version: str = "") -> jinja2.Environment:
    """One environment per state of the override templates (``version`` is their digest):
    Jinja notices an edited template by itself, not a new override of a shipped one."""
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(TEMPLATES)]
    if template_dir is not None:
        loaders.insert(0, jinja2.FileSystemLoader(template_dir))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,  # every template emits HTML: author strings are escaped here
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(fmt.FILTERS)
    env.filters["figure_attribute"] = charts.figure_attribute
    env.globals.update(
        design_label=design_label,
        raw_numbers=raw_numbers,
        primary_arm=insights.primary_arm,
        latest_date=insights.latest_date,
        writeup_marker=WRITEUP_MARKER,
    )
    return env


DESIGN_LABELS = {
    Design.AB_TEST: "Randomized A/B test",
    Design.BEFORE_AFTER: "Before/after pilot",
    Design.QUALITATIVE: "Qualitative",
}


def design_label(design: Design) -> str:
    return DESIGN_LABELS[design]


def raw_numbers(numbers: ProportionArm | MeanArm | PrecomputedArm) -> str:
    """The author's own numbers, so a reader can check the computed value against them."""
    if isinstance(numbers, ProportionArm):
        return f"{fmt.count(numbers.conversions)} / {fmt.count(numbers.users)}"
    if isinstance(numbers, MeanArm):
        return f"n {fmt.count(numbers.n)} · sd {fmt.number(numbers.sd)}"
    return "as reported"


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml where available: ~10x faster


def front_matter(**meta: object) -> str:
    """The generated page's own front-matter; YAML-dumped so no author string breaks it."""
    dumped = yaml.dump(
        {k: v for k, v in meta.items() if v is not None},
        Dumper=_DUMPER,
        allow_unicode=True,
        sort_keys=True,
        width=10_000,
    )
    return f"---\n{dumped}---\n\n"


def portfolio_pages(
    portfolio: Portfolio, analyses: Mapping[str, Analysis], render: Renderer
) -> list[GeneratedFile]:
    """The pages about the portfolio as a whole: the experiments index, and the files
    that need attention when some do."""
    files = [_index_page(render.env, render.links, portfolio, analyses)]
    if portfolio.problems:
        files.append(_problems_page(render.env, render.links, portfolio))
    return files


@dataclass(frozen=True)
class Renderer:
    """Turns a template into one generated page, its links relative to where it lands."""

    env: jinja2.Environment
    links: Links
    version: str = ""  # a digest of the override templates; pages differ when it does
    # Rows already rendered, by template, write-up and page depth; see ``rows``.
    _rows: dict[tuple[str, str, int], markupsafe.Markup] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def for_options(cls, options: PageOptions) -> Renderer:
        folder = options.template_dir
        version = files_digest(folder.rglob("*")) if folder and folder.is_dir() else ""
        return cls(_environment(folder, version), Links(options), version)

    def page(
        self,
        template: str,
        uri: str,
        *,
        title: str,
        in_nav: bool = False,
        hide: Sequence[str] = ("navigation",),
        **context: object,
    ) -> GeneratedFile:
        head = front_matter(title=_escape_title(title), hide=list(hide))
        body = _render(self.env, template, uri, self.links, **context)
        return GeneratedFile(uri, head + body, in_nav)

    def rows(self, template: str, uri: str) -> Callable[[Analysis], markupsafe.Markup]:
        """Renders ``template`` for one write-up (as ``analysis``) on the page of ``uri``.

        A write-up is listed on its team's, its owner's and each of its tags' pages, all
        equally deep, so its row is rendered once, with links through the site root, and
        shared: a fifth of the Jinja work of those pages at 5,000 experiments.
        """
        depth = self.links.depth(uri)

        def row(analysis: Analysis) -> markupsafe.Markup:
            key = (template, analysis.entry.meta.slug, depth)
            if key not in self._rows:
                html = self.env.get_template(template).render(
                    analysis=analysis,
                    links=self.links,
                    link=lambda target: self.links.via_root(depth, target),
                )
                self._rows[key] = markupsafe.Markup(html.rstrip("\n"))
            return self._rows[key]

        return row


def _render(env: jinja2.Environment, name: str, uri: str, links: Links, **context: object) -> str:
    return env.get_template(name).render(
        link=lambda target: links.relative(uri, target), links=links, **context
    )


def experiment_page(
    analysis: Analysis,
    lineage: Lineage,
    catalog: Catalog,
    render: Renderer,
    last_changed: dt.date | None = None,
) -> GeneratedFile:
    """One experiment's page; it reads no other write-up than the cycles of its idea."""
    links = render.links
    entry = analysis.entry
    uri = links.page_uri(entry)
    settings = catalog.settings
    page_charts = charts.experiment_charts(
        analysis,
        lineage.cycles,
        lineage.cycle_number,
        lambda cycle: links.relative(uri, links.page_uri(cycle)),
        settings.confidence,
    )
    head = front_matter(
        title=_escape_title(entry.meta.title),
        description=_escape_title(entry.meta.hypothesis or entry.meta.title),
        hide=["navigation"],
    )
    body = _render(
        render.env,
        "experiment.md.j2",
        uri,
        links,
        entry=entry,
        exp=entry.meta,
        analysis=analysis,
        lineage=lineage,
        catalog=catalog,
        settings=settings,
        charts=page_charts,
        last_changed=last_changed,
    )
    return GeneratedFile(uri, head + body)


def _index_page(
    env: jinja2.Environment, links: Links, portfolio: Portfolio, analyses: Mapping[str, Analysis]
) -> GeneratedFile:
    uri = links.index_uri()
    rows = sorted(
        (analyses[e.meta.slug] for e in portfolio.entries),
        key=lambda a: chronological(a.entry),
        reverse=True,
    )
    body = _render(
        env,
        "index.md.j2",
        uri,
        links,
        rows=rows,
        filters=_index_filters([a.entry.meta for a in rows], portfolio.catalog),
        lift_key=_lift_key,
        portfolio=portfolio,
        catalog=portfolio.catalog,
    )
    head = front_matter(title="Experiments", hide=["navigation", "toc"])
    return GeneratedFile(uri, head + body, in_nav=True)


@dataclass(frozen=True)
class FilterOption:
    value: str  # as written in the row's data attribute and the URL
    label: str
    count: int  # experiments that have the value, so a reader sees what a choice leaves


@dataclass(frozen=True)
class IndexFilter:
    """One select of the index's filter bar; ``name`` is also its URL query parameter."""

    name: str
    label: str
    options: tuple[FilterOption, ...]


def _index_filters(exps: Sequence[Experiment], catalog: Catalog) -> tuple[IndexFilter, ...]:
    """Only values that occur are offered: a choice that empties the table helps nobody."""

    def select(
        name: str,
        label: str,
        values: Callable[[Experiment], Iterable[str]],
        label_of: Callable[[str], str] = str,
        order: Callable[[str], int] | None = None,
    ) -> IndexFilter:
        counts = Counter(value for exp in exps for value in set(values(exp)))
        ordered = sorted(counts, key=order or (lambda value: label_of(value).casefold()))
        options = tuple(FilterOption(value, label_of(value), counts[value]) for value in ordered)
        return IndexFilter(name, label, options)

    return (
        select("team", "Team", lambda exp: [exp.team]),
        # Statuses and decisions in their lifecycle order, which reads better than A-Z.
        select(
            "status",
            "Status",
            lambda exp: [exp.status.value],
            str.capitalize,
            [status.value for status in Status].index,
        ),
        select(
            "decision",
            "Decision",
            lambda exp: [exp.decision.value] if exp.decision else [],
            str.capitalize,
            [decision.value for decision in Decision].index,
        ),
        select("tag", "Tag", lambda exp: exp.tags),
        select(
            "metric",
            "Metric",
            lambda exp: [metric.name for metric in exp.metrics],
            lambda name: catalog.metrics[name].label,
        ),
        select("owner", "Owner", lambda exp: [exp.owner]),
    )


def _lift_key(analysis: Analysis) -> str:
    """The primary lift as a plain number for sorting; empty when there is none to sort by."""
    primary = analysis.primary
    comparison = primary.variants[0].comparison if primary and primary.variants else None
    if comparison is None or not math.isfinite(comparison.lift):
        return ""
    return f"{comparison.lift:.4g}"


def _problems_page(env: jinja2.Environment, links: Links, portfolio: Portfolio) -> GeneratedFile:
    uri = links.problems_uri()
    body = _render(env, "needs-attention.md.j2", uri, links, portfolio=portfolio)
    return GeneratedFile(uri, front_matter(title="Needs attention") + body)


def _escape_title(text: str) -> str:
    """MkDocs' theme templates do not autoescape ``page.title``; escape it before them."""
    return str(markupsafe.escape(text))
