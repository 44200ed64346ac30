"""Write-up bodies -> HTML that cannot run code in a reader's browser.

Policy: the write-up is the author's Markdown, and raw HTML inside it is allowed only as
formatting. After MkDocs renders a page, the part after ``WRITEUP_MARKER`` (the body; the
portal's own card, tables and charts come before it and are escaped by Jinja) goes
through ammonia's allow-list (``nh3``): tables, details, images, sub/sup, kbd and the like
stay; scripts, styles, iframes, forms, event handlers, style attributes and ``javascript:``
or ``data:`` URLs are removed. Ids keep to letters, digits and ``_.:-`` and never begin
with an underscore: the theme's own script looks up ``__config`` and ``__search``, and an
element that came first under that id would stand in for the theme's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Protocol

import nh3

from .markers import WRITEUP_MARKER

# Headings keep their ids (permalinks, the table of contents) and every element its class
# (code highlighting, admonitions); nothing else beyond ammonia's defaults.
_ATTRIBUTES = {
    **{tag: set(allowed) for tag, allowed in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"id", "class", "title", "lang", "dir"},
}
_URL_SCHEMES = {"http", "https", "mailto"}


# Names the portal's scripts read from ``window``: an element with such an id would stand in
# for them (the browser makes every id a global), as ``id="Plotly"`` would for plotly.js.
_SCRIPT_GLOBALS = frozenset({"Plotly", "PagefindComponents"})
_NOT_IN_AN_ID = re.compile(r"[^\w.:-]")


def writeup_id(value: str) -> str:
    """An id of the write-up as an attribute can hold it, and none the page's scripts use.

    attr_list takes quotes in an id (``{: id='a" onclick="…' }``); the theme writes each
    heading's id into its table of contents unescaped, so quotes, spaces and angle
    brackets become dashes, in the heading and in its table-of-contents link alike.
    """
    cleaned = _NOT_IN_AN_ID.sub("-", value).lstrip("_")
    if cleaned in _SCRIPT_GLOBALS:
        return "id-" + cleaned
    return cleaned or "section"


# The theme's and the portal's own classes dress their dialogs, chips and banners; in a
# write-up they would forge them ("Verified" as the theme's toast). Buttons are the
# theme's classes made for authors.
_AUTHORS_MAY = frozenset({"md-button", "md-button--primary"})


def _own_classes(value: str) -> str | None:
    kept = [
        name
        for name in value.split()
        if name in _AUTHORS_MAY or not name.startswith(("md-", "kz-"))
    ]
    return " ".join(kept) or None


def _attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return writeup_id(value)
    if attribute == "href" and value.startswith("#"):  # a heading's ¶, to its cleaned id
        return "#" + writeup_id(value[1:])
    if attribute == "class":
        return _own_classes(value)
    return value


def clean_writeup(html: str) -> str:
    """The page with its write-up part sanitised; a page without the marker is untouched."""
    head, marker, body = html.partition(WRITEUP_MARKER)
    if not marker:
        return html
    return head + nh3.clean(
        body,
        attributes=_ATTRIBUTES,
        attribute_filter=_attribute,
        url_schemes=_URL_SCHEMES,
    )


class _TocItem(Protocol):
    id: str
    title: str
    children: list[Any]


def clean_toc(items: Iterable[_TocItem]) -> None:
    """The table of contents of a generated page, as its headings are after cleaning: the
    same ids, and titles as text."""
    for item in items:
        item.id = writeup_id(item.id)
        item.title = nh3.clean(item.title, tags=set())
        clean_toc(item.children)
