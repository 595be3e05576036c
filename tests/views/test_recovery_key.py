"""The recovery key in the window: shown once after the first administrator, made anew on the
操作员 page, and used at the login when every password is lost; a reactivated operator is given
a new password at once (their key was taken when they were stopped)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from models import auth, crypto
from models.entities import AuditEntry, User
from views.key_dialogs import RecoveryKeyDialog, RecoveryLoginDialog
from views.login import LoginDialog, log_in
from views.pages.users import ResetPasswordDialog, UserDialog, UsersPage

from .conftest import save
from .test_connect_dialog import ScriptedUser, keep_recovery_key, modal
from .test_login import PASSWORD


def test_the_first_administrator_is_shown_the_recovery_key_once_and_it_opens_the_data(qtbot, ctx):
    seen = []

    def first_admin(dialog):
        dialog.username.setText("wangfang")
        dialog.password.setText(PASSWORD)
        dialog.repeat.setText(PASSWORD)
        save(qtbot, dialog)

    def look_then_keep(dialog):
        seen.append(dialog.key_label.text())
        dialog.reject()  # closing unconfirmed would lose the key: it stays
        assert dialog.isVisible()
        qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
        assert QGuiApplication.clipboard().text() == seen[0]
        keep_recovery_key(dialog)

    from views.account_forms import FirstAdminDialog

    user = ScriptedUser(qtbot, patience=20)
    user.when("设置管理员账户", modal(FirstAdminDialog), first_admin)
    user.when("恢复密钥", modal(RecoveryKeyDialog), look_then_keep)
    user.start()
    admin = log_in(ctx)
    assert admin is not None and admin.username == "wangfang" and not user.steps
    assert AuditEntry.select().where(AuditEntry.summary.contains("恢复密钥")).count() == 1
    crypto.lock()
    crypto.unlock_with_recovery_key(seen[0])
    assert crypto.is_unlocked()


def test_the_recovery_key_prints_without_a_file_of_its_own(qtbot, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    dialog = RecoveryKeyDialog("ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567")
    qtbot.addWidget(dialog)
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "paper.pdf"))  # a printer, as the test's paper
    dialog.document().print_(printer)
    from tests.desktop.pdf_reading import page_texts

    text = "".join(page_texts(tmp_path / "paper.pdf"))
    assert "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567" in "".join(text.split()) and "恢复密钥" in text


@pytest.fixture
def office(ctx):
    admin = auth.create_first_admin("wangfang", "王芳", PASSWORD, PASSWORD)
    auth.create_user(admin, "lina", "李娜", "clerk", "clerk-pass-1")
    ctx.user = admin
    return admin


def test_an_administrator_makes_a_new_recovery_key_and_the_old_one_stops_working(qtbot, ctx, office,
                                                                                 monkeypatch):
    old = auth.create_recovery_key(office)
    warned = []

    def answer(parent, title, text, *args):
        warned.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "warning", answer)
    page = UsersPage(ctx)
    qtbot.addWidget(page)
    qtbot.mouseClick(page.recovery_button, Qt.MouseButton.LeftButton)
    assert "原来打印或抄写的恢复密钥立即作废" in warned[0]
    shown = page.recovery_dialog
    new = shown.key_label.text()
    assert new != old and not shown.done_button.isEnabled()
    keep_recovery_key(shown)
    crypto.lock()
    with pytest.raises(crypto.KeyProblem):
        crypto.unlock_with_recovery_key(old)
    crypto.unlock_with_recovery_key(new)


def test_every_password_lost_the_recovery_key_resets_an_administrator_and_logs_in(qtbot, ctx, office):
    recovery = auth.create_recovery_key(office)
    crypto.lock()
    settings = QSettings(str(ctx.ui_settings_path), QSettings.Format.IniFormat)
    login = LoginDialog(settings)
    qtbot.addWidget(login)
    login.attach(ctx)
    errors = []

    def wrong_then_right(dialog):
        assert [dialog.admin.itemData(i) for i in range(dialog.admin.count())] == ["wangfang"]
        dialog.recovery.setText("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH")
        dialog.password.setText("全新的密码-2026")
        dialog.repeat.setText("全新的密码-2026")
        save(qtbot, dialog)
        errors.append(dialog.error_text("recovery"))
        dialog.recovery.setText(recovery.lower())
        save(qtbot, dialog)

    user = ScriptedUser(qtbot, patience=20)
    user.when("用恢复密钥打开", modal(RecoveryLoginDialog), wrong_then_right)
    user.start()
    with qtbot.waitSignal(login.accepted):
        qtbot.mouseClick(login.recovery_button, Qt.MouseButton.LeftButton)
    assert "恢复密钥不正确" in errors[0]
    assert login.user.username == "wangfang" and crypto.is_unlocked()
    crypto.lock()
    assert auth.authenticate("wangfang", "全新的密码-2026").username == "wangfang"
    with pytest.raises(auth.AuthError):
        auth.authenticate("wangfang", PASSWORD)


def test_a_reactivated_operator_is_given_a_new_password_and_can_log_in_again(qtbot, ctx, office):
    page = UsersPage(ctx)
    qtbot.addWidget(page)
    lina = User.get(User.username == "lina")
    auth.update_user(office, lina, active=False)
    crypto.lock()
    with pytest.raises(auth.AuthError):
        auth.authenticate("lina", "clerk-pass-1")  # deactivated: refused
    auth.authenticate("wangfang", PASSWORD)
    page.refresh()
    page.select_user("lina")
    page.edit_selected()
    edit = page.active_dialog
    assert isinstance(edit, UserDialog)
    edit.active.setChecked(True)
    save(qtbot, edit)
    reset = page.active_dialog
    assert isinstance(reset, ResetPasswordDialog) and reset.user.username == "lina"
    note = reset.findChild(type(reset.banner), "note").text()
    assert "原密码不能再登录" in note
    reset.password.setText("lina-new-pass")
    reset.repeat.setText("lina-new-pass")
    save(qtbot, reset)
    crypto.lock()
    with pytest.raises(auth.AuthError) as info:
        auth.authenticate("lina", "clerk-pass-1")
    assert "用户名或密码不正确" in str(info.value.message)
    assert auth.authenticate("lina", "lina-new-pass").username == "lina" and crypto.is_unlocked()
    page.refresh()
    assert page.state_of(User.get(User.username == "lina")) == "正常"


def test_a_reactivated_operator_without_a_new_password_is_told_what_to_do(ctx, office):
    lina = User.get(User.username == "lina")
    auth.update_user(office, lina, active=False)
    auth.update_user(office, User.get(User.username == "lina"), active=True)
    crypto.lock()
    with pytest.raises(auth.AuthError) as info:
        auth.authenticate("lina", "clerk-pass-1")
    assert "请管理员重设这个操作员的密码" in str(info.value.message)
    assert "损坏" not in str(info.value.message)  # a taken key, not a damaged record
