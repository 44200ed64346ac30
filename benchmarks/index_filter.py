"""How the experiments index holds up at scale: page weight, load, and filter and sort times.

Writes a synthetic project (see synthetic.py), builds it with ``mkdocs build --strict``,
serves it, and drives the index in headless Chromium. Interactions are timed inside the
page, from the event to the count or order being updated (script), then with the layout it
forces, then to the next frame; each is the median of several runs.

    python benchmarks/index_filter.py --n 5000
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browsing import CHROMIUM, CHROMIUM_ARGS, free_port, serve
from synthetic import write_portfolio

# Runs `act` (a function body given the page's elements), then times the three stages.
TIMED = """async ([act, arg]) => {
  const root = document.querySelector('[data-kz-browse]');
  const el = {
    form: root.querySelector('form'),
    count: root.querySelector('[data-kz-count]'),
    sort: (key) => root.querySelector(`button[data-kz-sort=${key}]`),
  };
  const run = new Function('el', 'arg', act);
  const start = performance.now();
  run(el, arg);
  const script = performance.now();
  document.body.offsetHeight;  // forces style and layout
  const layout = performance.now();
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  const frame = performance.now();
  return {script: script - start, layout: layout - start, frame: frame - start,
          count: el.count.textContent};
}"""

CHOOSE = """const select = el.form.elements[arg.name];
select.value = arg.value;
select.dispatchEvent(new Event('change', {bubbles: true}));"""
TYPE = """el.form.elements.text.value = arg;
el.form.requestSubmit();  // Enter: applies at once, without the typing delay"""
CLICK = "el.sort(arg).click();"

# Records when browse.js has applied the URL (it sets data-kz-ready when done).
READY = """new MutationObserver((_, observer) => {
  window.__kzReady = performance.now();
  observer.disconnect();
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-kz-ready']});"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="how many experiments")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per interaction")
    parser.add_argument(
        "--workdir", type=Path, help="keep the project and site here; reuse a site built before"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.workdir or Path(scratch)
        port = free_port()
        site = prepare(workdir, args.n, args.seed, port)
        with serve(site, port) as url:
            report(site, url + "experiments/", args.runs)


def prepare(workdir: Path, n: int, seed: int, port: int) -> Path:
    """The built site; generated and built unless the workdir already holds one."""
    project, site = workdir / "project", workdir / "site"
    if (site / "experiments" / "index.html").is_file():
        print(f"reusing {site}")
        return site
    started = time.perf_counter()
    write_portfolio(project, n, seed)
    print(f"wrote {n} experiments in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    # Built for the address it is served from, as Material's instant navigation needs.
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"]
    command += ["-f", str(project / "mkdocs.yml"), "-d", str(site)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": f"http://127.0.0.1:{port}/"}
    result = subprocess.run(
        command, cwd=project, capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr[-5000:]}"
    print(f"built the site (--strict) in {time.perf_counter() - started:.1f} s")
    return site


def report(site: Path, url: str, runs: int) -> None:
    from playwright.sync_api import sync_playwright

    html = (site / "experiments" / "index.html").read_bytes()
    rows = html.count(b"<tr data-kz-id=")
    print(f"\nindex.html: {rows} rows, {len(html):,} bytes ({len(html) // max(rows, 1)} per row),")
    print(f"            {len(gzip.compress(html)):,} bytes gzipped")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.add_init_script(READY)
        loads = [load(page, url) for _ in range(3)]
        for name in ("domContentLoaded", "load", "ready"):
            print(f"{name:>24}: {statistics.median(t[name] for t in loads):7.0f} ms (median of 3)")
        teams = page.eval_on_selector_all(
            "select[name=team] option", "options => options.map(o => o.value).filter(Boolean)"
        )
        print(f"\n{'interaction':<28}{'script':>9}{'+layout':>9}{'+frame':>9}   count after")
        choose = [(CHOOSE, {"name": "team", "value": team}) for team in teams]
        everyone = (CHOOSE, {"name": "team", "value": ""})
        measure(page, runs, "team: one team", choose, reset=everyone)
        measure(page, runs, "team: back to all", [everyone], reset=choose[0])
        for text in ("checkout", "quiz lapsed"):
            measure(page, runs, f"text: {text!r}", [(TYPE, text)], reset=(TYPE, ""))
        measure(page, runs, "sort: lift (toggles)", [(CLICK, "lift")])
        measure(page, runs, "sort: experiment title", [(CLICK, "title")])
        browser.close()
    assert errors == [], errors


def load(page, url: str) -> dict[str, float]:
    page.goto(url, wait_until="load")
    page.wait_for_function("() => window.__kzReady")
    return page.evaluate(
        """() => {
          const nav = performance.getEntriesByType('navigation')[0];
          return {domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
                  ready: window.__kzReady};
        }"""
    )


Action = tuple[str, object]


def measure(
    page, runs: int, label: str, actions: list[Action], reset: Action | None = None
) -> None:
    """Medians over ``runs`` timed actions, each after an untimed ``reset``, if given."""
    timings = []
    for index in range(runs):
        if reset:
            page.evaluate(TIMED, list(reset))
        act, arg = actions[index % len(actions)]
        timings.append(page.evaluate(TIMED, [act, arg]))
    stages = ("script", "layout", "frame")
    medians = "".join(f"{statistics.median(t[s] for t in timings):7.1f}ms" for s in stages)
    print(f"{label:<28}{medians}   {timings[-1]['count']}")


if __name__ == "__main__":
    main()
