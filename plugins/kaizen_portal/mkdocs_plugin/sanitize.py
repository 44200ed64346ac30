"""Write-up bodies -> HTML that cannot run code in a reader's browser.

Policy: the write-up is the author's Markdown, and raw HTML inside it is allowed only as
formatting. After MkDocs renders a page, the part after ``WRITEUP_MARKER`` (the body; the
portal's own card, tables and charts come before it and are escaped by Jinja) goes
through ammonia's allow-list (``nh3``): tables, details, images, sub/sup, kbd and the like
stay; scripts, styles, iframes, forms, event handlers, style attributes and ``javascript:``
or ``data:`` URLs are removed. An id the theme's own script looks up (``__config``,
``__search``: Material's all begin with two underscores) is removed too, since an element
that came first under that id would stand in for the theme's own.
"""

from __future__ import annotations

import nh3

from ..pages.markers import WRITEUP_MARKER

# Headings keep their ids (permalinks, the table of contents) and every element its class
# (code highlighting, admonitions); nothing else beyond ammonia's defaults.
_ATTRIBUTES = {
    **{tag: set(allowed) for tag, allowed in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"id", "class", "title", "lang", "dir"},
}
_URL_SCHEMES = {"http", "https", "mailto"}


def _not_the_theme_s(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id" and value.startswith("__"):
        return None
    return value


def clean_writeup(html: str) -> str:
    """The page with its write-up part sanitised; a page without the marker is untouched."""
    head, marker, body = html.partition(WRITEUP_MARKER)
    if not marker:
        return html
    return head + nh3.clean(
        body,
        attributes=_ATTRIBUTES,
        attribute_filter=_not_the_theme_s,
        url_schemes=_URL_SCHEMES,
    )
