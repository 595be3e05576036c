"""First start, login, switching user, and the idle lock that keeps a half-filled form."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QMessageBox

from desktop import app as app_module
from desktop import context as context_module
from desktop.context import build_context
from models import auth
from models.entities import AuditEntry, Person, User
from models.settings import set_setting
from views.account_forms import ChangePasswordDialog, FirstAdminDialog
from views.idle_lock import IdleLock, idle_minutes
from views.login import LAST_USER_KEY, LoginDialog, PasswordPrompt
from views.main_window import MainWindow
from views.pages.people import PeoplePage
from views.session import Session

from .conftest import save, type_text
from .test_connect_dialog import ScriptedUser, main_window

PASSWORD = "青禾妇联-2025"


def click(qtbot, dialog, which=QDialogButtonBox.StandardButton.Ok) -> None:
    """Click a button of a form (its button box) or of a password prompt (its own two)."""
    if isinstance(dialog, PasswordPrompt):
        button = dialog.ok_button if which == QDialogButtonBox.StandardButton.Ok else dialog.cancel_button
    else:
        button = dialog.buttons.button(which)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_first_start_creates_the_administrator(qtbot, ctx):
    assert auth.needs_first_admin()
    dialog = FirstAdminDialog()
    qtbot.addWidget(dialog)
    dialog.username.setText("wangfang")
    type_text(dialog.display_name, "王芳")
    dialog.password.setText(PASSWORD)
    dialog.repeat.setText(PASSWORD + "x")
    save(qtbot, dialog)
    assert "不一致" in dialog.error_text("repeat") and dialog.result_value is None
    dialog.repeat.setText(PASSWORD)
    save(qtbot, dialog)
    admin = dialog.result_value
    assert (admin.username, admin.display_name, admin.role) == ("wangfang", "王芳", "admin")
    assert not auth.needs_first_admin()
    assert auth.authenticate("wangfang", PASSWORD).id == admin.id


def test_the_login_dialog_refuses_a_wrong_password_and_remembers_who_logged_in(qtbot, ctx):
    auth.create_first_admin("wangfang", "王芳", PASSWORD, PASSWORD)
    settings = QSettings(str(ctx.ui_settings_path), QSettings.Format.IniFormat)
    dialog = LoginDialog(settings)
    qtbot.addWidget(dialog)
    dialog.attach(ctx)
    dialog.username.setText("wangfang")
    dialog.password.setText("not it")
    click(qtbot, dialog)
    assert dialog.user is None and not dialog.error.isHidden()
    assert "用户名或密码不正确" in dialog.error.text() and dialog.password.text() == ""
    dialog.password.setText(PASSWORD)
    with qtbot.waitSignal(dialog.accepted):
        click(qtbot, dialog)
    assert dialog.user.username == "wangfang"
    assert settings.value(LAST_USER_KEY) == "wangfang"
    assert LoginDialog(settings).username.text() == "wangfang"


def answer_next_dialog(qtbot, fill) -> None:
    """Fill the modal dialog the code under test is about to exec(), as a user would."""

    def run() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, run)
            return
        fill(dialog)

    QTimer.singleShot(0, run)


def test_the_program_opens_with_a_login_and_can_switch_user(qtbot, ctx):
    admin = auth.create_first_admin("wangfang", "王芳", PASSWORD, PASSWORD)
    auth.create_user(admin, "lina", "李娜", "viewer", "viewer-pass-1")

    def log_in_as(name, password):
        def fill(dialog):
            dialog.username.setText(name)
            dialog.password.setText(password)
            dialog.accept()
        return fill

    session = Session(ctx, MainWindow)
    answer_next_dialog(qtbot, log_in_as("wangfang", PASSWORD))
    assert session.start()
    first = session.window
    qtbot.addWidget(first)
    assert ctx.user.username == "wangfang"
    assert any("操作员：王芳" in label.text() for label in first.statusBar().findChildren(QLabel))

    answer_next_dialog(qtbot, log_in_as("lina", "viewer-pass-1"))
    session.switch_user()
    qtbot.addWidget(session.window)
    assert session.window is not first and not first.isVisible()
    assert ctx.user.username == "lina"
    assert any("操作员：李娜" in label.text() for label in session.window.statusBar().findChildren(QLabel))
    assert AuditEntry.select().where(AuditEntry.action == "login").count() == 2


def test_the_idle_lock_covers_the_window_and_keeps_a_half_filled_form(qtbot, ctx):
    ctx.user = auth.create_first_admin("wangfang", "王芳", PASSWORD, PASSWORD)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    page = window.open_page(PeoplePage)
    page.create_new()
    form = page.active_dialog
    qtbot.waitExposed(form)
    type_text(form.name, "王秀英")
    form.phone.setText("138")

    lock = IdleLock(window, ctx, timeout_ms=300, tick_ms=20)
    QTest.keyClick(form.phone, Qt.Key.Key_0)  # input restarts the idle time
    assert lock.idle.elapsed() < 100 and not lock.is_locked()
    qtbot.waitUntil(lock.is_locked, timeout=3000)
    screen = lock.screen
    assert screen.isVisible() and screen.isModal() and QApplication.activeModalWidget() is screen
    assert screen.geometry() == window.geometry()
    assert form.isVisible() and form.name.text() == "王秀英" and form.phone.text() == "1380"

    screen.reject()  # Esc does not unlock
    screen.close()
    assert lock.is_locked() and screen.isVisible()
    screen.password.setText("wrong")
    click(qtbot, screen)
    assert lock.is_locked() and "不正确" in screen.error.text()
    screen.password.setText(PASSWORD)
    with qtbot.waitSignal(lock.unlocked):
        click(qtbot, screen)
    assert not lock.is_locked()
    assert form.isVisible() and form.name.text() == "王秀英" and form.phone.text() == "1380"
    form.phone.setText("13812345678")
    save(qtbot, form)
    assert Person.get(Person.name == "王秀英").phone == "13812345678"
    lock.stop()


def test_the_idle_lock_of_a_window_not_shown_yet_watches_input_once_it_has_painted(qtbot, ctx):
    """A session makes the lock before its window shows (the application-wide filter waits for
    the first paint, see views.screen_fit): typing in the shown window still restarts the idle time."""
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    lock = IdleLock(window, ctx, timeout_ms=60_000, tick_ms=20)
    window.show_fitted()
    qtbot.waitExposed(window)

    def typing_restarts_the_idle_time() -> bool:
        qtbot.wait(60)  # idle meanwhile: only input watched by the lock restarts the time
        QTest.keyClick(window.nav, Qt.Key.Key_Down)
        return lock.idle.elapsed() < 50

    qtbot.waitUntil(typing_restarts_the_idle_time, timeout=3000)
    assert not lock.is_locked()
    lock.stop()


def test_the_idle_time_comes_from_the_settings(ctx):
    assert idle_minutes() == 15
    set_setting("security.idle_minutes", "5", ctx.user)
    assert idle_minutes() == 5
    set_setting("security.idle_minutes", "abc", ctx.user)
    assert idle_minutes() == 15
    assert User.select().count() == 1


def test_a_viewer_changes_their_own_password(qtbot, ctx):
    admin = auth.create_first_admin("wangfang", "王芳", PASSWORD, PASSWORD)
    ctx.user = auth.create_user(admin, "lina", "李娜", "viewer", "viewer-pass-1")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.password_action.trigger()
    dialog = window.findChild(ChangePasswordDialog)
    qtbot.waitExposed(dialog)
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Save).isEnabled()
    dialog.old_password.setText("wrong")
    dialog.password.setText("new-viewer-pass")
    dialog.repeat.setText("new-viewer-pass")
    save(qtbot, dialog)
    assert "原密码不正确" in dialog.error_text("old_password")
    dialog.old_password.setText("viewer-pass-1")
    save(qtbot, dialog)
    assert auth.authenticate("lina", "new-viewer-pass").username == "lina"


def test_someone_else_can_log_in_from_the_lock_screen(qtbot, ctx, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    admin = auth.create_first_admin("wangfang", "王芳", PASSWORD, PASSWORD)
    auth.create_user(admin, "lina", "李娜", "clerk", "clerk-pass-1")

    def log_in_as(name, password):
        def fill(dialog):
            dialog.username.setText(name)
            dialog.password.setText(password)
            dialog.accept()
        return fill

    session = Session(ctx, MainWindow)
    answer_next_dialog(qtbot, log_in_as("wangfang", PASSWORD))
    assert session.start()
    first = session.window
    qtbot.addWidget(first)
    first.open_page(PeoplePage).create_new()
    form = first.current_page().active_dialog
    closed = []
    form.finished.connect(closed.append)
    session.idle_lock.timeout_ms = 100
    session.idle_lock.ticker.setInterval(20)
    qtbot.waitUntil(session.idle_lock.is_locked, timeout=3000)
    screen = session.idle_lock.screen

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    screen.switch_button.click()
    assert session.idle_lock.is_locked() and session.window is first  # changed her mind

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    answer_next_dialog(qtbot, log_in_as("lina", "clerk-pass-1"))
    screen.switch_button.click()
    qtbot.addWidget(session.window)
    assert session.window is not first and ctx.user.username == "lina"
    assert closed and not first.isVisible()  # her form was closed, as the warning said
    assert not session.idle_lock.is_locked()


# -- the login shows before the database opens -------------------------------------------------


def _office_file(tmp_path):
    """A file with its administrator, closed, as the office's PC has it between two days."""
    path = tmp_path / "office.db"
    office = build_context(path)
    auth.create_first_admin("wangfang", "王芳", PASSWORD, PASSWORD)
    office.close()
    return path


