"""The project a command works on: its folder, and its settings as mkdocs.yml gives them.

mkdocs.yml is read without MkDocs, so the commands start fast and work where only the
plugin's own dependencies are installed (or where another engine reads the same file).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
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
class SiteConfig:
    """What mkdocs.yml says beyond the input folders, for a command that builds pages."""

    site_name: str = "Experiments"
    site_url: str = ""
    directory_urls: bool = True
    docs_dir: str = "docs"
    # As mkdocs.yml lists them: a name, or a mapping of one name to its options.
    markdown_extensions: tuple[str | Mapping[str, Any], ...] = ()
    plugin: Mapping[str, Any] = field(default_factory=dict)  # the portal's own options


@dataclass(frozen=True)
class Project:
    root: Path
    layout: ProjectLayout = DEFAULT_LAYOUT
    site: SiteConfig = field(default_factory=SiteConfig)

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
    site = read_site_config(root / MKDOCS_FILE)
    options = site.plugin
    layout = ProjectLayout(
        *(
            str(options.get(name) or getattr(DEFAULT_LAYOUT, name))
            for name in ("experiments_dir", "site_config_dir", "data_dir")
        )
    )
    project = Project(root, layout, site)
    if not project.experiments.is_dir():
        raise CommandError(
            f"no {layout.experiments_dir}/ folder in {root}: run kaizen in the project "
            "folder, or pass --project DIR"
        )
    return project


class _PlainLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without importing MkDocs: ``!ENV`` as MkDocs reads it, other tags
    (``!!python/name:`` and the like) as nothing."""


def _environment_tag(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    """``!ENV NAME`` or ``!ENV [NAME, ..., default]``: the first variable set, read as YAML."""
    if isinstance(node, yaml.SequenceNode):
        items = loader.construct_sequence(node)
        names, default = (items[:-1], items[-1]) if len(items) > 1 else (items, None)
    else:
        names, default = [loader.construct_scalar(node)], None  # type: ignore[arg-type]
    for name in names:
        value = os.environ.get(str(name))
        if value is not None:
            try:
                return yaml.safe_load(value) if value else value
            except yaml.YAMLError:
                return value
    return default


_PlainLoader.add_constructor("!ENV", _environment_tag)
_PlainLoader.add_multi_constructor("", lambda _loader, _suffix, _node: None)


def read_site_config(mkdocs_file: Path) -> SiteConfig:
    """The settings a command needs; a missing or broken file gives the defaults (`mkdocs
    build` reports what is wrong with it)."""
    try:
        config = yaml.load(mkdocs_file.read_text("utf-8"), Loader=_PlainLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        config = None
    if not isinstance(config, dict):
        return SiteConfig()
    defaults = SiteConfig()
    extensions = config.get("markdown_extensions")
    return SiteConfig(
        site_name=_text(config.get("site_name"), defaults.site_name),
        site_url=_text(config.get("site_url"), defaults.site_url),
        directory_urls=config.get("use_directory_urls") is not False,
        docs_dir=_text(config.get("docs_dir"), defaults.docs_dir),
        markdown_extensions=tuple(extensions) if isinstance(extensions, list) else (),
        plugin=_plugin_options(config),
    )


def _text(value: object, default: str) -> str:
    return str(value) if isinstance(value, str | int | float) and str(value) else default


def _plugin_options(config: Mapping[str, Any]) -> dict[str, Any]:
    plugins = config.get("plugins")
    if isinstance(plugins, dict):  # MkDocs takes a mapping of plugins as well as a list
        plugins = [{name: options} for name, options in plugins.items()]
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
