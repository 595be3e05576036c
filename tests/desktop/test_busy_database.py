"""Two writers at once: an import while another program writes, a database that stays busy.

A write waits for another program's write to end; a command that is still refused says that
another program holds the database and exits 2; commands that only read are not stopped by
the audit line their login wants to write.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from peewee import SqliteDatabase

from desktop.cli import main
from desktop.context import build_context

from .conftest import office_db

SAMPLES = Path(__file__).resolve().parents[1] / "data"
BUSY = "正被其他程序使用"


def rows(db: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def office(tmp_path, monkeypatch) -> Path:
    """A database with an administrator who logs in, and a clerk, as an office has."""
    path = office_db(tmp_path / "office.db")
    monkeypatch.setenv("JINGUO_USER", "luru")
    monkeypatch.setenv("JINGUO_PASSWORD", "luru-pass-1")
    return path


@contextmanager
def another_program_writing(path: Path) -> Iterator[sqlite3.Connection]:
    """Another program in the middle of a write transaction for as long as the block runs."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO setting (key, value) VALUES ('other.program', 'writing')")
    try:
        yield other
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.fixture
def short_waits(monkeypatch):
    """Commands give up on a busy database after 0.3 s instead of half a minute."""
    import desktop.auth
    import desktop.backup
    import desktop.integrity

    monkeypatch.setattr(desktop.auth, "BATCH_BUSY_TIMEOUT_MS", 300, raising=False)
    monkeypatch.setattr(desktop.backup, "LIVE_BUSY_TIMEOUT_S", 0.3, raising=False)
    monkeypatch.setattr(desktop.integrity, "CHECK_BUSY_TIMEOUT_S", 0.3, raising=False)


def test_an_import_waits_for_another_program_that_writes_meanwhile(tmp_path, monkeypatch, capsys):
    """The other program starts writing just as the import begins its transaction. Before, the
    import's first write was refused at once ("database is locked", exit 1 as if rows were bad)."""
    path = tmp_path / "office.db"
    build_context(path).close()  # nobody has a password yet: the command needs no login
    started, holding = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def other_program() -> None:
        started.wait(30)
        with closing(sqlite3.connect(path, timeout=30, isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")
            holding.set()
            other.execute("INSERT INTO setting (key, value) VALUES ('other.program', 'was here')")
            threading.Event().wait(0.5)
            other.execute("COMMIT")
            outcome["other"] = "committed"

    def on_sql(statement: str) -> None:  # the import's transaction has just begun
        if "MAX(" in statement and '"audit_entry"' in statement and not started.is_set():
            started.set()
            holding.wait(1)

    connect = SqliteDatabase._connect

    def traced(self):
        conn = connect(self)
        conn.set_trace_callback(on_sql)
        return conn

    monkeypatch.setattr(SqliteDatabase, "_connect", traced)
    thread = threading.Thread(target=other_program)
    thread.start()
    try:
        code = main(["import", "orgs", str(SAMPLES / "legacy-orgs.xlsx"), "--db", str(path),
                     "--skip-invalid"])
    finally:
        started.set()
        thread.join(30)
    assert code == 0, capsys.readouterr().err
    assert started.is_set() and outcome == {"other": "committed"}
    assert rows(path, "SELECT COUNT(*) FROM organization") == [(6,)]
    assert rows(path, "SELECT value FROM setting WHERE key = 'other.program'") == [("was here",)]


def test_an_import_into_a_database_that_stays_busy_says_so_and_exits_2(office, short_waits, capsys):
    with another_program_writing(office):
        code = main(["import", "orgs", str(SAMPLES / "legacy-orgs.xlsx"), "--db", str(office),
                     "--skip-invalid"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert BUSY in err and str(office) in err and "内部错误" not in err
    assert rows(office, "SELECT COUNT(*) FROM organization") == [(1,)]


def test_a_dry_run_and_a_check_work_while_another_program_writes(office, short_waits, capsys):
    """Logging in wants to write an audit line; a command that only reads goes on without it."""
    with another_program_writing(office):
        code = main(["import", "orgs", str(SAMPLES / "legacy-orgs.xlsx"), "--db", str(office),
                     "--skip-invalid", "--dry-run"])
        out, err = capsys.readouterr()
        assert code == 0, err
        assert "可新建 6 条" in out and "没有写入数据库" in out
        assert main(["check", "--db", str(office)]) == 0
        assert "数据库完好" in capsys.readouterr().out
    assert rows(office, "SELECT COUNT(*) FROM organization") == [(1,)]


def test_an_export_that_cannot_be_recorded_is_not_made(office, short_waits, tmp_path, capsys):
    """An export of personal data goes into the audit log, or it is not made: no file appears
    that nobody could later account for."""
    target = tmp_path / "organizations.xlsx"
    with another_program_writing(office):
        code = main(["export", "table", "organizations", "--db", str(office), "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "没有导出" in err and BUSY in err and "内部错误" not in err
    assert not target.exists()
    assert not list(tmp_path.glob("*.part"))
    assert rows(office, "SELECT COUNT(*) FROM audit_entry WHERE action = 'export'") == [(0,)]

    assert main(["export", "table", "organizations", "--db", str(office), "-o", str(target)]) == 0
    assert target.exists()
    assert rows(office, "SELECT username FROM audit_entry WHERE action = 'export'") == [("luru",)]


def test_a_backup_works_while_another_program_writes(office, short_waits, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JINGUO_USER", "admin")
    monkeypatch.setenv("JINGUO_PASSWORD", "admin-pass-1")
    office_copy = tmp_path / "copy.db"
    with another_program_writing(office):
        code = main(["backup", "--db", str(office), "-o", str(office_copy)])
    assert code == 0, capsys.readouterr().err
    assert rows(office_copy, "SELECT name FROM organization") == [("巾帼志愿服务队",)]


def test_a_restore_onto_a_busy_database_changes_nothing_and_exits_2(office, short_waits, tmp_path,
                                                                    monkeypatch, capsys):
    monkeypatch.setenv("JINGUO_USER", "admin")
    monkeypatch.setenv("JINGUO_PASSWORD", "admin-pass-1")
    backup = tmp_path / "backup.db"
    assert main(["backup", "--db", str(office), "-o", str(backup)]) == 0
    with closing(sqlite3.connect(backup)) as conn, conn:
        conn.execute("UPDATE organization SET name = '备份里的名字'")
    capsys.readouterr()
    with another_program_writing(office):
        code = main(["restore", "--db", str(office), str(backup)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert BUSY in err and "内部错误" not in err
    assert rows(office, "SELECT name FROM organization") == [("巾帼志愿服务队",)]


def test_check_of_a_database_held_by_another_program_does_not_advise_a_restore(office, short_waits, capsys):
    """Before: the busy database was listed as a problem (exit 1) followed by "可以从备份恢复"."""
    other = sqlite3.connect(office, isolation_level=None)
    other.execute("PRAGMA locking_mode = EXCLUSIVE")  # nobody else may even read
    other.execute("BEGIN EXCLUSIVE")
    other.execute("INSERT INTO setting (key, value) VALUES ('other.program', 'writing')")
    try:
        code = main(["check", "--db", str(office)])
    finally:
        other.execute("ROLLBACK")
        other.close()
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert "其他程序" in err and "稍后重试" in err
    assert "恢复" not in err and "已损坏" not in err
