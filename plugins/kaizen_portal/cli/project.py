"""The project a command works on: its folder, and its folders as mkdocs.yml names them.

mkdocs.yml is read without MkDocs, so the commands start fast and work where only the
plugin's own dependencies are installed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..build.loading import load_portfolio
from ..inputs.catalog import Catalog, load_catalog
from ..inputs.files import display_path, read_write_up
from ..inputs.portfolio import Portfolio, experiment_files
from ..inputs.problems import SourceError
from ..inputs.vocabulary import DEFAULT_LAYOUT, ProjectLayout

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
MKDOCS_FILE = "mkdocs.yml"
PLUGIN_NAME = "kaizen-portal"
_ID_LINE = re.compile(r"^id:[ \t]*['\"]?([A-Za-z0-9-]+)", re.MULTILINE)


class CommandError(Exception):
    """A command that cannot do what was asked; the message says why and what to do."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Project:
    root: Path
    layout: ProjectLayout = DEFAULT_LAYOUT

    @property
    def experiments(self) -> Path:
        return self.root / self.layout.experiments_dir

    def load(self) -> Portfolio:
        return load_portfolio(self.root, self.layout)

    def catalog(self) -> Catalog:
        return load_catalog(self.root / self.layout.site_config_dir, self.root)[0]

    def shown(self, path: Path) -> str:
        return display_path(path, self.root)


def open_project(folder: Path) -> Project:
    """The folders as mkdocs.yml names them, so the command reads what the site builds."""
    root = folder.resolve()
    if not root.is_dir():
        raise CommandError(f"no project folder at {folder}")
    options = _plugin_options(root / MKDOCS_FILE)
    layout = ProjectLayout(
        *(
            str(options.get(name) or getattr(DEFAULT_LAYOUT, name))
            for name in ("experiments_dir", "site_config_dir", "data_dir")
        )
    )
    project = Project(root, layout)
    if not project.experiments.is_dir():
        raise CommandError(
            f"no {layout.experiments_dir}/ folder in {root}: run kaizen in the project "
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


def taken_ids(project: Project) -> dict[str, Path]:
    """Every id in use, by lowercase id: from file names and from ``id:`` lines.

    Files that may not be read (links out of the project, pipes) reserve their name only.
    """
    taken: dict[str, Path] = {}
    for path in experiment_files(project.experiments):
        taken.setdefault(path.stem.lower(), path)
        try:
            raw = read_write_up(path, project.root, project.shown(path))
        except SourceError:
            continue
        match = _ID_LINE.search(raw.decode("utf-8", errors="replace"))
        if match:
            taken.setdefault(match.group(1).lower(), path)
    return taken
