"""File ▸ 备份到… and 从备份恢复…: the window's side of desktop/backup.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths, Qt
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from desktop.backup import BackupError, backup_to, backups_folder, restore_from
from desktop.context import AppContext
from desktop.database import DatabaseOpenError, open_database
from desktop.instance_lock import LockedError
from models.entities import User
from models.permissions import can

from .file_dialogs import ask_open_file, ask_save_file
from .i18n import tr_msg
from .tasks import Task, run_task

FOLDER_KEY = "backup/folder"
FILTER = "巾帼枢纽数据库 (*.db);;所有文件 (*)"


def _tr(text: str) -> str:
    return QCoreApplication.translate("backup", text)


SERVER_BACKUP = ("数据库在服务器上：请由服务器的管理员用 PostgreSQL 的工具备份和恢复"
                 "（pg_dump / pg_restore，见说明书“数据库服务器”）。")


def may_restore(ctx: AppContext) -> bool:
    return can(ctx.user, "restore")


def _folder(settings: QSettings) -> str:
    return settings.value(FOLDER_KEY) or QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation)


def backup_to_file(window: QMainWindow, ctx: AppContext, settings: QSettings) -> Task | None:
    """Ask where (a USB stick, say), then copy the database there off the GUI thread."""
    if not can(ctx.user, "backup"):
        QMessageBox.warning(window, _tr("备份到"), _tr("查看员不能把数据库备份到别处（其中有个人信息）。"))
        return None
    if ctx.on_server:
        QMessageBox.information(window, _tr("备份到"), _tr(SERVER_BACKUP))
        return None
    name = f"{ctx.db_path.stem}_备份_{dt.datetime.now():%Y%m%d_%H%M}.db"
    path = ask_save_file(window, _tr("备份到"), Path(_folder(settings)) / name, _tr(FILTER), ".db",
                         may_replace_backup=True)
    if path is None:
        return None
    settings.setValue(FOLDER_KEY, str(path.parent))

    return run_task(
        window, _tr("备份到"), _tr("正在备份数据库…"), lambda _job: backup_to(ctx.db_path, path),
        lambda written: QMessageBox.information(
            window, _tr("备份到"), _tr("已备份到：\n{path}").format(path=written)),
    )


def restore_from_file(window: QMainWindow, ctx: AppContext, settings: QSettings) -> bool:
    """Choose a backup, confirm, restore (the current state is backed up first), reopen.

    Returns whether the database was replaced.
    """
    title = _tr("从备份恢复")
    if not may_restore(ctx):
        QMessageBox.warning(window, title, _tr("只有管理员可以从备份恢复。"))
        return False
    if ctx.on_server:
        QMessageBox.information(window, title, _tr(SERVER_BACKUP))
        return False
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
