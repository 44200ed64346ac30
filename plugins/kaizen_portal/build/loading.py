"""Reading every write-up of a project: shared among the CPUs, remembered across rebuilds.

What a file becomes is decided in ``inputs.portfolio``; this module decides how many
files are read at once and which need reading at all. While serving, a write-up's outcome
depends only on its bytes, the catalog and the data files, so only contents the memo has
not seen are worked out, and a rebuild after one edit forks nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from ..inputs.catalog import Catalog, load_catalog
from ..inputs.files import display_path, one_pass, read_write_up
from ..inputs.portfolio import Loaded, Portfolio, assemble, experiment_files, load_entry
from ..inputs.problems import SourceError
from ..inputs.vocabulary import DEFAULT_LAYOUT, ProjectLayout
from . import workers
from .memo import Memo, digest, files_digest


def load_portfolio(
    project: Path, layout: ProjectLayout = DEFAULT_LAYOUT, memo: Memo | None = None
) -> Portfolio:
    """Every file of the experiments folder checked, with the catalog it is checked against."""
    with one_pass():
        catalog, problems = load_catalog(project / layout.site_config_dir, project)
        files = experiment_files(project / layout.experiments_dir)
        if memo is None:
            loaded = workers.map_shared(
                lambda p: load_entry(p, display_path(p, project), catalog, project), files
            )
        else:
            loaded = _remembered(files, project, layout, catalog, memo)
    return assemble(catalog, problems, loaded, len(files))


class _Read(NamedTuple):
    path: Path
    shown: str
    raw: bytes | None  # None: the file may not be read, and load_entry says why
    key: str  # a digest of everything the outcome depends on


def _remembered(
    files: list[Path], project: Path, layout: ProjectLayout, catalog: Catalog, memo: Memo
) -> list[Loaded]:
    """Every file's outcome, working out only those of contents the memo has not seen."""
    data = [
        *(project / layout.site_config_dir).glob("*.yml"),
        *experiment_files(project / layout.data_dir),
    ]
    context = files_digest(data, project)
    reads = []
    for path in files:
        shown = display_path(path, project)
        try:
            raw = read_write_up(path, project, shown)
        except SourceError as refused:
            reads.append(_Read(path, shown, None, digest(shown, refused.problem.format())))
        else:
            reads.append(_Read(path, shown, raw, digest(shown, raw, context)))

    def load(i: int) -> Loaded:
        read = reads[i]
        return load_entry(read.path, read.shown, catalog, project, read.key, read.raw)

    keys = [("load", read.key) for read in reads]
    return memo.fill(keys, lambda todo: workers.map_shared(load, todo))
