"""Day-by-day rows of an experiment, and the cumulative trend the portal draws from them.

A write-up may name a CSV (``data: data/exp-2025-012.csv``) with one row per day and arm, in
one of two layouts: ``date, arm, users, conversions`` for a proportion or
``date, arm, n, mean, sd`` for a mean. The text is checked cell by cell so that one pass
reports every mistake with its line and column, the way the front-matter is checked.

Pure: the caller reads and decodes the file; nothing here touches the disk or MkDocs.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import astuple, dataclass
from functools import cached_property
from itertools import accumulate
from typing import TYPE_CHECKING, NamedTuple

from . import fmt
from .model import MAX_COUNT, MetricKind
from .problems import Problem, did_you_mean, show

if TYPE_CHECKING:
    # pandas and the statistics stack load on first use: `kaizen check` reads CSV rows but
    # computes no trend, and importing them would triple its start-up time.
    import pandas as pd

    from . import stats

LAYOUTS: dict[MetricKind, tuple[str, ...]] = {
    MetricKind.PROPORTION: ("date", "arm", "users", "conversions"),
    MetricKind.MEAN: ("date", "arm", "n", "mean", "sd"),
}
_KNOWN = tuple(dict.fromkeys(name for names in LAYOUTS.values() for name in names))
_SHARED = ("date", "arm")
_BOTH_LAYOUTS = "date, arm, users, conversions (a proportion) or date, arm, n, mean, sd (a mean)"

MAX_PROBLEMS = 20  # a garbage file must not bury the log; the rest is counted, not listed

_DATE_FORM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE_FORM = re.compile(r"-?[0-9]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, eq=False)
class DailyData:
    """The valid rows of one CSV; ``eq=False`` as DataFrames do not compare to a bool."""

    path: str  # the CSV's display path, as given
    kind: MetricKind  # PROPORTION or MEAN
    arms: tuple[str, ...]  # the experiment's arms, control first
    # One mapping per valid row, keyed by the layout's column names, in file order.
    records: tuple[dict[str, object], ...]

    @cached_property
    def frame(self) -> pd.DataFrame:
        """One row per (date, arm), sorted by date then arm order: date (datetime.date), arm,
        and users, conversions (int) or n (int), mean, sd (float). Built on first use."""
        import pandas as pd

        frame = pd.DataFrame.from_records(list(self.records), columns=list(LAYOUTS[self.kind]))
        rank = {arm: i for i, arm in enumerate(self.arms)}
        frame["_rank"] = frame["arm"].map(rank)
        frame = frame.sort_values(["date", "_rank"], kind="stable").drop(columns="_rank")
        counts = ("users", "conversions") if self.kind is MetricKind.PROPORTION else ("n",)
        types: dict[str, str] = {name: "int64" for name in counts}
        if self.kind is MetricKind.MEAN:
            types |= {"mean": "float64", "sd": "float64"}
        return frame.astype(types).reset_index(drop=True)


@dataclass(frozen=True)
class ArmTrend:
    arm: str
    dates: tuple[dt.date, ...]
    values: tuple[float | None, ...]  # cumulative rate or mean; None while undefined


@dataclass(frozen=True)
class LiftTrend:
    arm: str  # a variant arm
    dates: tuple[dt.date, ...]
    lift: tuple[float | None, ...]  # cumulative relative lift vs control; None when undefined
    ci_low: tuple[float | None, ...]
    ci_high: tuple[float | None, ...]


@dataclass(frozen=True)
class Trend:
    kind: MetricKind
    dates: tuple[dt.date, ...]  # every date in the file, ascending
    arms: tuple[ArmTrend, ...]  # every arm, control first
    lifts: tuple[LiftTrend, ...]  # every variant arm, in arm order


# --- reading ------------------------------------------------------------------------------


def read_daily(
    text: str, shown: str, arms: Sequence[str]
) -> tuple[DailyData | None, list[Problem]]:
    """Parse and validate; either data with no problems, or None with at least one problem.

    Never raises on any text: a file an author typed must become problems, not a traceback.
    """
    reader = _Reader(shown, tuple(dict.fromkeys(arms)))
    data = reader.read(text)
    if data is not None:
        return data, []
    problems = sorted(reader.problems, key=lambda p: (p.line, p.column))
    return None, _capped(problems, reader.total)


Hint = str | Callable[[], str]  # a callable defers costly hints until a problem is shown


@dataclass(frozen=True)
class _Row:
    line: int  # 1-based line where the record starts
    cells: tuple[str, ...]  # stripped
    raw: str  # the line as written

    @cached_property
    def columns(self) -> tuple[int, ...]:
        """1-based character column where each cell's text starts; only problems need it."""
        return _columns(self.raw, len(self.cells))


