"""pydantic's validation errors, told in an author's words at the line they point to.

The schema states what a field must be; this module says, for each kind of broken rule,
what was expected, what was found and what to try, and names the field as the file does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from .problems import (
    MAX_PROBLEMS,
    Finding,
    Loc,
    Locate,
    Problem,
    capped,
    closest,
    did_you_mean,
    show,
)
from .schema import PATTERN_WORDS
from .vocabulary import MetricKind

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
    if kind in ("enum", "literal_error"):
        return f"one of {ctx.get('expected', '')}"
    if kind in _BOUNDS:
        sign, key = _BOUNDS[kind]
        limit = ctx[key]
        if isinstance(limit, str):  # pydantic gives a date's bound as its ISO text
            return f"a date {'on or after' if sign == '≥' else 'on or before'} {limit}"
        return f"a number {sign} {_bound(limit)}"
    if kind == "string_pattern_mismatch":
        return PATTERN_WORDS.get(ctx.get("pattern", ""), f"text matching {ctx.get('pattern')}")
    if kind == "string_too_short":
        return "non-empty text"
    if kind == "string_too_long":
        return f"at most {ctx['max_length']} characters"
    if kind == "too_short":
        return f"at least {ctx['min_length']} item(s)"
    return ""


_BOUNDS = {
    "greater_than_equal": ("≥", "ge"),
    "greater_than": (">", "gt"),
    "less_than_equal": ("≤", "le"),
    "less_than": ("<", "lt"),
}


def _bound(limit: float) -> str:
    """1,000,000,000,000 and 0 rather than 1000000000000 and 0.0."""
    whole = isinstance(limit, int) or float(limit).is_integer()
    return f"{int(limit):,}" if whole else f"{limit:g}"


def from_validation_error(
    error: ValidationError,
    path: str,
    locate: Locate,
    known_fields: Callable[[Loc], Iterable[str]] | None = None,
    hints: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Translate pydantic's errors into author-facing problems.

    ``known_fields(loc)`` lists the valid keys of the mapping at ``loc`` for typo hints;
    ``hints`` gives, by field name, what to write where a wrong value has no hint of its own.
    """
    errors = _misspelt_not_missing(error.errors(include_url=False), known_fields)
    # Only the listed ones are located: each search of the file is as long as the file.
    findings = [_finding(err, known_fields) for err in errors[: MAX_PROBLEMS + 1]]
    if hints:
        findings = [
            replace(f, hint=hints.get(str(f.loc[-1]), "")) if f.loc and not f.hint else f
            for f in findings
        ]
    return capped([finding.at(path, locate) for finding in findings], len(errors))


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
    if kind.startswith("date") and "outside expected range" in str(err.get("ctx") or {}):
        # 2099-02-30, quoted or not: a date that does not exist rather than a typo of form
        return Finding(
            loc, "no such date", _expected(err), show(err["input"]), "check the month and the day"
        )
    choices = kind in ("enum", "literal_error")
    hint = did_you_mean(str(err["input"]), _enum_values(err)) if choices else ""
    return Finding(loc, "wrong value", _expected(err), show(err["input"]), hint)


_ARM_KINDS = frozenset(kind.value for kind in MetricKind)


def _misspelt_not_missing(
    errors: list[Any], known_fields: Callable[[Loc], Iterable[str]] | None
) -> list[Any]:
    """Without the "missing" of a field written, misspelt, beside it: ``titel:`` is one
    problem (an unknown field, did you mean 'title'?), not two."""
    if known_fields is None:
        return errors
    meant = set()
    for err in errors:
        if err["type"] == "extra_forbidden":
            loc = _file_loc(err["loc"])
            close = closest(str(loc[-1]), known_fields(loc[:-1]))
            if close is not None:
                meant.add((*loc[:-1], close))
    return [e for e in errors if not (e["type"] == "missing" and _file_loc(e["loc"]) in meant)]


def _file_loc(loc: Loc) -> Loc:
    """Drop the tag pydantic puts after an arm name (metrics[0].results.a<.mean>.sd).

    The tag names the union member, not a key in the file, and would mislead the author.
    """
    if len(loc) > 4 and loc[0] == "metrics" and loc[2] == "results" and loc[4] in _ARM_KINDS:
        return loc[:4] + loc[5:]
    return tuple(loc)


def _enum_values(err: Any) -> Sequence[str]:
    expected = (err.get("ctx") or {}).get("expected", "")
    return [v.strip(" '") for v in expected.replace(" or ", ", ").split(",") if v.strip(" '")]
