"""Material's search against Pagefind at scale: index build time, size, and a first search.

For each size, writes a synthetic project (see synthetic.py) with this repo's theme, builds
it twice with ``mkdocs build --strict`` (in this process, so the search work can be timed
apart from the rest of the build): once with Material's search plugin, once without it, so
the portal plugin indexes the site with Pagefind. Then it serves both sites and, in headless
Chromium, opens search on the home page and types a common word, recording every response:

- after typing: the bytes fetched from the first keystroke until the results have settled
  (the search data a query needs);
- whole search: everything search fetched, from opening it (or page load, for what search
  loads with every page) to the results: UI code, WebAssembly, index, excerpts.

Byte counts are response bodies as served (Python's http.server does not compress), and,
in brackets, as a server that gzips text (JS, CSS, JSON) would send them; Pagefind's own
index files are gzipped already.

    python benchmarks/search_size.py --n 1000 5000
"""

from __future__ import annotations

import argparse
import gzip
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browsing import CHROMIUM, CHROMIUM_ARGS, free_port, serve
from synthetic import ROOT, write_portfolio

SEARCH_URLS = ("/search/", "/workers/search", "/pagefind/")  # what search loads with a page
TEXT_TYPES = (".js", ".css", ".json", ".html")  # what a gzipping server would compress


@dataclass
class Variant:
    name: str
    build_seconds: float = 0.0  # the whole mkdocs build
    index_seconds: float = 0.0  # the search index alone
    index_files: int = 0
    index_bytes: int = 0
    after_typing: tuple[int, int] = (0, 0)  # (raw, gzipped)
    whole: tuple[int, int] = (0, 0)
    requests: int = 0
    first_results_ms: float = 0.0
    largest: list[tuple[int, str]] = field(default_factory=list)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--query", default="checkout", help="a word many experiments share")
    parser.add_argument("--workdir", type=Path, help="keep projects and sites here")
    args = parser.parse_args()
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    rows: list[tuple[int, Variant]] = []
    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.workdir or Path(scratch)
        for n in args.n:
            for variant in measure(workdir / f"n{n}", n, args.seed, args.query):
                rows.append((n, variant))
    print(table(rows, args.query))


def measure(folder: Path, n: int, seed: int, query: str) -> list[Variant]:
    project = folder / "project"
    if folder.exists():
        shutil.rmtree(folder)
    started = time.perf_counter()
    write_portfolio(project, n, seed)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    # This repo's theme, as the portal ships here (its data-pagefind-body mark included).
    text = text.replace("  name: material\n", f"  name: material\n  custom_dir: {ROOT / 'theme'}\n")
    # The synthetic project is configured like this repo (Pagefind); add Material's search.
    config.write_text(text.replace("plugins:\n", "plugins:\n  - search\n", 1), encoding="utf-8")
    print(f"N={n}: wrote the project in {time.perf_counter() - started:.1f} s", flush=True)

    port = free_port()
    material = Variant("Material (lunr)")
    material.build_seconds, material.index_seconds = build_material(
        config, folder / "material", port
    )
    material.index_files, material.index_bytes = disk(folder / "material" / "search")
    print(f"  Material build {material.build_seconds:.1f} s", flush=True)

    config.write_text(text, encoding="utf-8")
    pagefind = Variant("Pagefind")
    pagefind.build_seconds, pagefind.index_seconds = build_pagefind(
        config, folder / "pagefind", port
    )
    pagefind.index_files, pagefind.index_bytes = disk(folder / "pagefind" / "pagefind")
    print(f"  Pagefind build {pagefind.build_seconds:.1f} s", flush=True)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for variant, site, opener in (
            (material, folder / "material", open_material),
            (pagefind, folder / "pagefind", open_pagefind),
        ):
            with serve(site, port) as url:
                first_search(browser, url, query, opener, variant)
        browser.close()
    return [material, pagefind]