@pytest.mark.sqlite_only
def test_the_login_shows_before_the_file_opens_and_a_login_typed_meanwhile_counts(
        qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(app_module, "install_crash_hook", lambda *args: None)  # pytest-qt keeps its own
    path = _office_file(tmp_path)
    seen_while_opening = []
    opening = context_module.build_context

    def open_while_the_clerk_types(target, *args, **kwargs):
        login = QApplication.activeModalWidget()
        seen_while_opening.append(type(login).__name__ if login is not None and login.isVisible() else None)
        login.username.setText("wangfang")  # she types and presses 登录 before the file is open
        login.password.setText(PASSWORD)
        login.ok_button.click()
        return opening(target, *args, **kwargs)

    monkeypatch.setattr(context_module, "build_context", open_while_the_clerk_types)
    operators = []

    def close(window):
        operators.append(window.ctx.user.username)
        window.close()

    user = ScriptedUser(qtbot)
    user.when("主窗口", main_window(str(path)), close)
    user.start()
    assert app_module.run_window(path, False, time.perf_counter()) == 0
    assert not user.steps and not user.gave_up
    assert seen_while_opening == ["LoginDialog"] and operators == ["wangfang"]


@pytest.mark.sqlite_only
def test_a_file_that_cannot_be_opened_closes_the_login_and_says_why(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(app_module, "install_crash_hook", lambda *args: None)
    path = tmp_path / "office.db"
    path.write_bytes(b"this is not a database" * 100)  # a damaged file
    told = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: told.append(text))
    assert app_module.run_window(path, False, time.perf_counter()) == 2
    assert len(told) == 1 and "office.db" in told[0]
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, LoginDialog) and w.isVisible()]
