"""Templates -> generated pages: the one Jinja environment, and the one way to make a page.

Each page is Markdown whose author-derived parts are HTML rendered by Jinja with
autoescaping, so titles, tags and names are escaped once, here. Markdown is never used
for author strings: ``[x](javascript:...)`` in a title must stay text. Templates only lay
out what Python computed; the filters and globals below are all the logic they reach.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jinja2
import markupsafe
import yaml

from ..analysis import formatting, insights
from ..analysis.comparisons import Analysis
from ..charts.figures import figure_attribute
from ..inputs.schema import Arm, MeanArm, ProportionArm
from ..inputs.vocabulary import Phase
from .links import GeneratedFile, Links, PageOptions
from .markers import WRITEUP_MARKER

TEMPLATES = Path(__file__).parent / "templates"


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
    env.filters.update(formatting.FILTERS)
    env.filters["figure_attribute"] = figure_attribute
    env.globals.update(
        raw_numbers=raw_numbers,
        primary_arm=insights.primary_arm,
        phases=tuple(Phase),
        writeup_marker=WRITEUP_MARKER,
    )
    return env


def raw_numbers(numbers: Arm) -> str:
    """The author's own numbers, so a reader can check the computed value against them."""
    if isinstance(numbers, ProportionArm):
        return f"{formatting.count(numbers.conversions)} / {formatting.count(numbers.users)}"
    if isinstance(numbers, MeanArm):
        return f"n {formatting.count(numbers.n)} · sd {formatting.number(numbers.sd)}"
    return "as reported"


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's, where PyYAML has it


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
    def for_options(cls, options: PageOptions, version: str = "") -> Renderer:
        """``version`` names the state of ``options.template_dir`` (a digest of its files)."""
        return cls(_environment(options.template_dir, version), Links(options), version)

    def page(
        self,
        template: str,
        uri: str,
        *,
        title: str,
        description: str | None = None,
        in_nav: bool = False,
        hide: Sequence[str] | None = ("navigation",),
        **context: object,
    ) -> GeneratedFile:
        """The page at ``uri``; ``title`` and ``description`` are plain text, escaped here.

        ``hide`` lists the theme's parts the page goes without (None: the theme decides).
        """
        head = front_matter(
            title=_escape_title(title),
            description=_escape_title(description) if description is not None else None,
            hide=list(hide) if hide is not None else None,
        )
        body = self.env.get_template(template).render(
            link=lambda target: self.links.relative(uri, target), links=self.links, **context
        )
        return GeneratedFile(uri, head + body, in_nav)

    def rows(self, template: str, uri: str) -> Callable[[Analysis], markupsafe.Markup]:
        """Renders ``template`` for one write-up (as ``analysis``) on the page of ``uri``.

        A write-up is listed on its team's, its owner's and each of its tags' pages, all
        equally deep, so its row is rendered once, with links through the site root, and
        shared by all of them.
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

    def fragment(self, template: str, uri: str, **context: object) -> str:
        """HTML for part of the page at ``uri`` (the home page's dashboard)."""
        return self.env.get_template(template).render(
            link=lambda target: self.links.relative(uri, target), links=self.links, **context
        )


def _escape_title(text: str) -> str:
    """MkDocs' theme templates do not autoescape ``page.title``; escape it before them."""
    return str(markupsafe.escape(text))
