"""Logging in: the login dialog (and the lock screen's password prompt). The first start's
administrator account and 修改密码 are forms: views.account_forms."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .styles import ERROR_STYLE

if TYPE_CHECKING:
    from desktop.context import AppContext
    from models.entities import User

# The login window shows before the database is open and the records' layer (peewee, the models)
# is loaded: what checks a password is imported when it is used (tests/bench/bench_startup.py).
# Its buttons are plain push buttons: a QDialogButtonBox's constructor makes PySide build Qt's
# whole namespace of enums (~15 ms), more than the rest of the dialog.

LAST_USER_KEY = "login/last_user"


def password_edit(parent: QWidget) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class PasswordPrompt(QDialog):
    """A username and a password, checked with models.auth.authenticate (lockout included)."""

    def __init__(self, title: str, parent: QWidget | None = None, username: str = "",
                 fixed_user: bool = False):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.user: User | None = None
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.intro.hide()
        self.username = QLineEdit(username, self)
        self.username.setObjectName("username")
        self.username.setReadOnly(fixed_user)
        self.password = password_edit(self)
        self.password.setObjectName("password")
        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.ok_button = QPushButton(self.tr("确定"), self)
        self.ok_button.setObjectName("ok")
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.accept)
        self.cancel_button = QPushButton(self.tr("取消"), self)
        self.cancel_button.setObjectName("cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.buttons = QHBoxLayout()  # as Windows orders them: 确定 then 取消, on the right
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.ok_button)
        self.buttons.addWidget(self.cancel_button)
        self.panel = QWidget(self)  # the prompt itself (the lock screen centres it on the window)
        layout = QVBoxLayout(self.panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.intro)
        layout.addWidget(QLabel(self.tr("用户名"), self.panel))
        layout.addWidget(self.username)
        layout.addWidget(QLabel(self.tr("密码"), self.panel))
        layout.addWidget(self.password)
        layout.addWidget(self.error)
        layout.addLayout(self.buttons)
        QVBoxLayout(self).addWidget(self.panel)
        self.setMinimumWidth(360)
        (self.password if username else self.username).setFocus()

    def accept(self) -> None:
        from models.auth import AuthError, authenticate

        try:
            self.user = authenticate(self.username.text(), self.password.text())
        except AuthError as e:
            from .i18n import tr_msg

            self.error.setText(tr_msg(e.message))
            self.error.show()
            self.error.setMinimumHeight(self.error.heightForWidth(self.panel.width()))  # all lines
            self.password.clear()
            self.password.setFocus()
            return
        self.password.clear()
        self.error.hide()
        super().accept()


class LoginDialog(PasswordPrompt):
    def __init__(self, settings: QSettings, parent: QWidget | None = None):
        super().__init__(self.tr("登录巾帼枢纽"), parent, username=str(settings.value(LAST_USER_KEY, "")))
        self.settings = settings
        self.ok_button.setText(self.tr("登录"))
        self.opened_ctx: AppContext | None = None  # the database, once open (see login_dialog)
        self._accept_when_open = False
        self.recovery_button = QPushButton(self.tr("忘记了所有密码？用恢复密钥打开"), self)
        self.recovery_button.setObjectName("recovery")
        self.recovery_button.setFlat(True)
        self.recovery_button.setAutoDefault(False)
        self.recovery_button.clicked.connect(self.open_with_recovery_key)
        self.buttons.insertWidget(0, self.recovery_button)

    def attach(self, ctx: AppContext) -> None:
        """The database is open: 登录 checks passwords now (one pressed meanwhile, at once)."""
        self.opened_ctx = ctx
        if self._accept_when_open:
            self._accept_when_open = False
            QTimer.singleShot(0, self.accept)

    def open_with_recovery_key(self) -> None:
        """Every password lost: the recovery key sets an administrator's new password, with
        which this login goes on (the records' layer is loaded by then, so imported here)."""
        if self.opened_ctx is None:  # still opening the database
            return
        from .key_dialogs import RecoveryLoginDialog

        dialog = RecoveryLoginDialog(self.opened_ctx, self)
        self.recovery_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.result_value is None:
            return
        self.username.setText(dialog.result_value.username)
        self.password.setText(dialog.password.text())
        self.accept()

    def accept(self) -> None:
        if self.opened_ctx is None:  # still opening the database: answered once it is open
            self._accept_when_open = True
            return
        super().accept()
        if self.user is not None:
            self.settings.setValue(LAST_USER_KEY, self.user.username)


def log_in(ctx: AppContext, parent: QWidget | None = None,
           dialog: LoginDialog | None = None) -> User | None:
    """Ask who is working (creating the administrator at the first start); None if cancelled,
    also when another database was chosen instead (``ctx.reopen``). ``dialog``: the login window
    already shown while the database opened."""
    from models.auth import needs_first_admin

    if needs_first_admin():
        if dialog is not None:  # a file nobody can log in to yet (made by another program)
            dialog.close()
        from .account_forms import FirstAdminDialog

        first = FirstAdminDialog(parent)
        first.opened_ctx = ctx
        first.form.addRow(database_row(first, ctx.location))
        if first.exec() != QDialog.DialogCode.Accepted:
            return None
        admin = first.result_value
        from models.auth import create_recovery_key

        from .key_dialogs import RecoveryKeyDialog

        RecoveryKeyDialog(create_recovery_key(admin), parent).exec()  # shown once, now
        return admin
    if dialog is None:
        dialog = login_dialog(ctx.location, parent)
    dialog.attach(ctx)
    return dialog.user if dialog.exec() == QDialog.DialogCode.Accepted else None


def login_dialog(location: str, parent: QWidget | None = None) -> LoginDialog:
    """The login dialog with its 数据库 line (``location``: where the data is), what
    ``--smoke-login`` times. It can be shown before the database is open; ``opened_ctx`` is set
    once it is, and only then does 登录 check the password."""
    from desktop.paths import ui_settings_path

    settings = QSettings(str(ui_settings_path()), QSettings.Format.IniFormat)
    dialog = LoginDialog(settings, parent)
    layout = dialog.panel.layout()
    layout.insertWidget(layout.count() - 1, database_row(dialog, location))  # above the buttons
    return dialog


def database_row(dialog: QDialog, location: str) -> QWidget:
    """The login's 数据库 line: where the data is, and a way to another database before logging
    in (the login is then cancelled and the program opens the one chosen). The dialog's
    ``opened_ctx`` is the database open now."""
    row = QWidget(dialog)
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    where = QLabel(_connect_tr("数据库：{where}").format(where=location), row)
    where.setObjectName("database")
    where.setWordWrap(True)
    button = QPushButton(_connect_tr("连接数据库服务器…"), row)
    button.setObjectName("connect_server")

    def choose() -> None:
        ctx = getattr(dialog, "opened_ctx", None)
        if ctx is None:  # still opening
            return
        from .connect_dialog import choose_database, current_database  # its own modules: on use

        target = choose_database(dialog, current_database(ctx))
        if target is not None and str(target) != str(current_database(ctx)):
            ctx.reopen = target
            dialog.reject()

    button.clicked.connect(choose)
    layout.addWidget(where, 1)
    layout.addWidget(button)
    return row


def _connect_tr(text: str) -> str:
    return QCoreApplication.translate("connect", text)
