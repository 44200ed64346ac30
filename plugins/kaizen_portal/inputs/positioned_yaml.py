"""Reading YAML (alone or as front-matter) while keeping where every value sits.

Errors must name a line, so the YAML is composed into nodes first (which carry their
positions) and only then turned into Python values. The same pass refuses what YAML
would otherwise accept silently: duplicate keys (the last one wins) and aliases (a few
lines can expand into gigabytes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import frontmatter
import yaml

from .problems import Loc, Locate, Problem, SourceError, printable


@dataclass(frozen=True)
class Source:
    """One parsed file: its data, the write-up below it, and a way back to line numbers."""

    path: str
    data: dict[str, Any]
    body: str
    body_line: int
    locate: Locate = field(repr=False)


def parse_front_matter(text: str, path: str) -> Source:
    """Split ``---`` front-matter from the write-up and parse it with positions."""
    handler = frontmatter.YAMLHandler()
    if not handler.detect(text):
        raise SourceError(
            Problem.in_file(
                path,
                "no front-matter found",
                expected="the file to start with a '---' line, the YAML facts, and a closing '---'",
                found=show_first_line(text),
                hint="copy the template from the authoring guide",
            )
        )
    try:
        yaml_text, body = handler.split(text)
    except ValueError as exc:
        raise SourceError(
            Problem.in_file(
                path,
                "front-matter is not closed",
                expected="a closing '---' line after the YAML facts",
                found="end of file",
                hint="add a line with three dashes between the facts and the write-up",
            )
        ) from exc
    offset = text[: text.find(yaml_text)].count("\n") if yaml_text else 1
    data, locate = parse_yaml(yaml_text, path, line_offset=offset)
    written = body.lstrip("\n")
    body_line = text[: len(text) - len(written)].count("\n") + 1
    return Source(path, data, written.rstrip(), body_line, locate)


def show_first_line(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return f"'{first[:40]}'" if first else "an empty file"


# libyaml's parser (where PyYAML was built with it) reads front-matter several times
# faster with the same line marks, but words its errors less helpfully.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, path: str, line_offset: int = 0) -> tuple[dict[str, Any], Locate]:
    """YAML mapping -> (data, locate), refusing aliases and duplicate keys.

    Valid files take the fast parser; a file it rejects is read again by the pure-Python
    one, so every author sees PyYAML's clearer message whichever parser is installed.
    """
    if _FAST_LOADER is not yaml.SafeLoader:
        try:
            return _parse_yaml(text, path, line_offset, _FAST_LOADER)
        except SourceError:
            pass
    return _parse_yaml(text, path, line_offset, yaml.SafeLoader)


def _parse_yaml(
    text: str, path: str, line_offset: int, loader_class: type[yaml.SafeLoader]
) -> tuple[dict[str, Any], Locate]:
    node, data = _compose(text, path, line_offset, loader_class)
    if not isinstance(data, dict):
        raise SourceError(
            Problem.in_file(
                path,
                "the YAML is not a mapping of fields",
                expected="lines like 'title: ...'",
                found=_KINDS_OF_YAML.get(type(data), "something else")
                if data is not None
                else "nothing",
                line=line_offset + 1,
            )
        )

    def locate(loc: Loc) -> tuple[int, int]:
        target = _find(node, loc)
        return target.start_mark.line + line_offset + 1, target.start_mark.column + 1

    return data, locate


def _compose(
    text: str, path: str, line_offset: int, loader_class: type[yaml.SafeLoader]
) -> tuple[yaml.Node | None, Any]:
    """The node tree (checked for aliases and duplicate keys) and the values it holds."""
    try:
        loader = loader_class(text)
    except yaml.reader.ReaderError as exc:
        raise SourceError(_unprintable(exc, text, path, line_offset)) from exc
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_nodes(node, path, line_offset)
        try:
            return node, loader.construct_document(node)
        except (ValueError, OverflowError) as exc:
            # A date that does not exist (2099-02-30) is read as the text it is, so the
            # schema names it with every other problem of the file instead of alone.
            if not _dates_as_text(node):
                raise SourceError(_unconstructable(node, exc, path, line_offset)) from exc
            return node, _construct(loader_class, node, path, line_offset)
    except yaml.MarkedYAMLError as exc:
        raise SourceError(_unreadable(exc, path, line_offset)) from exc
    except yaml.reader.ReaderError as exc:
        raise SourceError(_unprintable(exc, text, path, line_offset)) from exc
    except yaml.YAMLError as exc:
        raise SourceError(
            Problem.in_file(path, f"the YAML cannot be read: {exc}", line=line_offset + 1)
        ) from exc
    except RecursionError as exc:
        # PyYAML composes nested lists recursively; [[[[...]]]] must not become a traceback.
        raise SourceError(
            Problem.in_file(
                path,
                "the front-matter nests too deeply to read",
                expected="fields with plain values, lists and mappings a few levels deep",
                found="lists or mappings nested hundreds of levels deep",
                hint="look for a run of '[' or '{' characters",
                line=line_offset + 1,
            )
        ) from exc
    finally:
        loader.dispose()


def _unreadable(exc: yaml.MarkedYAMLError, path: str, line_offset: int) -> Problem:
    # At the end of the file the problem mark says nothing; the context (e.g. where an
    # unclosed quote opened) is what the author needs to see.
    at_end = "end of stream" in str(exc.problem)
    mark = (exc.context_mark if at_end else None) or exc.problem_mark or exc.context_mark
    what = " ".join(str(part) for part in (exc.context, exc.problem) if part)
    return Problem(
        path,
        (mark.line if mark else 0) + line_offset + 1,
        (mark.column if mark else 0) + 1,
        "",
        f"the YAML cannot be read: {what}",
        hint=_yaml_hint(what),
    )


@dataclass(frozen=True)
class FieldPositions:
    """A locator that remembers only where each top-level field sits.

    A parse's own locator keeps the whole composed YAML alive, every node with its marks,
    which adds up across thousands of write-ups. Once a file is valid, what can still be
    wrong with it (a duplicate id, a parent that does not exist) is about a top-level
    field, so a valid entry keeps this instead; a deeper place resolves to its field's
    line. Unlike a closure it pickles, so a worker process can send it back.
    """

    root: tuple[int, int]
    fields: dict[str, tuple[int, int]]

    @classmethod
    def of(cls, locate: Locate, fields: Iterable[str]) -> FieldPositions:
        return cls(locate(()), {name: locate((name,)) for name in fields})

    def __call__(self, loc: Loc) -> tuple[int, int]:
        return self.fields.get(str(loc[0]), self.root) if loc else self.root


_KINDS_OF_YAML = {list: "a list", str: "a line of text", int: "a number", float: "a number"}


def _unprintable(exc: yaml.reader.ReaderError, text: str, path: str, line_offset: int) -> Problem:
    before = text[: exc.position]
    code = exc.character if isinstance(exc.character, int) else ord(exc.character)
    return Problem(
        path,
        before.count("\n") + line_offset + 1,
        len(before) - (before.rfind("\n") + 1) + 1,
        "",
        "the front-matter contains a character YAML does not allow",
        expected="printable text",
        found=f"character U+{code:04X}",
        hint="delete it; such characters often come along when text is pasted from another program",
    )


def _yaml_hint(problem: str) -> str:
    if "constructor for the tag" in problem:
        return "remove the '!' tag: values are plain text, numbers, dates, lists and mappings"
    if "\\t" in problem or "tab" in problem:
        return "indent with spaces, not tabs"
    if "quote" in problem or "scalar" in problem:
        return "check that every opening quote is closed on the same line"
    return "check the indentation and the ':' after each field name"


_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_STRING_TAG = "tag:yaml.org,2002:str"
MAX_DIGITS = 100  # far past any count (the schema caps them at 10**12), far short of a bomb


def _at(node: yaml.Node, path: str, line_offset: int, message: str, **detail: str) -> SourceError:
    """A problem where ``node`` starts in the file."""
    field = detail.pop("field", "")
    return SourceError(
        Problem(
            path,
            node.start_mark.line + line_offset + 1,
            node.start_mark.column + 1,
            field,
            message,
            **detail,
        )
    )


# Half of a UTF-16 pair: "\\ud83d" in a quoted string. No page, log or file can hold it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_nodes(root: yaml.Node, path: str, line_offset: int) -> None:
    """Walk the composed tree once and refuse what YAML would take in silence.

    An alias shows up as a node reached twice: it is the very node object of its anchor,
    so it is reported where it is used, at the key (or list) that holds it. A merge key
    (``<<:``) would set fields the file does not show; a key that is not text (``1:``,
    ``null:``) names no field; a number of thousands of digits would stall the reading.
    """
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, yaml.Node]] = [(root, root)]
    while stack:
        node, holder = stack.pop()
        if id(node) in seen:
            raise _at(
                holder,
                path,
                line_offset,
                "YAML anchors and aliases (&name, *name) are not allowed",
                hint="write the value out in full",
            )
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            _check_keys(node, path, line_offset)
            # Pushed in reverse, so nodes are met in document order.
            for key, value in reversed(node.value):
                stack.extend(((value, key), (key, key)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, node) for item in reversed(node.value))
        elif _SURROGATE.search(node.value):
            raise _at(
                node,
                path,
                line_offset,
                "this text holds half of a character (a lone surrogate escape)",
                expected="whole characters, or an escape like \\U0001F600 for one beyond \\uFFFF",
                found=f"'{printable(node.value)}'",
                hint="write the character itself, or remove the \\uD8xx escape",
            )
        elif node.tag == _INT_TAG and len(str(node.value)) > MAX_DIGITS:
            raise _at(
                node,
                path,
                line_offset,
                "this number is far too long",
                expected=f"a number of at most {MAX_DIGITS} digits",
                found=f"a number of {len(str(node.value)):,} characters",
                hint="check that the right value was pasted here",
            )


def _check_keys(node: yaml.MappingNode, path: str, line_offset: int) -> None:
    keys: set[Any] = set()
    for key, _value in node.value:
        if key.tag == _MERGE_TAG:
            raise _at(
                key,
                path,
                line_offset,
                "YAML merge keys (<<) are not allowed",
                hint="write each field out in full",
            )
        if not isinstance(key, yaml.ScalarNode) or key.tag != _STR_TAG:
            shown = key.value if isinstance(key, yaml.ScalarNode) else "a list or mapping"
            raise _at(
                key,
                path,
                line_offset,
                "a field name must be text",
                expected="a name like title",
                found=f"'{shown}'" if isinstance(key, yaml.ScalarNode) else shown,
                hint="put the name in quotes, or correct it",
            )
        if key.value in keys:
            raise _at(
                key,
                path,
                line_offset,
                "this field is given twice",
                field=str(key.value),
                hint="keep one of the two lines",
            )
        keys.add(key.value)


def _scalars(root: yaml.Node) -> Iterator[yaml.ScalarNode]:
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            stack.extend(item for pair in reversed(node.value) for item in reversed(pair))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.ScalarNode):
            yield node


def _dates_as_text(root: yaml.Node) -> bool:
    """Retag each date that cannot be constructed as text; whether any was."""
    constructor = yaml.constructor.SafeConstructor()
    retagged = False
    for node in _scalars(root):
        if node.tag != _TIMESTAMP_TAG:
            continue
        try:
            constructor.construct_object(node)
        except (ValueError, OverflowError):
            node.tag = _STRING_TAG
            retagged = True
    return retagged


def _construct(
    loader_class: type[yaml.SafeLoader], node: yaml.Node, path: str, line_offset: int
) -> Any:
    """The values of a node tree whose impossible dates were retagged as text."""
    try:
        return loader_class("").construct_document(node)
    except (ValueError, OverflowError) as exc:
        raise SourceError(_unconstructable(node, exc, path, line_offset)) from exc


def _unconstructable(root: yaml.Node, error: Exception, path: str, line_offset: int) -> Problem:
    """Where a value that parses as YAML cannot become a Python value (a huge float)."""
    constructor = yaml.constructor.SafeConstructor()
    for node in _scalars(root):
        try:
            constructor.construct_object(node)
        except (ValueError, OverflowError) as exc:
            return _at(node, path, line_offset, f"this value cannot be read: {exc}").problem
    return Problem.in_file(path, f"the YAML cannot be read: {error}", line=line_offset + 1)


def _find(root: yaml.Node, loc: Loc) -> yaml.Node:
    """Where ``loc`` is written: an entry at its key, a missing one at its parent."""
    node = anchor = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if str(k.value) == str(part)), None)
            if match is None:
                return anchor
            anchor, node = match
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = anchor = node.value[part]
        else:
            return anchor
    return anchor