@dataclass(frozen=True)
class _Bad:
    """Why a cell was rejected; ``expected`` overrides the column's usual wording."""

    message: str
    hint: Hint
    expected: str = ""


@dataclass(frozen=True)
class _Column:
    expected: str
    missing_hint: str
    parse: Callable[[str], object]  # the value, or a _Bad


def _records(text: str, shown: str) -> Iterator[_Row | Problem]:
    """Non-blank CSV records with the line and column of every cell.

    Lines are split the way editors number them, so the reported line is the one the author
    sees. No cell of a daily file holds a line break, so a record spanning lines is an
    unclosed quote, reported as such rather than as the odd cells it swallowed. A row of empty
    cells counts as blank: spreadsheets export trailing empty rows as bare commas.
    """
    lines = _LINE_BREAK.split(text.removeprefix("\ufeff"))
    reader = csv.reader(line + "\n" for line in lines)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Problem(
                shown,
                start,
                1,
                "",
                "this line cannot be read as CSV",
                expected="comma-separated cells",
                found=show(str(exc)),
                hint="check the quotes on this line",
            )
            if reader.line_num < start:  # nothing consumed: stop rather than loop forever
                return
            continue
        end = reader.line_num
        # the csv module closes a quote left open at the very end of the text by itself
        if end > start or (end == len(lines) and lines[-1].count('"') % 2):
            yield Problem(
                shown,
                start,
                1,
                "",
                "a quote is not closed on this line",
                expected="each row on one line",
                found=show(lines[start - 1]),
                hint=f"close the quote; lines {start} to {end} were read as one row"
                if end > start
                else "close the quote or remove it",
            )
        elif any(cell.strip() for cell in cells):
            yield _Row(start, tuple(c.strip() for c in cells), lines[start - 1])


def _columns(raw: str, count: int) -> tuple[int, ...]:
    """Where each cell's text starts; column 1 when quoting makes the raw text ambiguous."""
    if '"' in raw:
        pieces, quoted = [""], False
        for char in raw:  # split at the commas outside quotes
            if char == '"':
                quoted = not quoted
            if char == "," and not quoted:
                pieces.append("")
            else:
                pieces[-1] += char
    else:
        pieces = raw.split(",")
    if len(pieces) != count:
        return (1,) * count
    starts = accumulate((len(piece) + 1 for piece in pieces[:-1]), initial=0)
    return tuple(
        start + len(piece) - len(piece.lstrip()) + 1
        for start, piece in zip(starts, pieces, strict=True)
    )


