"""Files -> validated experiments, with every failure reported and none dropped.

This is the first stage of the pipeline and the one the ``check`` command runs alone.
A file either becomes an ``Entry`` or yields at least one ``Problem``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, ValidationError

from . import fmt, workers
from .catalog import Catalog, load_catalog
from .daily import DailyData, read_daily
from .memo import Memo, digest, files_digest
from .model import (
    Entry,
    Experiment,
    MeanArm,
    MetricKind,
    MetricResults,
    Phases,
    PrecomputedArm,
    ProportionArm,
)
from .problems import Finding, Loc, Locate, Problem, from_validation_error
from .source import (
    MAX_DATA_BYTES,
    FieldPositions,
    SourceError,
    decode,
    display_path,
    parse_front_matter,
)
from .validate import check_experiment, check_lineage

EXPERIMENT_SUFFIX = ".md"


@dataclass(frozen=True)
class Portfolio:
    """Everything the later stages need: valid entries, problems, and the catalog."""

    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]
    catalog: Catalog
    files_seen: int

    @property
    def broken_paths(self) -> list[str]:
        return sorted({p.path for p in self.problems})


def experiment_files(folder: Path) -> list[Path]:
    """Every file under the folder except hidden ones (.gitkeep and editor files)."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def load_portfolio(
    project: Path,
    experiments_dir: str,
    site_config_dir: str,
    memo: Memo | None = None,
    data_dir: str = "data",
) -> Portfolio:
    catalog, problems = load_catalog(project / site_config_dir, project)
    files = experiment_files(project / experiments_dir)
    if memo is None:
        loaded = workers.map_shared(
            lambda p: load_entry(p, display_path(p, project), catalog, project), files
        )
    else:
        loaded = _remembered(files, project, site_config_dir, data_dir, catalog, memo)
    for item in loaded:
        problems.extend(item.problems)
    entries = _unique_ids(loaded, problems)
    # A child is not punished for its parent's typo: ids of broken files count as known.
    ids = {i.declared_id.lower(): i.declared_id for i in loaded if i.declared_id}
    lineage = check_lineage(ids, {e.meta.slug: e.meta.parent for e, _ in entries})
    valid = []
    for entry, locate in entries:
        findings = lineage.get(entry.meta.slug, [])
        problems.extend(f.at(entry.path, locate) for f in findings)
        if not findings:
            valid.append(entry)
    valid.sort(key=lambda e: e.meta.slug)
    return Portfolio(tuple(valid), tuple(sorted(problems)), catalog, len(files))


def _nowhere(_loc: Loc) -> tuple[int, int]:
    return 1, 1


class _Read(NamedTuple):
    path: Path
    shown: str
    raw: bytes
    key: str  # a digest of everything the outcome depends on


def _remembered(
    files: list[Path],
    project: Path,
    site_config_dir: str,
    data_dir: str,
    catalog: Catalog,
    memo: Memo,
) -> list[Loaded]:
    """Every file's outcome, working out only those of contents the memo has not seen.

    A write-up's outcome depends on its bytes, the catalog and the data files. Only the
    unseen go to the workers, so a rebuild after one edit forks nothing.
    """
    data = [*(project / site_config_dir).glob("*.yml"), *experiment_files(project / data_dir)]
    context = files_digest(data)
    reads = []
    for path in files:
        shown, raw = display_path(path, project), path.read_bytes()
        reads.append(_Read(path, shown, raw, digest(shown, raw, context)))

    def load(i: int) -> Loaded:
        read = reads[i]
        return load_entry(read.path, read.shown, catalog, project, read.key, read.raw)

    keys = [("load", read.key) for read in reads]
    return memo.fill(keys, lambda todo: workers.map_shared(load, todo))


@dataclass(frozen=True)
class Loaded:
    """One file's outcome: an entry, or the problems that keep it off the site."""

    entry: Entry | None
    problems: list[Problem]
    locate: Locate = _nowhere  # where an entry's fields sit, for the checks across files
    declared_id: str | None = None


