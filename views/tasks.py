"""Long work off the GUI thread: a progress dialog with Cancel, results handed back by signal.

The function runs in a worker thread of ``QThreadPool`` with its own database connection
(peewee keeps one connection per thread). It receives a ``Job``: the progress it reports
moves the dialog's bar, and Cancel makes its next ``job.step`` raise ``Cancelled``, which
the export functions turn into "no file written". Results, the user's errors
(``ExportError``) and programming errors come back to the GUI thread through queued
signals: the first go to ``on_done``, the second to a message box, the third to the log
and the internal-error dialog.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    QRunnable,
    QSettings,
    QStandardPaths,
    QThreadPool,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from desktop.app import show_internal_error
from desktop.database import bound_database_path, database_error_message
from desktop.reports.output import Cancelled, ExportError, Job
from models.db import database
from models.errors import UserError, ValidationFailed

from .i18n import tr_msg

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.05  # at most this often a progress signal crosses to the GUI thread
SHOW_AFTER_MS = 400  # quick work finishes without the dialog flashing up


class _Signals(QObject):
    progress = Signal(int, int)
    done = Signal(object)
    failed = Signal(object)
    cancelled = Signal()


class _Worker(QRunnable):
    def __init__(self, function: Callable[[Job], Any], job: Job, signals: _Signals,
                 uses_database: bool = True):
        super().__init__()
        self.setAutoDelete(False)  # the Task keeps it until its signals have arrived
        self.function = function
        self.job = job
        self.signals = signals
        self.uses_database = uses_database
        self.ended = threading.Event()  # set once the thread is done with the database

    def run(self) -> None:
        try:
            with database.connection_context() if self.uses_database else contextlib.nullcontext():
                result = self.function(self.job)
        except Cancelled:
            self._emit(self.signals.cancelled)
        except BaseException as error:  # handed to the GUI thread, which reports it
            self._emit(self.signals.failed, error)
        else:
            self._emit(self.signals.done, result)
        finally:
            self.ended.set()

    def _emit(self, signal, *args: Any) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the window that started the task was closed meanwhile
            log.warning("task finished after its window was closed: %r", args, exc_info=True)


class Task(QObject):
    """One run of ``function(job)`` in a worker thread, shown by a window-modal progress dialog."""

    finished = Signal()  # after done, failure or cancellation has been handled

    def __init__(self, parent: QWidget, title: str, label: str, function: Callable[[Job], Any],
                 on_done: Callable[[Any], None] | None = None, uses_database: bool = True):
        from PySide6.QtCore import Qt  # enums: see BackgroundLoad

        super().__init__(parent)
        self.parent_widget = parent
        self.title = title
        self.on_done = on_done
        self.outcome = ""  # "done" | "failed" | "cancelled" once finished
        self.result: Any = None
        self.error: BaseException | None = None
        self._last_progress = 0.0

        self.dialog = QProgressDialog(label, self.tr("取消"), 0, 0, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setMinimumDuration(SHOW_AFTER_MS)
        # A busy dialog (range 0..0) is not shown by its own timer before 4 s: show it here.
        QTimer.singleShot(SHOW_AFTER_MS, self, self._show_if_running)
        self.dialog.canceled.connect(self.cancel)

        self.signals = _Signals()
        queued = Qt.ConnectionType.QueuedConnection
        self.signals.progress.connect(self._progress, queued)
        self.signals.done.connect(self._done, queued)
        self.signals.failed.connect(self._failed, queued)
        self.signals.cancelled.connect(self._cancelled, queued)
        self.job = Job(self._report_progress)
        self.destroyed.connect(self.job.cancel)  # its window was closed: stop at the next step
        self.worker = _Worker(function, self.job, self.signals, uses_database)

    def start(self) -> Task:
        QThreadPool.globalInstance().start(self.worker)
        return self

    @property
    def running(self) -> bool:
        return not self.outcome

    def _show_if_running(self) -> None:
        if self.running:
            self.dialog.show()

    def cancel(self) -> None:
        if self.running and not self.job.cancelled:
            self.job.cancel()
            self.dialog.setLabelText(self.tr("正在取消…"))

    # -- in the worker thread ------------------------------------------------------
    def _report_progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last_progress >= PROGRESS_INTERVAL_S:
            self._last_progress = now
            self.worker._emit(self.signals.progress, done, total)

    # -- back in the GUI thread ----------------------------------------------------
    def _progress(self, done: int, total: int) -> None:
        if self.running and total > 0:
            self.dialog.setMaximum(total)
            self.dialog.setValue(min(done, total))

    def _close_dialog(self, outcome: str) -> None:
        self.outcome = outcome
        self.dialog.canceled.disconnect(self.cancel)
        self.dialog.hide()
        self.dialog.deleteLater()

    def _done(self, result: Any) -> None:
        self._close_dialog("done")
        self.result = result
        try:
            if self.on_done is not None:
                self.on_done(result)
        finally:
            self._finish()

    def _failed(self, error: BaseException) -> None:
        self._close_dialog("failed")
        self.error = error
        try:
            report_failure(self.parent_widget, self.title, error)
        finally:
            self._finish()

    def _cancelled(self) -> None:
        self._close_dialog("cancelled")
        self._finish()

    def _finish(self) -> None:
        self.finished.emit()
        self.deleteLater()


def report_failure(parent: QWidget, title: str, error: BaseException) -> None:
    """Say why work done in a worker thread failed: the user's problems in a message box,
    programming errors in the log and the internal-error dialog."""
    if isinstance(error, (ExportError, UserError)):  # UserError: another clerk's job runs
        log.info("%s: %s", title, error.message)
        QMessageBox.warning(parent, title, tr_msg(error.message))
    elif isinstance(error, ValidationFailed):  # e.g. the operator's role may not do it
        log.info("%s refused: %s", title, error.errors)
        QMessageBox.warning(parent, title, "\n".join(tr_msg(m) for m in error.errors.values()))
    elif (message := database_error_message(error, bound_database_path() or "")) is not None:
        # another program holds the database, a full disk, a read-only file: the user's to fix
        log.warning("%s: %s", title, error, exc_info=error)
        QMessageBox.warning(parent, title, tr_msg(message))
    else:
        detail = "".join(traceback.format_exception(error))
        log.error("%s failed in a worker thread\n%s", title, detail)
        show_internal_error(detail)


class BackgroundLoad(QObject):
    """Quick reading off the GUI thread with no dialog (a page filling itself): ``on_done(result)``
    runs in the GUI thread; a failure is reported as a Task's is, then ``on_failed()`` runs."""

    def __init__(self, parent: QWidget, title: str, function: Callable[[], Any],
                 on_done: Callable[[Any], None], on_failed: Callable[[], None]):
        super().__init__(parent)
        self.parent_widget = parent
        self.title = title
        self.on_done = on_done
        self.on_failed = on_failed
        self.signals = _Signals()
        # Emitted in the worker thread, received by this object of the GUI thread: Qt queues them
        # to the GUI thread. (No explicit Qt.ConnectionType here: the home page starts its reading
        # before the window shows, and Qt's namespace of enums takes ~20 ms to build.)
        self.signals.done.connect(self._done)
        self.signals.failed.connect(self._failed)
        self.worker = _Worker(lambda _job: function(), Job(), self.signals)

    def start(self) -> BackgroundLoad:
        QThreadPool.globalInstance().start(self.worker)
        return self

    def wait(self, seconds: float) -> bool:
        """Wait until the reading is over (before its window closes and its database with it)."""
        return self.worker.ended.wait(seconds)

    def _done(self, result: Any) -> None:
        try:
            self.on_done(result)
        finally:
            self.deleteLater()

    def _failed(self, error: BaseException) -> None:
        try:
            report_failure(self.parent_widget, self.title, error)
            self.on_failed()
        finally:
            self.deleteLater()


