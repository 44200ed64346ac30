"""How the portal's build scales, against plain mkdocs-material as the floor.

For N synthetic experiments (benchmarks/synthetic.py) this builds, a few times each:

  (a) the floor: the same write-up bodies as plain mkdocs-material pages, kept out of the
      navigation (as the portal keeps its experiment pages), with the portal's theme and
      Markdown extensions but no plugin;
  (b) the portal: the plugin on the same write-ups, with its statistics, charts, listings,
      feeds and search index;

and prints median wall time, peak memory, site size, mean HTML bytes per experiment page,
what a browser fetches for a first search, the analysis of every experiment on one CPU,
the plugin's own cost on a rebuild after one write-up changes (what `mkdocs serve` pays),
and `kaizen check` on every file. The last
line is `portal/plain build time ratio: X.XX`.

    python benchmarks/build_scale.py --n 1000 --runs 3
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "plugins"))

from synthetic import SITE_YML, write_portfolio  # noqa: E402

# Runs MkDocs in-process and reports the peak memory of MkDocs' own process. The whole
# build's peak, its worker copies and the Pagefind indexer included, is sampled from
# outside (tree_pss_kb): the indexer runs while MkDocs still holds the site, so a machine
# needs room for both at once.
MEASURED_BUILD = """
import resource, sys
from mkdocs.__main__ import cli
code = 0
try:
    cli(sys.argv[1:])
except SystemExit as exit:
    code = exit.code or 0
print(f"PEAK_KB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", file=sys.stderr)
sys.exit(code)
"""
SAMPLE_EVERY = 0.1  # seconds
TEXT = (".js", ".css", ".json")  # what a gzipping web server compresses

# The floor is the same site (theme, features, Markdown extensions) without the plugin, so
# the ratio is what the plugin adds.
PLAIN_YML = f"{SITE_YML}nav:\n  - Home: index.md\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {sys.platform}")
    ratio = 0.0
    for n in args.n:
        workdir = args.keep or Path(tempfile.mkdtemp(prefix=f"kaizen-scale-{n}-"))
        try:
            ratio = run(workdir, n, args.runs)
        finally:
            if not args.keep:
                shutil.rmtree(workdir, ignore_errors=True)
    print(f"portal/plain build time ratio: {ratio:.2f}")


def run(workdir: Path, n: int, runs: int) -> float:
    portal = workdir / "portal"
    plain = workdir / "plain"
    started = time.perf_counter()
    write_portfolio(portal, n)
    write_plain(portal, plain)
    print(f"\nN = {n:,}: wrote both projects in {time.perf_counter() - started:.1f} s")

    # Alternated, so a machine that speeds up or slows down over the runs moves both alike.
    floor, ours = [], []
    for _ in range(runs):
        floor.append(build(plain, workdir / "plain-site"))
        ours.append(build(portal, workdir / "portal-site"))
    site = workdir / "portal-site"
    pages = list((site / "experiments").glob("exp-*/index.html"))
    print(f"{'':28}{'plain floor':>14}{'portal':>14}")
    row("median build time (s)", [r.seconds for r in floor], [r.seconds for r in ours], "{:.1f}")
    row("peak memory, all (MB)", [r.tree_mb for r in floor], [r.tree_mb for r in ours], "{:.0f}")
    row("peak memory, MkDocs (MB)", [r.own_mb for r in floor], [r.own_mb for r in ours], "{:.0f}")
    plain_mb, portal_mb = size(workdir / "plain-site") / 1e6, size(site) / 1e6
    print(f"{'site size (MB)':28}{plain_mb:>14.1f}{portal_mb:>14.1f}")
    mean_page = statistics.mean(p.stat().st_size for p in pages) / 1000
    print(f"mean HTML per experiment page: {mean_page:.1f} KB ({len(pages):,} pages)")
    for chunk, pick in (("median", lambda c: c[len(c) // 2]), ("largest", lambda c: c[-1])):
        stored, sent = (n / 1000 for n in first_search_bytes(site, pick))
        print(f"first search, {chunk} index chunk: {stored:.0f} KB ({sent:.0f} KB gzipped)")
    print(f"analysis of {n:,} experiments, one CPU: {analysis_seconds(portal):.2f} s")
    print(f"plugin rebuild after one edit: {rebuild_seconds(portal):.2f} s")
    print(f"kaizen check of {n:,} files: {check_seconds(portal):.2f} s")
    return statistics.median(r.seconds for r in ours) / statistics.median(r.seconds for r in floor)


def write_plain(portal: Path, plain: Path) -> None:
    """The floor: every write-up's Markdown body as an ordinary page, front-matter dropped."""
    docs = plain / "docs" / "experiments"
    docs.mkdir(parents=True)
    (plain / "mkdocs.yml").write_text(PLAIN_YML, encoding="utf-8")
    (plain / "docs" / "index.md").write_text("# Experiments\n", encoding="utf-8")
    for source in (portal / "experiments").glob("*.md"):
        text = source.read_text(encoding="utf-8")
        body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
        title = re.search(r"^title: (.*)$", text, re.MULTILINE)
        heading = title.group(1).strip("'\"") if title else source.stem
        (docs / source.name).write_text(f"# {heading}\n{body}", encoding="utf-8")


