"""Watching that SQLite keeps its locks on the open database while the window runs (Linux).

Nothing in the program opens the database outside SQLite any more (``desktop.file_safety``);
this is the second line of defence: if the locks are found lost anyway, the connection is
opened again (which takes them again) when it is the only one, else the user is told to
restart before another program can damage the database.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.context import AppContext
from desktop.file_safety import open_connections
from desktop.lock_check import locks_lost

log = logging.getLogger(__name__)

INTERVAL_MS = 3000


def _tr(text: str) -> str:
    return QCoreApplication.translate("lock_watch", text)


class LockWatch(QObject):
    def __init__(self, ctx: AppContext, window: QWidget):
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self.warned = False
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        if ctx.db_path is not None:  # SQLite's file locks; a server keeps its own
            self.timer.start()

    def check(self) -> bool:
        """Whether the locks are held (or cannot be checked here); repairs or warns when lost."""
        if self.ctx.db.is_closed() or not locks_lost(self.ctx.db_path):
            return True
        log.error("SQLite's locks on %s were lost (a file descriptor of it was closed outside SQLite)",
                  self.ctx.db_path, stack_info=True)
        if self._reconnect():
            log.warning("database %s reopened; its locks are held again", self.ctx.db_path)
            return True
        if not self.warned:
            self.warned = True
            QMessageBox.critical(self.window, _tr("数据库锁定丢失"), _tr(
                "程序对数据库文件 {path} 的锁定意外丢失，此时其他程序（例如备份）可能损坏数据库。\n"
                "请保存或关闭正在编辑的窗口，然后退出并重新打开程序。").format(path=self.ctx.db_path))
        return False

    def _reconnect(self) -> bool:
        """Reopen the only connection (a worker's open connection would keep SQLite's lock state
        for the file, so nothing is gained then); True when the locks are back."""
        db = self.ctx.db
        if open_connections(self.ctx.db_path) != 1 or db.in_transaction():
            return False
        db.close()
        db.connect()
        db.execute_sql("SELECT COUNT(*) FROM sqlite_master").fetchone()  # a read takes the -shm lock
        return not locks_lost(self.ctx.db_path)
