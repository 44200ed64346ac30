"""The authors' command line: ``kaizen new``, ``kaizen check`` and ``kaizen schema``.

Only the loading stage runs here (files -> validated experiments), never the statistics or
the pages, so a check answers in the time an editor, a pre-commit hook or CI can wait.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from string import Template
from typing import Any

import yaml

from .catalog import Catalog, load_catalog
from .fmt import plural
from .load import Portfolio, experiment_files, load_entry, load_portfolio
from .model import ID_PATTERN, Entry, Experiment, MetricResults, Status, Visibility
from .problems import Problem, did_you_mean
from .source import display_path

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
MKDOCS_FILE = "mkdocs.yml"
PLUGIN_NAME = "kaizen-portal"
# Plain text with $-placeholders; the templates/*.j2 files are HTML for the pages.
BODY_TEMPLATE = Path(__file__).parent / "templates" / "new-experiment.md"
DRAFT_COMMENT = "public when ready: drafts show only in mkdocs serve"
# Declared as draft-07, which every editor tool reads (ajv, as used by front-matter linters,
# rejects a 2020-12 schema by default); the keywords pydantic emits mean the same in both.
SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"
SCHEMA_TITLE = "Kaizen portal experiment front-matter"
SCHEMA_DESCRIPTION = (
    "The YAML front-matter of one experiment write-up (experiments/<id>.md). It describes "
    "fields, types and allowed values only; the teams and metrics of site_config/, the dates "
    "each status needs and the links between cycles are checked by `kaizen check`."
)
COMMENT_COLUMN = 34  # where trailing comments start, as in the authoring guide's template

# Ids already in use are read from the first ``id:`` line, so files the loader rejects
# (broken YAML included) still reserve their number.
_ID_LINE = re.compile(r"^id:[ \t]*['\"]?([A-Za-z0-9-]+)", re.MULTILINE)
_NUMBERED_ID = re.compile(r"EXP-([0-9]{4})-([0-9]+)", re.IGNORECASE)
_CYCLE_SUFFIX = re.compile(r"^(?P<idea>.+?), cycle [0-9]+(?::.*)?$", re.DOTALL)


class CommandError(Exception):
    """A command that cannot do what was asked; the message says why and what to do."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


# --- the project ------------------------------------------------------------------------


@dataclass(frozen=True)
class Project:
    root: Path
    experiments_dir: str = "experiments"
    site_config_dir: str = "site_config"

    @property
    def experiments(self) -> Path:
        return self.root / self.experiments_dir

    def load(self) -> Portfolio:
        return load_portfolio(self.root, self.experiments_dir, self.site_config_dir)

    def catalog(self) -> Catalog:
        return load_catalog(self.root / self.site_config_dir, self.root)[0]

    def shown(self, path: Path) -> str:
        return display_path(path, self.root)


def open_project(folder: Path) -> Project:
    """The folders as mkdocs.yml names them, so the command reads what the site builds."""
    root = folder.resolve()
    if not root.is_dir():
        raise CommandError(f"no project folder at {folder}")
    options = _plugin_options(root / MKDOCS_FILE)
    project = Project(
        root,
        str(options.get("experiments_dir") or "experiments"),
        str(options.get("site_config_dir") or "site_config"),
    )
    if not project.experiments.is_dir():
        raise CommandError(
            f"no {project.experiments_dir}/ folder in {root}: run kaizen in the project "
            "folder, or pass --project DIR"
        )
    return project


