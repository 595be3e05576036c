"""连接数据库服务器: the office's PostgreSQL database, or the file on this PC again.

The address is tested in the background (the window stays responsive while a server that does not
answer times out) before anything changes. The choice is remembered for this user in the data
folder (desktop.paths.remember_server, without the password); the password, when 记住密码 is
ticked, in the system's keyring (desktop.server_passwords says why not in a file).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop import paths, server_passwords
from desktop.context import AppContext
from desktop.database import DatabaseOpenError, check_server
from desktop.paths import is_server_url
from models.i18n import Message
from models.permissions import can

from .form import ERROR_STYLE
from .i18n import tr_msg
from .tasks import Task, run_task

DEFAULT_PORT = 5432
OK_STYLE = "color: #1e7b34;"
NOTE_STYLE = "color: #555;"


def _tr(text: str) -> str:
    return QCoreApplication.translate("connect", text)


def server_url(host: str, port: int | str, database: str, user: str) -> str:
    """``postgresql://user@host:port/database``, each part quoted as a URL needs (no password)."""
    host = host.strip()
    if ":" in host and not host.startswith("["):  # an IPv6 address
        host = f"[{host}]"
    return f"postgresql://{quote(user.strip(), safe='')}@{host}:{port}/{quote(database.strip(), safe='')}"


def url_parts(url: str) -> dict[str, str]:
    """host, port, dbname and user of a server URL (what the dialog's fields show)."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        params = conninfo_to_dict(url)
    except Exception:  # a malformed URL (or no psycopg: connecting will say so) fills nothing
        return {}
    return {key: str(params[key]) for key in ("host", "port", "dbname", "user") if params.get(key)}


def test_connection(parent: QWidget, url: str, password: str | None,
                    on_result: Callable[[Message | None, DatabaseOpenError | None], None]) -> Task:
    """Connect to ``url`` in a worker thread (desktop.database.check_server), with a progress
    dialog whose 取消 leaves the answer unused; ``on_result(found, error)`` in the GUI thread.
    The task's ``finished`` follows either."""

    def work(job):
        try:
            found, error = check_server(url, password), None
        except DatabaseOpenError as e:
            found, error = None, e
        job.step(1, 1)  # cancelled meanwhile: the answer is not shown
        return found, error

    where = url_parts(url)
    label = _tr("正在连接 {host}:{port}…").format(host=where.get("host", ""), port=where.get("port", ""))
    return run_task(parent, _tr("连接数据库服务器"), label, work, lambda result: on_result(*result),
                    uses_database=False)


