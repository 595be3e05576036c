"""操作员 (administrators only): add an operator, change name, role or active flag, reset a password."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from models.audit_listing import action_label, entity_label
from models.auth import MIN_PASSWORD, create_user, is_locked, list_users, set_password, update_user
from models.choices import USER_ROLES
from models.db import now
from models.entities import KeyWrap, User
from models.related import actions_of

from ..detail import DetailDialog, cell_text
from ..form import FormDialog
from ..i18n import tr_label
from ..login import password_edit
from ..widgets import ChoiceCombo


class UserDialog(FormDialog):
    """A new operator (with a first password), or an existing one's name, role and active flag."""

    permission = "users"

    def __init__(self, ctx: AppContext, user: User | None, parent: QWidget | None = None):
        super().__init__(self.tr("新建操作员") if user is None else self.tr("编辑操作员"), parent)
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
        self.reactivated = not self.user.active and self.active.isChecked()
        return update_user(self.ctx.user, self.user, display_name=self.display_name.text(),
                           role=self.role.value(), active=self.active.isChecked())


class ResetPasswordDialog(FormDialog):
    """A new password for someone who forgot theirs (also lifts a lockout)."""

    permission = "users"

    def __init__(self, ctx: AppContext, user: User, parent: QWidget | None = None, note: str = ""):
        super().__init__(self.tr("重设“{name}”的密码").format(name=user.username), parent)
        self.ctx, self.user = ctx, user
        if note:
            told = QLabel(note, self)
            told.setObjectName("note")
            told.setWordWrap(True)
            self.form.insertRow(0, told)
        self.password = self.add_field("password", self.tr("新密码"), password_edit(self), required=True)
        self.repeat = self.add_field("repeat", self.tr("再输一次"), password_edit(self), required=True)

    def submit(self) -> User:
        set_password(self.ctx.user, self.user, self.password.text(), self.repeat.text())
        return self.user


class UserDetail(DetailDialog):
    """An operator: basic information and what they did lately; 编辑… and 重设密码… here."""

    def __init__(self, page: UsersPage, user: User):
        super().__init__(self.tr("操作员详情：{name}").format(name=user.username), page)
        self.page, self.ctx, self.user = page, page.ctx, user
        self.changed = False
        self.active_dialog: FormDialog | None = None
        self.info = QLabel(self)
        self.info.setObjectName("basic_info")
        self.info.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tabs.addTab(self.info, self.tr("基本信息"))
        self.edit_button = self.add_button(self.tr("编辑…"), self.edit, permission="users")
        self.password_button = self.add_button(self.tr("重设密码…"), self.reset_password,
                                               permission="users")
        self.actions_row.addStretch(1)
        self.actions_table = self.add_table(self.tr("最近的操作"), self._action_headers(), [])
        self.refresh()

    def refresh(self) -> None:
        self.user = User.get_by_id(self.user.id)
        rows = [(self.tr("用户名"), self.user.username), (self.tr("姓名"), self.user.display_name),
                (self.tr("角色"), tr_label(USER_ROLES.label(self.user.role))),
                (self.tr("状态"), self.page.state_of(self.user)),
                (self.tr("上次登录"), cell_text(self.user.last_login_at))]
        lines = "".join(f"<tr><td align='right'>{escape(k)}：</td><td>{escape(v)}</td></tr>" for k, v in rows)
        self.info.setText(f"<table cellpadding='4'>{lines}</table>")
        self.set_header(f"<b>{escape(self.user.shown_name)}</b>　{escape(rows[2][1])}　{escape(rows[3][1])}")
        self.fill_table(self.actions_table, self._action_headers(),
                        [(at, tr_label(action_label(action)), tr_label(entity_label(entity)), summary)
                         for at, action, entity, summary in actions_of(self.user)])

    def _action_headers(self) -> list[str]:
        return [self.tr("时间"), self.tr("操作"), self.tr("对象类型"), self.tr("对象")]

    def _open(self, dialog: FormDialog) -> None:
        dialog.accepted.connect(self._after_change)
        dialog.finished.connect(dialog.deleteLater)
        self.active_dialog = dialog
        dialog.open()

    def _after_change(self) -> None:
        self.changed = True
        self.refresh()

    def edit(self) -> None:
        dialog = UserDialog(self.ctx, self.user, self)
        dialog.accepted.connect(lambda: self.page.after_edit(dialog, self._open))
        self._open(dialog)

    def reset_password(self) -> None:
        self._open(ResetPasswordDialog(self.ctx, self.user, self))


