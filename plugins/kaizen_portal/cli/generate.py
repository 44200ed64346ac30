"""``kaizen generate DIR``: the whole portal written into DIR as a docs folder, for a site
engine that runs no plugin (Zensical reads it; see "Engines" in the README).

It runs the pipeline the plugin runs, with the settings of the same mkdocs.yml, and
reports problems as ``kaizen check`` does, with the same exit status: the folder is written
either way, with the Needs attention page, as a build without ``--strict`` would be.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..build import git_dates
from ..build.docs_folder import (
    FolderError,
    keeps_heading_ids,
    write_docs_folder,
    writeup_renderer,
)
from ..build.pipeline import Inputs, audience, build, templates_folder
from ..inputs.problems import not_published, plural, printable
from ..inputs.vocabulary import DEFAULT_PAGES_DIR
from ..pages.links import PageOptions
from ..pages.rendering import TemplateFailure
from .check import print_findings
from .project import EXIT_OK, EXIT_PROBLEMS, MKDOCS_FILE, CommandError, Project


def run_generate(project: Project, target: Path, github: bool) -> int:
    site, plugin = project.site, project.site.plugin
    docs = (project.root / site.docs_dir).resolve()
    if target.resolve() == project.root or target.resolve().is_relative_to(docs):
        raise CommandError(
            f"{target} is the project's own folder or inside its docs; hint: give a new folder"
            " (build/zensical-docs, as zensical.yml reads it)"
        )
    pages_dir = str(plugin.get("pages_dir") or DEFAULT_PAGES_DIR).strip("/")
    try:
        templates = templates_folder(project.root, plugin.get("templates_dir"))
        writeup_html = writeup_renderer(site.markdown_extensions)
    except (ValueError, FolderError) as error:
        raise CommandError(printable(str(error))) from None
    layout = project.layout
    inputs = [layout.experiments_dir, layout.site_config_dir, layout.data_dir, site.docs_dir]
    found = [project.root / path for path in [*inputs, MKDOCS_FILE, templates or ""] if path]
    options = PageOptions(
        pages_dir=pages_dir,
        directory_urls=site.directory_urls,
        template_dir=templates,
        site_url=site.site_url,
        site_name=site.site_name,
        as_of=git_dates.build_date(os.environ, project.root, found),
        source_links=True,  # Zensical rewrites every link of a page, as a Markdown link
    )
    shown = audience(plugin.get("include_internal") is not False, drafts=False)
    try:
        result = build(Inputs(project.root, layout, shown), options)
        headings = keeps_heading_ids(site.markdown_extensions)
        written = write_docs_folder(
            result, target, project.root / site.docs_dir, site.site_name, writeup_html, headings
        )
    except TemplateFailure as failure:
        raise CommandError(failure.located(project.root)) from None
    except FolderError as error:
        raise CommandError(str(error)) from None
    portfolio = result.portfolio
    print_findings([*portfolio.problems, *portfolio.warnings], github)
    for uri in written.replaced:
        print(f"warning: the generated {uri} replaces the file of the same name in docs")
    summary = f"Wrote {plural(written.pages, 'experiment page')} and every listing into {target}"
    if portfolio.problems:
        unpublished = not_published(len(portfolio.broken_paths), portfolio.files_seen)
        summary += f"; {unpublished}; see {pages_dir}/needs-attention/"
    print(summary, file=sys.stderr)
    return EXIT_PROBLEMS if portfolio.problems or portfolio.warnings else EXIT_OK