def run_task(parent: QWidget, title: str, label: str, function: Callable[[Job], Any],
             on_done: Callable[[Any], None] | None = None, uses_database: bool = True) -> Task:
    """Start ``function(job)`` in a worker thread; ``on_done(result)`` runs in the GUI thread.
    ``uses_database=False``: work that needs no connection to the open database (there may be
    none yet, as when a server is chosen before the window opens)."""
    return Task(parent, title, label, function, on_done, uses_database).start()


def _tr(text: str) -> str:
    return QCoreApplication.translate("tasks", text)


FOLDER_KEY = "export/folder"


def ask_save_path(parent: QWidget, settings: QSettings, title: str, name: str, suffix: str) -> Path | None:
    """The save dialog for an export, in the folder used last; ``name`` without the suffix.

    The suffix (".xlsx", ".pdf") is added when the user typed a name without it; a database
    is refused and replacing an existing file is confirmed (see ``file_dialogs``).
    """
    from .file_dialogs import ask_save_file  # an export asked for: not with the home page's reading

    folder = settings.value(FOLDER_KEY) or QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation
    )
    filters = {".xlsx": _tr("Excel 工作簿 (*.xlsx)"), ".pdf": _tr("PDF 文件 (*.pdf)"),
               ".png": _tr("PNG 图片 (*.png)")}
    path = ask_save_file(parent, title, Path(folder) / f"{name}{suffix}", filters.get(suffix, ""), suffix)
    if path is None:
        return None
    settings.setValue(FOLDER_KEY, str(path.parent))
    return path


def file_stem(title: str) -> str:
    """A default file name: the title and today's date, without characters Windows refuses."""
    cleaned = "".join("_" if ch in '\\/:*?"<>|' else ch for ch in title).strip() or _tr("导出")
    return f"{cleaned}_{dt.date.today():%Y%m%d}"


def open_path(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def offer_to_open(parent: QWidget, path: Path, title: str, full_ids: bool = False) -> QMessageBox:
    """Say where the file was saved and offer to open it or its folder (window-modal, not blocking).

    ``full_ids``: the file holds full ID numbers, which are encrypted in the database but not in
    a file the user asked for: that file is theirs to protect, and they are told so."""
    path = Path(path)
    text = _tr("已保存到：\n{path}").format(path=path)
    if full_ids:
        text += "\n\n" + _tr("这个文件含有完整的身份证号，没有加密（数据库里的个人信息是加密的，"
                             "导出的文件不是）：请由您妥善保管，不要随意复制或发送，用完及时删除。")
    box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("saved")
    open_file = box.addButton(_tr("打开文件"), QMessageBox.ButtonRole.AcceptRole)
    open_folder = box.addButton(_tr("打开所在文件夹"),
                                QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Close)
    box.setDefaultButton(open_file)
    from PySide6.QtCore import Qt

    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def clicked(button) -> None:
        if button is open_file:
            open_path(path)
        elif button is open_folder:
            open_path(path.parent)

    box.buttonClicked.connect(clicked)
    box.open()
    return box
