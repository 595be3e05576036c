"""连接数据库服务器: testing a connection in the background, switching the window to a server and
back, the choice remembered across starts with the password in the keyring, a missing or wrong
password asked for at start."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QProgressDialog, QWidget

from desktop import app as app_module
from desktop import paths, server_passwords
from desktop.context import AppContext, build_context
from models import auth
from tests.password_gate import SERVER_PASSWORD
from views.account_forms import FirstAdminDialog
from views.connect_dialog import ConnectDialog
from views.key_dialogs import RecoveryKeyDialog
from views.login import LoginDialog
from views.main_window import MainWindow
from views.server_password import ServerPasswordDialog, open_on_server

from .conftest import save, type_text

pytest.importorskip("psycopg")
keyring = pytest.importorskip("keyring")

OPERATOR_PASSWORD = "青禾妇联-2025"


@pytest.fixture(autouse=True)
def no_jinguo_db(monkeypatch):
    monkeypatch.delenv("JINGUO_DB", raising=False)
    monkeypatch.delenv("PGPASSWORD", raising=False)


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def retype(qtbot, edit, text: str) -> None:
    """Select what the field holds and type over it, as a user does."""
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def fill(qtbot, dialog: ConnectDialog, host: str, port: int | str, database: str, user: str,
         password: str = "") -> None:
    for edit, text in ((dialog.host, host), (dialog.port, str(port)), (dialog.database, database),
                       (dialog.user, user), (dialog.password, password)):
        retype(qtbot, edit, text)


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def connect_button(dialog):
    return dialog.buttons.button(dialog.buttons.StandardButton.Ok)


def show(qtbot, dialog):
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):
        dialog.show()
        dialog.activateWindow()
    return dialog


class ScriptedUser:
    """Answers the dialogs and windows that code under test opens and waits for: each step waits
    until ``find()`` returns a widget, then acts on it. Polling goes on inside the dialogs' own
    event loops; a step that is not reached within ``patience`` seconds ends the run (every
    dialog rejected, every window closed) and leaves ``steps`` unfinished."""

    def __init__(self, qtbot, patience: float = 60) -> None:
        self.qtbot = qtbot
        self.steps: list[tuple[str, Callable[[], QWidget | None], Callable[[QWidget], None]]] = []
        self.deadline = time.monotonic() + patience
        self.gave_up = ""

    def when(self, name: str, find: Callable[[], QWidget | None], act: Callable[[QWidget], None]) -> None:
        self.steps.append((name, find, act))

    def start(self) -> None:
        QTimer.singleShot(0, self._poll)

    def _poll(self) -> None:
        if not self.steps:
            return
        QTimer.singleShot(20, self._poll)  # before acting: an action may wait in a dialog of its own
        if time.monotonic() > self.deadline:
            self.gave_up = self.gave_up or self.steps[0][0]
            for widget in QApplication.topLevelWidgets():
                if widget.isVisible():
                    widget.close()
            return
        _name, find, act = self.steps[0]
        widget = find()
        if widget is not None:
            self.steps.pop(0)
            act(widget)


def keep_recovery_key(dialog) -> None:
    """The first administrator is shown the recovery key once: confirmed kept, then 完成."""
    assert dialog.key_label.text().count("-") == 7 and not dialog.done_button.isEnabled()
    dialog.kept.setChecked(True)
    dialog.done_button.click()


def modal(kind: type) -> Callable[[], QWidget | None]:
    def find():
        widget = QApplication.activeModalWidget()
        return widget if isinstance(widget, kind) and widget.isVisible() else None
    return find


def main_window(location: str) -> Callable[[], QWidget | None]:
    def find():
        return next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)
                     and w.isVisible() and w.ctx.location == location), None)
    return find


# -- testing a connection -------------------------------------------------------------------


def test_testing_the_connection_says_in_chinese_what_the_server_answered(qtbot, server):
    dialog = show(qtbot, ConnectDialog())
    url = server.fresh()
    params = server._params
    host, port = params.get("host", "localhost"), params.get("port", "5432")
    fill(qtbot, dialog, host, port, database_name(url), params.get("user", "postgres"))
    click(qtbot, dialog.test_button)
    qtbot.waitUntil(lambda: "连接成功" in dialog.status.text(), timeout=20_000)
    assert "已有巾帼枢纽的数据" in dialog.status.text()

    retype(qtbot, dialog.port, "1")
    click(qtbot, dialog.test_button)
    qtbot.waitUntil(lambda: "无法连接数据库服务器" in dialog.status.text(), timeout=20_000)

    retype(qtbot, dialog.port, str(port))
    retype(qtbot, dialog.database, "jt_no_such_database")
    click(qtbot, dialog.test_button)
    qtbot.waitUntil(lambda: "没有这个数据库" in dialog.status.text(), timeout=20_000)

    retype(qtbot, dialog.database, database_name(server.empty()))
    click(qtbot, dialog.test_button)
    qtbot.waitUntil(lambda: "还是空的" in dialog.status.text(), timeout=20_000)
    assert dialog.isVisible() and dialog.chosen is None  # a test changes nothing
    assert not paths.choice_path().exists()


def test_a_server_that_does_not_answer_leaves_the_window_responsive_and_can_be_cancelled(
        qtbot, monkeypatch):
    monkeypatch.setattr("desktop.database.CONNECT_TIMEOUT_S", 3)
    silent = __import__("socket").create_server(("127.0.0.1", 0))  # accepts, never answers
    port = silent.getsockname()[1]
    try:
        dialog = show(qtbot, ConnectDialog())
        fill(qtbot, dialog, "127.0.0.1", port, "jinguo", "jinguo")
        started = time.monotonic()
        click(qtbot, dialog.test_button)
        assert time.monotonic() - started < 0.5  # the click returns at once
        assert not dialog.test_button.isEnabled() and not connect_button(dialog).isEnabled()
        progress = None

        def progress_shown():
            nonlocal progress
            progress = next((w for w in QApplication.topLevelWidgets()
                             if isinstance(w, QProgressDialog) and w.isVisible()), None)
            return progress is not None

        qtbot.waitUntil(progress_shown, timeout=2_000)
        assert "正在连接 127.0.0.1" in progress.labelText()
        click(qtbot, progress.findChild(type(dialog.test_button)))  # 取消
        qtbot.waitUntil(dialog.test_button.isEnabled, timeout=10_000)
        assert dialog.status.text() == ""  # a cancelled test says nothing

        click(qtbot, dialog.test_button)
        qtbot.waitUntil(lambda: "无法连接数据库服务器" in dialog.status.text(), timeout=10_000)
        assert dialog.test_button.isEnabled()
    finally:
        silent.close()


def test_empty_fields_are_named_before_anything_is_tried(qtbot):
    dialog = show(qtbot, ConnectDialog())
    retype(qtbot, dialog.host, "10.1.2.3")
    click(qtbot, connect_button(dialog))
    assert dialog.status.text() == "请填写数据库名、用户名。"
    assert dialog.isVisible() and dialog.test_button.isEnabled()


def test_a_whole_address_typed_as_the_server_fills_every_field(qtbot):
    dialog = show(qtbot, ConnectDialog())
    retype(qtbot, dialog.host, "postgresql://jinguo@10.1.2.3:6543/qinghe")
    qtbot.keyClick(dialog.host, Qt.Key.Key_Tab)  # on to the next field
    assert (dialog.host.text(), dialog.port.text(), dialog.database.text(), dialog.user.text()) == (
        "10.1.2.3", "6543", "qinghe", "jinguo")


def test_without_a_keyring_the_dialogs_say_the_password_will_be_asked_each_time(qtbot):
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())  # a Linux PC without a keyring service
    dialog = show(qtbot, ConnectDialog("postgresql://jinguo@10.1.2.3:5432/jinguo"))
    assert not dialog.remember.isEnabled() and not dialog.remember.isChecked()
    assert dialog.keyring_note.isVisible()
    note = dialog.keyring_note.text()
    assert "密码不能记住" in note and "每次启动程序时都会询问密码" in note
    prompt = show(qtbot, ServerPasswordDialog("postgresql://jinguo@10.1.2.3:5432/jinguo"))
    assert not prompt.remember.isEnabled()
    assert prompt.findChild(type(dialog.keyring_note), "keyring_note").isVisible()


# -- switching the window, remembering the choice ------------------------------------------


def test_the_window_connects_to_a_server_remembering_it_and_its_password_in_the_keyring(
        qtbot, ctx, gate, server, memory_keyring):
    ctx.user = auth.create_first_admin("wangfang", "王芳", OPERATOR_PASSWORD, OPERATOR_PASSWORD)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    with qtbot.waitExposed(window):
        window.show()
    url = gate.url("postgres", database_name(server.fresh()))

    def connect(dialog):
        assert dialog.local_button.isHidden() == (not ctx.on_server)
        fill(qtbot, dialog, "127.0.0.1", gate.port, database_name(url), "postgres", "wrong")
        dialog.remember.setChecked(True)
        click(qtbot, connect_button(dialog))

    def right_password(dialog):
        assert "用户名或密码不正确" in dialog.status.text() and dialog.password.text() == ""
        qtbot.keyClicks(dialog.password, SERVER_PASSWORD)
        click(qtbot, connect_button(dialog))

    user = ScriptedUser(qtbot)
    user.when("连接数据库服务器", modal(ConnectDialog), connect)
    user.when("密码不正确",  # None (not False) until the dialog says so: False would count as found
              lambda: ((d := modal(ConnectDialog)()) and "密码不正确" in d.status.text() and d) or None,
              right_password)
    user.start()
    window.connect_action.trigger()
    assert not user.steps and not user.gave_up
    assert not window.isVisible() and ctx.reopen == url  # the program opens the server next

    assert paths.remembered_server() == url and paths.default_database() == url
    assert memory_keyring.passwords == {("JinguoHub", server_passwords.account(url)): SERVER_PASSWORD}
    for settings_file in Path(paths.data_dir()).rglob("*.ini"):  # database.ini, ui.ini
        assert SERVER_PASSWORD not in settings_file.read_text(encoding="utf-8", errors="replace")

    server_passwords._typed.clear()  # a new start: only the keyring knows the password
    opened = open_on_server(paths.default_database())
    assert isinstance(opened, AppContext) and opened.on_server and opened.location == url
    opened.close()


def test_the_window_goes_back_to_the_file_on_this_pc(qtbot, server, tmp_path):
    url = server.fresh()
    paths.remember_server(url)
    ctx = build_context(paths.default_database())
    ctx.user = auth.create_first_admin("wangfang", "王芳", OPERATOR_PASSWORD, OPERATOR_PASSWORD)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    user = ScriptedUser(qtbot)
    user.when("改用本机数据库文件", modal(ConnectDialog), lambda d: click(qtbot, d.local_button))
    user.start()
    window.connect_action.trigger()
    ctx.close()
    assert not user.steps and ctx.reopen == paths.default_db_path()
    assert paths.remembered_server() is None and paths.default_database() == paths.default_db_path()


# -- the password at start ---------------------------------------------------------------------


def test_a_missing_password_is_asked_at_start_and_a_wrong_one_again(qtbot, gate, server, memory_keyring):
    url = gate.url("postgres", database_name(server.fresh()))
    paths.remember_server(url)

    def wrong(dialog):
        assert dialog.error.isHidden()  # nothing was refused yet: the server wants a password
        intro = dialog.findChild(QLabel, "intro").text()
        assert f"127.0.0.1:{gate.port}" in intro and "用户 postgres" in intro
        qtbot.keyClicks(dialog.password, "not-it")
        click(qtbot, connect_button(dialog))

    def right(dialog):
        assert "用户名或密码不正确" in dialog.error.text() and dialog.password.text() == ""
        qtbot.keyClicks(dialog.password, SERVER_PASSWORD)
        click(qtbot, dialog.remember)
        click(qtbot, connect_button(dialog))

    user = ScriptedUser(qtbot)
    user.when("密码", modal(ServerPasswordDialog), wrong)
    user.when("再次询问", lambda: (d := modal(ServerPasswordDialog)()) and d.error.isVisible() and d, right)
    user.start()
    opened = open_on_server(paths.default_database())
    assert not user.steps and not user.gave_up
    assert isinstance(opened, AppContext) and opened.location == url and gate.refused == 1
    opened.close()
    assert memory_keyring.passwords == {("JinguoHub", server_passwords.account(url)): SERVER_PASSWORD}


def test_a_password_the_keyring_has_wrong_is_asked_again_with_the_reason(qtbot, gate, server):
    url = gate.url("postgres", database_name(server.fresh()))
    server_passwords.store_password(url, "changed-since")

    def answer(dialog):
        assert "拒绝了登录：用户名或密码不正确" in dialog.error.text()
        qtbot.keyClicks(dialog.password, SERVER_PASSWORD)
        click(qtbot, connect_button(dialog))  # 记住密码 was ticked: the keyring's is replaced

    user = ScriptedUser(qtbot)
    user.when("密码", modal(ServerPasswordDialog), answer)
    user.start()
    opened = open_on_server(url)
    assert isinstance(opened, AppContext) and not user.steps
    opened.close()
    assert server_passwords.stored_password(url) == SERVER_PASSWORD


def test_a_server_that_cannot_be_opened_at_start_offers_the_way_back_to_the_file(qtbot):
    paths.remember_server("postgresql://jinguo@127.0.0.1:1/jinguo")  # the server is down
    said = []

    def other(box):
        said.append(box.text())
        click(qtbot, next(b for b in box.buttons() if b.text() == "连接其他数据库…"))

    user = ScriptedUser(qtbot)
    user.when("无法连接", modal(QMessageBox), other)
    user.when("改用本机数据库文件", modal(ConnectDialog), lambda d: click(qtbot, d.local_button))
    user.start()
    assert open_on_server(paths.default_database()) == paths.default_db_path()
    assert not user.steps and "无法连接数据库服务器" in said[0]
    assert paths.default_database() == paths.default_db_path()  # the next start too


# -- the whole program ---------------------------------------------------------------------------


def test_the_program_switches_to_the_server_and_opens_on_it_at_the_next_start(
        qtbot, gate, server, monkeypatch):
    monkeypatch.setattr(app_module, "install_crash_hook", lambda *args: None)  # pytest-qt keeps its own
    local = build_context(paths.default_db_path())  # the office's file, with its administrator
    auth.create_first_admin("wangfang", "王芳", OPERATOR_PASSWORD, OPERATOR_PASSWORD)
    local.close()
    url = gate.url("postgres", database_name(server.fresh()))

    def log_in(name):
        def act(dialog):
            retype(qtbot, dialog.username, name)
            type_text(dialog.password, OPERATOR_PASSWORD)
            click(qtbot, dialog.ok_button)
        return act

    def connect(dialog):
        fill(qtbot, dialog, "127.0.0.1", gate.port, database_name(url), "postgres", SERVER_PASSWORD)
        click(qtbot, dialog.remember)
        click(qtbot, connect_button(dialog))

    def first_admin(dialog):  # the server's database has no operator yet
        retype(qtbot, dialog.username, "lina")
        type_text(dialog.display_name, "李娜")
        type_text(dialog.password, OPERATOR_PASSWORD)
        type_text(dialog.repeat, OPERATOR_PASSWORD)
        save(qtbot, dialog)

    titles = []

    def close(window):
        titles.append(window.windowTitle())
        window.close()

    user = ScriptedUser(qtbot)
    user.when("登录（本机文件）", modal(LoginDialog), log_in("wangfang"))
    user.when("主窗口（本机文件）", main_window(str(paths.default_db_path())),
              lambda w: QTimer.singleShot(0, w.connect_action.trigger))
    user.when("连接数据库服务器", modal(ConnectDialog), connect)
    user.when("服务器上的管理员", modal(FirstAdminDialog), first_admin)
    user.when("恢复密钥", modal(RecoveryKeyDialog), keep_recovery_key)
    user.when("主窗口（服务器）", main_window(url), close)
    user.start()
    assert app_module.run_window(None, False, time.perf_counter()) == 0
    assert not user.steps and not user.gave_up
    assert titles == [f"巾帼枢纽 — {url}"]

    server_passwords._typed.clear()  # the next start: the keyring has the password
    shown = []

    def log_in_on_server(dialog):
        shown.append(dialog.findChild(QWidget, "database").text())
        log_in("lina")(dialog)

    user = ScriptedUser(qtbot)
    user.when("登录（服务器）", modal(LoginDialog), log_in_on_server)
    user.when("主窗口（服务器）", main_window(url), close)
    user.start()
    assert app_module.run_window(None, False, time.perf_counter()) == 0
    assert not user.steps and not user.gave_up
    assert shown == [f"数据库：{url}"] and titles[-1] == f"巾帼枢纽 — {url}"


def test_moving_to_an_empty_server_offers_to_take_the_files_data_along(
        qtbot, gate, server, monkeypatch):
    """An administrator connects the office's file, which holds people, to a new server database:
    the window offers the copy, makes it once the window has closed, and the server's database
    opens with the same people and the same operators."""
    import psycopg

    from models.people import PersonData, save_person

    monkeypatch.setattr(app_module, "install_crash_hook", lambda *args: None)
    local = build_context(paths.default_db_path())
    admin = auth.create_first_admin("wangfang", "王芳", OPERATOR_PASSWORD, OPERATOR_PASSWORD)
    for name in ("王秀英", "李娜", "赵敏"):
        save_person(PersonData(name=name), admin)
    local.close()
    fresh = server.fresh()
    url = gate.url("postgres", database_name(fresh))
    said = []

    def log_in(dialog):
        retype(qtbot, dialog.username, "wangfang")
        type_text(dialog.password, OPERATOR_PASSWORD)
        click(qtbot, dialog.ok_button)

    def connect(dialog):
        fill(qtbot, dialog, "127.0.0.1", gate.port, database_name(url), "postgres", SERVER_PASSWORD)
        click(qtbot, connect_button(dialog))

    def copy(box):
        said.append(box.text())
        click(qtbot, next(b for b in box.buttons() if b.text() == "复制数据后切换"))

    def copied(box):
        said.append(box.text())
        box.accept()

    user = ScriptedUser(qtbot)
    user.when("登录（本机文件）", modal(LoginDialog), log_in)
    user.when("主窗口（本机文件）", main_window(str(paths.default_db_path())),
              lambda w: QTimer.singleShot(0, w.connect_action.trigger))
    user.when("连接数据库服务器", modal(ConnectDialog), connect)
    user.when("要复制吗", modal(QMessageBox), copy)
    user.when("复制完成", modal(QMessageBox), copied)
    user.when("登录（服务器，同一个操作员）", modal(LoginDialog), log_in)
    user.when("主窗口（服务器）", main_window(url), lambda w: w.close())
    user.start()
    assert app_module.run_window(None, False, time.perf_counter()) == 0
    assert not user.steps and not user.gave_up
    assert "服务器上的数据库还是空的" in said[0] and "已把本机数据复制到服务器" in said[1]
    with psycopg.connect(fresh) as conn:
        names = sorted(n for (n,) in conn.execute("SELECT name FROM person"))
        exports = conn.execute("SELECT count(*) FROM audit_entry WHERE action = 'export' "
                               "AND entity = 'database'").fetchone()[0]
    assert names == ["李娜", "王秀英", "赵敏"] and exports == 1  # the copy is in the trail it took along
