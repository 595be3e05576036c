"""The forms of one's own account: the first start's administrator, and 修改密码."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QWidget

from desktop.context import AppContext
from models.auth import MIN_PASSWORD, create_first_admin, set_password
from models.entities import User

from .form import FormDialog
from .login import password_edit


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
