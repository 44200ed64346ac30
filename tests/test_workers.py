"""Work shared among forked processes gives exactly what one process gives."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from kaizen_portal.build import workers

from helpers import ROOT, make_project, write

COMPARE_BUILDS = """
import json, sys
from pathlib import Path
from kaizen_portal.build import pipeline, workers
from kaizen_portal.build.memo import Memo
from kaizen_portal.pages.links import PageOptions

project = Path(sys.argv[1])

def build(memo):
    result = pipeline.build(pipeline.Inputs(project, memo=memo), PageOptions())
    files = [(f.uri, f.content) for f in result.files]
    return files, repr(result.analyses), [p.format() for p in result.portfolio.problems]

workers.MIN_ITEMS = 10**9
alone = build(Memo())
workers.MIN_ITEMS = 2
memo = Memo()
shared = build(memo)
again = build(memo)  # every write-up now comes from the memo, in each process
print(json.dumps({
    "shares": workers.share_count(len(alone[0])),
    "files": len(alone[0]),
    "problems": alone[2],
    "shared_same": shared == alone,
    "again_same": again == alone,
}))
"""


def _forks() -> bool:
    return sys.platform == "linux" and len(os.sched_getaffinity(0)) > 1


def test_a_shared_build_is_the_same_build(tmp_path: Path) -> None:
    project = make_project(tmp_path, samples=True)
    first = sorted((project / "experiments").glob("*.md"))[0]
    shutil.copy(first, project / "experiments" / "zz-copy.md")  # a duplicate id, located
    write(project, "broken.md", "no front-matter here\n")
    report = _python(COMPARE_BUILDS, str(project))
    assert report["files"] > 40
    assert any(p.startswith("experiments/broken.md:1:1") for p in report["problems"])
    assert any(p.startswith("experiments/zz-copy.md:2:1") for p in report["problems"])
    assert report["shared_same"]
    assert report["again_same"]
    if _forks():
        assert report["shares"] > 1


SHARE_ITEMS = """
import json, os
from kaizen_portal.build import workers

workers.MIN_ITEMS = 2

def task(i):
    if i == FAILING:  # item 2 is never this process's: it does item 0, then 1, 1 + n, ...
        raise ValueError(f"bad item {i}")
    return i * i, os.getpid()

try:
    results = workers.map_shared(task, list(range(40)))
    print(json.dumps({"results": results, "shares": workers.share_count(40), "me": os.getpid()}))
except ValueError as error:
    print(json.dumps({"error": str(error)}))
"""


@pytest.mark.skipif(not _forks(), reason="work is shared only on Linux with several CPUs")
def test_items_are_shared_among_processes_in_order() -> None:
    report = _python(SHARE_ITEMS.replace("FAILING", "None"))
    assert [square for square, _ in report["results"]] == [i * i for i in range(40)]
    pids = [pid for _, pid in report["results"]]
    assert len(set(pids)) == report["shares"] > 1
    assert pids[0] == pids[1] == report["me"]  # this process does a share too, not only waits


@pytest.mark.skipif(not _forks(), reason="work is shared only on Linux with several CPUs")
def test_an_error_in_a_worker_is_raised_here() -> None:
    assert _python(SHARE_ITEMS.replace("FAILING", "2")) == {"error": "bad item 2"}


def test_nothing_is_forked_for_few_items_or_beside_threads() -> None:
    assert workers.share_count(workers.MIN_ITEMS - 1) == 1
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert workers.share_count(10 * workers.MIN_ITEMS) == 1
    finally:
        stop.set()
        thread.join()


def _python(script: str, *args: str) -> dict:
    """What a script printed as JSON, run in a fresh interpreter: the test session runs
    server threads, and a process with threads is one the workers rightly never fork."""
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")},
    )
    return json.loads(result.stdout)
