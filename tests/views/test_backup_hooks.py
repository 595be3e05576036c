"""The window backs the database up before an import and before a batch undo, so the state
before either is one restore away."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from desktop.backup import backups_folder, list_backups
from models.entities import Person

from .test_import_page import (  # noqa: F401 (fixtures)
    VOLUNTEERS,
    answer,
    click,
    messages,
    page,
    pick,
    samples,
    wait,
)

pytestmark = pytest.mark.sqlite_only  # the SQLite file's own behaviour


def people_in(path) -> int:
    with closing(sqlite3.connect(path)) as conn, conn:
        return conn.execute("SELECT COUNT(*) FROM person").fetchone()[0]


def test_an_import_and_its_undo_are_each_preceded_by_a_backup(qtbot, page, samples, monkeypatch, ctx):  # noqa: F811
    click(qtbot, page.create_orgs)
    pick(qtbot, page, monkeypatch, samples / VOLUNTEERS)
    click(qtbot, page.import_button)
    answer(qtbot, page, "confirm_import", "导入其余的行")
    wait(qtbot, page)
    imported = Person.select().count()
    assert imported > 0
    (before_import,) = list_backups(backups_folder(), ctx.db_path)
    assert before_import.reason == "import" and people_in(before_import.path) == 0

    page.tabs.setCurrentIndex(1)
    page.history.table.selectRow(0)
    click(qtbot, page.history.undo_button)
    answer(qtbot, page.history, "confirm_undo", "撤销此次导入")
    wait(qtbot, page)
    assert Person.select().count() == 0
    before_undo = [b for b in list_backups(backups_folder(), ctx.db_path) if b.reason == "undo"]
    assert len(before_undo) == 1 and people_in(before_undo[0].path) == imported
