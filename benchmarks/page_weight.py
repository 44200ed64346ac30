"""What a first visit to an experiment page costs a reader: bytes, and time to a chart.

Builds the shipped samples with ``mkdocs build --strict``, serves them, and opens the
experiment page with the most charts in headless Chromium with an empty cache, at a
desktop and a phone size. It scrolls to the end so every chart is drawn, then prints
every response by kind, stored and as gzip would send it, the total against the target
(600 KB gzipped), and the time from navigation to the first chart drawn (target 1 s),
the median of several loads.

    python benchmarks/page_weight.py
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from browsing import CHROMIUM, CHROMIUM_ARGS, free_port, serve  # noqa: E402

PAGE = "experiments/exp-2025-012/"  # a lift chart, a daily chart and the cycles of its idea
TARGET_KB = 600
TARGET_SECONDS = 1.0

# Records when the first chart is drawn, in the page's own clock (0 = navigation start).
FIRST_CHART = """new MutationObserver((_, observer) => {
  if (document.querySelector('.kz-chart--drawn')) {
    window.__kzFirstChart = performance.now();
    observer.disconnect();
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['class']});"""
SCROLL = """async () => {
  for (let y = 0; y < document.body.scrollHeight; y += 500) {
    window.scrollTo(0, y);
    await new Promise((done) => setTimeout(done, 100));
  }
}"""


def build(site: Path, port: int) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": f"http://127.0.0.1:{port}/"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)]
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def visit(browser, url: str, width: int, height: int) -> tuple[dict[str, list[int]], float]:
    """Bytes per kind of response (stored, gzipped), and ms to the first chart."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.add_init_script(FIRST_CHART)
    sizes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    bodies = []
    page.on("response", lambda response: bodies.append(response))
    page.goto(url, wait_until="load")
    page.wait_for_function("() => window.__kzFirstChart !== undefined", timeout=20_000)
    first = page.evaluate("() => window.__kzFirstChart")
    page.evaluate(SCROLL)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.kz-chart')].every("
        "c => c.classList.contains('kz-chart--drawn'))",
        timeout=20_000,
    )
    page.wait_for_load_state("networkidle")
    for response in bodies:
        try:
            body = response.body()
        except Exception:  # a redirect or an aborted request has no body
            continue
        kind = response.headers.get("content-type", "other").split(";")[0]
        sizes[kind][0] += len(body)
        sizes[kind][1] += len(gzip.compress(body, 9))
    context.close()
    return dict(sizes), first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=9, help="loads per viewport (median)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        site = Path(tmp) / "site"
        build(site, port)
        with serve(site, port) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, width, height in (("desktop", 1366, 900), ("phone", 390, 844)):
                runs = [visit(browser, base + PAGE, width, height) for _ in range(args.loads)]
                sizes, _ = runs[0]
                first = statistics.median(ms for _, ms in runs) / 1000
                print(f"{PAGE} at {width}x{height} ({name}), first visit, empty cache:")
                for kind, (stored, sent) in sorted(sizes.items(), key=lambda kv: -kv[1][1]):
                    print(f"  {kind:<28} {stored / 1024:8.1f} KB stored {sent / 1024:8.1f} KB gzip")
                total = sum(sent for _, sent in sizes.values()) / 1024
                stored = sum(s for s, _ in sizes.values()) / 1024
                print(
                    f"  {'total':<28} {stored:8.1f} KB stored {total:8.1f} KB gzip "
                    f"(target {TARGET_KB} KB: {'met' if total <= TARGET_KB else 'NOT met'})"
                )
                print(
                    f"  first chart drawn {first:.2f} s after navigation "
                    f"(median of {args.loads}; target {TARGET_SECONDS:.0f} s: "
                    f"{'met' if first <= TARGET_SECONDS else 'NOT met'})"
                )
            browser.close()


if __name__ == "__main__":
    main()