def load_entry(
    path: Path,
    shown: str,
    catalog: Catalog,
    project: Path,
    key: str = "",
    raw: bytes | None = None,
) -> Loaded:
    """One file's outcome; ``raw`` is its bytes when the caller has already read them."""
    if path.suffix != EXPERIMENT_SUFFIX:
        problem = Problem(
            shown,
            1,
            1,
            "",
            "not an experiment write-up",
            expected=f"a Markdown file ending in {EXPERIMENT_SUFFIX}",
            found=f"'{path.suffix or path.name}'",
            hint="rename it, or keep non-experiment files outside the experiments folder",
        )
        return Loaded(None, [problem])
    try:
        source = parse_front_matter(decode(path.read_bytes() if raw is None else raw, shown), shown)
    except SourceError as exc:
        return Loaded(None, [exc.problem])
    declared = source.data.get("id")
    declared_id = declared if isinstance(declared, str) else None
    try:
        meta = Experiment.model_validate(source.data)
    except ValidationError as exc:
        problems = from_validation_error(exc, shown, source.locate, known_fields)
        return Loaded(None, problems, declared_id=declared_id)
    findings = check_experiment(meta, catalog, lambda rel: (project / rel).is_file())
    if findings:
        problems = [f.at(shown, source.locate) for f in findings]
        return Loaded(None, problems, declared_id=declared_id)
    daily, problems = _load_daily(meta, catalog, project)
    if problems:
        # The write-up points at its data file, so neither is missing from the error list.
        pointer = Finding(
            ("data",),
            f"the data file has {fmt.plural(len(problems), 'problem')}, listed under its own name",
            hint=f"fix {meta.data}; the write-up itself is fine",
        )
        return Loaded(None, [pointer.at(shown, source.locate), *problems], declared_id=declared_id)
    locate = FieldPositions.of(source.locate, source.data)
    return Loaded(Entry(meta, source.body, shown, daily, key), [], locate, declared_id)


def _load_daily(
    meta: Experiment, catalog: Catalog, project: Path
) -> tuple[DailyData | None, list[Problem]]:
    """The day-by-day rows of the CSV a write-up names; its existence is already checked."""
    if meta.data is None:
        return None, []
    path = project / meta.data
    shown = display_path(path, project)
    try:
        text = decode(path.read_bytes(), shown, MAX_DATA_BYTES)
    except SourceError as exc:
        return None, [exc.problem]
    daily, problems = read_daily(text, shown, meta.arms)
    primary = meta.primary_metric
    if daily is None or primary is None:
        return daily, problems
    kind = catalog.metrics[primary.name].kind
    if kind in {MetricKind.PROPORTION, MetricKind.MEAN} and kind is not daily.kind:
        columns = "users, conversions" if kind is MetricKind.PROPORTION else "n, mean, sd"
        mismatch = Problem(
            shown,
            1,
            1,
            "",
            f"the columns do not fit the primary metric {primary.name}, a {kind.value}",
            expected=f"the columns date, arm, {columns}",
            found=f"the columns of a {daily.kind.value}",
            hint="daily rows describe the primary metric; change the columns or the primary",
        )
        return None, [mismatch]
    return daily, []


def known_fields(loc: Loc) -> list[str]:
    """The keys allowed at a place in the front-matter, for "did you mean" hints."""
    model: type[BaseModel] = Experiment
    if loc[:1] == ("dates",):
        model = Phases
    elif loc[:1] == ("metrics",) and len(loc) == 2:
        model = MetricResults
    elif len(loc) >= 4:
        return [f for m in (ProportionArm, MeanArm, PrecomputedArm) for f in m.model_fields]
    return list(model.model_fields)


def _unique_ids(loaded: list[Loaded], problems: list[Problem]) -> list[tuple[Entry, Locate]]:
    """The first file (by path) keeps an id; later ones are errors naming the first."""
    owner: dict[str, str] = {}
    unique = []
    for item in loaded:
        if item.entry is None:
            continue
        entry, locate = item.entry, item.locate
        slug = entry.meta.slug
        if slug in owner:
            duplicate = Finding(
                ("id",),
                f"this id is already used by {owner[slug]}",
                expected="an id no other experiment uses (ids ignore letter case)",
                found=f"'{entry.meta.id}'",
                hint="give this experiment the next free number",
            )
            problems.append(duplicate.at(entry.path, locate))
            continue
        owner[slug] = entry.path
        unique.append((entry, locate))
    return unique