class _PlainLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without importing MkDocs; tags such as ``!ENV`` read as nothing."""


_PlainLoader.add_multi_constructor("", lambda _loader, _suffix, _node: None)


def _plugin_options(mkdocs_file: Path) -> dict[str, Any]:
    try:
        config = yaml.load(mkdocs_file.read_text("utf-8"), Loader=_PlainLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}  # no or broken mkdocs.yml: the defaults, and `mkdocs build` reports the rest
    plugins = config.get("plugins") if isinstance(config, dict) else None
    for plugin in plugins if isinstance(plugins, list) else []:
        if isinstance(plugin, dict) and isinstance(plugin.get(PLUGIN_NAME), dict):
            return plugin[PLUGIN_NAME]
    return {}


# --- kaizen check -----------------------------------------------------------------------


def run_check(project: Project, paths: Sequence[Path], github: bool) -> int:
    # The whole portfolio is loaded even for one file: duplicate ids, parents and loops
    # are rules between files.
    selected = [_selection(project, path) for path in paths] or ["."]
    portfolio = project.load()
    shown = [p for p in portfolio.problems if _under(p.path, selected)]
    for problem in shown:
        print(problem.format())
        if github:
            print(github_annotation(problem))
    checked = {project.shown(f) for f in experiment_files(project.experiments)}
    files = {path for path in checked if _under(path, selected)} | {p.path for p in shown}
    if shown:
        broken = len({p.path for p in shown})
        summary = f"{plural(len(shown), 'problem')} in {broken} of {plural(len(files), 'file')}"
    else:
        summary = f"{plural(len(files), 'experiment file')} checked, no problems"
    print(summary, file=sys.stderr)
    return EXIT_PROBLEMS if shown else EXIT_OK


def _selection(project: Project, path: Path) -> str:
    """A PATH as problems name files: relative to the project, with forward slashes."""
    candidates = [path] if path.is_absolute() else [Path.cwd() / path, project.root / path]
    found = next((c for c in candidates if c.exists()), None)
    if found is None:
        raise CommandError(f"no such file or folder: {path}")
    shown = project.shown(found)
    if Path(shown).is_absolute():
        raise CommandError(f"{path} is not inside the project folder {project.root}")
    return shown


def _under(shown: str, selected: Iterable[str]) -> bool:
    return any(s == "." or shown == s or shown.startswith(s + "/") for s in selected)


def github_annotation(problem: Problem) -> str:
    """The workflow command that makes GitHub show the problem on the file's line."""
    message = problem.format().removeprefix(f"{problem.path}:{problem.line}:{problem.column}: ")
    properties = {"file": problem.path, "line": str(problem.line), "col": str(problem.column)}
    if problem.field:
        properties["title"] = problem.field
        message = message.removeprefix(f"{problem.field}: ")
    listed = ",".join(f"{key}={_escape_property(value)}" for key, value in properties.items())
    return f"::error {listed}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


# --- kaizen schema ----------------------------------------------------------------------


def experiment_schema() -> dict[str, Any]:
    """The front-matter as JSON Schema for editors; ``kaizen check`` stays the authority."""
    schema = Experiment.model_json_schema()
    schema.pop("title", None)
    schema.pop("description", None)
    return {
        "$schema": SCHEMA_DIALECT,
        "title": SCHEMA_TITLE,
        "description": SCHEMA_DESCRIPTION,
        **schema,
    }


def schema_text() -> str:
    return json.dumps(experiment_schema(), indent=2, ensure_ascii=False) + "\n"


def run_schema(_args: argparse.Namespace) -> int:
    sys.stdout.write(schema_text())
    return EXIT_OK


# --- kaizen new -------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """The facts a new write-up starts with; everything else is left for the author."""

    id: str
    title: str
    owner: str
    team: str
    tags: tuple[str, ...] = ()
    hypothesis: str | None = None
    design: str = "ab_test"
    parent: Entry | None = None
    cycle: int = 1


def run_new(project: Project, args: argparse.Namespace) -> int:
    catalog = project.catalog()
    taken = taken_ids(project.experiments)
    parent, cycle = _parent(project, args.next, taken) if args.next else (None, 1)
    team = args.team or (parent.meta.team if parent else None)
    if team is None:
        raise CommandError(f"give the team: --team TEAM. {did_you_mean('', catalog.teams)}".strip())
    if catalog.teams and team not in catalog.teams:
        hint = did_you_mean(team, catalog.teams)
        raise CommandError(
            f"unknown team '{team}' (teams are listed in {project.site_config_dir}/teams.yml)"
            + (f"; {hint}" if hint else "")
        )
    experiment_id = _new_id(args.id, taken, project)
    title = args.title or (_next_title(parent.meta.title, cycle) if parent else None)
    if not title:
        raise CommandError('give the title: kaizen new "Title" --team TEAM')
    owner = args.owner or (parent.meta.owner if parent else None) or git_user_name(project.root)
    if not owner:
        raise CommandError("give the owner: --owner NAME (git config user.name is not set)")
    draft = Draft(experiment_id, title, owner, team, parent=parent, cycle=cycle)
    if parent:
        draft = replace(
            draft,
            tags=tuple(parent.meta.tags),
            hypothesis=parent.meta.hypothesis,
            design=parent.meta.design.value,
        )
    path = project.experiments / f"{experiment_id.lower()}.md"
    _write_new(project, path, render(draft), catalog)
    print(display_path(path, Path.cwd()))
    return EXIT_OK


def taken_ids(folder: Path) -> dict[str, Path]:
    """Every id in use, by lowercase id: from file names and from ``id:`` lines."""
    taken: dict[str, Path] = {}
    for path in experiment_files(folder):
        taken.setdefault(path.stem.lower(), path)
        match = _ID_LINE.search(path.read_text("utf-8", errors="replace"))
        if match:
            taken.setdefault(match.group(1).lower(), path)
    return taken


