"""The write-up's own headings, lifted out of its cleaned HTML as Markdown headings, so an
engine that renders the docs folder puts them in the page's table of contents.

Only the text of a heading at the top of the write-up is lifted, never its markup: every
character but letters, digits and spaces is written as a character reference, which no
Markdown reads as syntax, and the id the cleaning gave the heading is set with attr_list
(``{#id}``), so the heading keeps the id (and the ¶ link) it has on the MkDocs route.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Elements that never hold others: no end tag follows them in the cleaned HTML.
_VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "source", "track", "wbr"})


@dataclass(frozen=True)
class Heading:
    start: int  # where its start tag begins in the HTML
    end: int  # just after its end tag
    level: int
    id: str
    text: str


class _TopHeadings(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self._lines = [0] + [i + 1 for i, c in enumerate(html) if c == "\n"]
        self.depth = 0
        self.found: list[Heading] = []
        self._open: tuple[int, str, str] | None = None  # start, tag, id
        self._text: list[str] = []
        self._in_permalink = 0

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._lines[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth == 0 and tag in HEADINGS:
            self._open, self._text = (self._offset(), tag, dict(attrs).get("id") or ""), []
        if tag == "a" and "headerlink" in (dict(attrs).get("class") or "").split():
            self._in_permalink += 1
        if tag not in _VOID:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._in_permalink:
            self._in_permalink -= 1
        if tag not in _VOID:
            self.depth -= 1
        if self.depth == 0 and self._open and tag == self._open[1]:
            start, _, id_ = self._open
            end = self._offset() + len(f"</{tag}>")
            text = " ".join("".join(self._text).split())
            self.found.append(Heading(start, end, int(tag[1]), id_, text))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open and not self._in_permalink:
            self._text.append(data)


def top_headings(html: str) -> list[Heading]:
    """The headings of ``html`` (cleaned: well formed) that no other element holds, with an
    id and some text."""
    parser = _TopHeadings(html)
    parser.feed(html)
    parser.close()
    return [h for h in parser.found if h.id and h.text]


def as_markdown(heading: Heading) -> str:
    """The heading as a Markdown line that reads its text and nothing else."""
    text = "".join(c if c.isalnum() or c == " " else f"&#{ord(c)};" for c in heading.text)
    return f"{'#' * heading.level} {text} {{#{heading.id}}}"


def split(html: str) -> list[str | Heading]:
    """``html`` in order: runs of HTML, and the top headings between them."""
    parts: list[str | Heading] = []
    done = 0
    for heading in top_headings(html):
        parts.append(html[done : heading.start])
        parts.append(heading)
        done = heading.end
    parts.append(html[done:])
    return [part for part in parts if not isinstance(part, str) or part.strip()]
