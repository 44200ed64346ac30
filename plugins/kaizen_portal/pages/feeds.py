"""``feed.xml`` (RSS 2.0) and ``feed.json`` (JSON Feed 1.1): concluded experiments, newest first.

Chat bots and email digests poll these instead of scraping pages. Author strings reach
them only through the standard library's XML and JSON writers, never by pasting text into
markup, and neither feed carries the build time, so the same write-ups give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import dataclass
from email.utils import format_datetime
from typing import Any
from urllib.parse import urljoin
from xml.etree import ElementTree as ET

from ..analysis import formatting
from ..analysis.comparisons import Analysis, ArmResult, MetricResult
from ..analysis.states import State
from ..inputs.portfolio import Entry, Portfolio
from ..inputs.vocabulary import Decision, Status
from .links import GeneratedFile, Links, PageOptions
from .readouts import outcome, readout

RSS_URI = "feed.xml"
JSON_FEED_URI = "feed.json"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"  # dc:creator: RSS's own <author> wants an email

# Prefixes for the serializer, so the feed reads atom:link and dc:creator, not ns0:link.
ET.register_namespace("atom", ATOM_NS)
ET.register_namespace("dc", DC_NS)

# The decision as a digest headline: what happened, not the form field's value.
DECISION_WORDS = {
    Decision.SHIP: "Shipped",
    Decision.ITERATE: "Iterating",
    Decision.ROLLBACK: "Rolled back",
    Decision.INCONCLUSIVE: "Inconclusive",
}


@dataclass(frozen=True)
class FeedItem:
    """One experiment as both feeds tell it, so RSS and JSON Feed never disagree."""

    title: str
    url: str
    guid: str
    permalink: bool  # the guid is the page's URL (only when the site's address is known)
    published: dt.datetime | None
    author: str
    categories: tuple[str, ...]
    summary: str


def feeds(
    portfolio: Portfolio,
    analyses: dict[str, Analysis],
    options: PageOptions,
    limit: int = 50,
) -> list[GeneratedFile]:
    """Both feeds of the newest ``limit`` concluded experiments of what the build publishes.

    The pipeline has already dropped what this audience may not see; nothing is re-filtered.
    """
    links = Links(options)
    concluded = [e for e in portfolio.entries if e.meta.status is Status.CONCLUDED]
    newest = sorted(concluded, key=_newest_first)[:limit]
    confidence = portfolio.catalog.settings.confidence
    items = [_item(analyses[e.meta.slug], links, confidence) for e in newest]
    title = f"{options.site_name} — concluded experiments"
    home, rss_url, json_url = (_absolute(options, p) for p in ("", RSS_URI, JSON_FEED_URI))
    return [
        GeneratedFile(RSS_URI, _rss(title, home, rss_url, items)),
        GeneratedFile(JSON_FEED_URI, _json_feed(title, home, json_url, items)),
    ]


def summary(analysis: Analysis, confidence: float, as_of: dt.date | None = None) -> str:
    """One chat line: the decision, the primary result in the words of its state, then the
    takeaway (else the bet). A decision that goes against the result says so."""
    exp = analysis.entry.meta
    told = outcome(analysis, confidence, as_of)
    parts = []
    if exp.decision:
        against = f", {told.against}" if told.against else ""
        parts.append(f"{DECISION_WORDS[exp.decision]}{against}.")
    primary = analysis.primary
    if primary is not None and primary.variants:
        parts.append(_primary_result(analysis, primary, confidence, as_of))
    parts.extend(f"Guardrail: {breach}." for breach in told.guardrails)
    # One line; the bet is named as one, never to be read as what was found.
    if told.takeaway:
        parts.append(" ".join(told.takeaway.split()))
    elif exp.hypothesis:
        parts.append("Hypothesis: " + " ".join(exp.hypothesis.split()))
    return " ".join(parts)


def _primary_result(
    analysis: Analysis, metric: MetricResult, confidence: float, as_of: dt.date | None
) -> str:
    label = metric.definition.label
    exp = analysis.entry.meta

    def lift(arm: ArmResult) -> str:
        return _lift(analysis, arm, confidence, as_of)

    if len(metric.variants) == 1:
        return f"{label} {lift(metric.variants[0])}."
    each = "; ".join(f"{exp.arm_label(a.arm)} {lift(a)}" for a in metric.variants)
    return f"{label}: {each}."


def _lift(analysis: Analysis, arm: ArmResult, confidence: float, as_of: dt.date | None) -> str:
    """``+4.6% (win, 95% interval +2.4% to +6.8%)``; a result that is not a verdict says why."""
    c = arm.comparison
    assert c is not None  # only the control has no comparison
    told = readout(analysis, arm, as_of)
    notes = [told.note if told.explains else told.label.lower()]
    if c.ci_low is not None and c.ci_high is not None and told.state is not State.INVALID:
        low, high = formatting.signed_percent(c.ci_low), formatting.signed_percent(c.ci_high)
        notes.append(f"{formatting.interval_level(c, confidence)} interval {low} to {high}")
    return f"{formatting.signed_percent(c.lift)} ({', '.join(notes)})"


def _newest_first(entry: Entry) -> tuple[int, str]:
    # When it was decided; earlier phases stand in if the end was not dated.
    day = entry.meta.dates.latest
    return (-day.toordinal() if day else 0, entry.meta.id)


def _absolute(options: PageOptions, path: str) -> str:
    """Under ``site_url``; root-relative when it is unset, which still makes a valid feed."""
    if not options.site_url:
        return "/" + path
    return urljoin(options.site_url.rstrip("/") + "/", path)


def _item(analysis: Analysis, links: Links, confidence: float) -> FeedItem:
    entry = analysis.entry
    exp = entry.meta
    url = _absolute(links.options, links.url(links.page_uri(entry)))
    permalink = bool(links.options.site_url)
    day = entry.meta.dates.latest
    return FeedItem(
        title=exp.title,
        url=url,
        # A root-relative URL is no identity: feed readers need an id that is globally unique.
        guid=url if permalink else f"urn:kaizen:{exp.slug}",
        permalink=permalink,
        published=dt.datetime.combine(day, dt.time(), dt.UTC) if day else None,
        author=exp.owner,
        categories=tuple(dict.fromkeys([exp.team, *exp.tags])),
        summary=summary(analysis, confidence, links.options.as_of),
    )


def _rss(title: str, home: str, self_url: str, items: list[FeedItem]) -> str:
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    _text(channel, "title", title)
    _text(channel, "link", home)
    _text(channel, "description", "Experiments we concluded: the decision, the result, the bet.")
    _text(channel, "language", "en")
    if items and items[0].published:
        # The newest item's date, not the clock: a rebuild must give the same bytes.
        _text(channel, "lastBuildDate", format_datetime(items[0].published, usegmt=True))
    ET.SubElement(
        channel, f"{{{ATOM_NS}}}link", href=self_url, rel="self", type="application/rss+xml"
    )
    for item in items:
        element = ET.SubElement(channel, "item")
        _text(element, "title", item.title)
        _text(element, "link", item.url)
        guid = _text(element, "guid", item.guid)
        guid.set("isPermaLink", "true" if item.permalink else "false")
        if item.published:
            _text(element, "pubDate", format_datetime(item.published, usegmt=True))
        _text(element, f"{{{DC_NS}}}creator", item.author)
        for category in item.categories:
            _text(element, "category", category)
        # RSS readers render <description> as HTML; escaped, the plain text stays text.
        _text(element, "description", html.escape(item.summary, quote=False))
    ET.indent(rss, space=" ")
    # Encoded, not "unicode": otherwise the declaration names the machine's locale encoding.
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True).decode("utf-8") + "\n"


# What XML 1.0 cannot hold at all, not even escaped: a "\x01" from a quoted YAML string
# would make the whole feed unreadable to every reader.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = _NOT_XML.sub("", text)
    return element


def _json_feed(title: str, home: str, feed_url: str, items: list[FeedItem]) -> str:
    document = {
        "version": JSON_FEED_VERSION,
        "title": title,
        "home_page_url": home,
        "feed_url": feed_url,
        "language": "en",
        "items": [_json_item(item) for item in items],
    }
    # Sorted keys, as experiments.json: the same input gives the same bytes.
    return json.dumps(document, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def _json_item(item: FeedItem) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": item.guid,
        "url": item.url,
        "title": item.title,
        "content_text": item.summary,  # plain text; content_html would invite markup
        "authors": [{"name": item.author}],
        "tags": list(item.categories),
    }
    if item.published:
        entry["date_published"] = item.published.isoformat()
    return entry
