"""The day-by-day rows of an experiment, as a CSV an author exports and names in a write-up.

A write-up may name a CSV (``data: data/exp-2025-012.csv``) with one row per day and arm, in
one of two layouts: ``date, arm, users, conversions`` for a proportion or
``date, arm, n, mean, sd`` for a mean. The text is checked cell by cell so that one pass
reports every mistake with its line and column, the way the front-matter is checked.

Pure: the caller reads and decodes the file; nothing here touches the disk. The trend
drawn from the rows is worked out in ``analysis.trends``.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .csv_lines import CsvRow, csv_rows
from .daily_cells import DAILY, Bad, Hint, RowsFile, column_specs, parse_date
from .problems import MAX_PROBLEMS, Problem, capped, did_you_mean, plural, show
from .vocabulary import MetricKind

LAYOUTS = DAILY.layouts


# A test runs weeks or months: past this many days a file is years of data, and its chart
# would be a page of megabytes.
MAX_DAYS = 1_000


@dataclass(frozen=True, eq=False)
class DailyData:
    """The valid rows of one CSV; compared and hashed by identity, as its rows are dicts."""

    path: str  # the CSV's display path, as given
    kind: MetricKind  # PROPORTION or MEAN
    arms: tuple[str, ...]  # the experiment's arms, control first
    # One mapping per valid row, keyed by the layout's column names, in file order.
    records: tuple[dict[str, object], ...]


def read_daily(
    text: str, shown: str, arms: Sequence[str], rows: RowsFile = DAILY
) -> tuple[DailyData | None, list[Problem]]:
    """Parse and validate; either data with no problems, or None with at least one problem.
    ``rows=TOTALS`` reads a file of one row per arm, without dates, the same way.

    Never raises on any text: a file an author typed must become problems, not a traceback.
    """
    reader = _Reader(shown, tuple(dict.fromkeys(arms)), rows)
    data = reader.read(text)
    if data is not None:
        return data, []
    problems = sorted(reader.problems, key=lambda p: (p.line, p.column))
    return None, capped(problems, reader.total)


class _Reader:
    """One pass over one file, collecting every problem on the way."""

    def __init__(self, shown: str, arms: tuple[str, ...], rows: RowsFile) -> None:
        self.shown = shown
        self.arms = arms
        self.rows = rows
        self.layouts = rows.layouts
        self.problems: list[Problem] = []
        self.total = 0  # problems found, including those only counted past the cap
        self.first_lines: dict[tuple[object, object], int] = {}  # (date, arm) -> line
        self.dates: set[object] = set()
        one_of = "one of " + ", ".join(f"'{a}'" for a in arms)
        self.specs = column_specs(one_of, self._parse_arm, rows)

    def add(
        self,
        line: int,
        column: int,
        field: str,
        message: str,
        expected: str = "",
        found: str = "",
        hint: Hint = "",
    ) -> None:
        """Record a problem; past the cap later lines are only counted, so garbage stays cheap.

        Problems arrive in line order except file-level ones at the header line, so whatever
        is dropped here lies after everything kept.
        """
        self.total += 1
        if self._full(line):
            return
        text = hint if isinstance(hint, str) else hint()
        self.problems.append(
            Problem(self.shown, line, column, field, message, expected, found, text)
        )

    def add_cell(
        self,
        row: CsvRow,
        index: int,
        field: str,
        message: str,
        expected: str,
        found: str,
        hint: Hint,
    ) -> None:
        """A problem in one cell; its column is worked out only if the problem will be shown."""
        column = 1 if self._full(row.line) else row.columns[index]
        self.add(row.line, column, field, message, expected, found, hint)

    def _full(self, line: int) -> bool:
        return len(self.problems) > MAX_PROBLEMS and line > self.problems[-1].line

    def read(self, text: str) -> DailyData | None:
        records = csv_rows(text, self.shown)
        header = self._first_row(records)
        if header is None:
            if self.total:  # nothing readable, and that is already said
                return None
            self.add(
                1,
                1,
                "",
                "the file is empty",
                expected="a header line such as " + ",".join(self.layouts[MetricKind.PROPORTION]),
                hint=f"add the header, then one row per {self.rows.per}",
            )
            return None
        kind = self._check_header(header)
        names = self.layouts[kind] if kind else self.rows.shared
        where = {name: header.cells.index(name) for name in names if name in header.cells}
        if not self.arms:
            self.add(
                header.line,
                1,
                "arm",
                "the write-up lists no arms to match the rows against",
                expected="the experiment's arms, control first",
                hint="add 'arms: [control, variant]' to the write-up",
            )
        body: list[CsvRow] = []
        values: list[dict[str, object]] = []
        unreadable = 0
        for record in records:
            if isinstance(record, Problem):
                self._add_problem(record)
                unreadable += 1
            else:
                body.append(record)
                values.append(self._check_row(record, header, where))
        if not body and not unreadable and kind is not None:
            self.add(
                header.line,
                1,
                "",
                "the file has a header but no rows",
                expected=f"one row per {self.rows.per}",
                hint="add the daily numbers below the header, or remove 'data:' from the write-up"
                if self.rows is DAILY
                else f"add one row per {self.rows.per} below the header",
            )
        elif "arm" in where and not unreadable:  # an unreadable line may hold the arm's rows
            self._check_every_arm(header, where["arm"], body)
        if self.total or kind is None:
            return None
        return DailyData(self.shown, kind, self.arms, tuple(values))

    def _first_row(self, records: Iterator[CsvRow | Problem]) -> CsvRow | None:
        for record in records:
            if isinstance(record, CsvRow):
                return record
            self._add_problem(record)
        return None

    def _add_problem(self, p: Problem) -> None:
        self.add(p.line, p.column, p.field, p.message, p.expected, p.found, p.hint)

    # --- header ---------------------------------------------------------------------------

    def _check_header(self, header: CsvRow) -> MetricKind | None:
        """The layout the header names, or None (with a problem) when it names neither.

        Near-miss names count towards a layout, so ``user, conversion`` is reported as two
        typos of the proportion layout rather than as an unrecognisable header.
        """
        known = self.rows.known
        if len(header.cells) > 2 * len(known):  # not a header; spare difflib a long line
            self._neither_layout(header, both=False)
            return None
        guesses = [_closest(name, known) for name in header.cells]
        kinds = {
            kind
            for kind, names in self.layouts.items()
            if any(g in names and g not in self.rows.shared for g in guesses)
        }
        if len(kinds) != 1:
            self._neither_layout(header, both=len(kinds) > 1)
            return None
        kind = kinds.pop()
        self._check_column_names(header, kind)
        layout = self.layouts[kind]
        misspelt = {guesses[i] for i, name in enumerate(header.cells) if name not in layout}
        for name in layout:
            if name not in header.cells and name not in misspelt:
                self.add(
                    header.line,
                    1,
                    name,
                    "missing column",
                    expected=f"the columns {', '.join(layout)}",
                    found=show(", ".join(header.cells)),
                    hint=f"add a '{name}' column",
                )
        return kind

    def _check_column_names(self, header: CsvRow, kind: MetricKind) -> None:
        """Each name once, each one of the layout's, none left empty."""
        layout = self.layouts[kind]
        seen: set[str] = set()
        for index, (name, column) in enumerate(zip(header.cells, header.columns, strict=True)):
            if name == "":
                last = index == len(header.cells) - 1
                self.add(
                    header.line,
                    column,
                    "",
                    "a column has no name",
                    expected=f"a column of the {kind.value} layout: {', '.join(layout)}",
                    hint="remove the comma at the end of the line"
                    if last
                    else "name the column or remove it",
                )
            elif name in seen:
                self.add(
                    header.line,
                    column,
                    name,
                    "duplicate column",
                    expected="each column once",
                    found=show(name),
                    hint=f"remove one of the two '{name}' columns",
                )
            elif name not in layout:
                close = did_you_mean(name, layout)
                self.add(
                    header.line,
                    column,
                    name,
                    "unknown column",
                    expected=f"a column of the {kind.value} layout: {', '.join(layout)}",
                    found=show(name),
                    hint=close
                    if close.startswith("did you mean")
                    else "remove the column; names are exact and lowercase",
                )
            seen.add(name)

    def _neither_layout(self, header: CsvRow, both: bool) -> None:
        if both:
            hint = "keep the columns of one layout; a file holds one kind of metric"
        elif isinstance(parse_date(header.cells[0]), dt.date):
            hint = "the first line must name the columns; add a header line above the rows"
        else:
            hint = "rename the columns to those of one layout"
        self.add(
            header.line,
            1,
            "",
            f"the columns match neither {self.rows.name} layout",
            expected=" or ".join(
                f"{', '.join(names)} (a {kind.value})" for kind, names in self.layouts.items()
            ),
            found=show(", ".join(header.cells)),
            hint=hint,
        )

    # --- rows -----------------------------------------------------------------------------

    def _check_row(self, row: CsvRow, header: CsvRow, where: dict[str, int]) -> dict[str, object]:
        """The row's parsed values, or an empty dict once anything on it is wrong."""
        if len(row.cells) != len(header.cells):
            self.add(
                row.line,
                1,
                "",
                "wrong number of cells",
                expected=f"{len(header.cells)} cells, one per column of the header",
                found=plural(len(row.cells), "cell"),
                hint="check for a missing or extra comma; quote a cell that holds a comma",
            )
            return {}
        values: dict[str, object] = {}
        before = self.total
        for name, index in where.items():
            if name == "arm" and not self.arms:
                continue
            cell, spec = row.cells[index], self.specs[name]
            if cell == "":
                self.add_cell(
                    row, index, name, "missing value", spec.expected, "", spec.missing_hint
                )
                continue
            parsed = spec.parse(cell)
            if isinstance(parsed, Bad):
                expected = parsed.expected or spec.expected
                self.add_cell(row, index, name, parsed.message, expected, show(cell), parsed.hint)
            else:
                values[name] = parsed
        users, conversions = values.get("users"), values.get("conversions")
        if isinstance(users, int) and isinstance(conversions, int) and conversions > users:
            self.add_cell(
                row,
                where["conversions"],
                "conversions",
                "more conversions than users",
                expected=f"at most {users} conversions",
                found=f"{conversions} conversions of {users} users",
                hint="a rate cannot be above 100%; check that the columns are not swapped",
            )
        self._check_duplicate(row, values, where)
        return values if self.total == before else {}

    def _check_duplicate(
        self, row: CsvRow, values: dict[str, object], where: dict[str, int]
    ) -> None:
        if "date" in values and values["date"] not in self.dates:
            self.dates.add(values["date"])
            if len(self.dates) == MAX_DAYS + 1:  # said once, at the first day too many
                self.add(
                    row.line,
                    row.columns[where["date"]],
                    "date",
                    "more days than a test runs",
                    expected=f"at most {MAX_DAYS:,} different days",
                    found=show(str(values["date"])),
                    hint="give the days of the test only; a test runs weeks or months",
                )
        if any(name not in values for name in self.rows.shared):
            return
        key = (values.get("date"), values["arm"])
        first = self.first_lines.setdefault(key, row.line)
        if first != row.line:
            day = f"{values['date']} and " if "date" in values else ""
            self.add(
                row.line,
                1,
                "",
                f"duplicate row for {day}arm '{values['arm']}' (the first is on line {first})",
                hint=f"keep one row per {self.rows.key}; delete or correct one of the two",
            )

    def _check_every_arm(self, header: CsvRow, index: int, body: list[CsvRow]) -> None:
        """An arm with no row at all is almost always a misspelt arm in every row."""
        present = {row.cells[index] for row in body if index < len(row.cells)}
        for arm in self.arms:
            if arm not in present:
                self.add(
                    header.line,
                    header.columns[index],
                    "arm",
                    f"no rows for arm '{arm}'",
                    expected="rows for every arm of the write-up",
                    hint="check how the rows spell the arm; it must match the write-up's 'arms'",
                )

    def _parse_arm(self, cell: str) -> str | Bad:
        if cell in self.arms:
            return cell
        return Bad(
            "unknown arm",
            lambda: did_you_mean(cell, self.arms) or "use an arm from the write-up's 'arms' list",
        )


def _closest(name: str, known: tuple[str, ...]) -> str:
    """The known column a header name stands for, allowing for a typo."""
    if name in known:
        return name
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return close[0] if close else name
