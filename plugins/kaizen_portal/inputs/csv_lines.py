"""CSV text -> records that know their line and the column of every cell.

Daily files are checked cell by cell, and every problem must point at the spot the author
sees in an editor, so the records carry their line and cell positions, which the
standard library's reader does not give.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate

from .problems import Problem, show

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class CsvRow:
    """One record of a CSV file, with where it stands in the file."""

    line: int  # 1-based line where the record starts
    cells: tuple[str, ...]  # stripped
    raw: str  # the line as written

    @cached_property
    def columns(self) -> tuple[int, ...]:
        """1-based character column where each cell's text starts; only problems need it."""
        return _columns(self.raw, len(self.cells))


def csv_rows(text: str, shown: str) -> Iterator[CsvRow | Problem]:
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
            yield Problem.in_file(
                shown,
                "this line cannot be read as CSV",
                expected="comma-separated cells",
                found=show(str(exc)),
                hint="check the quotes on this line",
                line=start,
            )
            if reader.line_num < start:  # nothing consumed: stop rather than loop forever
                return
            continue
        end = reader.line_num
        # the csv module closes a quote left open at the very end of the text by itself
        if end > start or (end == len(lines) and lines[-1].count('"') % 2):
            yield Problem.in_file(
                shown,
                "a quote is not closed on this line",
                expected="each row on one line",
                found=show(lines[start - 1]),
                hint=f"close the quote; lines {start} to {end} were read as one row"
                if end > start
                else "close the quote or remove it",
                line=start,
            )
        elif any(cell.strip() for cell in cells):
            yield CsvRow(start, tuple(c.strip() for c in cells), lines[start - 1])


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