class UsersPage(QWidget):
    """The operators, as every register page shows its records: search, count, 新建, 打开…
    (double click or Enter: the detail), 编辑…, a right-click menu."""

    COLUMNS = ("用户名", "姓名", "角色", "状态", "上次登录")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.active_dialog: FormDialog | None = None
        self.detail: UserDetail | None = None
        self.users: list[User] = []
        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(self.tr("搜索用户名或姓名（Ctrl+F）"))
        self.search.setMinimumWidth(220)
        self.search.textChanged.connect(self.refresh)
        self.table = QTableWidget(0, len(self.COLUMNS), self)
        self.table.setObjectName("table")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        self.table.itemSelectionChanged.connect(self.update_actions)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self.show_context_menu)
        self.status = QLabel(self)
        self.status.setObjectName("count")

        self.new_button = QPushButton(self.tr("新建"), self)
        self.new_button.setToolTip(self.tr("新建操作员（Ctrl+N）"))
        self.new_button.clicked.connect(self.create_new)
        self.open_button = QPushButton(self.tr("打开…"), self)
        self.open_button.setToolTip(self.tr("打开选中操作员的详情（回车或双击）"))
        self.open_button.clicked.connect(self.open_selected)
        self.edit_button = QPushButton(self.tr("编辑…"), self)
        self.edit_button.setToolTip(self.tr("修改姓名、角色，或停用（Ctrl+Shift+E）"))
        self.edit_button.clicked.connect(self.edit_selected)
        self.password_button = QPushButton(self.tr("重设密码…"), self)
        self.password_button.clicked.connect(self.reset_selected)
        self.row_buttons = (self.open_button, self.edit_button, self.password_button)
        self.recovery_button = QPushButton(self.tr("生成新的恢复密钥…"), self)
        self.recovery_button.setObjectName("new_recovery_key")
        self.recovery_button.setToolTip(self.tr("所有密码都丢失时用来打开数据的恢复密钥；生成新的后，原来的作废"))
        self.recovery_button.clicked.connect(self.new_recovery_key)
        self.recovery_dialog: QWidget | None = None
        bar = QHBoxLayout()
        bar.addWidget(self.search)
        for button in (self.new_button, *self.row_buttons):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.recovery_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        for keys, slot, widget in (
            (QKeySequence.StandardKey.New, self.create_new, self),
            (QKeySequence.StandardKey.Find, self.search.setFocus, self),
            (QKeySequence(Qt.Key.Key_Return), self.open_selected, self.table),
            (QKeySequence(Qt.Key.Key_Enter), self.open_selected, self.table),
            (QKeySequence("Ctrl+Shift+E"), self.edit_selected, self.table),
        ):
            QShortcut(keys, widget, slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.refresh()

    def is_filled(self) -> bool:
        return True

    def state_of(self, user: User) -> str:
        if not user.active:
            return self.tr("已停用")
        if is_locked(user, now()):
            return self.tr("锁定到 {time:%H:%M}").format(time=user.locked_until)
        if not user.password_hash:
            return self.tr("未设密码")
        if user.id not in self.wrapped:
            return self.tr("需重设密码")  # reactivated: their key was taken at the deactivation
        return self.tr("正常")

    def refresh(self) -> None:
        self.wrapped = {user_id for (user_id,) in
                        KeyWrap.select(KeyWrap.user).where(KeyWrap.kind == "user").tuples()}
        typed = self.search.text().strip().lower()
        everyone = list_users()
        self.users = [u for u in everyone
                      if not typed or typed in u.username.lower() or typed in (u.display_name or "").lower()]
        self.table.setRowCount(len(self.users))
        for row, user in enumerate(self.users):
            last = f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else ""
            for column, text in enumerate((user.username, user.display_name,
                                           tr_label(USER_ROLES.label(user.role)), self.state_of(user), last)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, user.id)
                self.table.setItem(row, column, item)
        shown = len(self.users)
        total = len(everyone)
        self.status.setText(
            self.tr("共 {total} 个操作员").format(total=total) if shown == total
            else self.tr("共 {total} 个操作员，显示 {shown} 个").format(total=total, shown=shown))
        self.update_actions()

    def selected_user(self) -> User | None:
        rows = self.table.selectionModel().selectedRows()
        return self.users[rows[0].row()] if rows else None

    def update_actions(self) -> None:
        chosen = self.selected_user() is not None
        for button in self.row_buttons:
            button.setEnabled(chosen)

    def select_user(self, username: str) -> None:
        for row, user in enumerate(self.users):
            if user.username == username:
                self.table.selectRow(row)

    def context_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.setObjectName("row_menu")
        if self.selected_user() is not None:
            for button in self.row_buttons:
                action = menu.addAction(button.text(), button.click)
                if button is self.open_button:
                    menu.setDefaultAction(action)
            menu.addSeparator()
        menu.addAction(self.new_button.text(), self.new_button.click)
        return menu

    def show_context_menu(self, pos: QPoint) -> None:
        menu = self.context_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def new_recovery_key(self) -> None:
        if QMessageBox.warning(
            self, self.tr("生成新的恢复密钥"),
            self.tr("生成新的恢复密钥后，原来打印或抄写的恢复密钥立即作废，不能再用来打开数据。"
                    "新的恢复密钥只显示一次，请准备好打印或抄写。继续吗？"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        ) != QMessageBox.StandardButton.Yes:
            return
        from ..key_dialogs import show_new_recovery_key

        self.recovery_dialog = show_new_recovery_key(self.ctx, self)

    def after_edit(self, dialog: UserDialog, show: Callable[[FormDialog], None] | None = None) -> None:
        """A reactivated operator's key was taken when they were stopped: a new password gives
        them one again, so it is asked for at once."""
        if getattr(dialog, "reactivated", False) and dialog.result_value is not None:
            user = dialog.result_value
            note = self.tr("“{name}”可以重新登录了。停用时已收回其打开加密个人信息的钥匙，原密码不能再登录："
                           "请现在为其设一个新密码并告诉本人。").format(name=user.username)
            parent = dialog.parentWidget() or self
            reset = ResetPasswordDialog(self.ctx, User.get_by_id(user.id), parent, note)
            (show or self.show_dialog)(reset)

    def show_dialog(self, dialog: FormDialog) -> None:
        dialog.accepted.connect(self.refresh)
        dialog.finished.connect(dialog.deleteLater)
        self.active_dialog = dialog
        dialog.open()

    def create_new(self) -> None:
        self.show_dialog(UserDialog(self.ctx, None, self))

    def open_selected(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        detail = UserDetail(self, User.get_by_id(user.id))
        detail.finished.connect(lambda _result: self._detail_closed(detail))
        self.detail = detail
        detail.open()

    def _detail_closed(self, detail: UserDetail) -> None:
        if detail.changed:
            self.refresh()
            self.select_user(detail.user.username)
        detail.deleteLater()

    def edit_selected(self) -> None:
        user = self.selected_user()
        if user is not None:
            dialog = UserDialog(self.ctx, User.get_by_id(user.id), self)
            dialog.accepted.connect(lambda: self.after_edit(dialog))
            self.show_dialog(dialog)

    def reset_selected(self) -> None:
        user = self.selected_user()
        if user is not None:
            self.show_dialog(ResetPasswordDialog(self.ctx, User.get_by_id(user.id), self))
