"""The program's first start as the office sees it: the administrator, the guide, the demo."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWizard

from desktop import app as app_module
from desktop import paths
from desktop.context import build_context
from desktop.demo import DEMO_USERS
from models.settings import get_setting
from views.account_forms import FirstAdminDialog
from views.key_dialogs import RecoveryKeyDialog
from views.login import LoginDialog
from views.main_window import MainWindow
from views.setup.guide import SetupGuide

from .conftest import save, type_text
from .test_connect_dialog import ScriptedUser, keep_recovery_key, modal
from .test_login import PASSWORD


@pytest.mark.sqlite_only
def test_the_first_start_goes_through_the_guide_into_the_demo_database(qtbot, monkeypatch):
    monkeypatch.setattr(app_module, "install_crash_hook", lambda *args: None)  # pytest-qt keeps its own
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: told.append(text))
    demo_name, _shown, _role, demo_password = DEMO_USERS[0]

    def first_admin(dialog):
        dialog.username.setText("wangfang")
        type_text(dialog.password, PASSWORD)
        type_text(dialog.repeat, PASSWORD)
        save(qtbot, dialog)

    def guide(wizard):
        type_text(wizard.office_page.code, "321023")
        wizard.next()  # 本单位 saved
        for _ in range(3):
            wizard.skip()
        demo = wizard.finish_page.demo_choice
        qtbot.mouseClick(demo, Qt.MouseButton.LeftButton, pos=QPoint(8, demo.height() // 2))
        wizard.button(QWizard.WizardButton.FinishButton).click()

    def log_in_to_the_demo(dialog):
        dialog.username.setText(demo_name)
        dialog.password.setText(demo_password)
        dialog.accept()

    titles = []

    def demo_window():
        return next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)
                     and w.isVisible() and w.ctx.db_path.name == "演示数据.db"), None)

    def close(window):
        titles.append(window.windowTitle())
        window.close()

    user = ScriptedUser(qtbot)
    user.when("设置管理员账户", modal(FirstAdminDialog), first_admin)
    user.when("恢复密钥", modal(RecoveryKeyDialog), keep_recovery_key)
    user.when("本单位设置向导", modal(SetupGuide), guide)
    user.when("登录演示数据库", modal(LoginDialog), log_in_to_the_demo)
    user.when("演示数据的主窗口", demo_window, close)
    user.start()
    assert app_module.run_window(paths.default_db_path(), False, time.perf_counter()) == 0
    assert not user.steps and not user.gave_up
    assert titles == ["巾帼枢纽 — 演示数据.db"]
    assert demo_password in told[0]
    # the next start opens the office's own database, where step 1 was kept
    ctx = build_context(paths.default_db_path())
    try:
        assert get_setting("office.code") == "321023" and get_setting("office.name") == "宝应县妇女联合会"
    finally:
        ctx.close()
