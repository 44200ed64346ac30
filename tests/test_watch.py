"""The live preview's file events (mkdocs_plugin/watch.py): a save reaches MkDocs' poller
as a change in the relay's one-file folder; a read does not."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from kaizen_portal.mkdocs_plugin.watch import SaveRelay


def signals(relay: SaveRelay) -> set[str]:
    return {path.name for path in relay.signal.iterdir()}


def changed_after(relay: SaveRelay, action) -> bool:
    """Whether the relay's folder shows a new name within two seconds of ``action``."""
    time.sleep(0.2)  # events of what came before have arrived
    before = signals(relay)
    action()
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        if signals(relay) != before:
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def relay(tmp_path: Path):
    folder = tmp_path / "experiments"
    (folder / "nested").mkdir(parents=True)
    (folder / "a.md").write_text("one", encoding="utf-8")
    relay, unwatched = SaveRelay.for_folders([folder])
    if relay is None:
        pytest.fail("this system gives no file events: the preview would poll")
    assert unwatched == []
    yield relay, folder
    relay.stop()
    assert not relay.signal.exists()


def test_saves_of_every_kind_reach_the_poller(relay) -> None:
    relay, folder = relay
    a = folder / "a.md"
    assert changed_after(relay, lambda: a.write_text("two", encoding="utf-8"))
    assert changed_after(relay, lambda: (folder / "nested" / "b.md").write_text("x"))

    # An editor's atomic save: a temporary file renamed over the write-up.
    def atomic() -> None:
        (folder / ".a.md.tmp").write_text("three", encoding="utf-8")
        os.replace(folder / ".a.md.tmp", a)

    assert changed_after(relay, atomic)
    assert changed_after(relay, lambda: os.utime(a, ns=(1, 1)))
    assert changed_after(relay, a.unlink)
    assert len(signals(relay)) == 1  # one file, renamed each time


def test_reading_write_ups_is_no_change(relay) -> None:
    """A build reads every write-up; that must not start another rebuild."""
    relay, folder = relay
    assert not changed_after(relay, lambda: (folder / "a.md").read_bytes())
    assert not changed_after(relay, lambda: list(folder.rglob("*")))


def test_a_folder_that_cannot_be_watched_is_left_to_polling(tmp_path: Path) -> None:
    relay, unwatched = SaveRelay.for_folders([tmp_path / "missing"])
    assert relay is None and unwatched == [tmp_path / "missing"]
