"""Paths that destroyed data: an export written over the database, a restore by anyone, a half-made
demo, broken or leaked temporary copies. Each is refused or cleaned up now."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from desktop.backup import backup_to
from desktop.cli import main
from desktop.context import build_context
from desktop.demo import DEMO_USERS
from desktop.integrity import check_database
from models import schema

ADMIN = next(u for u in DEMO_USERS if u[2] == "admin")
CLERK = next(u for u in DEMO_USERS if u[2] == "clerk")
VIEWER = next(u for u in DEMO_USERS if u[2] == "viewer")


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "jinguo.db"
    assert main(["demo", "--db", str(path), "--people", "200", "--seed", "3"]) == 0
    return path


@pytest.fixture
def demo_db(demo_template, tmp_path):
    path = tmp_path / "office" / "jinguo.db"
    path.parent.mkdir()
    shutil.copyfile(demo_template, path)  # closed: the file holds everything
    return path


@pytest.fixture
def jinguo(monkeypatch, capsys):
    def run(user, *args) -> tuple[int, str]:
        name, _shown, _role, password = user
        monkeypatch.setenv("JINGUO_USER", name)
        monkeypatch.setenv("JINGUO_PASSWORD", password)
        code = main([str(a) for a in args])
        return code, capsys.readouterr().err

    return run


def people(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT COUNT(*) FROM person").fetchone()[0]


@pytest.mark.parametrize("command", [
    ["export", "summary", "--period", "2025", "--format", "xlsx"],
    ["export", "roster", "--volunteers", "--format", "xlsx"],
    ["export", "table", "people"],
])
@pytest.mark.parametrize("target", ["itself", "-wal", "-shm", "a backup", "another database"])
def test_an_export_never_overwrites_a_database(demo_db, jinguo, tmp_path, command, target):
    before = people(demo_db)
    backup = backup_to(demo_db, tmp_path / "备份.db")
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE t (a)")
    path = {"itself": demo_db, "-wal": demo_db.with_name("jinguo.db-wal"),
            "-shm": demo_db.with_name("jinguo.db-shm"), "a backup": backup, "another database": other}[target]
    content = path.read_bytes() if path.exists() and path != demo_db else None
    code, err = jinguo(CLERK, *command, "--db", demo_db, "-o", path)
    assert code == 2 and ("不能" in err or "以 .xlsx 结尾" in err)  # an export needs an .xlsx name
    if path != demo_db:  # (the database itself changes: the login is recorded in it)
        assert (path.read_bytes() if path.exists() else None) == content
    assert check_database(demo_db) == [] and people(demo_db) == before
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_saving_rejected_rows_never_overwrites_the_database(demo_db, jinguo, tmp_path):
    sheet = tmp_path / "people.csv"
    sheet.write_text("姓名,身份证号\n张三,123\n", encoding="utf-8")
    before = people(demo_db)
    for target in (demo_db, demo_db.with_name("jinguo.xlsx")):
        if target.suffix == ".xlsx":
            shutil.copyfile(demo_db, target)  # a database named like a workbook
        code, err = jinguo(CLERK, "import", "people", sheet, "--db", demo_db, "--dry-run",
                           "--rejected", target)
        assert code == 2 and ("数据库" in err or ".xlsx" in err)
    assert check_database(demo_db) == [] and people(demo_db) == before
    assert check_database(demo_db.with_name("jinguo.xlsx")) == []


def test_importing_the_database_itself_is_refused(demo_db, jinguo):
    code, err = jinguo(CLERK, "import", "people", demo_db, "--db", demo_db, "--dry-run")
    assert code == 2 and "正在使用的数据库" in err


def test_a_backup_replaces_an_earlier_backup_but_never_a_live_database(demo_db, jinguo, tmp_path):
    target = tmp_path / "每日备份.db"
    assert jinguo(ADMIN, "backup", "--db", demo_db, "-o", target)[0] == 0
    assert jinguo(ADMIN, "backup", "--db", demo_db, "-o", target)[0] == 0  # a scheduled task's second day
    code, err = jinguo(ADMIN, "backup", "--db", demo_db, "-o", demo_db)
    assert code == 2 and "不能" in err and check_database(demo_db) == []
    live = tmp_path / "another-office.db"
    build_context(live).close()
    content = live.read_bytes()
    code, err = jinguo(ADMIN, "backup", "--db", demo_db, "-o", live)
    assert code == 2 and "不能覆盖" in err and live.read_bytes() == content


def newer_version(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")


def test_restore_onto_a_database_that_cannot_be_opened_needs_the_backups_administrator(
        demo_db, jinguo, tmp_path):
    backup = backup_to(demo_db, tmp_path / "周一.db")
    newer_version(demo_db)  # as if made by a newer program: nobody can log in to it here
    before = demo_db.read_bytes()
    for user in (VIEWER, CLERK):
        code, err = jinguo(user, "restore", "--db", demo_db, backup)
        assert code == 2 and "不是管理员" in err
        assert demo_db.read_bytes() == before
    wrong = (ADMIN[0], "", "admin", "wrong-password")
    code, err = jinguo(wrong, "restore", "--db", demo_db, backup)
    assert code == 2 and "密码不对" in err and demo_db.read_bytes() == before
    shouted = (ADMIN[0].upper(), "", "admin", ADMIN[3])  # names match as at the login
    assert jinguo(shouted, "restore", "--db", demo_db, backup)[0] == 0
    assert check_database(demo_db) == []


def test_restore_onto_a_missing_file_needs_a_login_or_force(demo_db, jinguo, tmp_path, monkeypatch, capsys):
    backup = backup_to(demo_db, tmp_path / "周一.db")
    target = tmp_path / "new-pc" / "jinguo.db"
    code, err = jinguo(VIEWER, "restore", "--db", target, backup)
    assert code == 2 and "不是管理员" in err and not target.exists()
    monkeypatch.delenv("JINGUO_USER")
    monkeypatch.delenv("JINGUO_PASSWORD")
    assert main(["restore", "--db", str(target), str(backup), "--force"]) == 0
    assert check_database(target) == []


def test_a_killed_demo_leaves_no_database_and_its_copy_is_removed_at_the_next_start(tmp_path):
    target = tmp_path / "demo.db"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "desktop", "demo", "--db", str(target), "--people", "20000"]
    demo = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    try:
        demo.stdout.readline()  # the first progress line: the database is being filled
        time.sleep(0.5)
        os.kill(demo.pid, signal.SIGKILL)
        demo.wait(timeout=30)
    finally:
        demo.stdout.close()
    assert not target.exists()
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(".demo.db.")]
    assert leftovers, "the demo was killed before it wrote anything"
    build_context(target).close()  # the next start
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".demo.db.")] == []


def test_stale_temporary_copies_are_removed_and_live_ones_kept(demo_db):
    dead = 2 ** 22 + 12345  # above Linux's pid_max: never a running process
    folder = demo_db.parent
    restore = folder / f".jinguo.db.~{dead}-restore.tmp"
    migration = folder / f".jinguo.v4.bak.db.~{dead}.tmp"
    backups = Path(os.environ["JINGUO_DATA_DIR"]) / "backups"
    backups.mkdir(parents=True, exist_ok=True)
    automatic = backups / f".jinguo_20261130-010203_daily.db.~{dead}.tmp"
    live = folder / f".jinguo.db.~{os.getppid()}-restore.tmp"  # a running process's
    for path in (restore, migration, automatic, live):
        path.write_bytes(b"personal data")
    build_context(demo_db).close()
    assert not restore.exists() and not migration.exists() and not automatic.exists()
    assert live.exists()


def test_the_copy_before_an_upgrade_appears_only_when_complete(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    build_context(path).close()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION - 1}")
    seen = []

    def interrupted(src, dst):  # the process is killed between writing the copy and naming it
        seen.append(Path(src).name)
        raise KeyboardInterrupt

    monkeypatch.setattr(schema.os, "replace", interrupted)
    from peewee import SqliteDatabase

    from models.db import database

    db = SqliteDatabase(str(path))
    database.initialize(db)
    with pytest.raises(KeyboardInterrupt):
        schema.backup_file(db, path, schema.SCHEMA_VERSION - 1)
    db.close()
    assert seen and seen[0].startswith(".old.v") and seen[0].endswith(".tmp")
    assert not list(tmp_path.glob("old.v*.bak*.db"))  # no broken copy where the README sends users
