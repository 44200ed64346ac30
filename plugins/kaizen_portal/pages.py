"""Results -> generated Markdown pages, independent of the site generator that renders them.

Each page is Markdown whose author-derived parts are HTML rendered by Jinja with
autoescaping, so titles, tags and names are escaped once, here. Markdown is never used
for author strings: ``[x](javascript:...)`` in a title must stay text.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2
import markupsafe
import yaml

from . import charts, fmt
from .analyze import Analysis
from .load import Portfolio
from .model import Design, Entry, MeanArm, PrecomputedArm, ProportionArm

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


@dataclass(frozen=True)
class Lineage:
    """The cycles of one idea, root first, and where one experiment sits in them."""

    cycles: tuple[Entry, ...]
    depth: dict[str, int]
    parent: Entry | None
    children: tuple[Entry, ...]

    def cycle_number(self, entry: Entry) -> int:
        return self.depth[entry.meta.slug] + 1


def lineages(entries: Iterable[Entry]) -> dict[str, Lineage]:
    by_slug = {e.meta.slug: e for e in entries}
    children: dict[str, list[Entry]] = {}
    for entry in by_slug.values():
        if entry.meta.parent and entry.meta.parent.lower() in by_slug:
            children.setdefault(entry.meta.parent.lower(), []).append(entry)
    for kids in children.values():
        kids.sort(key=_chronological)

    def root_of(entry: Entry) -> Entry:
        while entry.meta.parent and entry.meta.parent.lower() in by_slug:
            entry = by_slug[entry.meta.parent.lower()]
        return entry

    result: dict[str, Lineage] = {}
    for entry in by_slug.values():
        root = root_of(entry)
        cycles, depth = [], {}
        stack = [(root, 0)]
        while stack:
            node, level = stack.pop()
            cycles.append(node)
            depth[node.meta.slug] = level
            stack.extend((kid, level + 1) for kid in reversed(children.get(node.meta.slug, [])))
        parent_slug = (entry.meta.parent or "").lower()
        result[entry.meta.slug] = Lineage(
            tuple(cycles),
            depth,
            by_slug.get(parent_slug),
            tuple(children.get(entry.meta.slug, [])),
        )
    return result


def _chronological(entry: Entry) -> tuple[str, str]:
    dates = entry.meta.dates
    first = dates.build or dates.test or dates.learn or dates.end
    return (first.isoformat() if first else "9999", entry.meta.slug)


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

    def url(self, uri: str) -> str:
        """The URL path of a Markdown source, like MkDocs' use_directory_urls does it."""
        stem = uri.removesuffix(".md")
        if not self.options.directory_urls:
            return stem + ".html"
        if stem == "index" or stem.endswith("/index"):
            return stem.removesuffix("index")
        return stem + "/"

    def relative(self, from_uri: str, to_uri: str) -> str:
        here = self.url(from_uri)
        base = here if here.endswith("/") or not here else posixpath.dirname(here)
        target = self.url(to_uri)
        rel = posixpath.relpath(target or ".", base.rstrip("/") or ".")
        if rel == ".":
            return "./"
        return rel + "/" if target.endswith("/") or not target else rel


@cache
def _environment(template_dir: Path | None) -> jinja2.Environment:
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
    env.globals.update(design_label=design_label, raw_numbers=raw_numbers)
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


def _front_matter(**meta: object) -> str:
    """The generated page's own front-matter; YAML-dumped so no author string breaks it."""
    dumped = yaml.safe_dump(
        {k: v for k, v in meta.items() if v is not None},
        allow_unicode=True,
        sort_keys=True,
        width=10_000,
    )
    return f"---\n{dumped}---\n\n"


def generate(
    portfolio: Portfolio, analyses: dict[str, Analysis], options: PageOptions
) -> list[GeneratedFile]:
    """Every page the portal adds to the site, in a stable order."""
    env = _environment(options.template_dir)
    links = Links(options)
    family = lineages(portfolio.entries)
    files = [
        _experiment_page(env, links, analyses[e.meta.slug], family[e.meta.slug], portfolio)
        for e in portfolio.entries
    ]
    files.append(_index_page(env, links, portfolio, analyses))
    if portfolio.problems:
        files.append(_problems_page(env, links, portfolio))
    return files


def _render(env: jinja2.Environment, name: str, uri: str, links: Links, **context: object) -> str:
    return env.get_template(name).render(
        link=lambda target: links.relative(uri, target), links=links, **context
    )


def _experiment_page(
    env: jinja2.Environment,
    links: Links,
    analysis: Analysis,
    lineage: Lineage,
    portfolio: Portfolio,
) -> GeneratedFile:
    entry = analysis.entry
    uri = links.page_uri(entry)
    settings = portfolio.catalog.settings
    page_charts = charts.experiment_charts(
        analysis,
        lineage.cycles,
        lineage.cycle_number,
        lambda cycle: links.relative(uri, links.page_uri(cycle)),
        settings.confidence,
    )
    head = _front_matter(
        title=_escape_title(entry.meta.title),
        description=_escape_title(entry.meta.hypothesis or entry.meta.title),
        hide=["navigation"],
    )
    body = _render(
        env,
        "experiment.md.j2",
        uri,
        links,
        entry=entry,
        exp=entry.meta,
        analysis=analysis,
        lineage=lineage,
        catalog=portfolio.catalog,
        settings=settings,
        charts=page_charts,
    )
    return GeneratedFile(uri, head + body)


def _index_page(
    env: jinja2.Environment, links: Links, portfolio: Portfolio, analyses: dict[str, Analysis]
) -> GeneratedFile:
    uri = links.index_uri()
    rows = sorted(
        (analyses[e.meta.slug] for e in portfolio.entries),
        key=lambda a: _chronological(a.entry),
        reverse=True,
    )
    body = _render(
        env,
        "index.md.j2",
        uri,
        links,
        rows=rows,
        portfolio=portfolio,
        catalog=portfolio.catalog,
    )
    head = _front_matter(title="Experiments", hide=["navigation", "toc"])
    return GeneratedFile(uri, head + body, in_nav=True)


def _problems_page(env: jinja2.Environment, links: Links, portfolio: Portfolio) -> GeneratedFile:
    uri = links.problems_uri()
    body = _render(env, "needs-attention.md.j2", uri, links, portfolio=portfolio)
    return GeneratedFile(uri, _front_matter(title="Needs attention") + body)


def _escape_title(text: str) -> str:
    """MkDocs' theme templates do not autoescape ``page.title``; escape it before them."""
    return str(markupsafe.escape(text))
