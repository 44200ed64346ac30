"""Problems found in the input, and how they are told to an author.

Every stage reports through ``Problem`` so that the command line, the MkDocs log and
the "needs attention" page all say the same thing: file, line, field, what was expected,
what was found, and a hint.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

Loc = tuple[str | int, ...]
# Maps a field path to (line, column) in the file it came from.
Locate = Callable[[Loc], tuple[int, int]]


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    column: int
    field: str
    message: str
    expected: str = ""
    found: str = ""
    hint: str = ""
    # A warning leaves the file published (a plain build shows it, a strict one fails).
    severity: Literal["error", "warning"] = "error"

    @classmethod
    def in_file(
        cls,
        path: str,
        message: str,
        *,
        expected: str = "",
        found: str = "",
        hint: str = "",
        line: int = 1,
    ) -> Problem:
        """A problem with the file as a whole (or a line of it), not with one field."""
        return cls(path, line, 1, "", message, expected, found, hint)

    @property
    def location(self) -> str:
        """``path:line:col``: what editors and CI turn into a link to the spot."""
        return f"{self.path}:{self.line}:{self.column}"

    @property
    def detail(self) -> str:
        """``(expected ..., found ...)``, or empty when there is nothing to compare."""
        if self.expected:
            return f"(expected {self.expected}, found {self.found or 'nothing'})"
        return f"(found {self.found})" if self.found else ""

    def format(self) -> str:
        """One line in the ``path:line:col: message`` form editors and CI annotate.

        Made printable: a file name or value may hold line breaks or a terminal's
        escape codes, which must neither break the line nor reach the terminal.
        """
        return printable(self.text())

    def text(self) -> str:
        """``format()`` as written, before it is made printable."""
        text = f"{self.location}: "
        if self.severity == "warning":
            text += "warning: "
        if self.field:
            text += f"{self.field}: "
        text += self.message
        if self.detail:
            text += f" {self.detail}"
        if self.hint:
            text += f". Hint: {self.hint}"
        return text


# Characters that steer a terminal or the direction of text rather than print: C0 and C1
# controls (escape codes, line breaks), the line and paragraph separators, the
# bidirectional overrides and isolates; and lone surrogates, which cannot be printed.
_STEERING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str, keep: str = "") -> str:
    """Text for a terminal or a log: each steering character but ``keep`` as its escape."""

    def escaped(match: re.Match[str]) -> str:
        char = match.group()
        return char if char in keep else char.encode("unicode_escape", "surrogatepass").decode()

    return _STEERING.sub(escaped, text)


class SourceError(Exception):
    """A file that cannot be read at all; its one problem says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.format())
        self.problem = problem


def field_name(loc: Loc) -> str:
    """``('metrics', 0, 'results', 'a')`` reads as ``metrics[0].results.a``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def show(value: Any, limit: int = 60) -> str:
    """A found value as the author would recognise it, cut short when huge."""
    if value is None:
        return "nothing"
    if isinstance(value, dt.date):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plural(n: int, noun: str) -> str:
    """``1 cycle``, ``3 cycles``: for nouns that take a plain s."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def not_published(broken: int, seen: int) -> str:
    """``1 of 3 experiment files is not published``: the count's own verb."""
    verb = "is" if broken == 1 else "are"
    return f"{broken:,} of {plural(seen, 'experiment file')} {verb} not published"


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The known word a typo most likely meant, if any is close."""
    close = difflib.get_close_matches(str(word), sorted(set(choices)), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the closest known word, or the known words when none is close."""
    options = sorted(set(choices))
    meant = closest(word, options)
    if meant is not None:
        return f"did you mean '{meant}'?"
    if 0 < len(options) <= 8:
        return "use one of " + ", ".join(f"'{o}'" for o in options)
    return ""


@dataclass(frozen=True)
class Finding:
    """A broken rule at a field path; becomes a ``Problem`` once the file's lines are known."""

    loc: Loc
    message: str
    expected: str = ""
    found: str = ""
    hint: str = ""

    def at(self, path: str, locate: Locate) -> Problem:
        line, column = locate(self.loc)
        return Problem(
            path,
            line,
            column,
            field_name(self.loc),
            self.message,
            self.expected,
            self.found,
            self.hint,
        )


MAX_PROBLEMS = 20  # a garbage file must not bury the log; the rest is counted, not listed


def capped(problems: list[Problem], total: int) -> list[Problem]:
    """The first problems, then one line counting the rest (``total`` counts all found)."""
    if total <= MAX_PROBLEMS + 1:
        return problems
    rest = total - MAX_PROBLEMS
    first_hidden = problems[MAX_PROBLEMS]
    return [
        *problems[:MAX_PROBLEMS],
        Problem.in_file(
            first_hidden.path,
            f"and {plural(rest, 'more problem')}",
            hint="fix the problems above and build again to see the rest",
            line=first_hidden.line,
        ),
    ]
