"""Logging in: the first start's administrator account, and the login dialog."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from models.auth import (
    MIN_PASSWORD,
    AuthError,
    authenticate,
    create_first_admin,
    needs_first_admin,
    set_password,
)
from models.entities import User

from .form import ERROR_STYLE, FormDialog
from .i18n import tr_msg

LAST_USER_KEY = "login/last_user"


def password_edit(parent: QWidget) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class FirstAdminDialog(FormDialog):
    """A database nobody can log in to yet: create the administrator (the program's first start)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("设置管理员账户"), parent)
        intro = QLabel(self.tr(
            "这是第一次使用这个数据库。请设置管理员账户：管理员可以添加其他操作员、修改设置、"
            "从备份恢复。请记住密码，忘记后只能由另一位管理员重设。"), self)
        intro.setWordWrap(True)
        self.form.insertRow(0, intro)
        self.username = self.add_field("username", self.tr("用户名"), QLineEdit(self), required=True)
        self.username.setText("admin")
        self.display_name = self.add_field("display_name", self.tr("姓名"), QLineEdit(self))
        self.password = self.add_field("password", self.tr("密码"), password_edit(self), required=True)
        self.password.setPlaceholderText(self.tr("至少 {n} 个字符").format(n=MIN_PASSWORD))
        self.repeat = self.add_field("repeat", self.tr("再输一次密码"), password_edit(self), required=True)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("创建并登录"))

    def submit(self) -> User:
        return create_first_admin(self.username.text(), self.display_name.text(),
                                  self.password.text(), self.repeat.text())


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
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.panel = QWidget(self)  # the prompt itself (the lock screen centres it on the window)
        layout = QVBoxLayout(self.panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.intro)
        layout.addWidget(QLabel(self.tr("用户名"), self.panel))
        layout.addWidget(self.username)
        layout.addWidget(QLabel(self.tr("密码"), self.panel))
        layout.addWidget(self.password)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        QVBoxLayout(self).addWidget(self.panel)
        self.setMinimumWidth(360)
        (self.password if username else self.username).setFocus()

    def accept(self) -> None:
        try:
            self.user = authenticate(self.username.text(), self.password.text())
        except AuthError as e:
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
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("登录"))

    def accept(self) -> None:
        super().accept()
        if self.user is not None:
            self.settings.setValue(LAST_USER_KEY, self.user.username)


def log_in(ctx: AppContext, parent: QWidget | None = None) -> User | None:
    """Ask who is working (creating the administrator at the first start); None if cancelled,
    also when another database was chosen instead (``ctx.reopen``)."""
    if needs_first_admin():
        dialog = FirstAdminDialog(parent)
        dialog.form.addRow(database_row(dialog, ctx))
        return dialog.result_value if dialog.exec() == QDialog.DialogCode.Accepted else None
    dialog = login_dialog(ctx, parent)
    return dialog.user if dialog.exec() == QDialog.DialogCode.Accepted else None


def login_dialog(ctx: AppContext, parent: QWidget | None = None) -> LoginDialog:
    """The login dialog with its 数据库 line (what ``--smoke-login`` times)."""
    settings = QSettings(str(ctx.ui_settings_path), QSettings.Format.IniFormat)
    dialog = LoginDialog(settings, parent)
    layout = dialog.panel.layout()
    layout.insertWidget(layout.indexOf(dialog.buttons), database_row(dialog, ctx))
    return dialog


def database_row(dialog: QDialog, ctx: AppContext) -> QWidget:
    """The login's 数据库 line: where the data is, and a way to another database before logging
    in (the login is then cancelled and the program opens the one chosen)."""
    row = QWidget(dialog)
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    where = QLabel(_connect_tr("数据库：{where}").format(where=ctx.location), row)
    where.setObjectName("database")
    where.setWordWrap(True)
    button = QPushButton(_connect_tr("连接数据库服务器…"), row)
    button.setObjectName("connect_server")

    def choose() -> None:
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


class ChangePasswordDialog(FormDialog):
    """File ▸ 修改密码: the logged-in operator changes their own password (the old one first)."""

    permission = None  # every role may change its own password

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(self.tr("修改我的密码"), parent)
        self.ctx = ctx
        self.old_password = self.add_field("old_password", self.tr("原密码"), password_edit(self),
                                           required=True)
        self.password = self.add_field("password", self.tr("新密码"), password_edit(self), required=True)
        self.password.setPlaceholderText(self.tr("至少 {n} 个字符").format(n=MIN_PASSWORD))
        self.repeat = self.add_field("repeat", self.tr("再输一次"), password_edit(self), required=True)

    def submit(self) -> User:
        set_password(self.ctx.user, self.ctx.user, self.password.text(), self.repeat.text(),
                     old_password=self.old_password.text())
        return self.ctx.user
