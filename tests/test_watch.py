"""The live preview's file events (mkdocs_plugin/watch.py): a save reaches MkDocs' poller
as a change in the relay's one-file folder; a read does not."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from kaizen_portal.mkdocs_plugin.watch import SaveRelay, mount_type


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
    (folder / ".a.md.tmp").write_text("three", encoding="utf-8")
    assert changed_after(relay, lambda: os.replace(folder / ".a.md.tmp", a))
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


def test_a_folder_that_is_a_link_is_watched_where_it_leads(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "experiments").symlink_to(tmp_path / "content")
    relay, unwatched = SaveRelay.for_folders([tmp_path / "experiments"])
    assert relay is not None and unwatched == []
    try:
        save = lambda: (tmp_path / "experiments" / "a.md").write_text("x")  # noqa: E731
        assert changed_after(relay, save)
    finally:
        relay.stop()


def test_a_folder_holding_links_is_left_to_polling(tmp_path: Path) -> None:
    """An edit of a link's target sends its event from the target's folder."""
    (tmp_path / "elsewhere.md").write_text("x", encoding="utf-8")
    experiments = tmp_path / "experiments"
    experiments.mkdir()
    (experiments / "a.md").symlink_to(tmp_path / "elsewhere.md")
    watched = tmp_path / "data"
    watched.mkdir()
    relay, polled = SaveRelay.for_folders([experiments, watched])
    assert relay is not None
    relay.stop()
    assert polled == [experiments]


MOUNTINFO = r"""22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 0:30 / / rw,relatime - overlay overlay rw,lowerdir=/a
31 27 0:40 / /home/ana/My\040Projects rw - cifs //server/share rw
32 31 0:41 / /home/ana/My\040Projects/local rw - ext4 /dev/sda2 rw
"""


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/work/portal/experiments", "overlay"),
        ("/home/ana/My Projects/portal", "cifs"),  # \040 is a space
        ("/home/ana/My Projects/local/portal", "ext4"),  # the innermost mount
        ("/home/ana/My Projects-2", "overlay"),  # a prefix of the name is not inside
        ("/proc", "proc"),
    ],
)
def test_the_mount_a_folder_is_on(path: str, kind: str) -> None:
    assert mount_type(path, MOUNTINFO) == kind


@pytest.mark.parametrize("kind", ["nfs4", "cifs", "9p", "fuse.sshfs", "virtiofs"])
def test_a_folder_on_a_shared_mount_is_left_to_polling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """Its files may change on the machine that serves them, which sends no events here."""
    from kaizen_portal.mkdocs_plugin import watch

    monkeypatch.setattr(watch, "mount_type", lambda path, mountinfo: kind)
    assert kind in (watch.why_polled(tmp_path) or "")
    monkeypatch.setattr(watch, "mount_type", lambda path, mountinfo: "ext4")
    assert watch.why_polled(tmp_path) is None