class _Reader:
    """One pass over one file, collecting every problem on the way."""

    def __init__(self, shown: str, arms: tuple[str, ...]) -> None:
        self.shown = shown
        self.arms = arms
        self.problems: list[Problem] = []
        self.total = 0  # problems found, including those only counted past the cap
        self.first_lines: dict[tuple[object, object], int] = {}  # (date, arm) -> line
        one_of = "one of " + ", ".join(f"'{a}'" for a in arms)
        self.specs: dict[str, _Column] = {
            "date": _Column("a date like 2025-06-16", "give every row its date", _parse_date),
            "arm": _Column(one_of, "give every row its arm", self._parse_arm),
            "users": _Column(
                "a whole number ≥ 0", "write 0 for a day without users", _count_parser(0)
            ),
            "conversions": _Column(
                "a whole number ≥ 0", "write 0 for a day without conversions", _count_parser(0)
            ),
            "n": _Column(
                "a whole number ≥ 1",
                "leave out the row of a day without observations",
                _count_parser(1),
            ),
            "mean": _Column("a number like 12.5", "give the day's mean", _number_parser(None)),
            "sd": _Column(
                "a number ≥ 0 like 3.2",
                "give the day's standard deviation (0 when all values were equal)",
                _number_parser(0.0),
            ),
        }

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
        row: _Row,
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
        records = _records(text, self.shown)
        header = self._first_row(records)
        if header is None:
            if self.total:  # nothing readable, and that is already said
                return None
            self.add(
                1,
                1,
                "",
                "the file is empty",
                expected="a header line such as date,arm,users,conversions",
                hint="add the header, then one row per day and arm",
            )
            return None
        kind = self._check_header(header)
        names = LAYOUTS[kind] if kind else _SHARED
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
        body: list[_Row] = []
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
                expected="one row per day and arm",
                hint="add the daily numbers below the header, or remove 'data:' from the write-up",
            )
        elif "arm" in where and not unreadable:  # an unreadable line may hold the arm's rows
            self._check_every_arm(header, where["arm"], body)
        if self.total or kind is None:
            return None
        return DailyData(self.shown, kind, self.arms, tuple(values))

    def _first_row(self, records: Iterator[_Row | Problem]) -> _Row | None:
        for record in records:
            if isinstance(record, _Row):
                return record
            self._add_problem(record)
        return None

    def _add_problem(self, problem: Problem) -> None:
        self.add(*astuple(problem)[1:])

    # --- header ---------------------------------------------------------------------------

    def _check_header(self, header: _Row) -> MetricKind | None:
        """The layout the header names, or None (with a problem) when it names neither.

        Near-miss names count towards a layout, so ``user, conversion`` is reported as two
        typos of the proportion layout rather than as an unrecognisable header.
        """
        if len(header.cells) > 2 * len(_KNOWN):  # not a header; spare difflib a long line
            self._neither_layout(header, both=False)
            return None
        guesses = [_closest(name) for name in header.cells]
        kinds = {
            kind
            for kind, names in LAYOUTS.items()
            if any(g in names and g not in _SHARED for g in guesses)
        }
        if len(kinds) != 1:
            self._neither_layout(header, both=len(kinds) > 1)
            return None
        kind = kinds.pop()
        layout = LAYOUTS[kind]
        seen: dict[str, int] = {}
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
            seen.setdefault(name, index)
        misspelt = {guesses[i] for i, name in enumerate(header.cells) if name not in layout}
        for name in layout:
            if name not in seen and name not in misspelt:
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

    def _neither_layout(self, header: _Row, both: bool) -> None:
        if both:
            hint = "keep the columns of one layout; a file holds one kind of metric"
        elif isinstance(_parse_date(header.cells[0]), dt.date):
            hint = "the first line must name the columns; add a header line above the rows"
        else:
            hint = "rename the columns to those of one layout"
        self.add(
            header.line,
            1,
            "",
            "the columns match neither daily layout",
            expected=_BOTH_LAYOUTS,
            found=show(", ".join(header.cells)),
            hint=hint,
        )

    # --- rows -----------------------------------------------------------------------------

    def _check_row(self, row: _Row, header: _Row, where: dict[str, int]) -> dict[str, object]:
        """The row's parsed values, or an empty dict once anything on it is wrong."""
        if len(row.cells) != len(header.cells):
            self.add(
                row.line,
                1,
                "",
                "wrong number of cells",
                expected=f"{len(header.cells)} cells, one per column of the header",
                found=fmt.plural(len(row.cells), "cell"),
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
            if isinstance(parsed, _Bad):
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
        self._check_duplicate(row, values)
        return values if self.total == before else {}

    def _check_duplicate(self, row: _Row, values: dict[str, object]) -> None:
        if "date" not in values or "arm" not in values:
            return
        key = (values["date"], values["arm"])
        first = self.first_lines.setdefault(key, row.line)
        if first != row.line:
            self.add(
                row.line,
                1,
                "",
                f"duplicate row for {values['date']} and arm '{values['arm']}' "
                f"(the first is on line {first})",
                hint="keep one row per date and arm; delete or correct one of the two",
            )

    def _check_every_arm(self, header: _Row, index: int, body: list[_Row]) -> None:
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

    def _parse_arm(self, cell: str) -> str | _Bad:
        if cell in self.arms:
            return cell
        return _Bad(
            "unknown arm",
            lambda: did_you_mean(cell, self.arms) or "use an arm from the write-up's 'arms' list",
        )


def _closest(name: str) -> str:
    """The known column a header name stands for, allowing for a typo."""
    if name in _KNOWN:
        return name
    close = difflib.get_close_matches(name, _KNOWN, n=1, cutoff=0.6)
    return close[0] if close else name


def _parse_date(cell: str) -> dt.date | _Bad:
    # fromisoformat alone would also take 20250616 and 2025-W25-1
    if not _DATE_FORM.fullmatch(cell):
        return _Bad("not a date", "write the date as year-month-day, e.g. 2025-06-16")
    try:
        return dt.date.fromisoformat(cell)
    except ValueError:
        return _Bad("no such day", "check the month and the day")


def _count_parser(minimum: int) -> Callable[[str], int | _Bad]:
    below = (
        _Bad("a count cannot be negative", "write 0 for none")
        if minimum == 0
        else _Bad(
            "a day needs at least one observation",
            "leave out the row of a day without observations",
        )
    )

    def parse(cell: str) -> int | _Bad:
        if not _WHOLE_FORM.fullmatch(cell):
            return _Bad("not a whole number", "write the count in digits only, e.g. 508")
        digits = cell.removeprefix("-").lstrip("0") or "0"
        if cell.startswith("-") and digits != "0":
            return below
        # length first: int() refuses strings beyond 4300 digits
        if len(digits) > len(str(MAX_COUNT)) or int(digits) > MAX_COUNT:
            return _Bad(
                "implausibly large count",
                "check that the column holds a count",
                expected=f"a whole number up to {MAX_COUNT:,}",
            )
        value = int(digits)
        return below if value < minimum else value

    return parse


def _number_parser(minimum: float | None) -> Callable[[str], float | _Bad]:
    def parse(cell: str) -> float | _Bad:
        try:
            value = float(cell)
        except ValueError:
            if "," in cell:
                return _Bad("not a number", "use a point as the decimal separator, e.g. 12.5")
            return _Bad("not a number", "write a plain number, e.g. 12.5")
        if not math.isfinite(value):
            return _Bad("not a finite number", "give the day's actual value")
        if minimum is not None and value < minimum:
            return _Bad(
                "a standard deviation cannot be negative", "give the standard deviation itself"
            )
        return value

    return parse


def _capped(problems: list[Problem], total: int) -> list[Problem]:
    """The first problems, then one line counting the rest (``total`` counts all found)."""
    if total <= MAX_PROBLEMS + 1:
        return problems
    rest = total - MAX_PROBLEMS
    first_hidden = problems[MAX_PROBLEMS]
    return [
        *problems[:MAX_PROBLEMS],
        Problem(
            first_hidden.path,
            first_hidden.line,
            1,
            "",
            f"and {fmt.plural(rest, 'more problem')}",
            hint="fix the problems above and build again to see the rest",
        ),
    ]


# --- trend --------------------------------------------------------------------------------


def trend(data: DailyData, confidence: float = 0.95) -> Trend:
    """Cumulative value per arm and cumulative lift per variant, one point per date.

    A date on which an arm has no row adds nothing to it, so its values carry forward.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    arms = data.arms
    dates = tuple(sorted(set(data.frame["date"])))
    values: dict[str, tuple[float | None, ...]] = {}
    points: dict[str, list[Point]] = {}
    if data.kind is MetricKind.PROPORTION:
        totals = _proportion_totals(data.frame, arms, dates)
        for arm in arms:
            values[arm] = tuple(conv / users if users else None for users, conv in totals[arm])
        for arm in arms[1:]:
            pairs = zip(totals[arms[0]], totals[arm], strict=True)
            points[arm] = [_compare_rates(c, v, confidence) for c, v in pairs]
    else:
        summaries = _pooled_summaries(data.frame, arms, dates)
        for arm in arms:
            values[arm] = tuple(summary.mean for summary in summaries[arm])
        for arm in arms[1:]:
            pairs = zip(summaries[arms[0]], summaries[arm], strict=True)
            points[arm] = [_compare_summaries(c, v, confidence) for c, v in pairs]
    return Trend(
        data.kind,
        dates,
        tuple(ArmTrend(arm, dates, values[arm]) for arm in arms),
        tuple(_lift_trend(arm, dates, points[arm]) for arm in arms[1:]),
    )


Point = tuple[float | None, float | None, float | None]  # lift, ci_low, ci_high
_NO_POINT: Point = (None, None, None)


class _Summary(NamedTuple):
    """A pooled sample; mean and sd are None while undefined (or beyond float range)."""

    n: int
    mean: float | None
    sd: float | None


def _cumulative(
    frame: pd.DataFrame, columns: list[str], arms: tuple[str, ...], dates: tuple[dt.date, ...]
) -> pd.DataFrame:
    """Running sums per (column, arm) over every date; a missing day adds zero.

    groupby-unstack, not pivot_table: the same table at half the cost, paid per CSV.
    """
    import pandas as pd

    wide = frame.groupby(["date", "arm"], sort=False)[columns].sum().unstack("arm", fill_value=0)
    full = pd.MultiIndex.from_product([columns, arms])
    return wide.reindex(index=list(dates), columns=full, fill_value=0).cumsum()


def _proportion_totals(
    frame: pd.DataFrame, arms: tuple[str, ...], dates: tuple[dt.date, ...]
) -> dict[str, list[tuple[int, int]]]:
    """Cumulative (users, conversions) per arm and date."""
    sums = _cumulative(frame, ["users", "conversions"], arms, dates)
    return {
        arm: [
            (int(u), int(c))
            for u, c in zip(sums["users"][arm], sums["conversions"][arm], strict=True)
        ]
        for arm in arms
    }


def _pooled_summaries(
    frame: pd.DataFrame, arms: tuple[str, ...], dates: tuple[dt.date, ...]
) -> dict[str, list[_Summary]]:
    """Daily summaries pooled exactly: N = Σn, S = Σn·mean, Q = Σ[(n-1)·sd² + n·mean²].

    Each arm's means are first shifted by that arm's overall mean (the variance does not
    change), so Q - N·mean² does not cancel catastrophically when the mean dwarfs the sd.
    """
    import pandas as pd

    n = frame["n"].astype("float64")
    overall = (frame["mean"] * n).groupby(frame["arm"]).sum() / n.groupby(frame["arm"]).sum()
    centred = frame["mean"] - frame["arm"].map(overall).astype("float64")
    parts = pd.DataFrame(
        {
            "date": frame["date"],
            "arm": frame["arm"],
            "n": frame["n"],
            "s": n * centred,
            "q": (n - 1) * frame["sd"] ** 2 + n * centred**2,
        }
    )
    sums = _cumulative(parts, ["n", "s", "q"], arms, dates)
    return {
        arm: [
            _pooled(int(big_n), float(s), float(q), float(overall.get(arm, 0.0)))
            for big_n, s, q in zip(sums["n"][arm], sums["s"][arm], sums["q"][arm], strict=True)
        ]
        for arm in arms
    }


def _pooled(big_n: int, s: float, q: float, shift: float) -> _Summary:
    if big_n == 0:
        return _Summary(0, None, None)
    offset = s / big_n
    mean = _finite(shift + offset)
    if big_n < 2:
        return _Summary(big_n, mean, None)
    variance = (q - big_n * offset**2) / (big_n - 1)
    sd = _finite(math.sqrt(max(0.0, variance))) if math.isfinite(variance) else None
    return _Summary(big_n, mean, sd)


def _compare_rates(control: tuple[int, int], variant: tuple[int, int], confidence: float) -> Point:
    from . import stats

    (control_users, control_conv), (variant_users, variant_conv) = control, variant
    if control_users == 0 or variant_users == 0:
        return _NO_POINT
    return _point(
        stats.compare_proportions(
            control_users, control_conv, variant_users, variant_conv, confidence, mde=False
        )
    )


def _compare_summaries(control: _Summary, variant: _Summary, confidence: float) -> Point:
    from . import stats

    if control.mean is None or control.sd is None or variant.mean is None or variant.sd is None:
        return _NO_POINT  # also covers n < 2, where no sd exists
    return _point(
        stats.compare_means(
            control.n,
            control.mean,
            control.sd,
            variant.n,
            variant.mean,
            variant.sd,
            confidence,
            mde=False,
        )
    )


def _lift_trend(arm: str, dates: tuple[dt.date, ...], points: list[Point]) -> LiftTrend:
    return LiftTrend(
        arm,
        dates,
        tuple(p[0] for p in points),
        tuple(p[1] for p in points),
        tuple(p[2] for p in points),
    )


def _point(result: stats.Comparison) -> Point:
    """Undefined comes out as None: the chart must leave a gap, not plot a nan."""
    return _finite(result.lift), _finite(result.ci_low), _finite(result.ci_high)


def _finite(value: float | None) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None
