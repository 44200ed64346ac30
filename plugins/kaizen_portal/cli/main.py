"""The authors' command line, ``kaizen``: its commands, their options, and exit statuses.

Each command lives in a module of its own (``new``, ``check``, ``results``, ``generate``,
``schema``); this one only
parses the command line and reports a command's error the same way for all of them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from .check import run_check
from .new import run_new
from .project import EXIT_OK, CommandError, Project, open_project
from .results import run_results
from .schema import run_schema


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
        description=(
            "Start, check, fill and describe experiment write-ups of a Kaizen portal, and "
            "write it out for any site engine."
        ),
        parents=[project],
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (summary, description, add) in _COMMANDS.items():
        add(commands.add_parser(name, parents=[project], help=summary, description=description))
    return parser


def _add_new(new: argparse.ArgumentParser) -> None:
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


def _add_check(check: argparse.ArgumentParser) -> None:
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


def _add_results(results: argparse.ArgumentParser) -> None:
    results.add_argument("id", metavar="ID", help="the experiment's id, e.g. EXP-2026-031")
    results.add_argument("file", metavar="FILE.csv", help="the CSV exported by the tool")
    results.add_argument(
        "--metric", metavar="NAME", help="the metric to fill (default: the primary one)"
    )
    results.set_defaults(run=lambda args: run_results(_project(args), args))


def _add_generate(generate: argparse.ArgumentParser) -> None:
    generate.add_argument(
        "folder",
        type=Path,
        metavar="DIR",
        help="the folder to write (new, empty, or written by kaizen generate before)",
    )

    def run(args: argparse.Namespace) -> int:
        from .generate import run_generate  # the whole build: `kaizen check` need not load it

        return run_generate(_project(args), args.folder, os.environ.get("GITHUB_ACTIONS") == "true")

    generate.set_defaults(run=run)


# Each command: its one-line help, its description, and what adds its arguments.
_COMMANDS: dict[str, tuple[str, str | None, Callable[[argparse.ArgumentParser], None]]] = {
    "new": (
        "write a new experiment file with the next free id",
        "Write experiments/<id>.md: a draft idea that passes `kaizen check` as it is.",
        _add_new,
    ),
    "check": (
        "validate the write-ups and print each problem as path:line:col: message",
        "Validate every write-up without building the site. Exit status: 0 no problems, "
        "1 problems found, 2 the check could not run.",
        _add_check,
    ),
    "results": (
        "fill a metric's results from the CSV an email, ad or analytics tool exports",
        "Write a metric's numbers per arm into an experiment's file, from a CSV of arm, "
        "users, conversions (or arm, n, mean, sd), or a daily file of date, arm, ... whose "
        "rows are summed. Only the metric's results lines change. Exit status: 0 written, "
        "1 problems found, 2 the command could not run.",
        _add_results,
    ),
    "generate": (
        "write the whole portal into a docs folder, for an engine without the plugin",
        "Run the portal's whole build with mkdocs.yml's settings and write every page and "
        "file into DIR: a docs folder that Zensical (or any engine reading one) renders. "
        "Problems are printed as kaizen check prints them. Exit status: 0 no problems, "
        "1 problems found (DIR is written all the same), 2 it could not run.",
        _add_generate,
    ),
    "schema": (
        "print the JSON Schema of the front-matter, for editors",
        None,
        lambda schema: schema.set_defaults(run=run_schema),
    ),
}


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
