"""The author's loop at scale: save a write-up under `mkdocs serve`, see it on screen.

For each size, writes a synthetic project (synthetic.py), starts the live preview as
`make serve` does (`mkdocs serve --dirty`), and saves an edit to one write-up several times: a new
title and one changed result, valid each time. For every save it prints the seconds from
the save to the experiment's page being served with the change, and to the search index
having it (Pagefind's own search, run in headless Chromium against the served site), then
the medians. Targets: at most 2 s from save to page at 1,000 experiments, 4 s at 5,000.

    python benchmarks/serve_loop.py --n 1000 5000 [--saves 5]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browsing import CHROMIUM, CHROMIUM_ARGS, free_port
from synthetic import write_portfolio

POLL = 0.05  # seconds between looks at the served page
# Pagefind's JavaScript API, loaded into the served page: the search a reader would run.
SEARCH = """async (word) => {
  const pagefind = await import("/pagefind/pagefind.js");
  await pagefind.init();
  const found = await pagefind.search(word);
  const data = await Promise.all(found.results.slice(0, 5).map((r) => r.data()));
  return data.some((d) => d.content.includes(word) || (d.meta.title || "").includes(word));
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000])
    parser.add_argument("--saves", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per wait")
    parser.add_argument("--log", type=Path, help="write the live preview's own log here")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    for n in args.n:
        with tempfile.TemporaryDirectory(prefix=f"kaizen-serve-{n}-") as folder:
            run(Path(folder), n, args.saves, args.timeout, args.log)


def run(project: Path, n: int, saves: int, timeout: float, log: Path | None = None) -> None:
    write_portfolio(project, n)
    target = _editable(project)
    slug = target.stem.lower()
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": base}
    started = time.perf_counter()
    output = log.open("a", encoding="utf-8") if log else subprocess.DEVNULL
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dirty", "-a", f"127.0.0.1:{port}"],
        cwd=project,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    page_url = f"{base}experiments/{slug}/"
    try:
        _until(lambda: _get(page_url) is not None, timeout)
        print(f"\nN = {n:,}: first build served after {time.perf_counter() - started:.1f} s")
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            to_page, to_search = [], []
            for save in range(saves):
                marker = f"Servelooptitle{save}x{int(time.time())}"
                _save(target, marker)
                saved = time.perf_counter()
                _until(lambda m=marker: m in (_get(page_url) or ""), timeout)
                to_page.append(time.perf_counter() - saved)
                _until(lambda m=marker: _searched(page, base, m), timeout)
                to_search.append(time.perf_counter() - saved)
                print(f"  save {save + 1}: page {to_page[-1]:.2f} s, search {to_search[-1]:.2f} s")
            browser.close()
        print(
            f"  median of {saves}: save to page {statistics.median(to_page):.2f} s, "
            f"save to search {statistics.median(to_search):.2f} s"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        if log:
            output.close()


def _editable(project: Path) -> Path:
    """A concluded write-up with proportion results and no daily file, so that one result
    can change without touching anything else."""
    for path in sorted((project / "experiments").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if "status: concluded" in text and "data:" not in text and "conversions:" in text:
            return path
    raise SystemExit("no concluded write-up with a proportion metric and no daily file")


def _save(path: Path, marker: str) -> None:
    """A new title and one more conversion in the first proportion result, written at once."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^title: .*$", f"title: {marker}", text, count=1)
    text = re.sub(r"conversions: (\d+)", lambda m: f"conversions: {int(m[1]) + 1}", text, count=1)
    path.write_text(text, encoding="utf-8")


def _searched(page, base: str, word: str) -> bool:
    """Whether Pagefind finds the word; a fresh light page each time, as Pagefind keeps
    its index per page load, and a server busy rebuilding is simply asked again. The page
    is experiments.json, which the preview serves without its live-reload script: every
    HTML page would leave a minute-long poll open, and Chromium's six connections to a
    server then run out within a few looks."""
    from playwright.sync_api import Error

    try:
        page.goto(base + "experiments.json", wait_until="domcontentloaded", timeout=120_000)
        return bool(page.evaluate(SEARCH, word))
    except Error:
        return False


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, OSError):
        return None


def _until(condition, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise SystemExit(f"timed out after {timeout:.0f} s")
        time.sleep(POLL)


if __name__ == "__main__":
    main()
