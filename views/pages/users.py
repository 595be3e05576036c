"""操作员 (administrators only): add an operator, change name, role or active flag, reset a password."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from models.auth import MIN_PASSWORD, create_user, is_locked, list_users, set_password, update_user
from models.choices import USER_ROLES
from models.db import now
from models.entities import User

from ..form import FormDialog
from ..i18n import tr_label
from ..login import password_edit
from ..widgets import ChoiceCombo


class UserDialog(FormDialog):
    """A new operator (with a first password), or an existing one's name, role and active flag."""

    permission = "users"

    def __init__(self, ctx: AppContext, user: User | None, parent: QWidget | None = None):
        super().__init__(self.tr("新增操作员") if user is None else self.tr("修改操作员"), parent)
        self.ctx, self.user = ctx, user
        self.username = self.add_field("username", self.tr("用户名"), QLineEdit(self), required=True)
        self.display_name = self.add_field("display_name", self.tr("姓名"), QLineEdit(self))
        self.role = self.add_field("role", self.tr("角色"), ChoiceCombo.of(USER_ROLES, self), required=True)
        self.role.setToolTip(self.tr("管理员：操作员、设置、恢复、完整身份证号；录入员：新建修改、导入、"
                                     "导出（身份证号遮蔽）；查看员：只能查看和打印"))
        if user is None:
            self.role.setValue("clerk")
            self.password = self.add_field("password", self.tr("初始密码"), password_edit(self),
                                           required=True)
            self.password.setPlaceholderText(self.tr("至少 {n} 个字符").format(n=MIN_PASSWORD))
            self.repeat = self.add_field("repeat", self.tr("再输一次"), password_edit(self), required=True)
        else:
            self.username.setText(user.username)
            self.username.setReadOnly(True)
            self.display_name.setText(user.display_name)
            self.role.setValue(user.role)
            self.active = self.add_field("active", self.tr("可以登录"), QCheckBox(self))
            self.active.setChecked(user.active)

    def submit(self) -> User:
        if self.user is None:
            return create_user(self.ctx.user, self.username.text(), self.display_name.text(),
                               self.role.value(), self.password.text(), self.repeat.text())
        return update_user(self.ctx.user, self.user, display_name=self.display_name.text(),
                           role=self.role.value(), active=self.active.isChecked())


class ResetPasswordDialog(FormDialog):
    """A new password for someone who forgot theirs (also lifts a lockout)."""

    permission = "users"

    def __init__(self, ctx: AppContext, user: User, parent: QWidget | None = None):
        super().__init__(self.tr("重设“{name}”的密码").format(name=user.username), parent)
        self.ctx, self.user = ctx, user
        self.password = self.add_field("password", self.tr("新密码"), password_edit(self), required=True)
        self.repeat = self.add_field("repeat", self.tr("再输一次"), password_edit(self), required=True)

    def submit(self) -> User:
        set_password(self.ctx.user, self.user, self.password.text(), self.repeat.text())
        return self.user


class UsersPage(QWidget):
    COLUMNS = ("用户名", "姓名", "角色", "状态", "上次登录")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.active_dialog: FormDialog | None = None
        self.users: list[User] = []
        self.table = QTableWidget(0, len(self.COLUMNS), self)
        self.table.setObjectName("table")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.itemSelectionChanged.connect(self.update_actions)

        self.new_button = QPushButton(self.tr("新增操作员…"), self)
        self.new_button.clicked.connect(lambda: self.show_dialog(UserDialog(self.ctx, None, self)))
        self.edit_button = QPushButton(self.tr("修改角色/停用…"), self)
        self.edit_button.clicked.connect(self.edit_selected)
        self.password_button = QPushButton(self.tr("重设密码…"), self)
        self.password_button.clicked.connect(self.reset_selected)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.password_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        self.refresh()

    def is_filled(self) -> bool:
        return True

    def refresh(self) -> None:
        self.users = list_users()
        at = now()
        self.table.setRowCount(len(self.users))
        for row, user in enumerate(self.users):
            if not user.active:
                state = self.tr("已停用")
            elif is_locked(user, at):
                state = self.tr("锁定到 {time:%H:%M}").format(time=user.locked_until)
            elif not user.password_hash:
                state = self.tr("未设密码")
            else:
                state = self.tr("正常")
            last = f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else ""
            for column, text in enumerate((user.username, user.display_name,
                                           tr_label(USER_ROLES.label(user.role)), state, last)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, user.id)
                self.table.setItem(row, column, item)
        self.update_actions()

    def selected_user(self) -> User | None:
        rows = self.table.selectionModel().selectedRows()
        return self.users[rows[0].row()] if rows else None

    def update_actions(self) -> None:
        chosen = self.selected_user() is not None
        self.edit_button.setEnabled(chosen)
        self.password_button.setEnabled(chosen)

    def select_user(self, username: str) -> None:
        for row, user in enumerate(self.users):
            if user.username == username:
                self.table.selectRow(row)

    def show_dialog(self, dialog: FormDialog) -> None:
        dialog.accepted.connect(self.refresh)
        dialog.finished.connect(dialog.deleteLater)
        self.active_dialog = dialog
        dialog.open()

    def edit_selected(self) -> None:
        user = self.selected_user()
        if user is not None:
            self.show_dialog(UserDialog(self.ctx, User.get_by_id(user.id), self))

    def reset_selected(self) -> None:
        user = self.selected_user()
        if user is not None:
            self.show_dialog(ResetPasswordDialog(self.ctx, User.get_by_id(user.id), self))
