"""Files -> validated experiments, with every failure reported and none dropped.

A file either becomes an ``Entry`` or yields at least one ``Problem``; ``assemble`` then
applies the rules between files (unique ids, parents, loops). Reading many files at once,
remembered across rebuilds and shared among CPUs, is the build's job (``build.loading``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import BaseModel, ValidationError

from .catalog import Catalog
from .daily_csv import DailyData, read_daily
from .daily_totals import disagreements
from .files import MAX_DATA_BYTES, decode, display_path, read_text, read_write_up, unreadable
from .positioned_yaml import FieldPositions, Source, parse_front_matter
from .problems import MAX_PROBLEMS, Finding, Loc, Locate, Problem, SourceError, capped, plural
from .remainder import valid_remainder
from .rules import check_experiment, check_lineage, missing_parent, name_warnings
from .schema import ARM_MODELS, Experiment, MetricResults, Phases, Plan
from .schema_errors import from_validation_error
from .vocabulary import MetricKind, Visibility
from .writeup import body_problems

EXPERIMENT_SUFFIX = ".md"


@dataclass(frozen=True)
class Entry:
    """A valid experiment as the later stages see it: its facts, its write-up, its file."""

    meta: Experiment
    body: str
    path: str
    daily: DailyData | None = None  # the rows of the CSV that ``meta.data`` names
    key: str = ""  # a digest of everything the entry was made from, for reuse across rebuilds


@dataclass(frozen=True)
class Portfolio:
    """Everything the later stages need: valid entries, problems, and the catalog."""

    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]
    catalog: Catalog
    files_seen: int
    warnings: tuple[Problem, ...] = ()  # about published files: worth a look, not fatal
    # The visibility each broken file gives itself, where it says other than public: a
    # public build names a broken internal write-up but keeps what is wrong with it.
    declared: Mapping[str, str] = field(default_factory=dict)

    def withheld(self, audience: Iterable[str]) -> frozenset[str]:
        """The broken files whose problems ``audience`` may not read."""
        return frozenset(path for path, said in self.declared.items() if said not in audience)

    @property
    def broken_paths(self) -> list[str]:
        return sorted({p.path for p in self.problems})


def experiment_files(folder: Path) -> list[Path]:
    """Everything in the folder and its subfolders but hidden names (.gitkeep, editor files).

    Links and special files are listed too, never followed into, so that each one becomes
    a write-up or a problem (``files.unreadable``) and none is skipped without a word.
    """
    if not folder.is_dir():
        return []
    found: list[Path] = []
    for here, folders, names in os.walk(folder):
        base = Path(here)
        folders[:] = [name for name in folders if not name.startswith(".")]
        linked = [name for name in folders if (base / name).is_symlink()]
        found += [base / name for name in [*names, *linked] if not name.startswith(".")]
    return sorted(found)


def assemble(
    catalog: Catalog, problems: list[Problem], loaded: list[Loaded], files_seen: int
) -> Portfolio:
    """The portfolio from every file's outcome, once the rules between files are checked.

    ``problems`` are those found before any write-up was read (the catalog's).
    """
    problems = [*problems, *(p for item in loaded for p in item.problems)]
    entries = _unique_ids(loaded, problems)
    # A child is not punished for its parent's typo: ids of broken files count as known.
    ids = {i.declared_id.lower(): i.declared_id for i in loaded if i.declared_id}
    lineage = check_lineage(ids, {e.meta.slug: e.meta.parent for e, _ in entries})
    for item in loaded:  # a broken file's parent is named with its other problems
        if item.entry is None and item.parent is not None:
            own = (item.declared_id or "").lower()
            missing = missing_parent(ids, own, item.parent)
            if missing is not None:
                problems.append(missing.at(item.problems[0].path, item.locate))
    valid = []
    for entry, locate in entries:
        findings = lineage.get(entry.meta.slug, [])
        problems.extend(f.at(entry.path, locate) for f in findings)
        if not findings:
            valid.append(entry)
    valid.sort(key=lambda e: e.meta.slug)
    warnings = sorted(w for item in loaded for w in item.warnings)
    declared = {
        problem.path: item.declared_visibility
        for item in loaded
        if item.declared_visibility not in (None, Visibility.PUBLIC)
        for problem in item.problems
    }
    return Portfolio(
        tuple(valid), tuple(sorted(problems)), catalog, files_seen, tuple(warnings), declared
    )


def _nowhere(_loc: Loc) -> tuple[int, int]:
    return 1, 1


@dataclass(frozen=True)
class Loaded:
    """One file's outcome: an entry, or the problems that keep it off the site."""

    entry: Entry | None
    problems: list[Problem]
    locate: Locate = _nowhere  # where an entry's fields sit, for the checks across files
    declared_id: str | None = None
    # What a broken file says of itself, so that a public build can keep it to itself.
    declared_visibility: str | None = None
    warnings: tuple[Problem, ...] = ()
    parent: str | None = None  # a broken file's parent, checked with the rules across files


def load_entry(
    path: Path,
    shown: str,
    catalog: Catalog,
    project: Path,
    key: str = "",
    raw: bytes | None = None,
) -> Loaded:
    """One file's outcome; ``raw`` is its bytes when the caller has already read them."""
    try:
        source = _source(path, shown, project, raw)
    except SourceError as exc:
        return Loaded(None, [exc.problem])
    said = {name: source.data.get(name) for name in ("id", "visibility")}
    declared = {name: value if isinstance(value, str) else None for name, value in said.items()}

    unrenderable = body_problems(source.body, source.body_line, shown)

    def broken(problems: list[Problem]) -> Loaded:
        return Loaded(None, problems, _nowhere, declared["id"], declared["visibility"])

    # Every layer is checked as far as the layers before it allow, so that a file's
    # problems come in one list: the schema, then the rules on what the schema left valid,
    # the data file, the write-up's text, and (in assemble) the parent.
    meta, problems, findings, aside = _front_matter(source, shown, catalog, project)
    if meta is None:
        return broken([*problems, *unrenderable])
    daily, data_problems = (
        (None, [])
        if _leaves_data_unread(meta, catalog, findings, aside)
        else _load_daily(meta, catalog, project)
    )
    if data_problems:
        # The write-up points at its data file, so neither is missing from the error list.
        pointer = Finding(
            ("data",),
            f"the data file has {plural(len(data_problems), 'problem')}, listed under its own name",
            hint=f"fix {meta.data} too"
            if problems
            else f"fix {meta.data}; the write-up itself is fine",
        )
        problems += [pointer.at(shown, source.locate), *data_problems]
    elif daily is not None:
        problems += [f.at(shown, source.locate) for f in disagreements(meta, daily)]
    locate = FieldPositions.of(source.locate, source.data)
    if problems or unrenderable:
        parent = None if "parent" in aside else meta.parent
        return replace(broken([*problems, *unrenderable]), locate=locate, parent=parent)
    warnings = tuple(
        replace(w.at(shown, source.locate), severity="warning") for w in name_warnings(meta)
    )
    entry = Entry(meta, source.body, shown, daily, key)
    return Loaded(entry, [], locate, declared["id"], meta.visibility.value, warnings)


def _front_matter(
    source: Source, shown: str, catalog: Catalog, project: Path
) -> tuple[Experiment | None, list[Problem], list[Finding], frozenset[str]]:
    """The experiment (or the valid rest of it; ``None`` when the schema leaves nothing to
    check), its problems (the schema's, then the rules' on what the schema left), the
    rules' findings, and the fields the schema set aside."""
    schema: list[Problem] = []
    remainder = None
    try:
        meta = Experiment.model_validate(source.data)
    except ValidationError as exc:
        schema = from_validation_error(exc, shown, source.locate, known_fields)
        remainder = valid_remainder(source.data, exc, known_fields)
        if remainder is None:
            return None, schema, [], frozenset()
        meta = remainder.meta
    findings = check_experiment(meta, catalog, lambda rel: os.path.lexists(project / rel))
    if remainder is not None:
        findings = remainder.sift(findings)
    problems = schema
    if len(schema) <= MAX_PROBLEMS:  # else the schema's own list is capped and counted
        listed = [*schema, *(f.at(shown, source.locate) for f in findings[: MAX_PROBLEMS + 1])]
        problems = capped(listed[: MAX_PROBLEMS + 1], len(schema) + len(findings))
    return meta, problems, findings, remainder.aside if remainder else frozenset()


def _leaves_data_unread(
    meta: Experiment, catalog: Catalog, findings: list[Finding], aside: frozenset[str]
) -> bool:
    """Whether the data file cannot be read against the write-up: its path, the arms or
    the primary metric it is read with are themselves wrong."""
    if meta.data is None or {"arms", "data"} & aside:
        return True
    primary = meta.primary_metric
    if primary is not None and primary.name not in catalog.metrics:
        return True
    return any(f.loc[:1] in (("data",), ("arms",)) for f in findings)


def _source(path: Path, shown: str, project: Path, raw: bytes | None) -> Source:
    """The file's front-matter and write-up, once it is known to be one that may be read."""
    problem = unreadable(path, project, shown)
    if problem is None and path.suffix != EXPERIMENT_SUFFIX:
        problem = Problem.in_file(
            shown,
            "not an experiment write-up",
            expected=f"a Markdown file ending in {EXPERIMENT_SUFFIX}",
            found=f"'{path.suffix or path.name}'",
            hint="rename it, or keep non-experiment files outside the experiments folder",
        )
    if problem is not None:
        raise SourceError(problem)
    raw = read_write_up(path, project, shown) if raw is None else raw
    return parse_front_matter(decode(raw, shown), shown)


def _load_daily(
    meta: Experiment, catalog: Catalog, project: Path
) -> tuple[DailyData | None, list[Problem]]:
    """The day-by-day rows of the CSV a write-up names; its existence is already checked."""
    if meta.data is None:
        return None, []
    path = project / meta.data
    shown = display_path(path, project)
    try:
        text = read_text(path, project, shown, MAX_DATA_BYTES)
    except SourceError as exc:
        return None, [exc.problem]
    daily, problems = read_daily(text, shown, meta.arms)
    primary = meta.primary_metric
    if daily is None or primary is None:
        return daily, problems
    kind = catalog.metrics[primary.name].kind
    if kind in {MetricKind.PROPORTION, MetricKind.MEAN} and kind is not daily.kind:
        columns = ", ".join(ARM_MODELS[kind].model_fields)
        mismatch = Problem.in_file(
            shown,
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
    elif loc[:1] == ("plan",):
        model = Plan
    elif loc[:1] == ("metrics",) and len(loc) == 2:
        model = MetricResults
    elif len(loc) >= 4:
        return [field for arm in ARM_MODELS.values() for field in arm.model_fields]
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
