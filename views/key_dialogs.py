"""The recovery key (恢复密钥) in the window: shown once when it is made, and used at the login
when every password is lost (models.keys). Nothing here is imported before it is needed: the
login window shows before the database layer loads."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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
from models.auth import MIN_PASSWORD, AuthError
from models.entities import User
from models.errors import ValidationFailed

from .form import FormDialog
from .login import password_edit


class RecoveryKeyDialog(QDialog):
    """A new recovery key, shown this once: 复制, 打印…, and 完成 only once the administrator has
    confirmed it is kept (it cannot be shown again; a new one can be made on the 操作员 page)."""

    def __init__(self, key_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("恢复密钥"))
        self.setModal(True)
        self.key_text = key_text
        intro = QLabel(self.tr(
            "这是这个数据库的恢复密钥。数据库里的身份证号、电话等个人信息是加密保存的："
            "所有操作员的密码都丢失时，或在新电脑上恢复备份后没有人记得密码时，只有用它才能打开数据、"
            "重设管理员的密码。\n\n"
            "它只显示这一次。请打印或抄写下来，锁在办公室的保险柜里，不要和电脑、备份盘放在一起。"
            "以后管理员可以在“操作员”页生成新的恢复密钥（原来的随即作废）。"), self)
        intro.setWordWrap(True)
        self.key_label = QLabel(key_text, self)
        self.key_label.setObjectName("recovery_key")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(font.pointSizeF(), 10) * 1.6)
        font.setWeight(QFont.Weight.Bold)
        self.key_label.setFont(font)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setWordWrap(True)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = QPushButton(self.tr("复制"), self)
        self.copy_button.clicked.connect(self.copy)
        self.print_button = QPushButton(self.tr("打印…"), self)
        self.print_button.clicked.connect(self.print_key)
        self.kept = QCheckBox(self.tr("我已把恢复密钥打印或抄写并妥善保管"), self)
        self.kept.setObjectName("kept")
        self.done_button = QPushButton(self.tr("完成"), self)
        self.done_button.setObjectName("done")
        self.done_button.setEnabled(False)
        self.done_button.setDefault(True)
        self.kept.toggled.connect(self.done_button.setEnabled)
        self.done_button.clicked.connect(self.accept)
        tools = QHBoxLayout()
        tools.addStretch(1)
        tools.addWidget(self.copy_button)
        tools.addWidget(self.print_button)
        tools.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.kept, 1)
        bottom.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addSpacing(8)
        layout.addWidget(self.key_label)
        layout.addLayout(tools)
        layout.addSpacing(8)
        layout.addLayout(bottom)
        self.setMinimumWidth(560)
        # Wrapped labels: the first size must be the height those lines take at this width,
        # not the one-line hint (the first lines were cut off above the window's edge).
        self.resize(560, max(self.sizeHint().height(), layout.totalHeightForWidth(560)))

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.key_text)

    def document(self) -> QTextDocument:
        """What 打印 puts on paper: the key large, with what it is for (no file is written)."""
        document = QTextDocument(self)
        document.setHtml(self.tr(
            "<h2>巾帼枢纽 恢复密钥</h2>"
            "<p style='font-size:18pt; font-family:monospace; white-space:pre'><b>{key}</b></p>"
            "<p>所有操作员的密码都丢失时，用它打开加密的个人信息并重设管理员密码"
            "（登录窗口：“忘记了所有密码？用恢复密钥打开”）。请锁在保险柜里，不要和电脑、备份放在一起。</p>"
        ).format(key=self.key_text))
        return document

    def print_key(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        chooser = QPrintDialog(printer, self)
        if chooser.exec() == QDialog.DialogCode.Accepted:
            self.document().print_(printer)

    def reject(self) -> None:
        """Closing without the confirmation would lose the key for good: only 完成 ends it."""
        if self.kept.isChecked():
            super().reject()


def show_new_recovery_key(ctx: AppContext, parent: QWidget | None = None) -> RecoveryKeyDialog:
    """Make a new recovery key as ``ctx.user`` and show it (modal, opened; not exec'd)."""
    from models.auth import create_recovery_key

    dialog = RecoveryKeyDialog(create_recovery_key(ctx.user), parent)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


class RecoveryLoginDialog(FormDialog):
    """Every password lost: the recovery key unlocks the data and an administrator chosen here
    gets a new password, with which the login then goes on."""

    permission = None

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(self.tr("用恢复密钥打开"), parent)
        self.ctx = ctx
        intro = QLabel(self.tr(
            "输入首次设置时打印或抄写的恢复密钥（8 组、每组 4 个字母或数字），选择要重设密码的管理员，"
            "再设一个新密码。之后用这个新密码登录；其他操作员的密码由管理员在“操作员”页重设。"), self)
        intro.setWordWrap(True)
        self.form.insertRow(0, intro)
        self.recovery = self.add_field("recovery", self.tr("恢复密钥"), QLineEdit(self), required=True)
        self.recovery.setPlaceholderText("ABCD-EFGH-…")
        self.recovery.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.admin = self.add_field("username", self.tr("管理员"), QComboBox(self), required=True)
        from models.keys import recovery_candidates

        for user in recovery_candidates():
            shown = f"{user.username}（{user.display_name}）" if user.display_name else user.username
            self.admin.addItem(shown, user.username)
        self.password = self.add_field("password", self.tr("新密码"), password_edit(self), required=True)
        self.password.setPlaceholderText(self.tr("至少 {n} 个字符").format(n=MIN_PASSWORD))
        self.repeat = self.add_field("repeat", self.tr("再输一次"), password_edit(self), required=True)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("重设密码并登录"))

    def submit(self) -> User:
        from models.keys import reset_with_recovery_key

        if self.password.text() != self.repeat.text():
            from models.i18n import msg

            raise ValidationFailed({"repeat": msg("两次输入的密码不一致，请重新输入。")})
        try:
            return reset_with_recovery_key(self.recovery.text(), self.admin.currentData() or "",
                                           self.password.text())
        except AuthError as e:
            raise ValidationFailed({"recovery": e.message}) from e