def next_id(taken: Iterable[str], year: int) -> str:
    """One more than the highest number of the year, so ids sort in the order they began."""
    numbers = [
        int(match[2])
        for text in taken
        if (match := _NUMBERED_ID.fullmatch(text)) and int(match[1]) == year
    ]
    return f"EXP-{year}-{max(numbers, default=0) + 1:03d}"


def _new_id(wanted: str | None, taken: dict[str, Path], project: Project) -> str:
    if wanted is None:
        return next_id(taken, dt.date.today().year)
    if not re.fullmatch(ID_PATTERN, wanted):
        raise CommandError(
            f"'{wanted}' is not an id: use letters, digits and '-', e.g. EXP-2026-031"
        )
    if wanted.lower() in taken:
        raise CommandError(
            f"the id {wanted} is already used by {project.shown(taken[wanted.lower()])}; "
            "nothing was written",
            EXIT_PROBLEMS,
        )
    return wanted


def _parent(project: Project, wanted: str, taken: dict[str, Path]) -> tuple[Entry, int]:
    """The experiment to continue, and the number of the cycle that continues it."""
    portfolio = project.load()
    by_slug = {entry.meta.slug: entry for entry in portfolio.entries}
    if wanted.lower() in by_slug:
        parent = by_slug[wanted.lower()]
        return parent, _cycle_number(parent, by_slug) + 1
    if wanted.lower() in taken:
        shown = project.shown(taken[wanted.lower()])
        raise CommandError(f"{shown} has problems; fix them first (kaizen check {shown})")
    hint = did_you_mean(wanted, [entry.meta.id for entry in portfolio.entries])
    raise CommandError(f"no experiment has the id '{wanted}'" + (f"; {hint}" if hint else ""))


def _cycle_number(entry: Entry, by_slug: dict[str, Entry]) -> int:
    """1 for the first cycle of an idea, one more for each parent up the chain."""
    seen = {entry.meta.slug}
    while entry.meta.parent and (parent := by_slug.get(entry.meta.parent.lower())):
        if parent.meta.slug in seen:
            break
        seen.add(parent.meta.slug)
        entry = parent
    return len(seen)


def _next_title(title: str, cycle: int) -> str:
    """``Lead follow-up, cycle 4: booking link`` -> ``Lead follow-up, cycle 5``."""
    match = _CYCLE_SUFFIX.match(title)
    return f"{match['idea'] if match else title}, cycle {cycle}"