class Measured(NamedTuple):
    seconds: float
    own_mb: float  # MkDocs' process: its resident set at its largest
    tree_mb: float  # every process of the build at once, shared pages counted once


def build(project: Path, site: Path) -> Measured:
    """Wall time and peak memory of one strict build."""
    shutil.rmtree(site, ignore_errors=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1767225600"}
    command = [sys.executable, "-c", MEASURED_BUILD, "build", "-q", "--strict", "-d", str(site)]
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(
            command, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=err
        )
        tree = 0
        while process.poll() is None:
            tree = max(tree, tree_pss_kb(process.pid))
            time.sleep(SAMPLE_EVERY)
        elapsed = time.perf_counter() - started
        err.seek(0)
        stderr = err.read()
    if process.returncode != 0:
        raise SystemExit(f"build of {project} failed:\n{stderr[-3000:]}")
    own = int(re.findall(r"PEAK_KB (\d+)", stderr)[-1])
    return Measured(elapsed, own / 1024, tree / 1024)


def tree_pss_kb(pid: int) -> int:
    """Proportional set size of a process and all its descendants (Linux; 0 elsewhere).

    PSS splits a page shared by n processes n ways, so forked copies are not counted as
    whole new processes, the way summing their resident sets would.
    """
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            total += int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.MULTILINE).group(1))
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, AttributeError):  # gone meanwhile, or not Linux
            continue
    return total


def row(label: str, floor: list[float], ours: list[float], form: str) -> None:
    left, right = form.format(statistics.median(floor)), form.format(statistics.median(ours))
    print(f"{label:28}{left:>14}{right:>14}")


def size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def first_search_bytes(site: Path, pick: Callable[[list[Path]], Path]) -> tuple[int, int]:
    """What a first search fetches, as stored and as a gzipping server sends it: Pagefind's
    code and search UI, its WebAssembly and metadata for the site's language, the index
    chunk ``pick`` chooses among them all (sorted by size) and five excerpts.
    search_size.py measures a real query in a browser."""
    pagefind = site / "pagefind"
    metas = sorted(pagefind.glob("pagefind.*.pf_meta"))
    chunks = sorted(pagefind.glob("index/*.pf_index"), key=lambda p: p.stat().st_size)
    if not metas or not chunks:
        return 0, 0
    language = metas[0].name.split(".")[1].split("_")[0]  # pagefind.en_1a2b3c.pf_meta
    code = ("pagefind.js", "pagefind-entry.json", "pagefind-component-ui.js")
    fetched = [pagefind / name for name in (*code, "pagefind-component-ui.css")]
    fetched += [pagefind / f"wasm.{language}.pagefind", metas[0], pick(chunks)]
    fragments = sorted(pagefind.glob("fragment/*.pf_fragment"), key=lambda p: p.stat().st_size)
    fetched += fragments[-5:]
    stored = sum(p.stat().st_size for p in fetched)
    # Pagefind's own files are gzipped already; its code and UI are text a server gzips.
    sent = sum(
        len(gzip.compress(p.read_bytes())) if p.suffix in TEXT else p.stat().st_size
        for p in fetched
    )
    return stored, sent


def analysis_seconds(project: Path, runs: int = 3) -> float:
    """The statistics of every experiment (tests, intervals, corrections, daily trends),
    in one process as the build's workers run them, heap frozen as theirs is; the median
    of ``runs`` passes, after one that warms the caches."""
    import gc

    from kaizen_portal.analysis.comparisons import analyze
    from kaizen_portal.build.loading import load_portfolio

    portfolio = load_portfolio(project)
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        for entry in portfolio.entries:
            gc.freeze()
            analyze(entry, portfolio.catalog)
        gc.unfreeze()
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


def rebuild_seconds(project: Path) -> float:
    """The plugin's own work for a rebuild after editing one write-up, as `serve` runs it."""
    from kaizen_portal.build.memo import Memo
    from kaizen_portal.build.pipeline import Inputs, build
    from kaizen_portal.pages.links import PageOptions

    memo = Memo()
    build(Inputs(project, memo=memo), PageOptions())
    target = sorted((project / "experiments").glob("*.md"))[0]
    text = target.read_text(encoding="utf-8")
    target.write_text(text + "\nOne more sentence.\n", encoding="utf-8")
    try:
        started = time.perf_counter()
        build(Inputs(project, memo=memo), PageOptions())
        return time.perf_counter() - started
    finally:
        target.write_text(text, encoding="utf-8")


def check_seconds(project: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "kaizen_portal.cli", "check"],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(HERE.parent / "plugins")},
        capture_output=True,
        check=True,
    )
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
