"""The write-up below the front-matter: prose that Markdown can render in reasonable time.

Python-Markdown recurses once per level of nested lists and quotes, and looks ahead from
every ``[`` for a closing ``]``: a few hundred levels crash the build, and a paragraph of
thousands of brackets takes minutes. No write-up needs either, so both are located errors
rather than a stalled or crashed build.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .problems import Problem

MAX_NESTING = 50  # levels of lists, quotes and indentation a line may sit under
MAX_BRACKETS_PER_PARAGRAPH = 300
MAX_BRACKETS = 5_000

# A line opens with containers: quote and list markers, and runs of indentation.
_CONTAINER = re.compile(r"[ \t]+|>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])")
_FENCE = re.compile(r"[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?(`{3,}|~{3,})")


def body_problems(body: str, first_line: int, shown: str) -> list[Problem]:
    """What in the write-up would crash or stall the Markdown renderer, with its line."""
    problems: list[Problem] = []
    brackets = 0
    for start, paragraph in _paragraphs(body):
        deepest, where = max(
            ((_depth(line), number) for number, line in enumerate(paragraph, start)),
            default=(0, start),
        )
        if deepest > MAX_NESTING:
            problems.append(
                Problem.in_file(
                    shown,
                    "this line sits too deep in lists, quotes or indentation to render",
                    expected=f"at most {MAX_NESTING} levels",
                    found=f"{deepest} levels",
                    hint="flatten the list; for deeply indented code, use a ``` fence",
                    line=first_line + where,
                )
            )
        count = sum(line.count("[") for line in paragraph)
        brackets += count
        if count > MAX_BRACKETS_PER_PARAGRAPH:
            problems.append(
                Problem.in_file(
                    shown,
                    "this paragraph has too many '[' to render in reasonable time",
                    expected=f"at most {MAX_BRACKETS_PER_PARAGRAPH} in one paragraph",
                    found=f"{count:,}",
                    hint="split it into paragraphs, or put the text in a code block",
                    line=first_line + start,
                )
            )
    if brackets > MAX_BRACKETS and not problems:
        problems.append(
            Problem.in_file(
                shown,
                "the write-up has too many '[' to render in reasonable time",
                expected=f"at most {MAX_BRACKETS:,} in the write-up",
                found=f"{brackets:,}",
                hint="link fewer places, or move long lists of links to a page of their own",
                line=first_line,
            )
        )
    return problems


def _depth(line: str) -> int:
    """Each marker is a level, and so is each four columns of indentation between them."""
    depth = position = 0
    while container := _CONTAINER.match(line, position):
        token = container.group(0)
        depth += len(token.expandtabs(4)) // 4 if token.isspace() else 1
        position = container.end()
    return depth


def _paragraphs(body: str) -> Iterator[tuple[int, list[str]]]:
    """Runs of non-blank lines outside code fences, each with its first line's offset."""
    block: list[str] = []
    start = 0
    fence = ""
    for number, line in enumerate(body.split("\n")):
        opened = _FENCE.match(line)
        if fence:
            if opened and opened.group(1).startswith(fence):
                fence = ""
            continue
        if opened:
            fence = opened.group(1)
        if opened or not line.strip():
            if block:
                yield start, block
            block = []
            continue
        if not block:
            start = number
        block.append(line)
    if block:
        yield start, block
