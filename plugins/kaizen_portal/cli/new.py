"""``kaizen new``: a new write-up with the next free id, or the next cycle of an idea.

The file it writes passes ``kaizen check`` as it is, so an author starts from something
valid and fills it in; a draft until its author says otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from string import Template
from typing import Any

import yaml

from ..analysis.lineage import lineages
from ..inputs.catalog import Catalog
from ..inputs.files import display_path
from ..inputs.portfolio import Entry, load_entry
from ..inputs.problems import did_you_mean
from ..inputs.schema import ID_PATTERN, MetricResults
from ..inputs.vocabulary import Design, Status, Visibility
from .project import EXIT_OK, EXIT_PROBLEMS, CommandError, Project, taken_ids

# Plain text with $-placeholders; the pages' templates are HTML.
BODY_TEMPLATE = Path(__file__).parent / "new-experiment.md"
DRAFT_COMMENT = "public when ready: drafts show only in mkdocs serve"
COMMENT_COLUMN = 34  # where trailing comments start, as in the authoring guide's template

# Ids already in use are read from the first ``id:`` line, so files the loader rejects
# (broken YAML included) still reserve their number.
_NUMBERED_ID = re.compile(r"EXP-([0-9]{4})-([0-9]+)", re.IGNORECASE)
_CYCLE_SUFFIX = re.compile(r"^(?P<idea>.+?), cycle [0-9]+(?::.*)?$", re.DOTALL)


@dataclass(frozen=True)
class Draft:
    """The facts a new write-up starts with; everything else is left for the author."""

    id: str
    title: str
    owner: str
    team: str
    tags: tuple[str, ...] = ()
    hypothesis: str | None = None
    design: str = Design.AB_TEST.value
    parent: Entry | None = None
    cycle: int = 1


def run_new(project: Project, args: argparse.Namespace) -> int:
    catalog = project.catalog()
    taken = taken_ids(project)
    parent, cycle = _parent(project, args.next, taken) if args.next else (None, 1)
    team = args.team or (parent.meta.team if parent else None)
    if team is None:
        raise CommandError(f"give the team: --team TEAM. {did_you_mean('', catalog.teams)}".strip())
    if catalog.teams and team not in catalog.teams:
        hint = did_you_mean(team, catalog.teams)
        teams_file = f"{project.layout.site_config_dir}/teams.yml"
        raise CommandError(
            f"unknown team '{team}' (teams are listed in {teams_file})"
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
        return parent, lineages(portfolio.entries)[parent.meta.slug].cycle_number(parent) + 1
    if wanted.lower() in taken:
        shown = project.shown(taken[wanted.lower()])
        raise CommandError(f"{shown} has problems; fix them first (kaizen check {shown})")
    hint = did_you_mean(wanted, [entry.meta.id for entry in portfolio.entries])
    raise CommandError(f"no experiment has the id '{wanted}'" + (f"; {hint}" if hint else ""))


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
        _line("status", Status.IDEA.value, _one_of(Status)),
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
    lines.append(_line("design", draft.design, _one_of(Design)))
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


def _one_of(values: Iterable[str]) -> str:
    """``idea, planned, running, concluded or abandoned``."""
    *rest, last = values
    return f"{', '.join(rest)} or {last}"


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
