"""Opening a server database at start: the password it wants, asked before the login, and
another database offered when this one cannot be opened."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from desktop import server_passwords
from desktop.context import AppContext, build_context
from desktop.database import DatabaseOpenError
from models.i18n import Message

from .connect_dialog import choose_database, test_connection, url_parts
from .form import ERROR_STYLE
from .i18n import tr_msg

PASSWORD_KINDS = ("password", "no-password")


def _tr(text: str) -> str:
    return QCoreApplication.translate("server_password", text)


class ServerPasswordDialog(QDialog):
    """The password of the server's user, checked in the background before the dialog closes.
    ``other``: the user asked for another database instead (连接其他数据库…)."""

    def __init__(self, url: str, refused: Message | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.url = url
        self.other = False
        self.setWindowTitle(self.tr("数据库服务器的密码"))
        parts = url_parts(url)
        intro = QLabel(self.tr("请输入数据库服务器 {host}:{port} 上用户 {user} 的密码"
                               "（数据库“{database}”）。").format(
            host=parts.get("host", ""), port=parts.get("port", "5432"), user=parts.get("user", ""),
            database=parts.get("dbname", "")), self)
        intro.setObjectName("intro")
        intro.setWordWrap(True)
        self.password = QLineEdit(self)
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox(self.tr("记住密码（保存在本机系统的密码库中）"), self)
        self.remember.setObjectName("remember")
        keyring_note = QLabel(self.tr(
            "这台电脑没有可用的系统密码库，密码不能记住：每次启动程序时都会询问密码。"), self)
        keyring_note.setObjectName("keyring_note")
        keyring_note.setWordWrap(True)
        if server_passwords.keyring_usable():
            keyring_note.hide()
            self.remember.setChecked(server_passwords.stored_password(url) is not None)
        else:
            self.remember.setEnabled(False)
        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setVisible(refused is not None)
        if refused is not None:
            self.error.setText(tr_msg(refused))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("连接"))
        self.other_button = self.buttons.addButton(self.tr("连接其他数据库…"),
                                                   QDialogButtonBox.ButtonRole.ResetRole)
        self.other_button.clicked.connect(self.choose_other)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro, self.password, self.remember, keyring_note, self.error, self.buttons):
            layout.addWidget(widget)
        self.setMinimumWidth(420)
        self.password.setFocus()

    def accept(self) -> None:
        """Connect with the password in the background; close only when the server took it."""
        password = self.password.text()
        if not password:
            self._refused(self.tr("请输入密码。"))
            return
        self.buttons.setEnabled(False)

        def done(_found: Message | None, error: DatabaseOpenError | None) -> None:
            if error is not None and error.kind in PASSWORD_KINDS:
                self._refused(tr_msg(error.message))
                return
            if error is not None and error.kind != "schema":  # not reached: say so, and stay
                self.error.setText(tr_msg(error.message))
                self.error.show()
                return
            # taken (a database this program cannot use is said when it is opened, with a way out)
            server_passwords.use_for_this_run(self.url, password)
            if self.remember.isChecked():
                if not server_passwords.store_password(self.url, password):
                    QMessageBox.warning(self, self.windowTitle(), self.tr(
                        "密码没能存入本机系统的密码库，下次启动程序时会再询问密码。"))
            else:
                server_passwords.forget_password(self.url)
            super(ServerPasswordDialog, self).accept()

        task = test_connection(self, self.url, password, done)
        task.finished.connect(lambda: self.buttons.setEnabled(True))

    def _refused(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        self.password.clear()
        self.password.setFocus()

    def choose_other(self) -> None:
        self.other = True
        self.reject()


def ask_password(url: str, refused: Message | None) -> str:
    """``connected``, ``other`` (another database wanted) or ``quit``."""
    dialog = ServerPasswordDialog(url, refused)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        return "connected"
    return "other" if dialog.other else "quit"


def not_opened(message: Message) -> str:
    """The server's database cannot be opened: ``retry``, ``other`` or ``quit``."""
    box = QMessageBox(QMessageBox.Icon.Warning, _tr("巾帼枢纽"), tr_msg(message))
    retry = box.addButton(_tr("重试"), QMessageBox.ButtonRole.AcceptRole)
    other = box.addButton(_tr("连接其他数据库…"), QMessageBox.ButtonRole.ActionRole)
    box.addButton(_tr("退出"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(retry)
    box.exec()
    if box.clickedButton() is retry:
        return "retry"
    return "other" if box.clickedButton() is other else "quit"


def open_on_server(url: str) -> AppContext | Path | str | None:
    """Open the server database ``url`` for the window: the context; or another database the user
    chose instead (the program opens that one); or None (the program ends)."""
    while True:
        try:
            return build_context(url)
        except DatabaseOpenError as e:
            error = e
        if error.kind in PASSWORD_KINDS:  # none known, or the one known was refused: ask
            answer = ask_password(url, error.message if error.kind == "password" else None)
            if answer == "connected":
                continue
        else:
            answer = not_opened(error.message)
            if answer == "retry":
                continue
        if answer == "quit":
            return None
        target = choose_database(None, url)
        if target is not None and str(target) != url:
            return target
