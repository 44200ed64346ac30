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
_FENCE_OPEN = re.compile(r"( {0,3})(`{3,}|~{3,})[^`]*")


def body_problems(body: str, first_line: int, shown: str) -> list[Problem]:
    """What in the write-up would crash or stall the Markdown renderer, with its line.

    Nesting counts on every line, code included: a fence Markdown does not take for one
    (unclosed, or with text after it) would otherwise hide a list from the check.
    """
    lines = body.split("\n")
    problems: list[Problem] = []
    deepest, where = max(((_depth(line), n) for n, line in enumerate(lines)), default=(0, 0))
    if deepest > MAX_NESTING:
        problems.append(
            Problem.in_file(
                shown,
                "this line sits too deep in lists, quotes or indentation to render",
                expected=f"at most {MAX_NESTING} levels",
                found=f"{deepest} levels",
                hint="flatten the list, or put deep structure in a table",
                line=first_line + where,
            )
        )
    brackets = 0
    for start, paragraph in _paragraphs(lines):
        count = sum(line.count("[") for line in paragraph)
        brackets += count
        if count > MAX_BRACKETS_PER_PARAGRAPH:
            problems.append(
                Problem.in_file(
                    shown,
                    "this paragraph has too many '[' to render in reasonable time",
                    expected=f"at most {MAX_BRACKETS_PER_PARAGRAPH} in one paragraph",
                    found=f"{count:,}",
                    hint="split it into paragraphs, or put the text in a ``` code block",
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


def _paragraphs(lines: list[str]) -> Iterator[tuple[int, list[str]]]:
    """Runs of non-blank lines outside code fences, each with its first line's offset."""
    block: list[str] = []
    start = 0
    fenced = _fenced(lines)
    for number, line in enumerate(lines):
        if number in fenced or not line.strip():
            if block:
                yield start, block
            block = []
            continue
        if not block:
            start = number
        block.append(line)
    if block:
        yield start, block


def _fenced(lines: list[str]) -> set[int]:
    """The lines of code fences Markdown will surely read as code: opened at the margin
    (or up to three spaces in) and closed by a run of the same character, as long or longer,
    at the same indentation. Brackets in them are never parsed as links."""
    inside: set[int] = set()
    number = 0
    while number < len(lines):
        opened = _FENCE_OPEN.fullmatch(lines[number])
        close = None
        if opened:
            indent, run = opened.group(1), opened.group(2)
            closing = re.compile(
                re.escape(indent) + re.escape(run[0]) + "{" + str(len(run)) + ",}[ \t]*"
            )
            close = next(
                (n for n in range(number + 1, len(lines)) if closing.fullmatch(lines[n])), None
            )
        if close is None:
            number += 1
            continue
        inside.update(range(number, close + 1))
        number = close + 1
    return inside
