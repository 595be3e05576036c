"""File ▸ 备份到… and 从备份恢复…: the window's side of desktop/backup.py (a file) and
desktop/server_backup.py (a database on a server, backed up as the same portable file)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings, QStandardPaths, Qt
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from desktop.backup import BackupError, backup_to, backups_folder, remove_database_files, restore_from
from desktop.context import AppContext
from desktop.database import DatabaseOpenError, open_database
from desktop.dbcopy import record_copy
from desktop.instance_lock import LockedError
from desktop.reports.output import Job
from desktop.server_backup import (
    backup_server_to,
    check_backup_output,
    restore_server,
    server_stem,
    stage_backup,
)
from models.entities import User
from models.permissions import can

from .file_dialogs import ask_open_file, ask_save_file
from .i18n import tr_msg
from .tasks import Task, run_task

FOLDER_KEY = "backup/folder"
FILTER = "巾帼枢纽数据库 (*.db);;所有文件 (*)"


def _tr(text: str) -> str:
    return QCoreApplication.translate("backup", text)


def _folder(settings: QSettings) -> str:
    return settings.value(FOLDER_KEY) or QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation)


def backup_to_file(window: QMainWindow, ctx: AppContext, settings: QSettings) -> Task | None:
    """Ask where (a USB stick, say), then copy the database there off the GUI thread."""
    if not can(ctx.user, "backup"):
        QMessageBox.warning(window, _tr("备份到"), _tr("查看员不能把数据库备份到别处（其中有个人信息）。"))
        return None
    stem = server_stem(ctx.db) if ctx.on_server else ctx.db_path.stem
    name = f"{stem}_备份_{dt.datetime.now():%Y%m%d_%H%M}.db"
    path = ask_save_file(window, _tr("备份到"), Path(_folder(settings)) / name, _tr(FILTER), ".db",
                         may_replace_backup=True)
    if path is None:
        return None
    settings.setValue(FOLDER_KEY, str(path.parent))

    def work(job: Job) -> Path:
        return _backup_server(ctx, path, job) if ctx.on_server else backup_to(ctx.db_path, path)

    return run_task(
        window, _tr("备份到"), _tr("正在备份数据库…"), work,
        lambda written: QMessageBox.information(
            window, _tr("备份到"), _tr("已备份到：\n{path}").format(path=written)),
    )


def _backup_server(ctx: AppContext, path: Path, job: Job) -> Path:
    """The server's database as the portable backup file (in a worker thread): the copy of every
    record is recorded in the server's audit trail first, as an export is."""
    check_backup_output(path)
    refusal = record_copy(ctx.user, f"备份整个数据库到 {path}")
    if refusal is not None:
        raise BackupError(refusal)
    report = backup_server_to(ctx.db, path, lambda _table, done, total: job.step(done, total))
    return Path(report.target)


def restore_from_file(window: QMainWindow, ctx: AppContext, settings: QSettings) -> bool:
    """Choose a backup, confirm, restore (the current state is backed up first), reopen.

    Returns whether the database was replaced.
    """
    title = _tr("从备份恢复")
    if not can(ctx.user, "restore"):
        QMessageBox.warning(window, title, _tr("只有管理员可以从备份恢复。"))
        return False
    if ctx.on_server:
        return _restore_server(window, ctx, settings)
    folder = backups_folder()
    start = str(folder) if folder.is_dir() else _folder(settings)
    path = ask_open_file(window, title, start, _tr(FILTER))
    if path is None:
        return False
    answer = QMessageBox.question(
        window, title,
        _tr("用备份“{name}”替换当前的全部数据吗？\n\n当前数据库会先自动备份到 {folder}，"
            "需要时可以再恢复回来。").format(name=path.name, folder=folder),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return False
    username = ctx.user.username
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    ctx.db.close()  # nothing of ours reads the file while it is replaced
    try:
        safety = restore_from(path, ctx.db_path)
    except (BackupError, LockedError) as e:  # nothing changed; the database reconnects when next read
        QApplication.restoreOverrideCursor()
        QMessageBox.warning(window, title, tr_msg(e.message))
        return False
    try:
        ctx.db = open_database(ctx.db_path)  # brings an older backup's schema up to date
    except DatabaseOpenError as e:
        QApplication.restoreOverrideCursor()
        QMessageBox.critical(window, title, tr_msg(e.message))
        window.close()
        return True
    QApplication.restoreOverrideCursor()
    return _restored(window, ctx, username, path, safety)


def _restored(window: QMainWindow, ctx: AppContext, username: str, path: Path, safety: Path | None) -> bool:
    """Say so; the operator goes on as the same name in the restored data, if it has them."""
    title = _tr("从备份恢复")
    user = User.get_or_none(User.username == username)
    if user is None:
        QMessageBox.information(window, title, _tr(
            "已恢复。恢复后的数据库中没有操作员“{name}”，请重新启动程序并登录。").format(name=username))
        window.close()
        return True
    ctx.user = user
    done = _tr("已从“{name}”恢复。").format(name=path.name)
    if safety is not None:
        done += "\n" + _tr("恢复前的数据库已备份为：\n{path}").format(path=safety)
    QMessageBox.information(window, title, done)
    return True


def _restore_server(window: QMainWindow, ctx: AppContext, settings: QSettings) -> bool:
    """The same for a database on a server: the backup is checked (and an older one upgraded)
    here, then its rows replace the server's in a worker thread, in one transaction, with a
    progress dialog whose Cancel leaves the server as it was."""
    title = _tr("从备份恢复")
    folder = backups_folder()
    start = str(folder) if folder.is_dir() else _folder(settings)
    path = ask_open_file(window, title, start, _tr(FILTER))
    if path is None:
        return False
    answer = QMessageBox.question(
        window, title,
        _tr("用备份“{name}”替换服务器上的全部数据吗？正在使用这个数据库的同事也会看到恢复后的"
            "数据，请先请他们保存并关闭程序。\n\n服务器上现在的数据会先备份到 {folder}，"
            "需要时可以再恢复回来。").format(name=path.name, folder=folder),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return False
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        staged = stage_backup(path)
    except BackupError as e:
        QApplication.restoreOverrideCursor()
        QMessageBox.warning(window, title, tr_msg(e.message))
        return False
    QApplication.restoreOverrideCursor()
    done: list[tuple] = []
    try:
        task = run_task(window, title, _tr("正在恢复数据库…"), lambda job: restore_server(
            staged, ctx.db, lambda _table, rows, total: job.step(rows, total), user=ctx.user), done.append)
        waiting = QEventLoop()
        task.finished.connect(waiting.quit)
        waiting.exec()
    finally:
        remove_database_files(staged)
    if not done:
        return False  # cancelled, or refused (the task said why): the server is as it was
    _report, safety = done[0]
    return _restored(window, ctx, ctx.user.username, path, safety)
