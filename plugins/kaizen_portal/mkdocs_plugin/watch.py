"""How the live preview learns of a save in the portal's folders.

`mkdocs serve` polls every folder it watches twice a second (watchdog's polling observer):
it lists and stats every file each time. For a folder of 5,000 write-ups that thread
competes with the rebuild for the interpreter, and a rebuild takes over a second longer
(measured, see the README's Performance). The system's file events cost nothing while
nothing changes, so the portal watches its own folders by events and tells MkDocs of a
change through a folder of one file that MkDocs polls: MkDocs still decides when to
rebuild and reload, through the way of watching that `on_serve` offers every plugin.

Reads are no event here: a build opens every write-up, and events for each open and
close would cost more than the polling they replace. A folder where events may not come
is left to MkDocs' polling: one on a network or shared mount, whose files change on
another machine, and one holding links, whose targets send their events elsewhere.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

import watchdog.events as events
import watchdog.observers
import watchdog.observers.polling

log = logging.getLogger("mkdocs.plugins.kaizen_portal.watch")

# Whatever changes a file's bytes or whether it is there; never a read.
CHANGES = [
    events.FileCreatedEvent,
    events.FileModifiedEvent,
    events.FileClosedEvent,
    events.FileDeletedEvent,
    events.FileMovedEvent,
    events.DirCreatedEvent,
    events.DirDeletedEvent,
    events.DirMovedEvent,
]
# A touch, which MkDocs' poller sees as a new modification time: an event of its own in
# newer versions of watchdog.
CHANGES += [events.FileAttribEvent] if hasattr(events, "FileAttribEvent") else []

# File systems whose files may change on another machine (a file server, the host of a
# virtual machine or of a container), which sends no events here; and FUSE's, whose
# events depend on what serves them.
SHARED_MOUNTS = frozenset(
    {
        *("nfs", "nfs4", "cifs", "smb3", "smbfs", "afs", "ceph", "glusterfs", "lustre"),
        *("9p", "drvfs", "vboxsf", "vmhgfs", "prl_fs", "virtiofs", "fakeowner", "grpcfuse"),
        "fuse",
    }
)


def mount_type(path: str, mountinfo: str) -> str | None:
    """The file system ``path`` is on, from the text of Linux's /proc/self/mountinfo."""
    best, kind = "", None
    for line in mountinfo.splitlines():
        where, _, what = line.partition(" - ")
        fields, found = where.split(), what.split()
        if len(fields) < 5 or not found:
            continue
        point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
        inside = path == point or path.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, found[0]
    return kind


def why_polled(folder: Path) -> str | None:
    """Why a folder's changes may come without an event, or None."""
    real = os.path.realpath(folder)
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as file:
            kind = mount_type(real, file.read())
    except OSError:  # not Linux: its own file events cover what its mounts show
        kind = None
    if kind is not None and (kind in SHARED_MOUNTS or kind.startswith("fuse.")):
        return f"it is on a {kind} mount, which may send no file events"
    if any(path.is_symlink() for path in Path(real).rglob("*")):
        return "it holds links, whose targets send their events elsewhere"
    return None


class SaveRelay(events.FileSystemEventHandler):
    """Passes each change under the watched folders on as a new file in ``signal``.

    A new name each time, the last one removed: a poller compares the folder's names, so
    it sees the change whatever the file system's timestamps resolve.
    """

    def __init__(self) -> None:
        self.signal = Path(tempfile.mkdtemp(prefix="kaizen-preview-"))
        self._observer = watchdog.observers.Observer()
        self._lock = threading.Lock()
        self._count = 0

    @classmethod
    def for_folders(cls, folders: Iterable[Path]) -> tuple[SaveRelay | None, list[Path]]:
        """A started relay, and the folders to leave to MkDocs' polling: where events may
        not come (see why_polled), or all of them where the system has no file events."""
        folders = list(folders)
        if watchdog.observers.Observer is watchdog.observers.polling.PollingObserver:
            return None, folders
        relay, polled = cls(), []
        relay._observer.daemon = True
        relay._observer.start()
        for folder in folders:  # a running observer starts each watch as it is scheduled
            reason = why_polled(folder)
            try:
                if reason is None:
                    path = os.path.realpath(folder)  # a folder may be a link in the project
                    relay._observer.schedule(relay, path, recursive=True, event_filter=CHANGES)
            except OSError as error:  # e.g. the system's limit of watches is reached
                reason = f"its file events could not be watched ({error})"
            if reason is not None:
                log.info("%s is polled for changes: %s", folder, reason)
                polled.append(folder)
        if len(polled) == len(folders):
            relay.stop()
            return None, folders
        return relay, polled

    def on_any_event(self, event: events.FileSystemEvent) -> None:
        with self._lock:
            self._count += 1
            try:
                (self.signal / f"changed-{self._count}").touch()
                (self.signal / f"changed-{self._count - 1}").unlink(missing_ok=True)
            except OSError as error:  # the relay's folder went away: say so, keep watching
                log.warning("a change could not be passed on to the preview: %s", error)

    def stop(self) -> None:
        if self._observer.is_alive():
            self._observer.stop()
            self._observer.join(timeout=5)
        shutil.rmtree(self.signal, ignore_errors=True)