def build_material(config: Path, site: Path, port: int) -> tuple[float, float]:
    """The build with Material's search plugin; its own hooks are timed."""
    from material.plugins.search.plugin import SearchPlugin

    spent = [0.0]
    originals = {name: getattr(SearchPlugin, name) for name in ("on_page_context", "on_post_build")}

    def timed(method: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - started

        return wrapper

    for name, method in originals.items():
        setattr(SearchPlugin, name, timed(method))
    try:
        total = mkdocs_build(config, site, port)
    finally:
        for name, method in originals.items():
            setattr(SearchPlugin, name, method)
    return total, spent[0]


def build_pagefind(config: Path, site: Path, port: int) -> tuple[float, float]:
    """The build without Material's search: the portal plugin runs Pagefind after it."""
    from kaizen_portal.mkdocs_plugin import plugin

    indexed = []
    original = plugin.index_site

    def recorded(site_dir: Path):
        result = original(site_dir)
        indexed.append(result)
        return result

    plugin.index_site = recorded
    try:
        total = mkdocs_build(config, site, port)
    finally:
        plugin.index_site = original
    assert len(indexed) == 1, "the portal plugin did not run Pagefind"
    return total, indexed[0].seconds


def mkdocs_build(config: Path, site: Path, port: int) -> float:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    started = time.perf_counter()
    # Built for the address it is served from, as Material's instant navigation needs.
    options = load_config(
        config_file=str(config),
        site_dir=str(site),
        strict=True,
        site_url=f"http://127.0.0.1:{port}/",
    )
    options.plugins.on_startup(command="build", dirty=False)
    try:
        build(options)
    finally:
        options.plugins.on_shutdown()
    return time.perf_counter() - started


def disk(folder: Path) -> tuple[int, int]:
    files = [path for path in folder.rglob("*") if path.is_file()]
    return len(files), sum(path.stat().st_size for path in files)


def open_material(page):
    page.locator(".md-search__input").click()
    return page.locator(".md-search__input"), ".md-search-result__item"


def open_pagefind(page):
    page.locator(".kz-search").click()
    return page.locator("pagefind-modal input"), "pagefind-modal .pf-result a[href]"


def first_search(browser, url: str, query: str, opener, variant: Variant) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    finished: list[tuple[str, object]] = []
    phase = ["load"]
    page.on("requestfinished", lambda request: finished.append((phase[0], request)))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    settle(page, finished)
    phase[0] = "open"
    box, results = opener(page)
    box.wait_for(state="visible")
    settle(page, finished)
    phase[0] = "typed"
    started = time.perf_counter()
    box.press_sequentially(query)
    page.locator(results).first.wait_for(timeout=180_000)
    variant.first_results_ms = (time.perf_counter() - started) * 1000
    settle(page, finished)
    assert errors == [], errors

    def counted(request) -> tuple[int, int]:
        response = request.response()
        body = response.body() if response else b""
        packed = gzip.compress(body) if request.url.split("?")[0].endswith(TEXT_TYPES) else body
        return len(body), min(len(body), len(packed))

    after, whole = [0, 0], [0, 0]
    for when, request in finished:
        if when == "load" and not any(part in request.url for part in SEARCH_URLS):
            continue  # the page itself, loaded whether or not anyone searches
        raw, packed = counted(request)
        whole[0] += raw
        whole[1] += packed
        variant.requests += 1
        variant.largest.append((raw, request.url.replace(url, "/")))
        if when == "typed":
            after[0] += raw
            after[1] += packed
    variant.after_typing = (after[0], after[1])
    variant.whole = (whole[0], whole[1])
    variant.largest = sorted(variant.largest, reverse=True)[:4]
    page.close()


def settle(page, finished: list, quiet_ms: int = 750) -> None:
    """Waits until no request has finished for ``quiet_ms``."""
    while True:
        count = len(finished)
        page.wait_for_timeout(quiet_ms)
        if len(finished) == count:
            return


def size(raw: int, packed: int | None = None) -> str:
    def one(value: int) -> str:
        if value >= 1_000_000:
            return f"{value / 1_000_000:.1f} MB"
        return f"{value / 1000:.0f} KB"

    return one(raw) if packed is None else f"{one(raw)} ({one(packed)})"


def table(rows: list[tuple[int, Variant]], query: str) -> str:
    lines = [
        "",
        f"First search: the query {query!r} typed into the home page's search box.",
        "Bytes as served (as gzip would send them).",
        "",
        "| N | search | index build | index on disk | first search, after typing "
        "| whole first search | requests | first results |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, v in rows:
        lines.append(
            f"| {n:,} | {v.name} | {v.index_seconds:.1f} s | "
            f"{size(v.index_bytes)} in {v.index_files:,} files | {size(*v.after_typing)} | "
            f"{size(*v.whole)} | {v.requests} | {v.first_results_ms:,.0f} ms |"
        )
    lines += ["", "Largest responses of each whole first search:"]
    for n, v in rows:
        biggest = ", ".join(f"{path.split('?')[0]} {size(raw)}" for raw, path in v.largest)
        lines.append(f"  N={n:,} {v.name}: {biggest}")
    lines += ["", "Whole builds (mkdocs build --strict, search included):"]
    for n, v in rows:
        lines.append(f"  N={n:,} {v.name}: {v.build_seconds:.1f} s")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
