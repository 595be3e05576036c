"""Lists follow what other clerks change: a cheap poll of the audit trail's newest line.

On a server several clerks work at once. Every change goes through models.audit and adds an audit
line, so the newest line's id (one index probe) tells whether anything changed since the last
look; when it did, the page in view reloads, keeping its selection and scroll position, and the
other pages reload when next shown. A lost connection is said in the status bar, not in a dialog
every few seconds; the poll goes on and clears it when the server answers again.

A poll rather than LISTEN/NOTIFY: it needs no connection of its own, no trigger in the schema and
no socket notifier, works the same through any proxy or pooler the IT staff put in between, and
costs one index probe every few seconds.
"""

from __future__ import annotations

import logging

from peewee import DatabaseError, InterfaceError
from PySide6.QtCore import QObject, QTimer, Signal

from models.audit import latest_change
from models.db import database

log = logging.getLogger(__name__)

POLL_MS = 3000


class ChangeWatch(QObject):
    changed = Signal()  # someone (maybe this window) changed data since the last look
    connection_lost = Signal(bool)  # True when the server stopped answering, False when back

    def __init__(self, parent: QObject | None = None, interval_ms: int = POLL_MS):
        super().__init__(parent)
        self.lost = False
        self.last_seen = self._latest()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _latest(self) -> int | None:
        try:
            latest = latest_change()
        except (DatabaseError, InterfaceError) as e:  # the server is unreachable (network, restart)
            if not self.lost:
                log.warning("change watch: the database did not answer: %s", e)
            if not database.in_transaction():
                try:  # a broken connection stays broken: the next query connects afresh
                    database.close()
                except (DatabaseError, InterfaceError):
                    log.debug("closing the broken connection failed", exc_info=True)
            return None
        return latest

    def check(self) -> bool:
        """Look once; True when something changed. Nothing is asked while the window is hidden
        (minimized windows still follow; a closed or locked one does not)."""
        owner = self.parent()
        if owner is not None and hasattr(owner, "isVisible") and not owner.isVisible():
            return False
        latest = self._latest()
        if latest is None:
            if not self.lost:
                self.lost = True
                self.connection_lost.emit(True)
            return False
        if self.lost:
            self.lost = False
            self.connection_lost.emit(False)
        if latest == self.last_seen:
            return False
        self.last_seen = latest
        self.changed.emit()
        return True
