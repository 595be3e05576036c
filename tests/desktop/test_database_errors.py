"""A full disk, a locked or read-only database met while working: a Chinese message saying what
to do, the change rolled back with its transaction, and no "内部错误" dialog."""

from __future__ import annotations

import sqlite3
import sys
from contextlib import closing

import pytest
from peewee import OperationalError
from PySide6.QtWidgets import QMessageBox

from desktop import app
from desktop.database import database_error_message, open_database
from models import audit
from models.entities import Organization, Setting
from models.settings import set_settings


@pytest.mark.sqlite_only  # the SQLite file's page limit (PRAGMA max_page_count)
def test_a_full_disk_rolls_the_whole_save_back_and_says_so(ctx):
    pages = ctx.db.execute_sql("PRAGMA page_count").fetchone()[0]
    ctx.db.execute_sql(f"PRAGMA max_page_count = {pages}")  # the disk is full from now on
    values = {f"report.note{i}": "很长的备注" * 400 for i in range(20)}
    with pytest.raises(OperationalError) as error:
        set_settings(values, ctx.user)
    message = str(database_error_message(error.value, ctx.db_path))
    assert "磁盘空间不足" in message and "没有保存" in message
    assert not Setting.select().where(Setting.key.startswith("report.note")).exists()


@pytest.mark.sqlite_only  # another connection's lock on the SQLite file
def test_a_database_held_by_another_program_is_named(ctx):
    other = sqlite3.connect(ctx.db_path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    ctx.db.execute_sql("PRAGMA busy_timeout = 50")
    try:
        with pytest.raises(OperationalError) as error:
            audit.create(Organization, ctx.user, name="等不到的组织", kind="grassroots")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert "正被其他程序使用" in str(database_error_message(error.value, ctx.db_path))
    assert not Organization.select().exists()


@pytest.mark.sqlite_only  # PRAGMA query_only
def test_a_read_only_database_is_named(ctx):
    ctx.db.execute_sql("PRAGMA query_only = 1")
    with pytest.raises(OperationalError) as error:
        audit.create(Organization, ctx.user, name="写不进的组织", kind="grassroots")
    assert "只读" in str(database_error_message(error.value, ctx.db_path))


def test_a_programming_error_is_not_dressed_up():
    assert database_error_message(ValueError("bug"), "x.db") is None
    assert database_error_message(OperationalError("no such column: foo"), "x.db") is None


def test_a_damaged_file_is_refused_at_opening_with_what_to_do(tmp_path):
    path = tmp_path / "damaged.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    with pytest.raises(Exception) as error:
        open_database(path)
    assert "从备份恢复" in str(error.value)


def test_the_window_shows_database_errors_as_messages_not_internal_errors(monkeypatch, tmp_path):
    shown, crashed = [], []
    monkeypatch.setattr(sys, "excepthook", lambda *exc: crashed.append(exc))
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    app.install_database_error_hook(tmp_path / "office.db")
    full = OperationalError("database or disk is full")
    sys.excepthook(OperationalError, full, None)
    assert "磁盘空间不足" in shown[0] and not crashed
    bug = KeyError("x")
    sys.excepthook(KeyError, bug, None)
    assert crashed == [(KeyError, bug, None)]


@pytest.mark.sqlite_only  # a deleted SQLite file and its file backups
def test_a_missing_database_with_backups_is_offered_back(qapp, ctx, monkeypatch):
    from desktop.backup import daily_backup

    audit.create(Organization, ctx.user, name="巾帼志愿服务队", kind="grassroots")
    daily_backup(ctx.db, ctx.db_path)
    ctx.close()
    for suffix in ("", "-wal", "-shm"):
        ctx.db_path.with_name(ctx.db_path.name + suffix).unlink(missing_ok=True)
    chosen = []

    def click(box):  # the user reads the message and picks 从备份恢复
        chosen.append(box.text())
        box.buttons()[0].click()

    monkeypatch.setattr(QMessageBox, "exec", click)
    assert app.offer_restore_of_missing(ctx.db_path)
    assert "找不到数据库文件" in chosen[0] and "每日自动备份" in chosen[0]
    with closing(sqlite3.connect(ctx.db_path)) as conn, conn:
        assert conn.execute("SELECT name FROM organization").fetchall() == [("巾帼志愿服务队",)]


@pytest.mark.sqlite_only  # a deleted SQLite file and its file backups
def test_quitting_at_the_missing_database_question_creates_nothing(qapp, ctx, monkeypatch):
    from desktop.backup import daily_backup

    daily_backup(ctx.db, ctx.db_path)
    ctx.close()
    ctx.db_path.unlink()
    monkeypatch.setattr(QMessageBox, "exec", lambda box: next(
        b for b in box.buttons() if b.text() == "退出").click())
    assert not app.offer_restore_of_missing(ctx.db_path)
    assert not ctx.db_path.exists()


def test_a_database_in_a_read_only_folder_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr("desktop.database.os.access", lambda path, mode: False)
    error = OperationalError("unable to open database file")
    assert "只读" in str(database_error_message(error, tmp_path / "office.db"))


def test_a_save_rolled_back_after_its_record_was_updated_is_written_when_tried_again(ctx):
    """A service updates the record, then a later write of the same transaction fails (a full
    disk): everything is rolled back, and the same input saved again is really written."""
    from models.db import database

    org = audit.create(Organization, ctx.user, name="爱心妈妈团", kind="grassroots")
    with pytest.raises(OperationalError), database.atomic():
        audit.update(org, ctx.user, contact_person="王秀英")
        raise OperationalError("database or disk is full")
    assert Organization.get_by_id(org.id).contact_person == ""
    audit.update(org, ctx.user, contact_person="王秀英")
    assert Organization.get_by_id(org.id).contact_person == "王秀英"
