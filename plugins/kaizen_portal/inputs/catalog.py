"""The portal's shared vocabulary in ``site_config/``: metrics, teams and settings.

Write-ups refer to metrics and teams by name; the catalog says what each name means
(label, unit, kind, which direction is better) so every page shows them the same way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, TypeVar

from pydantic import BaseModel, Field, StringConstraints, ValidationError

from .files import display_path, read_text
from .positioned_yaml import parse_yaml
from .problems import Finding, Loc, Problem, SourceError, show
from .schema import StrictModel
from .schema_errors import from_validation_error
from .vocabulary import (
    CORRECTION_LABELS,
    RESERVED_GROUP_SLUGS,
    Correction,
    Direction,
    MetricKind,
    group_slug,
)

METRICS_FILE = "metrics.yml"
TEAMS_FILE = "teams.yml"
SETTINGS_FILE = "portal.yml"

T = TypeVar("T", bound=BaseModel)

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class MetricDef(StrictModel):
    label: Label
    kind: MetricKind
    direction: Direction = Direction.HIGHER
    unit: Annotated[str, StringConstraints(max_length=12)] = ""
    description: str = ""


class TeamDef(StrictModel):
    description: str = ""


class Settings(StrictModel):
    """Portal-wide analysis settings, so every experiment is judged the same way."""

    confidence: Annotated[float, Field(gt=0.5, lt=1)] = 0.95
    correction: Correction = "holm"

    @property
    def correction_label(self) -> str:
        return CORRECTION_LABELS[self.correction]

    @property
    def level(self) -> str:
        """The confidence as readers see it beside an interval: ``95%``."""
        return confidence_level(self.confidence)


SETTINGS_HINTS = {
    "confidence": "give the confidence level as a fraction, such as 0.95 (95%) or 0.99",
}


def confidence_level(confidence: float) -> str:
    """95%, and as many decimals as an adjusted level needs to read below 100%: 99.2%."""
    for decimals in range(1, 5):
        percent = round(confidence * 100, decimals)
        if percent < 100:
            break
    return f"{percent:g}%"


@dataclass(frozen=True)
class Catalog:
    metrics: dict[str, MetricDef] = field(default_factory=dict)
    teams: dict[str, TeamDef] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)


def load_catalog(folder: Path, display_root: Path) -> tuple[Catalog, list[Problem]]:
    """Read the catalog; a missing teams or settings file means "anything goes" / defaults.

    The metric catalog is required: without it no number could be labelled or judged.
    """
    problems: list[Problem] = []
    metrics = _read_mapping(folder / METRICS_FILE, display_root, MetricDef, problems, required=True)
    teams = _read_mapping(folder / TEAMS_FILE, display_root, TeamDef, problems, required=False)
    settings = Settings()
    settings_path = folder / SETTINGS_FILE
    if os.path.lexists(settings_path):
        shown = display_path(settings_path, display_root)
        try:
            data, locate = parse_yaml(read_text(settings_path, display_root, shown), shown)
            settings = Settings.model_validate(data)
        except SourceError as exc:
            problems.append(exc.problem)
        except ValidationError as exc:
            problems.extend(
                from_validation_error(
                    exc, shown, locate, lambda _: Settings.model_fields, SETTINGS_HINTS
                )
            )
    return Catalog(metrics, teams, settings), problems


def reserved_name(loc: Loc, name: str) -> Finding:
    """A team, tag, person or metric whose page would be the list of all of them."""
    return Finding(
        loc,
        f"'{name}' would have the page that lists all of them",
        expected="any other name",
        found=show(name),
        hint="add a word to the name: the name alone is taken by the list",
    )


def _same_page(loc: Loc, name: str, first: str) -> Finding:
    """Two names that differ only in case or punctuation would be one page, half of each."""
    return Finding(
        loc,
        f"'{name}' would share its page with '{first}'",
        expected="names that differ in more than case, spaces or punctuation",
        found=show(name),
        hint=f"keep one of the two spellings; write-ups name it exactly as {first!r}",
    )


def _read_mapping(
    path: Path, display_root: Path, model: type[T], problems: list[Problem], *, required: bool
) -> dict[str, T]:
    shown = display_path(path, display_root)
    if not os.path.lexists(path):
        if required:
            problems.append(
                Problem.in_file(
                    shown,
                    "the file is missing",
                    hint=f"create {path.name}: see the authoring guide",
                )
            )
        return {}
    try:
        data, locate = parse_yaml(read_text(path, display_root, shown), shown)
    except SourceError as exc:
        problems.append(exc.problem)
        return {}
    entries: dict[str, T] = {}
    slugs: dict[str, str] = {}  # each name's page address, and the name that took it
    for name, value in data.items():
        slug = group_slug(str(name))
        if slug in RESERVED_GROUP_SLUGS:
            problems.append(reserved_name((name,), str(name)).at(shown, locate))
            continue
        if slug in slugs:
            problems.append(_same_page((name,), str(name), slugs[slug]).at(shown, locate))
            continue
        slugs[slug] = str(name)
        try:
            entries[str(name)] = model.model_validate(value or {})
        except ValidationError as exc:
            problems.extend(
                from_validation_error(
                    exc,
                    shown,
                    lambda loc, name=name: locate((name, *loc)),
                    lambda _loc: model.model_fields,
                )
            )
    return entries
