"""The cells of a daily CSV: its layouts, what each column holds, how a cell is read or refused.

A refused cell says why in an author's words, and its hint is worked out only if the
problem is shown, so a garbage file of many bad cells stays cheap to check.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from .schema import EARLIEST_DATE, LATEST_DATE, MAX_COUNT, MAX_MAGNITUDE, arm_fields
from .vocabulary import MetricKind

_DATE_FORM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE_FORM = re.compile(r"-?[0-9]+")

Hint = str | Callable[[], str]  # a callable defers costly hints until a problem is shown


@dataclass(frozen=True)
class RowsFile:
    """What a file's rows are per: a day and an arm (a daily file) or an arm (its totals)."""

    name: str  # "daily": its layouts' name in problems
    shared: tuple[str, ...]  # the columns before a metric kind's own
    per: str  # "day and arm": what one row is for
    key: str  # "date and arm": what no two rows may share
    one: str  # "a day": what a row's numbers count, in hints

    @property
    def its(self) -> str:
        """``the day's``, ``the arm's``."""
        return f"the {self.one.split()[-1]}'s"

    @property
    def layouts(self) -> dict[MetricKind, tuple[str, ...]]:
        return {
            kind: (*self.shared, *arm_fields(kind))
            for kind in (MetricKind.PROPORTION, MetricKind.MEAN)
        }

    @property
    def known(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(n for names in self.layouts.values() for n in names))


DAILY = RowsFile("daily", ("date", "arm"), "day and arm", "date and arm", "a day")
TOTALS = RowsFile("totals", ("arm",), "arm", "arm", "an arm")  # a tool's per-arm export


@dataclass(frozen=True)
class Bad:
    """Why a cell was rejected; ``expected`` overrides the column's usual wording."""

    message: str
    hint: Hint
    expected: str = ""


@dataclass(frozen=True)
class Column:
    """What a column holds, in an author's words, and how its cells are read."""

    expected: str
    missing_hint: str
    parse: Callable[[str], object]  # the value, or a Bad


def parse_date(cell: str) -> dt.date | Bad:
    # fromisoformat alone would also take 20250616 and 2025-W25-1
    if not _DATE_FORM.fullmatch(cell):
        return Bad("not a date", "write the date as year-month-day, e.g. 2025-06-16")
    try:
        day = dt.date.fromisoformat(cell)
    except ValueError:
        return Bad("no such day", "check the month and the day")
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        return Bad(
            "the date is out of range",
            "check the year",
            expected=f"a date from {EARLIEST_DATE} to {LATEST_DATE}",
        )
    return day


def count_parser(minimum: int, one: str = "a day") -> Callable[[str], int | Bad]:
    below = (
        Bad("a count cannot be negative", "write 0 for none")
        if minimum == 0
        else Bad(
            f"{one} needs at least one observation",
            f"leave out the row of {one} without observations",
        )
    )

    def parse(cell: str) -> int | Bad:
        if not _WHOLE_FORM.fullmatch(cell):
            return Bad("not a whole number", "write the count in digits only, e.g. 508")
        digits = cell.removeprefix("-").lstrip("0") or "0"
        if cell.startswith("-") and digits != "0":
            return below
        # length first: int() refuses strings beyond 4300 digits
        if len(digits) > len(str(MAX_COUNT)) or int(digits) > MAX_COUNT:
            return Bad(
                "implausibly large count",
                "check that the column holds a count",
                expected=f"a whole number up to {MAX_COUNT:,}",
            )
        value = int(digits)
        return below if value < minimum else value

    return parse


def number_parser(minimum: float | None, its: str = "the day's") -> Callable[[str], float | Bad]:

    def parse(cell: str) -> float | Bad:
        try:
            value = float(cell)
        except ValueError:
            if "," in cell:
                return Bad("not a number", "use a point as the decimal separator, e.g. 12.5")
            return Bad("not a number", "write a plain number, e.g. 12.5")
        if not math.isfinite(value):
            return Bad("not a finite number", f"give {its} actual value")
        if abs(value) > MAX_MAGNITUDE:
            return Bad(
                "implausibly large number",
                "check the unit and the decimal point",
                expected=f"a number between -{MAX_MAGNITUDE:,.0f} and {MAX_MAGNITUDE:,.0f}",
            )
        if minimum is not None and value < minimum:
            return Bad(
                "a standard deviation cannot be negative", "give the standard deviation itself"
            )
        return value

    return parse


def column_specs(
    arm_names: str, parse_arm: Callable[[str], object], rows: RowsFile = DAILY
) -> dict[str, Column]:
    """Every column either layout may have; ``arm_names`` lists the write-up's arms."""
    one, its = rows.one, rows.its
    return {
        "date": Column("a date like 2025-06-16", "give every row its date", parse_date),
        "arm": Column(arm_names, "give every row its arm", parse_arm),
        "users": Column("a whole number ≥ 0", f"write 0 for {one} without users", count_parser(0)),
        "conversions": Column(
            "a whole number ≥ 0", f"write 0 for {one} without conversions", count_parser(0)
        ),
        "n": Column(
            "a whole number ≥ 1",
            f"leave out the row of {one} without observations",
            count_parser(1, one),
        ),
        "mean": Column("a number like 12.5", f"give {its} mean", number_parser(None, its)),
        "sd": Column(
            "a number ≥ 0 like 3.2",
            f"give {its} standard deviation (0 when all values were equal)",
            number_parser(0.0, its),
        ),
    }
