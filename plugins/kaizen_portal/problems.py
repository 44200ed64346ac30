"""Problems found in the input, and how they are told to an author.

Every stage reports through ``Problem`` so that the command line, the MkDocs log and
the "needs attention" page all say the same thing: file, line, field, what was expected,
what was found, and a hint.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from .model import ARM_KINDS, PATTERN_WORDS

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

    def format(self) -> str:
        """One line in the ``path:line:col: message`` form editors and CI annotate."""
        text = f"{self.path}:{self.line}:{self.column}: "
        if self.field:
            text += f"{self.field}: "
        text += self.message
        if self.expected:
            text += f" (expected {self.expected}, found {self.found or 'nothing'})"
        elif self.found:
            text += f" (found {self.found})"
        if self.hint:
            text += f". Hint: {self.hint}"
        return text


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


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the closest known word, or the known words when none is close."""
    options = sorted(set(choices))
    close = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if 0 < len(options) <= 8:
        return "use one of " + ", ".join(f"'{o}'" for o in options)
    return ""


# What each pydantic error type expects, in an author's words.
_EXPECTED: dict[str, str] = {
    "missing": "a value",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
    "list_type": "a list, e.g. [a, b]",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "date_type": "a date like 2025-03-10",
    "date_parsing": "a date like 2025-03-10",
    "date_from_datetime_parsing": "a date like 2025-03-10",
    "date_from_datetime_inexact": "a date without a time",
    "extra_forbidden": "a known field",
}


def _expected(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in _EXPECTED:
        return _EXPECTED[kind]
    if kind == "enum":
        return f"one of {ctx.get('expected', '')}"
    if kind == "greater_than_equal":
        return f"a number ≥ {_bound(ctx['ge'])}"
    if kind == "greater_than":
        return f"a number > {_bound(ctx['gt'])}"
    if kind == "less_than_equal":
        return f"a number ≤ {_bound(ctx['le'])}"
    if kind == "string_pattern_mismatch":
        return PATTERN_WORDS.get(ctx.get("pattern", ""), f"text matching {ctx.get('pattern')}")
    if kind == "string_too_short":
        return "non-empty text"
    if kind == "string_too_long":
        return f"at most {ctx['max_length']} characters"
    if kind == "too_short":
        return f"at least {ctx['min_length']} item(s)"
    return ""


def _bound(limit: float) -> str:
    """1,000,000,000,000 and 0 rather than 1000000000000 and 0.0."""
    return f"{limit:,}" if isinstance(limit, int) else f"{limit:g}"


def from_validation_error(
    error: ValidationError,
    path: str,
    locate: Locate,
    known_fields: Callable[[Loc], Iterable[str]] | None = None,
) -> list[Problem]:
    """Translate pydantic's errors into author-facing problems.

    ``known_fields(loc)`` lists the valid keys of the mapping at ``loc`` for typo hints.
    """
    return [_finding(err, known_fields).at(path, locate) for err in error.errors(include_url=False)]


def _finding(err: Any, known_fields: Callable[[Loc], Iterable[str]] | None) -> Finding:
    loc = _file_loc(err["loc"])
    kind = err["type"]
    if kind == "value_error":
        # Our own validators word the whole message, numbers included.
        return Finding(loc, str(err["msg"]).removeprefix("Value error, "))
    if kind == "missing":
        return Finding(loc, "required field is missing", _expected(err), hint=f"add '{loc[-1]}:'")
    if kind == "extra_forbidden":
        hint = did_you_mean(str(loc[-1]), known_fields(loc[:-1])) if known_fields else ""
        return Finding(loc, "unknown field", _expected(err), show(loc[-1]), hint)
    hint = did_you_mean(str(err["input"]), _enum_values(err)) if kind == "enum" else ""
    return Finding(loc, "wrong value", _expected(err), show(err["input"]), hint)


def _file_loc(loc: Loc) -> Loc:
    """Drop the tag pydantic puts after an arm name (metrics[0].results.a<.mean>.sd).

    The tag names the union member, not a key in the file, and would mislead the author.
    """
    if len(loc) > 4 and loc[0] == "metrics" and loc[2] == "results" and loc[4] in ARM_KINDS:
        return loc[:4] + loc[5:]
    return tuple(loc)


def _enum_values(err: Any) -> Sequence[str]:
    expected = (err.get("ctx") or {}).get("expected", "")
    return [v.strip(" '") for v in expected.replace(" or ", ", ").split(",") if v.strip(" '")]


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
