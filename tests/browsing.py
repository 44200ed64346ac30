"""Serving a built site and launching Debian's Chromium: shared by tests and benchmarks."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(folder: Path, port: int | None = None) -> Iterator[str]:
    """A built site over HTTP on 127.0.0.1, as a reader's browser fetches it."""
    port = port or free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 10
    try:
        while True:
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait()


# Charts are drawn as they come near the screen: scroll each into view and wait for it.
DRAW_ALL = """async () => {
  for (const chart of document.querySelectorAll('.kz-chart')) {
    if (chart.offsetParent === null) continue;  // in a section the reader has hidden
    chart.scrollIntoView({block: 'center'});
    const until = performance.now() + 15000;
    while (!(chart.classList.contains('kz-chart--drawn') && chart.querySelector('svg.main-svg'))
           && performance.now() < until) {
      await new Promise((done) => setTimeout(done, 50));
    }
  }
  window.scrollTo(0, 0);
}"""


def draw_all_charts(page) -> int:
    """Every visible chart of the page drawn; returns how many are."""
    page.evaluate(DRAW_ALL)
    return page.locator(".kz-chart--drawn").count()


def click_first_cycle_bar(page) -> None:
    """A real click on the first bar of the page's cycles chart (drawn first)."""
    draw_all_charts(page)
    bar = page.locator(".kz-chart--cycles .barlayer .point path").first
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
