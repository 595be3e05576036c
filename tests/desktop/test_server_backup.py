"""``jinguo backup``, ``restore`` and ``check`` on a database on a PostgreSQL server: the same
portable backup file as a PC's, a restore that can be undone, checks that find what a server can
still get wrong. Runs when the suite runs on a server (``JINGUO_TEST_DATABASE_URL``)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from desktop.backup import backups_folder, list_backups
from desktop.database import open_database
from desktop.file_safety import BACKUP_APPLICATION_ID
from models import audit
from models.auth import authenticate
from models.entities import Organization
from models.exclusive import JOB_LOCK
from models.schema import SCHEMA_VERSION

from .whole_copies import LOGIN_COLUMNS, contents, count


@pytest.fixture
def on_server(run_as, demo_office, server) -> str:
    """The demo county moved onto a database on the server."""
    url = server.empty()
    code, _out, err = run_as("admin", "db", "copy", "--from", demo_office, "--to", url)
    assert code == 0, err
    return url


def server_rows(url: str, sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def as_superuser(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def test_a_backup_of_the_server_restores_into_a_new_file_unchanged(run_as, demo_office, on_server, tmp_path):
    backup = tmp_path / "usb" / "县妇联.db"
    backup.parent.mkdir()
    code, out, err = run_as("luru", "backup", "--db", on_server, "-o", backup)  # a clerk may back up
    assert code == 0, err
    assert f"已备份到 {backup}" in out
    assert [p.name for p in backup.parent.iterdir()] == [backup.name]
    with closing(sqlite3.connect(backup)) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == BACKUP_APPLICATION_ID
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert run_as("luru", "check", "--db", backup)[0] == 0
    # the backup may replace an earlier one (it is marked as a backup), never a database
    assert run_as("luru", "backup", "--db", on_server, "-o", backup)[0] == 0
    code, _out, err = run_as("luru", "backup", "--db", on_server, "-o", demo_office)
    assert code == 2 and "数据库" in err

    restored = tmp_path / "new-pc" / "jinguo.db"
    code, _out, err = run_as("admin", "restore", "--db", restored, backup)
    assert code == 0, err
    moved, original = contents(restored, LOGIN_COLUMNS), contents(demo_office, LOGIN_COLUMNS)
    assert {t: rows for t, rows in moved.items() if t != "audit_entry"} == \
        {t: rows for t, rows in original.items() if t != "audit_entry"}
    trail = moved["audit_entry"]
    assert trail[:len(original["audit_entry"])] == original["audit_entry"]
    with closing(sqlite3.connect(restored)) as conn:  # the clerk's backups are in the server's trail
        lines = [s for (s,) in conn.execute("SELECT summary FROM audit_entry WHERE action = 'export' "
                                            "AND username = 'luru' ORDER BY id")]
    assert lines == [f"备份整个数据库到 {backup}"] * 2


def test_a_viewer_may_not_back_the_server_up(run_as, on_server, tmp_path):
    code, _out, err = run_as("chakan", "backup", "--db", on_server, "-o", tmp_path / "b.db")
    assert code == 2 and "不能备份" in err
    assert not (tmp_path / "b.db").exists()


def test_a_restore_onto_the_server_brings_the_backup_back_and_can_be_undone(run_as, on_server, tmp_path):
    backup = tmp_path / "monday.db"
    assert run_as("admin", "backup", "--db", on_server, "-o", backup)[0] == 0
    db = open_database(on_server)
    try:
        authenticate("luru", "luru-2025")  # unlocks the data key: the trail's changes are encrypted
        audit.create(Organization, None, name="周二新登记的组织", kind="grassroots")
    finally:
        db.close()
    code, _out, err = run_as("luru", "restore", "--db", on_server, backup)
    assert code == 2 and "不能从备份恢复" in err  # administrators only
    code, out, err = run_as("admin", "restore", "--db", on_server, backup)
    assert code == 0, err
    assert "恢复前的数据库已备份为" in out
    names = {n for (n,) in server_rows(on_server, "SELECT name FROM organization")}
    assert "周二新登记的组织" not in names
    assert len(names) == count(backup, "organization")
    safety = Path(out.strip().splitlines()[-1].removeprefix("恢复前的数据库已备份为 "))
    assert safety.parent == backups_folder() and safety.name.endswith("_restore.db")
    stem = Path(safety.name.rsplit("_", 2)[0] + ".db")  # the server's backups are a series of their own
    assert [b.path for b in list_backups(backups_folder(), stem)] == [safety]
    with closing(sqlite3.connect(safety)) as conn:  # the state before, kept to undo the restore
        assert conn.execute("SELECT COUNT(*) FROM organization WHERE name = ?",
                            ("周二新登记的组织",)).fetchone()[0] == 1
    assert run_as("admin", "check", "--db", on_server)[0] == 0
    db = open_database(on_server)
    try:  # new records get new ids after the restore
        authenticate("luru", "luru-2025")  # the restored key wraps open the restored key
        org = audit.create(Organization, None, name="恢复之后新登记的组织", kind="grassroots")
        assert org.id == max(server_rows(on_server, "SELECT MAX(id) FROM organization")[0])
    finally:
        db.close()
    code, _out, err = run_as("admin", "restore", "--db", on_server, safety)  # undone
    assert code == 0, err
    assert "周二新登记的组织" in {n for (n,) in server_rows(on_server, "SELECT name FROM organization")}


def test_an_older_backup_is_upgraded_when_restored_onto_the_server(run_as, demo_office, on_server, tmp_path):
    old = tmp_path / "old.db"
    with closing(sqlite3.connect(demo_office)) as source, closing(sqlite3.connect(old)) as target:
        source.backup(target)
        target.execute("DROP INDEX audit_entry_username_at")  # what version 5 added
        target.execute("DROP INDEX audit_entry_action_at")
        target.execute("PRAGMA user_version = 4")
    code, _out, err = run_as("admin", "restore", "--db", on_server, old)
    assert code == 0, err
    assert server_rows(on_server, "SELECT version FROM jinguo_schema") == [(SCHEMA_VERSION,)]
    assert run_as("admin", "check", "--db", on_server)[0] == 0


def test_a_damaged_backup_is_refused_and_the_server_left_as_it_was(run_as, on_server, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 500)
    before = server_rows(on_server, "SELECT COUNT(*) FROM person")
    code, _out, err = run_as("admin", "restore", "--db", on_server, bad)
    assert code == 2 and "不能用" in err
    assert server_rows(on_server, "SELECT COUNT(*) FROM person") == before


def test_a_restore_or_import_waits_its_turn_behind_another_restore(run_as, on_server, tmp_path):
    import psycopg

    backup = tmp_path / "b.db"
    assert run_as("admin", "backup", "--db", on_server, "-o", backup)[0] == 0
    sheet = tmp_path / "people.csv"
    sheet.write_text("姓名,公民身份号码\n王芳,11010519491231002X\n", encoding="utf-8")
    before = server_rows(on_server, "SELECT COUNT(*) FROM person")
    with psycopg.connect(on_server, autocommit=True) as other:  # another PC's restore is under way
        other.execute("SELECT set_config('application_name', 'jinguo|restore||09:30', false)")
        other.execute("SELECT pg_advisory_lock(%s)", (JOB_LOCK,))
        code, _out, err = run_as("admin", "restore", "--db", on_server, backup)
        assert code == 2 and "自 09:30 起正在从备份恢复，暂时不能从备份恢复" in err
        code, _out, err = run_as("admin", "import", "people", sheet, "--db", on_server)
        assert code == 2 and "正在从备份恢复，暂时不能导入数据" in err
        code, _out, err = run_as("admin", "db", "copy", "--from", on_server, "--to", tmp_path / "copy.db")
        assert code == 0, err  # reading the server is not kept out
        assert server_rows(on_server, "SELECT COUNT(*) FROM person") == before
    code, _out, err = run_as("admin", "import", "people", sheet, "--db", on_server)
    assert code == 0, err


def test_check_on_the_server_names_a_planted_orphan_and_advises_a_restore(run_as, on_server):
    (member,), = server_rows(on_server, "SELECT id FROM membership ORDER BY id LIMIT 1")
    as_superuser(on_server, "SET session_replication_role = replica",  # the server skips its checks
                 f"UPDATE membership SET person_id = 999999 WHERE id = {member}")
    code, _out, err = run_as("admin", "check", "--db", on_server)
    assert code == 1
    assert f"组织成员（membership） 第 {member} 行引用的 人员（person） 记录不存在" in err
    assert "数据之间的引用不完整（1 行）" in err and f"jinguo restore --db {on_server}" in err
    as_superuser(on_server, "ALTER TABLE service_record DROP CONSTRAINT service_record_activity_id_fkey",
                 "UPDATE service_record SET activity_id = activity_id + 100000 "
                 "WHERE id IN (SELECT id FROM service_record ORDER BY id LIMIT 7)")
    code, _out, err = run_as("admin", "check", "--db", on_server)
    assert code == 1
    assert "数据之间的引用不完整（8 行（另有 3 处））" in err
    assert "志愿服务记录（service_record）" in err


def test_check_on_a_server_of_a_newer_program_an_empty_one_and_a_missing_one(run_as, on_server, server):
    as_superuser(on_server, "UPDATE jinguo_schema SET version = 99, program = '9.9.0'")
    code, _out, err = run_as("admin", "check", "--db", on_server)
    assert code == 1 and "请安装巾帼枢纽 9.9.0" in err and "jinguo restore" not in err
    code, _out, err = run_as("admin", "check", "--db", server.empty())
    assert code == 1 and "没有巾帼枢纽的数据" in err
    code, _out, err = run_as("admin", "check", "--db", server.url("jt_no_such_database"))
    assert code == 2 and "没有这个数据库" in err



def test_a_restore_stopped_midway_leaves_the_server_as_it_was(run_as, on_server, tmp_path):
    from desktop.reports.output import Cancelled
    from desktop.server_backup import restore_server, stage_backup

    backup = tmp_path / "b.db"
    assert run_as("admin", "backup", "--db", on_server, "-o", backup)[0] == 0
    db = open_database(on_server)
    try:
        authenticate("luru", "luru-2025")  # unlocks the data key: the trail's changes are encrypted
        audit.create(Organization, None, name="恢复被取消后还在的组织", kind="grassroots")
        before = server_rows(on_server, "SELECT COUNT(*), MAX(id) FROM organization")

        def cancel_at_people(table: str, _done: int, _total: int) -> None:
            if table == "person":
                raise Cancelled

        staged = stage_backup(backup)
        with pytest.raises(Cancelled):
            restore_server(staged, db, cancel_at_people)
    finally:
        db.close()
    assert server_rows(on_server, "SELECT COUNT(*), MAX(id) FROM organization") == before
    assert run_as("admin", "check", "--db", on_server)[0] == 0
