"""The whole pipeline in one call: files -> portfolio -> analyses -> generated files.

The MkDocs plugin and the command line both run this, so a site built by either is the
same; nothing here imports MkDocs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .analyze import Analysis, analyze
from .load import Portfolio, load_portfolio
from .pages import GeneratedFile, PageOptions, generate


@dataclass(frozen=True)
class Inputs:
    project: Path
    experiments_dir: str = "experiments"
    site_config_dir: str = "site_config"


@dataclass(frozen=True)
class Build:
    portfolio: Portfolio
    analyses: dict[str, Analysis]
    files: list[GeneratedFile]


def build(inputs: Inputs, options: PageOptions) -> Build:
    portfolio = load_portfolio(inputs.project, inputs.experiments_dir, inputs.site_config_dir)
    analyses = {e.meta.slug: analyze(e, portfolio.catalog) for e in portfolio.entries}
    return Build(portfolio, analyses, generate(portfolio, analyses, options))
