"""How the live preview learns of a save in the portal's folders.

`mkdocs serve` polls every folder it watches twice a second (watchdog's polling observer):
it lists and stats every file each time. For a folder of 5,000 write-ups that thread
competes with the rebuild for the interpreter, and a rebuild takes about a second longer
(measured, see the README's Performance). The system's file events cost nothing while
nothing changes, so the portal watches its own folders by events and tells MkDocs of a
change through a folder of one file that MkDocs polls: MkDocs still decides when to
rebuild and reload, through the way of watching that `on_serve` offers every plugin.

Reads are no event here: a build opens every write-up, and events for each open and
close would cost more than the polling they replace.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

import watchdog.events as events
import watchdog.observers
import watchdog.observers.polling

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
        """A started relay, and the folders it could not watch by events (none, or all of
        them where the system has no file events), which MkDocs should poll itself."""
        folders = list(folders)
        if watchdog.observers.Observer is watchdog.observers.polling.PollingObserver:
            return None, folders
        relay, unwatched = cls(), []
        relay._observer.daemon = True
        relay._observer.start()
        for folder in folders:  # a running observer starts each watch as it is scheduled
            try:
                relay._observer.schedule(relay, str(folder), recursive=True, event_filter=CHANGES)
            except OSError:  # e.g. the system's limit of watches is reached
                unwatched.append(folder)
        if len(unwatched) == len(folders):
            relay.stop()
            return None, folders
        return relay, unwatched

    def on_any_event(self, event: events.FileSystemEvent) -> None:
        with self._lock:
            self._count += 1
            (self.signal / f"changed-{self._count}").touch()
            (self.signal / f"changed-{self._count - 1}").unlink(missing_ok=True)

    def stop(self) -> None:
        if self._observer.is_alive():
            self._observer.stop()
            self._observer.join(timeout=5)
        shutil.rmtree(self.signal, ignore_errors=True)
