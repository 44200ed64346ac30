"""The live preview: `mkdocs serve` rebuilds on changes to write-ups and keeps running."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from browsing import free_port

from helpers import VALID, front_matter, make_project, mkdocs, write


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except OSError:
        return 0, ""


def until(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def serve(project: Path, port: int, *, verbose: bool = False) -> subprocess.Popen[str]:
    """`mkdocs serve` on the project, its log (stdout and stderr) kept for the end."""
    return subprocess.Popen(
        mkdocs("serve", "-a", f"127.0.0.1:{port}", *(["-v"] if verbose else [])),
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.site
def test_serve_shows_drafts_reports_a_broken_file_and_recovers(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    draft = dict(VALID, title="Draft in progress", visibility="draft")
    write(project, "a.md", front_matter(draft))
    port = free_port()
    server = serve(project, port)
    base = f"http://127.0.0.1:{port}/"
    try:
        until(lambda: fetch(base + "experiments/")[0] == 200, 60)
        # Drafts are part of the preview, never of a published build.
        assert "Draft in progress" in fetch(base + "experiments/exp-2099-001/")[1]

        broken = front_matter(dict(VALID, id="EXP-2099-002", status="finished"))
        write(project, "b.md", broken)
        until(lambda: fetch(base + "experiments/needs-attention/")[0] == 200)
        page = fetch(base + "experiments/needs-attention/")[1]
        assert "experiments/b.md" in page and "finished" in page
        assert "need attention" in fetch(base + "experiments/")[1]
        assert server.poll() is None  # still serving

        write(project, "b.md", front_matter(dict(VALID, id="EXP-2099-002", title="Fixed")))
        until(lambda: "Fixed" in fetch(base + "experiments/exp-2099-002/")[1])
        assert fetch(base + "experiments/needs-attention/")[0] == 404
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert "experiments/b.md:" in output and "status: wrong value" in output
    assert "Traceback" not in output


@pytest.mark.site
def test_serve_names_where_the_index_is_under_site_url_s_path(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("site_url:")]
    config.write_text(
        "site_url: https://acme.example.com/experiments/\n" + "\n".join(lines) + "\n",
        encoding="utf-8",
    )
    write(project, "a.md", front_matter(VALID))
    port = free_port()
    server = serve(project, port)
    index = f"http://127.0.0.1:{port}/experiments/experiments/"
    try:
        until(lambda: fetch(index)[0] == 200, 60)
        assert fetch(f"http://127.0.0.1:{port}/experiments/")[0] == 200  # the home page
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert f"The experiments index is at {index}" in output


@pytest.mark.site
@pytest.mark.parametrize("events", [True, False], ids=["file events", "polling"])
def test_a_save_reaches_the_preview_with_file_events_or_polling(
    tmp_path: Path, events: bool
) -> None:
    """By file events, MkDocs polls a folder of one file in place of the experiments;
    preview_file_events: false leaves them to its polling, for a mount that sends no file
    events (mkdocs_plugin/watch.py)."""
    project = make_project(tmp_path)
    config = project / "mkdocs.yml"
    option = f"      pages_dir: experiments\n      preview_file_events: {str(events).lower()}\n"
    text = config.read_text(encoding="utf-8").replace("      pages_dir: experiments\n", option)
    config.write_text(text, encoding="utf-8")
    write(project, "a.md", front_matter(VALID))
    port = free_port()
    server = serve(project, port, verbose=True)
    page = f"http://127.0.0.1:{port}/experiments/exp-2099-001/"
    try:
        until(lambda: fetch(page)[0] == 200, 60)
        write(project, "a.md", front_matter(dict(VALID, title="Saved again")))
        until(lambda: "Saved again" in fetch(page)[1])
    finally:
        server.send_signal(signal.SIGINT)  # as Ctrl-C stops it, with MkDocs' shutdown
        output = server.communicate(timeout=20)[0]
    assert "Traceback" not in output
    watched = re.findall(r"Watching '([^']+)'", output)
    assert (str(project / "experiments") in watched) is not events
    relays = [Path(path) for path in watched if Path(path).name.startswith("kaizen-preview-")]
    assert len(relays) == (1 if events else 0)
    assert not any(relay.exists() for relay in relays)  # removed when the preview stops


@pytest.mark.site
def test_serve_clean_indexes_every_rebuild(tmp_path: Path) -> None:
    """`mkdocs serve --clean` starts its plugins as a build would, and empties the site
    before each rebuild: each is indexed as it is made, not when the command ends."""
    project = make_project(tmp_path)
    write(project, "a.md", front_matter(VALID))
    port = free_port()
    server = subprocess.Popen(
        mkdocs("serve", "--clean", "-a", f"127.0.0.1:{port}"),
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}/"
    entry = base + "pagefind/pagefind-entry.json"
    try:
        until(lambda: fetch(entry)[0] == 200, 60)
        write(project, "a.md", front_matter(dict(VALID, title="Saved again")))
        until(lambda: "Saved again" in fetch(base + "experiments/exp-2099-001/")[1])
        assert fetch(entry)[0] == 200  # the rebuild emptied the site and indexed it again
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=20)[0]
    assert "Traceback" not in output
    assert output.count("Pagefind indexed") >= 2
