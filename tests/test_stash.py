"""Generated HTML skips Markdown and comes back unchanged; the write-up never skips it."""

from __future__ import annotations

import markdown
from kaizen_portal.mkdocs_plugin import html_stash as stash
from kaizen_portal.pages.markers import WRITEUP_MARKER

PAGE = f"""<div class="kz-card"><h1>A *title* with_underscores</h1></div>

## Measured results

<table class="kz-results"><tr><td>**1**</td></tr></table>

{WRITEUP_MARKER}

<p>author html</p>

## Background

Some *emphasis*.
"""


def test_generated_blocks_come_back_byte_for_byte() -> None:
    hidden, parts = stash.hide(PAGE)
    assert len(parts) == 2
    assert "kz-card" not in hidden.split(WRITEUP_MARKER)[0]
    html = stash.restore(markdown.markdown(hidden), parts)
    assert '<div class="kz-card"><h1>A *title* with_underscores</h1></div>' in html
    assert '<table class="kz-results"><tr><td>**1**</td></tr></table>' in html
    assert "<h2>Measured results</h2>" in html  # headings stay Markdown, for the TOC


def test_the_write_up_always_goes_through_markdown() -> None:
    hidden, _ = stash.hide(PAGE)
    assert hidden.split(WRITEUP_MARKER)[1] == PAGE.split(WRITEUP_MARKER)[1]
    assert "<em>emphasis</em>" in markdown.markdown(hidden)


def test_same_output_as_markdown_itself_apart_from_blank_lines() -> None:
    hidden, parts = stash.hide(PAGE)
    ours = stash.restore(markdown.markdown(hidden), parts)
    theirs = markdown.markdown(PAGE)
    assert ours.split() == theirs.split()
