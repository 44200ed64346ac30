"""The plugin's options in mkdocs.yml; paths are relative to the folder of mkdocs.yml."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c

from ..inputs.vocabulary import DEFAULT_LAYOUT, DEFAULT_PAGES_DIR


class KaizenPortalConfig(base.Config):
    enabled = c.Type(bool, default=True)
    """Turn the portal off without removing it from mkdocs.yml (e.g. for a docs-only build)."""

    experiments_dir = c.Type(str, default=DEFAULT_LAYOUT.experiments_dir)
    """Folder of the write-ups, one Markdown file per experiment."""

    site_config_dir = c.Type(str, default=DEFAULT_LAYOUT.site_config_dir)
    """Folder of metrics.yml (required), teams.yml and portal.yml (optional)."""

    data_dir = c.Type(str, default=DEFAULT_LAYOUT.data_dir)
    """Folder of daily CSV series; watched by `mkdocs serve` like the two above."""

    pages_dir = c.Type(str, default=DEFAULT_PAGES_DIR)
    """Where the generated pages live in the site: /<pages_dir>/<id>/."""

    include_internal = c.Type(bool, default=True)
    """Publish `visibility: internal` write-ups; set false to build the public site.
    Drafts are shown only by `mkdocs serve`, never in a build."""

    templates_dir = c.Optional(c.Type(str))
    """A folder of page templates that override the shipped ones file by file."""

    preview_file_events = c.Type(bool, default=True)
    """`mkdocs serve` learns of saves in the folders above from the system's file events,
    which cost nothing while it rebuilds; false: it polls them twice a second, as MkDocs
    polls docs_dir (for folders on a network or container mount that sends no events)."""
