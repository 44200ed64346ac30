"""The package's shape: stages that import one way only, no cycle, MkDocs in its adaptor
alone, modules and functions small enough to read, and a README map that names them all.

Imports are read from the source with ``ast`` (those under ``TYPE_CHECKING`` and inside
functions included), so the rules hold for every import, not only those run at start-up.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

from helpers import ROOT

PACKAGE = ROOT / "plugins" / "kaizen_portal"
NAME = "kaizen_portal"
# Each stage may import itself and the stages before it; the adaptors drive the build.
STAGES = {"inputs": 0, "analysis": 1, "charts": 2, "pages": 3, "build": 4}
ADAPTORS = ("mkdocs_plugin", "cli")
ENGINE_PACKAGES = ("mkdocs", "material")  # imported by the MkDocs adaptor alone
OTHER_ENGINES = ("properdocs", "zensical")  # run the portal, and are imported by nothing
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(path: Path, known: Iterable[str]) -> set[str]:
    """Every module ``path`` imports: the package's own by full name, others by top name."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    return imports_of(path.read_text(encoding="utf-8"), package, known)


def imports_of(source: str, package: str, known: Iterable[str]) -> set[str]:
    """The modules ``source``, a module of ``package``, imports."""
    known = set(known)
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            # `from . import effects` imports the module effects, not a name in `.`
            found.update(f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known)
    return {m if m.split(".")[0] == NAME else m.split(".")[0] for m in found}


def import_graph() -> dict[str, set[str]]:
    """The package's modules and, for each, the package modules it imports."""
    found = modules()
    return {
        name: {m for m in imported(path, found) if m in found and m != NAME}
        for name, path in found.items()
    }


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module, or one importing itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def against_the_stages(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """Imports that run from a stage to a later one, or between the two adaptors."""
    wrong = []
    for source, targets in sorted(graph.items()):
        for target in sorted(targets):
            here, there = stage(source), stage(target)
            if here is None or there is None or here == there:
                if here is None and target != source:
                    wrong.append(f"{source} -> {target}: the package's top imports nothing")
                continue
            if there in ADAPTORS:
                wrong.append(f"{source} -> {target}: nothing imports an adaptor")
            elif here in STAGES and STAGES[there] > STAGES[here]:
                wrong.append(f"{source} -> {target}: {here} comes before {there}")
    return wrong


def test_the_package_has_no_import_cycle() -> None:
    assert cycles(import_graph()) == []


def test_imports_run_one_way_through_the_stages() -> None:
    graph = import_graph()
    assert {stage(m) for m in graph} - {None} == set(STAGES) | set(ADAPTORS)
    assert against_the_stages(graph) == []


def test_only_the_mkdocs_adaptor_imports_mkdocs() -> None:
    found = modules()
    importers = {
        name for name, path in found.items() if imported(path, found) & set(ENGINE_PACKAGES)
    }
    assert importers
    assert {stage(name) for name in importers} == {"mkdocs_plugin"}


def test_no_module_imports_another_engine() -> None:
    found = modules()
    assert {
        name for name, path in found.items() if imported(path, found) & set(OTHER_ENGINES)
    } == set()


def test_the_checks_find_what_they_look_for() -> None:
    """The rules above report a cycle, a backward arrow and an adaptor import when there is one."""
    loop = {"a.x.one": {"a.x.two"}, "a.x.two": {"a.x.three"}, "a.x.three": {"a.x.one"}}
    assert cycles(loop) == [["a.x.one", "a.x.three", "a.x.two"]]
    assert cycles({"a.x.self": {"a.x.self"}}) == [["a.x.self"]]
    assert cycles({"a.x.one": {"a.x.two"}, "a.x.two": set()}) == []
    assert against_the_stages({"k.inputs.schema": {"k.pages.links"}}) == [
        "k.inputs.schema -> k.pages.links: inputs comes before pages"
    ]
    assert against_the_stages({"k.build.pipeline": {"k.cli.main"}}) == [
        "k.build.pipeline -> k.cli.main: nothing imports an adaptor"
    ]
    assert against_the_stages({"k.pages.links": {"k.inputs.schema"}}) == []
    source = (
        "from ..inputs import schema\nfrom .links import X\nimport mkdocs.config\n"
        "def later():\n    from . import rendering\n"
    )
    assert imports_of(source, f"{NAME}.pages", modules()) == {
        f"{NAME}.inputs",
        f"{NAME}.inputs.schema",
        f"{NAME}.pages",
        f"{NAME}.pages.links",
        f"{NAME}.pages.rendering",
        "mkdocs",
    }


@pytest.mark.parametrize("name", sorted(modules()))
def test_modules_and_functions_stay_small(name: str) -> None:
    path = modules()[name]
    source = path.read_text(encoding="utf-8")
    assert source.count("\n") <= MAX_MODULE_LINES, f"{path} has over {MAX_MODULE_LINES} lines"
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


def readme_map() -> dict[str, set[str]]:
    """The modules the README's "How it is built" names, under each package it names."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## How it is built", 1)[1].split("\n## ", 1)[0]
    block = section.split("```", 2)[1]
    named: dict[str, set[str]] = {}
    package = ""
    for line in block.splitlines():
        words = line.split()
        if line.startswith("  ") and not line.startswith("   ") and words[0].endswith("/"):
            package = words[0].rstrip("/")
            named[package] = set()
        elif package and words and words[0].endswith(".py"):
            named[package].add(words[0].removesuffix(".py"))
    return named


def test_the_readme_maps_every_module() -> None:
    expected: dict[str, set[str]] = {}
    for name in modules():
        parts = name.split(".")[1:]
        if len(parts) == 2:
            expected.setdefault(parts[0], set()).add(parts[1])
    assert readme_map() == expected