def git_user_name(folder: Path) -> str | None:
    """Who is writing, as git knows them; None when git or the setting is missing."""
    try:
        result = subprocess.run(
            ["git", "config", "user.name"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


def render(draft: Draft) -> str:
    """The new file: front-matter that passes the checks as it is, and prompts below it."""
    parent = draft.parent
    lines = [
        "---",
        _line("id", draft.id),
        _line("title", draft.title),
        _line("status", Status.IDEA.value, "idea, planned, running, concluded or abandoned"),
        _line("owner", draft.owner),
        _line("team", draft.team, "exactly as in site_config/teams.yml"),
        _line("tags", list(draft.tags), "lowercase words joined by '-', e.g. [checkout, forms]"),
    ]
    if parent and draft.hypothesis:
        lines.append(f"# Carried over from {parent.meta.id}: restate it for this cycle.")
        lines.append(_line("hypothesis", draft.hypothesis))
    else:
        lines.append(
            _pad("# hypothesis: If we do X for Y, then Z goes up, because W.", "needed after idea")
        )
    lines.append(_line("design", draft.design, "ab_test, before_after or qualitative"))
    if parent:
        lines.append(_line("parent", parent.meta.id, "the previous cycle of this idea"))
    lines.append(
        _pad("# dates: {build: YYYY-MM-DD}", "add test: when running, end: when concluded")
    )
    if parent and parent.meta.arms:
        lines.append(_line("arms", list(parent.meta.arms), "the control comes first"))
        lines.extend(_metrics_as_comments(parent.meta.metrics, parent.meta.arms))
    else:
        lines.append(_pad("# arms: [control, variant]", "the control comes first"))
    lines.append(_line("visibility", Visibility.DRAFT.value, DRAFT_COMMENT))
    lines.append("---")
    if parent:
        background = (
            f"Cycle {draft.cycle} of this idea. What cycle {draft.cycle - 1} "
            f"({parent.meta.id}) learned, and why this cycle follows from it."
        )
    else:
        background = (
            "What prompted this experiment: the problem, the numbers you start from, and what "
            "earlier work already found out."
        )
    body = Template(BODY_TEMPLATE.read_text("utf-8"))
    return "\n".join(lines) + "\n\n" + body.substitute(background=background, id=draft.id)


def _line(key: str, value: Any, comment: str = "") -> str:
    """``key: value`` with the value dumped by YAML, so quotes and colons round-trip."""
    dumped = yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, width=2**20, sort_keys=False
    )
    # A plain scalar is dumped as a document of its own, closed by "...".
    return _pad(f"{key}: " + dumped.removesuffix("\n").removesuffix("\n..."), comment)


def _pad(text: str, comment: str) -> str:
    return f"{text.ljust(COMMENT_COLUMN - 1)} # {comment}" if comment else text


def _metrics_as_comments(metrics: Sequence[MetricResults], arms: Sequence[str]) -> list[str]:
    """The parent's metrics with blank numbers, commented: results given empty are errors."""
    if not metrics:
        return []
    lines = ["# Uncomment once the test has ended, and give every arm its numbers:", "# metrics:"]
    width = max(len(arm) for arm in arms) + 1
    for metric in metrics:
        lines.append(f"#   - name: {metric.name}")
        if metric.primary:
            lines.append("#     primary: true")
        lines.append("#     results:")
        for arm in [a for a in arms if a in metric.results] or list(metric.results):
            numbers = metric.results[arm]
            keys = [k for k in type(numbers).model_fields if k in numbers.model_fields_set]
            blanks = ", ".join(f"{key}: " for key in keys)
            lines.append(f"#       {(arm + ':').ljust(width)} {{{blanks}}}")
    return lines


def _write_new(project: Project, path: Path, text: str, catalog: Catalog) -> None:
    """Write without overwriting, then run the file through the loader: it must pass."""
    shown = project.shown(path)
    try:
        with path.open("x", encoding="utf-8") as file:
            file.write(text)
    except FileExistsError:
        raise CommandError(
            f"{shown} already exists; it was not overwritten", EXIT_PROBLEMS
        ) from None
    problems = load_entry(path, shown, catalog, project.root).problems
    if problems:
        path.unlink()
        raise CommandError(
            "the new file would not pass the checks, so it was not written:\n"
            + "\n".join(problem.format() for problem in problems)
        )


# --- the command line -------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    # --project is accepted before or after the command; the later one wins. Its action is
    # shared by every parser, so a default set on one would overwrite a value given to another.
    project = argparse.ArgumentParser(add_help=False)
    project.add_argument(
        "--project",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="DIR",
        help="the folder holding experiments/ and site_config/ (default: the current folder)",
    )
    parser = argparse.ArgumentParser(
        prog="kaizen",
        description="Start, check and describe experiment write-ups of a Kaizen portal.",
        parents=[project],
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    new = commands.add_parser(
        "new",
        parents=[project],
        help="write a new experiment file with the next free id",
        description="Write experiments/<id>.md: a draft idea that passes `kaizen check` as it is.",
    )
    new.add_argument("title", nargs="?", help="the title (with --next: the parent's, cycle N)")
    new.add_argument("--team", help="a team from site_config/teams.yml (with --next: the parent's)")
    new.add_argument("--owner", metavar="NAME", help="default: the parent's, else git user.name")
    new.add_argument("--id", metavar="ID", help="default: EXP-<year>-<next free number>")
    new.add_argument(
        "--next",
        metavar="ID",
        help="start the next cycle of this experiment: parent, team, tags, arms carried over",
    )
    new.set_defaults(run=lambda args: run_new(_project(args), args))

    check = commands.add_parser(
        "check",
        parents=[project],
        help="validate the write-ups and print each problem as path:line:col: message",
        description=(
            "Validate every write-up without building the site. Exit status: 0 no problems, "
            "1 problems found, 2 the check could not run."
        ),
    )
    check.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="only report problems in these files or folders (all files are still loaded)",
    )
    check.set_defaults(
        run=lambda args: run_check(
            _project(args), args.paths, os.environ.get("GITHUB_ACTIONS") == "true"
        )
    )

    schema = commands.add_parser(
        "schema",
        parents=[project],
        help="print the JSON Schema of the front-matter, for editors",
    )
    schema.set_defaults(run=run_schema)
    return parser


def _project(args: argparse.Namespace) -> Project:
    return open_project(getattr(args, "project", Path(".")))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed by argparse
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    try:
        return args.run(args)
    except CommandError as exc:
        print(f"kaizen: error: {exc}", file=sys.stderr)
        return exc.code


if __name__ == "__main__":
    raise SystemExit(main())
