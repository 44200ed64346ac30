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
        "```\n" + "[" * 10_000 + "\n" + " " * 100 + "indented code\n```\n\nAfter the fence.",
        "~~~~ json\n" + "[" * 400 + "\n~~~~~\n- next",
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
    # The patterns are free of nested repetition; a quadratic one would take minutes here.
    assert found(" " * 500_000 + "x") == ["10: 125000 levels"]
    assert found("```\n" + " " * 500_000 + "```\n```") == ["11: 125000 levels"]


@pytest.mark.parametrize(
    "fence",
    [
        "```",  # never closed: Markdown reads on
        "````\n```",  # a shorter run does not close it
        "```\n~~~",  # nor a run of the other character
        "    ```",  # indented four: code, but not a fence that holds the lines after it
        "- ```",  # in a list item: a fence only to some extensions
        "``` ` ```",  # a backtick after the fence: inline code, not a fence
    ],
)
def test_a_line_markdown_may_not_read_as_a_fence_hides_nothing(fence: str) -> None:
    # The list under it would crash the renderer, the brackets stall it.
    deep = "".join("    " * level + "- a\n" for level in range(300))
    assert found(f"{fence}\n{deep}") != []
    assert found(f"{fence}\n" + "[" * 20_000) != []


def test_a_closed_fence_at_the_margin_holds_its_brackets() -> None:
    assert found("```json\n" + "[" * 20_000 + "\n```") == []
    assert found("  ~~~\n" + "[" * 20_000 + "\n  ~~~~\n") == []
