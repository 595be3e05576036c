"""文件 ▸ 备份到… and 从备份恢复… on a database on a server: the same portable backup file as on
one PC, written in the background; a restore with a progress dialog that reloads the window.
Runs when the suite runs on a server (``JINGUO_TEST_DATABASE_URL``)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop.backup import backups_folder
from desktop.server_backup import backup_server_to
from models import audit
from models.entities import AuditEntry, Organization
from views import tasks
from views.main_window import MainWindow
from views.pages.organizations import OrganizationsPage


@pytest.fixture
def server_ctx(ctx):
    if not ctx.on_server:
        pytest.skip("needs a PostgreSQL server: set JINGUO_TEST_DATABASE_URL")
    return ctx


def make_window(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_backup_of_the_server_to_a_chosen_file(qtbot, server_ctx, orgs, tmp_path, monkeypatch, file_dialogs):
    target = tmp_path / "usb" / "备份"
    target.parent.mkdir()
    file_dialogs.answer(target)
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: told.append(args[2]))
    window = make_window(qtbot, server_ctx)
    window.backup_action.trigger()
    task = window.findChild(tasks.Task)
    with qtbot.waitSignal(task.finished, timeout=20000):
        pass
    written = Path(str(target) + ".db")
    assert told == [f"已备份到：\n{written}"]
    with closing(sqlite3.connect(written)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM organization").fetchone()[0] == 4
    line = AuditEntry.get(AuditEntry.action == "export", AuditEntry.entity == "database")
    assert line.summary == f"备份整个数据库到 {written}"


def test_restore_of_the_server_from_the_file_menu_asks_then_reloads_the_window(
        qtbot, server_ctx, orgs, tmp_path, monkeypatch, file_dialogs):
    monday = tmp_path / "周一.db"
    backup_server_to(server_ctx.db, monday)
    audit.create(Organization, server_ctx.user, name="周二新建的组织", kind="grassroots")
    window = make_window(qtbot, server_ctx)
    assert window.open_page(OrganizationsPage).model.total == 5
    file_dialogs.answer(monday)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: asked.append(args[2])
                        or QMessageBox.StandardButton.Yes)
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: told.append(args[2]))
    window.restore_action.trigger()
    assert "替换服务器上的全部数据" in asked[0]
    assert "已从“周一.db”恢复" in told[0]
    assert window.current_page().model.total == 4
    assert Organization.get_or_none(Organization.name == "周二新建的组织") is None
    (safety,) = [p for p in backups_folder().iterdir() if p.name.endswith("_restore.db")]
    with closing(sqlite3.connect(safety)) as conn:  # the state before the restore, to undo it
        assert conn.execute("SELECT COUNT(*) FROM organization").fetchone()[0] == 5
