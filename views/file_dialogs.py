"""The window's file dialogs: they never open the files they list, nor hand back a database to overwrite.

Qt's widget file dialog asks its icon provider for each listed file's icon and type, and the
default provider guesses them from the file's content: it opens and closes every file in the
folder, the open database included. On Linux that one ``close()`` releases all of SQLite's
locks of this process on the database (see ``desktop.file_safety``), and another process may
then delete the write-ahead log under the window. So outside Windows (whose locks belong to a
handle, not to the process) the dialog is Qt's own widget dialog, never a platform dialog that
may run in this process, with an icon provider that looks only at names. Whatever is chosen
is checked against the open database (and, for saving, against any database file) before it
is returned; replacing an existing file is confirmed here, after the suffix is known.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QFileInfo
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QFileDialog, QFileIconProvider, QMessageBox, QWidget

from desktop.file_safety import input_problem, output_problem

from .i18n import tr_msg

NATIVE_DIALOGS = sys.platform == "win32"


def _tr(text: str) -> str:
    return QCoreApplication.translate("file_dialogs", text)


class NameOnlyIconProvider(QFileIconProvider):
    """Icons and type names from the file name alone: never opens the file to sniff its content."""

    def __init__(self) -> None:
        super().__init__()
        self._folder = super().icon(QFileIconProvider.IconType.Folder)
        self._file = super().icon(QFileIconProvider.IconType.File)
        self._drive = super().icon(QFileIconProvider.IconType.Drive)

    def icon(self, what) -> QIcon:  # both overloads: an IconType or a QFileInfo
        if isinstance(what, QFileInfo):
            if what.isRoot():
                return self._drive
            return self._folder if what.isDir() else self._file
        return super().icon(what)

    def type(self, info: QFileInfo) -> str:
        if info.isDir():
            return _tr("文件夹")
        suffix = info.suffix()
        return _tr("{suffix} 文件").format(suffix=suffix.upper()) if suffix else _tr("文件")


def safe_dialog(parent: QWidget | None, title: str, start: str, filters: str,
                mode: QFileDialog.AcceptMode) -> QFileDialog:
    """A file dialog that lists folders without opening the files in them."""
    dialog = QFileDialog(parent, title, start, filters)
    dialog.setAcceptMode(mode)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile if mode == QFileDialog.AcceptMode.AcceptSave
                       else QFileDialog.FileMode.ExistingFile)
    dialog.setOption(QFileDialog.Option.DontConfirmOverwrite, True)
    if not NATIVE_DIALOGS:
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setOption(QFileDialog.Option.DontUseCustomDirectoryIcons, True)
        provider = NameOnlyIconProvider()
        dialog.setIconProvider(provider)
        dialog._name_only_icons = provider  # the dialog does not own its provider
    return dialog


def _chosen(dialog: QFileDialog) -> Path | None:
    if dialog.exec() != QFileDialog.DialogCode.Accepted:
        return None
    files = dialog.selectedFiles()
    return Path(files[0]) if files and files[0] else None


def ask_save_file(parent: QWidget | None, title: str, start: Path | str, filters: str = "",
                  suffix: str = "", *, may_replace_backup: bool = False) -> Path | None:
    """Where to write a file: the suffix is added when missing; the open database, any other
    database and its companions are refused, and replacing an existing file is confirmed."""
    dialog = safe_dialog(parent, title, str(start), filters, QFileDialog.AcceptMode.AcceptSave)
    path = _chosen(dialog)
    if path is None:
        return None
    if suffix and path.suffix.lower() != suffix.lower():
        path = path.with_name(path.name + suffix)
    refused = output_problem(path, may_replace_backup=may_replace_backup)
    if refused is not None:
        QMessageBox.warning(parent, title, tr_msg(refused))
        return None
    if path.is_dir():
        QMessageBox.warning(parent, title, _tr("{path} 是一个文件夹，请给出文件名。").format(path=path))
        return None
    if path.exists():
        answer = QMessageBox.question(
            parent, title, _tr("{name} 已经存在。要替换它吗？").format(name=path.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return None
    return path


def ask_open_file(parent: QWidget | None, title: str, start: Path | str, filters: str = "") -> Path | None:
    """Which file to read: the open database (and its companions) is refused before anything reads it."""
    dialog = safe_dialog(parent, title, str(start), filters, QFileDialog.AcceptMode.AcceptOpen)
    path = _chosen(dialog)
    if path is None:
        return None
    refused = input_problem(path)
    if refused is not None:
        QMessageBox.warning(parent, title, tr_msg(refused))
        return None
    return path


def ask_open_files(parent: QWidget | None, title: str, start: Path | str, filters: str = "") -> list[Path]:
    """Several files to read (the reviewers' sheets); any that is the open database is refused."""
    dialog = safe_dialog(parent, title, str(start), filters, QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    if dialog.exec() != QFileDialog.DialogCode.Accepted:
        return []
    paths = [Path(f) for f in dialog.selectedFiles() if f]
    for path in paths:
        refused = input_problem(path)
        if refused is not None:
            QMessageBox.warning(parent, title, tr_msg(refused))
            return []
    return paths


def ask_folder(parent: QWidget | None, title: str, start: Path | str) -> Path | None:
    """A folder to write several files into (one reviewer's sheet each)."""
    dialog = safe_dialog(parent, title, str(start), "", QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    return _chosen(dialog)