class ConnectDialog(QDialog):
    """Where the server database is; ``chosen`` is what to open after 连接 (a server URL) or
    使用本机数据库文件 (the file in the data folder)."""

    def __init__(self, current: Path | str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("连接数据库服务器"))
        self.chosen: Path | str | None = None
        self.current = current
        intro = QLabel(self.tr(
            "几台电脑要同时使用同一份数据时，连接单位的 PostgreSQL 数据库服务器。"
            "服务器地址、数据库名、用户名和密码请向负责服务器的管理员索取。"), self)
        intro.setWordWrap(True)

        self.host = self._edit("host", self.tr("例如 10.1.2.3 或 server.fulian.gov.cn"))
        self.port = self._edit("port", "")
        self.port.setValidator(QIntValidator(1, 65535, self))
        self.port.setText(str(DEFAULT_PORT))
        self.port.setMaximumWidth(self.port.fontMetrics().horizontalAdvance("0" * 12))
        self.database = self._edit("database", "jinguo")
        self.user = self._edit("user", "jinguo")
        self.password = self._edit("password", "")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox(self.tr("记住密码（保存在本机系统的密码库中）"), self)
        self.remember.setObjectName("remember")
        self.keyring_note = QLabel(self.tr(
            "这台电脑没有可用的系统密码库，密码不能记住：每次启动程序时都会询问密码。"), self)
        self.keyring_note.setObjectName("keyring_note")
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setStyleSheet(NOTE_STYLE)
        if server_passwords.keyring_usable():
            self.keyring_note.hide()
        else:
            self.remember.setEnabled(False)

        form = QFormLayout()
        form.addRow(self.tr("服务器地址"), self.host)
        form.addRow(self.tr("端口"), self.port)
        form.addRow(self.tr("数据库名"), self.database)
        form.addRow(self.tr("用户名"), self.user)
        form.addRow(self.tr("密码"), self.password)
        form.addRow("", self.remember)
        form.addRow("", self.keyring_note)
        self.override_note = QLabel(self.tr(
            "注意：环境变量 {name} 指定了数据库，程序下次启动时仍会打开它指定的数据库。").format(
                name=paths.DB_VARIABLE), self)
        self.override_note.setWordWrap(True)
        self.override_note.setVisible(bool(os.environ.get(paths.DB_VARIABLE, "").strip()))

        self.status = QLabel(self)
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.test_button = QPushButton(self.tr("测试连接"), self)
        self.test_button.setObjectName("test")
        self.test_button.clicked.connect(lambda: self._check(then_accept=False))
        self.local_button = QPushButton(self.tr("改用本机数据库文件"), self)
        self.local_button.setObjectName("local")
        self.local_button.setToolTip(str(paths.default_db_path()))
        self.local_button.clicked.connect(self.use_local_file)
        self.local_button.setVisible(is_server_url(current))  # already on the file: nothing to go back to

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("连接"))
        self.buttons.accepted.connect(lambda: self._check(then_accept=True))
        self.buttons.rejected.connect(self.reject)

        tests = QHBoxLayout()
        tests.addWidget(self.test_button)
        tests.addStretch(1)
        tests.addWidget(self.local_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(tests)
        layout.addWidget(self.status)
        layout.addWidget(self.override_note)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

        self.host.editingFinished.connect(self._split_pasted_url)
        if is_server_url(current):
            self.fill_from(str(current))
            if server_passwords.stored_password(str(current)) is not None:
                self.remember.setChecked(True)
                self.password.setPlaceholderText(self.tr("（已记住）"))

    def _edit(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        return edit

    def fill_from(self, url: str) -> None:
        parts = url_parts(url)
        self.host.setText(parts.get("host", ""))
        self.port.setText(parts.get("port", str(DEFAULT_PORT)))
        self.database.setText(parts.get("dbname", ""))
        self.user.setText(parts.get("user", ""))

    def _split_pasted_url(self) -> None:
        """An address given as a whole URL (postgresql://user@host:port/db) fills every field."""
        if is_server_url(self.host.text()):
            self.fill_from(self.host.text().strip())

    def url(self) -> str | None:
        """The address the fields give, or None after saying in the status line what is missing."""
        fields = ((self.tr("服务器地址"), self.host), (self.tr("端口"), self.port),
                  (self.tr("数据库名"), self.database), (self.tr("用户名"), self.user))
        missing = [label for label, edit in fields if not edit.text().strip()]
        if missing:
            self._say(self.tr("请填写{fields}。").format(fields="、".join(missing)), ok=False)
            return None
        return server_url(self.host.text(), int(self.port.text()), self.database.text(), self.user.text())

    def _say(self, text: str, ok: bool) -> None:
        self.status.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.status.setText(text)

    def _check(self, then_accept: bool) -> None:
        url = self.url()
        if url is None:
            return
        password = self.password.text() or None
        self.status.clear()
        self._set_busy(True)

        def done(found: Message | None, error: DatabaseOpenError | None) -> None:
            if error is not None and error.kind == "no-password":
                self._say(self.tr("数据库服务器要求密码：请填写密码。"), ok=False)
                self.password.setFocus()
            elif error is not None:
                self._say(tr_msg(error.message), ok=False)
                if error.kind == "password":
                    self.password.clear()
                    self.password.setFocus()
            else:
                self._say(tr_msg(found), ok=True)
                if then_accept:
                    self._choose_server(url, password)

        test_connection(self, url, password, done).finished.connect(lambda: self._set_busy(False))

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.test_button, self.local_button, self.buttons):
            widget.setEnabled(not busy)

    def _choose_server(self, url: str, password: str | None) -> None:
        if password:
            server_passwords.use_for_this_run(url, password)
        if self.remember.isChecked() and password:
            if not server_passwords.store_password(url, password):
                QMessageBox.warning(self, self.windowTitle(), self.tr(
                    "密码没能存入本机系统的密码库，下次启动程序时会再询问密码。"))
        elif not self.remember.isChecked():
            server_passwords.forget_password(url)
        self._remember(url)
        self.chosen = url
        self.accept()

    def use_local_file(self) -> None:
        self._remember(None)
        self.chosen = paths.default_db_path()
        self.accept()

    def _remember(self, url: str | None) -> None:
        try:
            paths.remember_server(url)
        except OSError as e:
            QMessageBox.warning(self, self.windowTitle(), self.tr(
                "这个选择没能保存（{reason}），下次启动程序时仍会打开原来的数据库。").format(
                    reason=e.strerror or e))


def choose_database(parent: QWidget | None, current: Path | str | None) -> Path | str | None:
    """Ask which database to work on; None when cancelled."""
    dialog = ConnectDialog(current, parent)
    return dialog.chosen if dialog.exec() == QDialog.DialogCode.Accepted else None


def current_database(ctx: AppContext) -> Path | str:
    return ctx.db_path if ctx.db_path is not None else ctx.location


def switch_database(window: QMainWindow, ctx: AppContext) -> None:
    """文件 ▸ 连接数据库服务器…: once another database is chosen the window closes and the
    program opens that one, with a login of its own (each database has its own operators)."""
    target = choose_database(window, current_database(ctx))
    if target is None or str(target) == str(current_database(ctx)):
        return
    answer = offer_copy(window, ctx, target)
    if answer is None:
        return
    ctx.copy_to = answer or None
    ctx.reopen = target
    window.close()


def offer_copy(window: QWidget, ctx: AppContext, target: Path | str) -> str | None:
    """Moving from this PC's file to a new, empty server database: offer to take the data along
    (an administrator's decision: a copy of everyone's personal data). The target URL to copy to,
    "" for no copy, None when the user cancelled the switch."""
    from desktop.dbcopy import holds_records, target_problem

    if ctx.on_server or not is_server_url(target) or not can(ctx.user, "copy"):
        return ""
    if not holds_records(ctx.db):
        return ""  # nothing here but operators and settings: nothing to take along
    if target_problem(target) is not None:
        return ""  # the server's database has data of its own: opened as it is
    box = QMessageBox(QMessageBox.Icon.Question, _tr("连接数据库服务器"), _tr(
        "服务器上的数据库还是空的。要把本机数据库（{file}）中的全部数据复制过去吗？\n\n"
        "复制在本窗口关闭后进行，完成后核对每个表的行数并检查数据库；本机文件保持不变。"
        "复制要记入操作记录（导出个人信息）。").format(file=ctx.db_path), parent=window)
    copy = box.addButton(_tr("复制数据后切换"), QMessageBox.ButtonRole.AcceptRole)
    plain = box.addButton(_tr("不复制，直接切换"), QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(copy)
    box.exec()
    if box.clickedButton() is copy:
        return str(target)
    return "" if box.clickedButton() is plain else None
