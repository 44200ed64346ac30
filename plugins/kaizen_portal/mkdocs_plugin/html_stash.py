"""Generated HTML set aside while Markdown runs, and put back after.

The portal's pages are mostly HTML it rendered and escaped itself (cards, tables, charts);
Python-Markdown would pass those blocks through unchanged, but only after feeding every one
to its HTML parser, which profiling showed to be the largest single cost of a build. So
before Markdown sees a generated page, each top-level HTML block ahead of the write-up is
swapped for a token paragraph, and afterwards the token is swapped back: the output is the
same, the parsing is skipped. Headings stay Markdown, so the table of contents still sees
them; the author's write-up (after ``WRITEUP_MARKER``) always goes through Markdown.
"""

from __future__ import annotations

import hashlib
import re

from ..pages.markers import WRITEUP_MARKER

_BLOCKS = re.compile(r"\n{2,}")
# A token: this prefix, 12 hex digits of the page's digest (no author can guess them),
# "x" and the block's number. ``hide`` writes them and ``restore`` reads them.
_PREFIX, _DIGITS = "kzraw", 12
_TOKEN = re.compile(rf"<p>({_PREFIX}[0-9a-f]{{{_DIGITS}}}x[0-9]+)</p>")


def hide(markdown: str) -> tuple[str, dict[str, str]]:
    """Markdown with the generated HTML blocks replaced by tokens, and the blocks by token."""
    head, marker, writeup = markdown.partition(WRITEUP_MARKER)
    prefix = _PREFIX + hashlib.sha1(markdown.encode()).hexdigest()[:_DIGITS]
    parts: dict[str, str] = {}
    blocks = []
    for block in _BLOCKS.split(head):
        if block.startswith("<") and not block.startswith("<!--"):
            token = f"{prefix}x{len(parts)}"
            parts[token] = block
            block = token
        blocks.append(block)
    return "\n\n".join(blocks) + marker + writeup, parts


def restore(html: str, parts: dict[str, str]) -> str:
    """Put each block back where Markdown left its token (as a paragraph of its own), in
    one pass: a listing of thousands of rows is megabytes, and is copied once."""
    if not parts:
        return html
    unused = dict(parts)

    def block(token: re.Match[str]) -> str:
        return unused.pop(token[1], token[0])  # each block once, where it was first

    return _TOKEN.sub(block, html)
