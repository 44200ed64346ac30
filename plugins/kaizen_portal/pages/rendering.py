"""Templates -> generated pages: the one Jinja environment, and the one way to make a page.

Each page is Markdown whose author-derived parts are HTML rendered by Jinja with
autoescaping, so titles, tags and names are escaped once, here. Markdown is never used
for author strings: ``[x](javascript:...)`` in a title must stay text. Templates only lay
out what Python computed; the filters and globals below are all the logic they reach.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol, TypeVar

import jinja2
import markupsafe
import yaml
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..analysis import formatting, insights
from ..analysis.comparisons import Analysis, ArmResult
from ..charts.figures import figure_attribute
from ..inputs.files import display_path
from ..inputs.problems import printable
from ..inputs.schema import Arm, MeanArm, ProportionArm
from ..inputs.vocabulary import Phase
from .links import GeneratedFile, Links, PageOptions
from .markers import WRITEUP_MARKER
from .readouts import Outcome, outcome, readout
from .static_files import PLOTLY_URI

TEMPLATES = Path(__file__).parent / "templates"


def as_html(value: object) -> markupsafe.Markup:
    """Every value a template writes, as HTML that stays on the line it was written on.

    Escaping ``<``, ``>``, ``&`` and quotes keeps a string from opening or closing a tag
    or an attribute; its line breaks become character references as well, because the
    page is Markdown around these HTML blocks, and a blank line inside an author's string
    would end the block and hand the rest of the string to Markdown as Markdown. Values
    that are HTML already (``Markup``: rows, figures, the write-up) are the portal's own.
    """
    if isinstance(value, markupsafe.Markup):
        return value
    escaped = str(markupsafe.escape(value))
    return markupsafe.Markup(escaped.replace("\r", "&#13;").replace("\n", "&#10;"))


class _Sandbox(ImmutableSandboxedEnvironment):
    """Where a project overrides templates, they lay out data and nothing more: they read
    the portal's own objects and plain values, and call their methods, but cannot reach a
    file, a module or the interpreter (a path's ``read_text``, a model's ``parse_file``, a
    function's globals), nor change what they were given. The shipped templates alone are
    the portal's own code and run without the checks, which cost a tenth of a build's
    rendering."""

    # "x" * 10**9 or 10 ** 10**9 would take the build's memory or time; nothing a layout
    # needs comes near these.
    intercepted_binops = frozenset({"*", "**"})

    def is_safe_attribute(self, obj: object, attr: str, value: object) -> bool:
        return _readable(obj, attr) and super().is_safe_attribute(obj, attr, value)

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left, right):  # type: ignore[no-untyped-def]
        if operator == "**" and isinstance(right, int) and abs(right) > 100:
            raise SecurityError("a power above 100 is more than a template lays out")
        for times, sequence in ((left, right), (right, left)) if operator == "*" else ():
            repeated = isinstance(times, int) and isinstance(sequence, str | list | tuple)
            if repeated and times * len(sequence) > MAX_TEMPLATE_BYTES:
                raise SecurityError("a repeated text or list longer than a page")
        return super().call_binop(context, operator, left, right)


# Where an attribute a template reads may be defined: the portal's own classes, those of
# plain values (str, int, date, Markup, an enum's value) and Jinja's own (a loop's index).
# A pydantic model's own machinery (parse_raw, model_validate...) is pydantic's, and so
# out of reach.
_READABLE = frozenset({"kaizen_portal", "builtins", "datetime", "markupsafe", "enum", "jinja2"})


def _readable(obj: object, attr: str) -> bool:
    if attr in getattr(obj, "__dict__", {}):  # a field of a dataclass or a model
        return type(obj).__module__.split(".", 1)[0] in _READABLE
    owner = next((c for c in type(obj).__mro__ if attr in vars(c)), None)
    return owner is not None and owner.__module__.split(".", 1)[0] in _READABLE


class _TemplateFolder(jinja2.FileSystemLoader):
    """A project's override templates: files in the folder itself, never a link out of it,
    nor anything but a regular file of a sensible size."""

    def get_source(self, environment: jinja2.Environment, template: str):  # type: ignore[no-untyped-def]
        for folder in self.searchpath:
            path = Path(folder) / template
            if not os.path.lexists(path):
                continue
            real = Path(os.path.realpath(path))
            root = Path(os.path.realpath(folder))
            if not real.is_relative_to(root) or not real.is_file():
                raise TemplateFailure(
                    str(path),
                    1,
                    "an override template must be a file of the templates folder, not a link",
                )
            if real.stat().st_size > MAX_TEMPLATE_BYTES:
                raise TemplateFailure(
                    str(path),
                    1,
                    f"an override template may hold at most {MAX_TEMPLATE_BYTES:,} bytes",
                )
        return super().get_source(environment, template)


MAX_TEMPLATE_BYTES = 200_000


@lru_cache(maxsize=4)  # a serve session that edits templates need not keep every old one
def _environment(template_dir: Path | None, version: str = "") -> jinja2.Environment:
    """One environment per state of the override templates (``version`` is their digest):
    Jinja notices an edited template by itself, not a new override of a shipped one."""
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(TEMPLATES)]
    if template_dir is not None:
        loaders.insert(0, _TemplateFolder(template_dir))
    kind = jinja2.Environment if template_dir is None else _Sandbox
    env = kind(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,  # every template emits HTML: author strings are escaped here
        finalize=as_html,
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
        plotly=PLOTLY_URI,
    )
    return env


T = TypeVar("T")


class Once(Protocol):
    """Makes a part of the site (a listing page, an experiment's export), or gives the one
    made before from the same inputs (the key, with the pages' options, which the caller
    adds): the pipeline passes its memo, so a save makes again only what it changed."""

    def __call__(self, key: Hashable, make: Callable[[], T], /) -> T: ...


def made_now(_key: Hashable, make: Callable[[], T]) -> T:
    return make()


class Row(Protocol):
    """A listing's row of one write-up, or of one of its comparisons on a metric."""

    def __call__(
        self, analysis: Analysis, metric: str = "", arm: ArmResult | None = None
    ) -> markupsafe.Markup: ...


class _Kept:
    """A ``Once`` for one renderer's life: a write-up's row is made once for the team,
    tag and people pages that all list it."""

    def __init__(self) -> None:
        self._parts: dict[Hashable, object] = {}

    def __call__(self, key: Hashable, make: Callable[[], T], /) -> T:
        if key not in self._parts:
            self._parts[key] = make()
        return self._parts[key]  # type: ignore[return-value]


def listed(rows: Iterable[Analysis]) -> tuple[str, ...]:
    """What a listing shows of its write-ups: each one's digest (of its file, the catalog
    and the data files), in the listing's order."""
    return tuple(analysis.entry.key for analysis in rows)


def raw_numbers(numbers: Arm) -> str:
    """The author's own numbers, so a reader can check the computed value against them."""
    if isinstance(numbers, ProportionArm):
        return f"{formatting.count(numbers.conversions)} / {formatting.count(numbers.users)}"
    if isinstance(numbers, MeanArm):
        spread = formatting.number(numbers.sd)
        return f"{formatting.count(numbers.n)} values · standard deviation {spread}"
    return "as reported"


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """libyaml's where PyYAML has it; every string in double quotes, so that no engine's
    YAML reads a title such as ``1e3`` or ``no`` as a number or a boolean."""


_Dumper.add_representer(
    str, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')
)


def front_matter(**meta: object) -> str:
    """The generated page's own front-matter; YAML-dumped so no author string breaks it."""
    dumped = yaml.dump(
        {k: v for k, v in meta.items() if v is not None},
        Dumper=_Dumper,
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
    confidence: float = 0.95  # the portal's, for the intervals results are read with
    # Where each write-up's outcome and listing rows are kept, by its digest: for this
    # renderer's life, or the pipeline's memo across the rebuilds of `mkdocs serve`.
    kept: Once = field(default_factory=lambda: _Kept(), compare=False, repr=False)

    @classmethod
    def for_options(
        cls,
        options: PageOptions,
        version: str = "",
        confidence: float = 0.95,
        kept: Once | None = None,
    ) -> Renderer:
        """``version`` names the state of ``options.template_dir`` (a digest of its files);
        ``kept`` must tell parts apart by these options, version and confidence."""
        env = _environment(options.template_dir, version)
        return cls(env, Links(options), version, confidence, kept or _Kept())

    def outcome(self, analysis: Analysis) -> Outcome:
        """The experiment's primary result, decision and takeaway, worked out once."""
        return self.kept(
            ("outcome", analysis.entry.key),
            lambda: outcome(analysis, self.confidence, self.links.options.as_of),
        )

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
        body = self.fragment(template, uri, **context)
        return GeneratedFile(uri, head + body, in_nav)

    def rows(self, template: str, uri: str) -> Row:
        """Renders ``template`` for one write-up (as ``analysis``), or one comparison of it
        (``arm`` on ``metric``), on the page of ``uri``.

        A write-up is listed on its team's, its owner's and each of its tags' pages, all
        equally deep, so its row is rendered once, with links through the site root, and
        shared by all of them; while serving it is kept until its write-up changes.
        """
        depth = self.links.depth(uri)
        as_of = self.links.options.as_of

        def rendered(analysis: Analysis, arm: ArmResult | None) -> markupsafe.Markup:
            html = self._render(
                template,
                analysis=analysis,
                arm=arm,
                outcome=self.outcome(analysis),
                readout=lambda analysis, arm: readout(analysis, arm, as_of),
                links=self.links,
                link=lambda target: self.links.via_root(depth, target),
            )
            return markupsafe.Markup(html.rstrip("\n"))

        def row(
            analysis: Analysis, metric: str = "", arm: ArmResult | None = None
        ) -> markupsafe.Markup:
            key = ("row", template, analysis.entry.key, depth, metric, arm.arm if arm else "")
            return self.kept(key, lambda: rendered(analysis, arm))

        return row

    def fragment(self, template: str, uri: str, **context: object) -> str:
        """HTML for the page at ``uri``, or for part of it (the home page's dashboard)."""
        return self._render(
            template,
            link=lambda target: self.links.relative(uri, target),
            asset=lambda path: "../" * self.links.depth(uri) + path,  # a served file's URL
            links=self.links,
            **context,
        )

    def _render(self, template: str, **context: object) -> str:
        try:
            return self.env.get_template(template).render(**context)
        except TemplateFailure:
            raise
        except Exception as error:  # an override's own mistake, 1 // 0 as well
            raise TemplateFailure.of(error, template) from error


class TemplateFailure(Exception):
    """A template that cannot make its page (a project's override, as a rule): which
    file, which line, and why, for the adaptor to report without a traceback."""

    def __init__(self, filename: str, line: int, reason: str) -> None:
        super().__init__(filename, line, reason)  # as it is pickled back from a worker
        self.filename, self.line, self.reason = filename, line, reason

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}: {self.reason}"

    def located(self, project: Path) -> str:
        """``file:line: reason`` with the file as the project's author sees it."""
        return f"{printable(display_path(Path(self.filename), project))}:{self.line}: {self.reason}"

    @classmethod
    def of(cls, error: Exception, template: str) -> TemplateFailure:
        """Jinja's own syntax errors say where; others, the deepest template frame does."""
        if isinstance(error, jinja2.TemplateSyntaxError):
            return cls(error.filename or template, error.lineno, error.message or str(error))
        frames = traceback.extract_tb(error.__traceback__)
        frame = next((f for f in reversed(frames) if f.filename.endswith(".j2")), None)
        message = getattr(error, "message", None) or str(error) or type(error).__name__
        reason = message.rstrip(".")
        if isinstance(error, SecurityError):
            reason += ": a template lays out the portal's data and reaches nothing else"
        if frame is None:
            return cls(template, 1, reason)
        return cls(frame.filename, frame.lineno or 1, reason)


def _escape_title(text: str) -> str:
    """MkDocs' theme templates do not autoescape ``page.title``; escape it before them."""
    return str(markupsafe.escape(text))
