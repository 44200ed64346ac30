"""Entries -> ideas: the chain of build-test-learn cycles each experiment belongs to.

An idea is a tree rooted at its first cycle; ``parent`` links each later cycle to the one
before. Cycle numbers, the cycles list, the timelines and the dashboard's "reached a
second cycle" all read the same tree from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..inputs.portfolio import Entry


@dataclass(frozen=True)
class Lineage:
    """The cycles of one idea, root first, and where one experiment sits in them."""

    cycles: tuple[Entry, ...]
    depth: dict[str, int]
    parent: Entry | None
    children: tuple[Entry, ...]

    def cycle_number(self, entry: Entry) -> int:
        return self.depth[entry.meta.slug] + 1


def lineages(entries: Iterable[Entry]) -> dict[str, Lineage]:
    by_slug = {e.meta.slug: e for e in entries}
    children: dict[str, list[Entry]] = {}
    for entry in by_slug.values():
        if entry.meta.parent and entry.meta.parent.lower() in by_slug:
            children.setdefault(entry.meta.parent.lower(), []).append(entry)
    for kids in children.values():
        kids.sort(key=chronological)

    def root_of(entry: Entry) -> Entry:
        while entry.meta.parent and entry.meta.parent.lower() in by_slug:
            entry = by_slug[entry.meta.parent.lower()]
        return entry

    result: dict[str, Lineage] = {}
    for entry in by_slug.values():
        root = root_of(entry)
        cycles, depth = [], {}
        stack = [(root, 0)]
        while stack:
            node, level = stack.pop()
            cycles.append(node)
            depth[node.meta.slug] = level
            stack.extend((kid, level + 1) for kid in reversed(children.get(node.meta.slug, [])))
        parent_slug = (entry.meta.parent or "").lower()
        result[entry.meta.slug] = Lineage(
            tuple(cycles),
            depth,
            by_slug.get(parent_slug),
            tuple(children.get(entry.meta.slug, [])),
        )
    return result


def chronological(entry: Entry) -> tuple[str, str]:
    """Oldest first by the first phase's date; undated ideas last; the id breaks ties."""
    first = entry.meta.dates.first
    return (first.isoformat() if first else "9999", entry.meta.slug)
