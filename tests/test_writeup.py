"""The write-up guard: what would crash or stall Markdown is refused, prose is not."""

from __future__ import annotations

import pytest
from kaizen_portal.inputs.writeup import MAX_NESTING, body_problems


def found(body: str) -> list[str]:
    return [f"{p.line}: {p.found}" for p in body_problems(body, 10, "x.md")]


@pytest.mark.parametrize(
    "body",
    [
        "# Background\n\n- a\n    - b\n        - c\n\n> quoted\n> > twice\n\n1. one\n2. two",
        "[a](https://example.com) and [b][ref] " * 100,
        "```\n" + "[" * 10_000 + "\n" + " " * 1_000 + "deep code\n```\n\nAfter the fence.",
        "- ```json\n  " + "[" * 400 + "\n  ```\n- next",
        "A dash - in prose - and 3. a number " * 50,
    ],
)
def test_prose_code_and_ordinary_lists_pass(body: str) -> None:
    assert found(body) == []


def test_each_level_of_nesting_counts_once() -> None:
    deepest = "".join("    " * level + "- item\n" for level in range(MAX_NESTING))
    assert found(deepest) == []
    assert found(deepest + "    " * MAX_NESTING + "- one more") == [
        f"{10 + MAX_NESTING}: 51 levels"
    ]
    assert found("> " * 60 + "quote") == ["10: 60 levels"]
    assert found("- " * 30 + "1. " * 30 + "x") == ["10: 60 levels"]


def test_brackets_are_counted_per_paragraph_and_in_all() -> None:
    assert found("Intro.\n\n" + "[" * 301) == ["12: 301"]
    assert found(("[" * 300 + "\n\n") * 16) == []  # 4,800 in all
    assert found(("[" * 300 + "\n\n") * 17) == ["10: 5,100"]


def test_a_long_run_of_whitespace_is_read_in_linear_time() -> None:
    # Both patterns are free of nested repetition; a quadratic one would take minutes here.
    assert found(" " * 500_000 + "x") == ["10: 125000 levels"]
    assert found(" " * 500_000 + "```") == []
