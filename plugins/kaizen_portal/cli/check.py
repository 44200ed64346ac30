"""``kaizen check``: every problem of the write-ups, one ``path:line:col: message`` line each.

Only the loading stage runs (files -> validated experiments), never the statistics or the
pages, so a check answers in the time an editor, a pre-commit hook or CI can wait.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..inputs.portfolio import experiment_files
from ..inputs.problems import Problem, plural, printable
from .project import EXIT_OK, EXIT_PROBLEMS, CommandError, Project


def run_check(project: Project, paths: Sequence[Path], github: bool) -> int:
    # The whole portfolio is loaded even for one file: duplicate ids, parents and loops
    # are rules between files.
    selected = [_selection(project, path) for path in paths] or ["."]
    portfolio = project.load()
    shown = [p for p in portfolio.problems if _under(p.path, selected)]
    warned = [w for w in portfolio.warnings if _under(w.path, selected)]
    print_findings([*shown, *warned], github)
    checked = {project.shown(f) for f in experiment_files(project.experiments)}
    files = {path for path in checked if _under(path, selected)} | {p.path for p in shown}
    if shown:
        broken = len({p.path for p in shown})
        summary = f"{plural(len(shown), 'problem')} in {broken} of {plural(len(files), 'file')}"
    else:
        summary = f"{plural(len(files), 'experiment file')} checked, no problems"
    if warned:  # a strict build fails on them, so the check does too
        summary += f", {plural(len(warned), 'warning')}"
    print(summary, file=sys.stderr)
    return EXIT_PROBLEMS if shown or warned else EXIT_OK


def print_findings(findings: Iterable[Problem], github: bool) -> None:
    """Each problem or warning on a line of its own, in file and line order; under GitHub
    Actions, with the annotation that shows it on the file's line too."""
    for finding in sorted(findings):
        print(finding.format())
        if github:
            print(github_annotation(finding))


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
    # Line breaks have GitHub's own escapes (below); other steering characters ours.
    message = printable(problem.text(), keep="\r\n")
    message = message.removeprefix(f"{printable(problem.location)}: ")
    message = message.removeprefix(f"{problem.severity}: ")
    properties = {
        "file": printable(problem.path),
        "line": str(problem.line),
        "col": str(problem.column),
    }
    if problem.field:
        properties["title"] = printable(problem.field)
        message = message.removeprefix(f"{properties['title']}: ")
    listed = ",".join(f"{key}={_escape_property(value)}" for key, value in properties.items())
    return f"::{problem.severity} {listed}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
