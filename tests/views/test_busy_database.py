"""The window while another program writes to its database: a warning saying so, never
"内部错误", and no export that the audit log does not know of."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

import desktop.database
from desktop.context import build_context
from models.entities import AuditEntry, Region, Setting
from models.people import PersonData, save_person
from models.settings import set_setting
from views import tasks
from views.pages.people import PeoplePage

pytestmark = pytest.mark.sqlite_only  # the SQLite file's own behaviour

BUSY = "正被其他程序使用"


@pytest.fixture
def busy_ctx(tmp_path, monkeypatch):
    """The window's database, whose writes give up after 0.2 s, and another program writing."""
    monkeypatch.setitem(desktop.database.PRAGMAS, "busy_timeout", 200)
    ctx = build_context(tmp_path / "office.db")
    save_person(PersonData(name="王芳", id_number="11010519491231002X",
                           region_id=Region.create(name="东关街道", level="township").id), ctx.user)
    other = sqlite3.connect(ctx.db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO setting (key, value) VALUES ('other.program', 'writing')")
    yield ctx
    other.execute("ROLLBACK")
    other.close()
    ctx.close()


@pytest.fixture
def said(monkeypatch):
    shown = {"warnings": [], "internal": []}
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown["warnings"].append(text))
    monkeypatch.setattr(tasks, "show_internal_error", shown["internal"].append)
    return shown


def test_an_export_while_another_program_writes_is_a_warning_and_no_file(qtbot, busy_ctx, said, tmp_path,
                                                                         file_dialogs):
    """Before: the file was written, then its audit line failed as "内部错误"."""
    page = PeoplePage(busy_ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    target = tmp_path / "人员.xlsx"
    file_dialogs.answer(target)
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.export_task.finished, timeout=10000):
        pass
    assert said["internal"] == []
    assert len(said["warnings"]) == 1 and "没有导出" in said["warnings"][0] and BUSY in said["warnings"][0]
    assert not target.exists()
    assert not AuditEntry.select().where(AuditEntry.action == "export").exists()


def test_a_save_in_a_worker_while_another_program_writes_is_a_warning(qtbot, busy_ctx, said):
    page = PeoplePage(busy_ctx)
    qtbot.addWidget(page)
    task = tasks.run_task(page, "保存", "正在保存…", lambda job: set_setting("office.name", "青禾县妇联",
                                                                         busy_ctx.user))
    with qtbot.waitSignal(task.finished, timeout=10000):
        pass
    assert task.outcome == "failed" and said["internal"] == []
    assert len(said["warnings"]) == 1 and BUSY in said["warnings"][0]
    assert not Setting.select().where(Setting.key == "office.name").exists()
