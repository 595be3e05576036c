"""Backups, restore and the instance lock, as the office relies on them."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing

import pytest

from desktop.backup import (
    BackupError,
    automatic_backup,
    backup_to,
    backups_folder,
    daily_backup,
    expired_backups,
    list_backups,
    restore_from,
)
from desktop.instance_lock import InstanceLock, LockedError, lock_path
from desktop.integrity import check_database
from models import audit
from models.entities import Organization, Region
from models.schema import SCHEMA_VERSION


@pytest.fixture
def county_orgs(ctx):
    town = audit.create(Region, ctx.user, name="西湖镇", level="township")
    return [audit.create(Organization, ctx.user, name=name, kind="grassroots", region=town)
            for name in ("巾帼志愿服务队", "爱心妈妈团")]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def count(path, table="organization") -> int:
    with closing(sqlite3.connect(path)) as conn, conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


# -- retention ---------------------------------------------------------------------------
def test_retention_keeps_every_backup_of_the_last_30_days():
    today = dt.date(2026, 11, 23)
    made = [at("2026-11-23 08:00") - dt.timedelta(days=d, hours=h) for d in range(30) for h in (0, 5)]
    assert expired_backups(made, today) == set()


def test_retention_keeps_the_newest_of_each_month_for_a_year_and_nothing_older():
    today = dt.date(2026, 11, 23)
    made = [at(f"{d} 09:00") for d in (
        "2026-10-20", "2026-10-05",  # October, older than 30 days: keep the 20th
        "2026-07-31", "2026-07-01", "2026-07-15",  # July: keep the 31st
        "2025-12-30", "2025-12-01",  # within the year: keep the 30th
        "2025-11-01",  # more than 365 days ago: goes
        "2024-03-01",
    )]
    expired = expired_backups(made, today)
    assert {w.date().isoformat() for w in expired} == {
        "2026-10-05", "2026-07-01", "2026-07-15", "2025-12-01", "2025-11-01", "2024-03-01"}


def test_retention_never_deletes_the_newest_backup_even_after_a_long_pause():
    today = dt.date(2026, 11, 23)
    made = [at("2023-05-01 10:00"), at("2023-05-02 10:00")]
    assert expired_backups(made, today) == {at("2023-05-01 10:00")}
    assert expired_backups([], today) == set()


def test_retention_of_the_day_boundary():
    today = dt.date(2026, 11, 23)
    day29, day30 = at("2026-10-25 23:59"), at("2026-10-24 00:01")
    older_same_month = at("2026-10-02 12:00")
    assert expired_backups([day29, day30, older_same_month], today) == {older_same_month}


@pytest.mark.sqlite_only  # backs up / restores the SQLite file
def test_automatic_backups_are_thinned_per_database(ctx, tmp_path):
    folder = tmp_path / "backups"
    other = folder / "other_20240101-000000_daily.db"
    folder.mkdir()
    other.write_bytes(b"")
    start = dt.datetime(2026, 1, 1, 9)
    for day in range(0, 400, 13):
        automatic_backup(ctx.db, ctx.db_path, "daily", folder, now=start + dt.timedelta(days=day))
    kept = [b.made_at.date() for b in list_backups(folder, ctx.db_path)]
    last = (start + dt.timedelta(days=390)).date()
    assert all((last - d).days < 365 for d in kept)
    assert [d for d in kept if (last - d).days < 30] == [last - dt.timedelta(days=n) for n in (26, 13, 0)]
    assert other.exists()  # another database's backups are left alone


# -- backup ------------------------------------------------------------------------------
@pytest.mark.sqlite_only  # backs up / restores the SQLite file
def test_backup_is_a_sound_single_file_copy(ctx, county_orgs, tmp_path):
    target = backup_to(ctx.db, tmp_path / "copy.db")
    assert check_database(target) == []
    assert count(target) == 2
    assert not list(tmp_path.glob(".copy.db*"))
    with closing(sqlite3.connect(target)) as conn, conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


@pytest.mark.sqlite_only  # backs up / restores the SQLite file
def test_backup_while_another_connection_holds_an_open_write_transaction(ctx, county_orgs, tmp_path):
    writer = sqlite3.connect(ctx.db_path, isolation_level=None, timeout=10)
    writer.execute("BEGIN IMMEDIATE")
    for i in range(50):
        writer.execute("INSERT INTO setting (key, value) VALUES (?, ?)", (f"half.{i}", "x"))
    target = backup_to(ctx.db_path, tmp_path / "during.db")
    writer.execute("COMMIT")
    writer.close()
    assert check_database(target) == []
    assert count(target, "setting WHERE key LIKE 'half.%'") == 0
    after = backup_to(ctx.db, tmp_path / "after.db")
    assert count(after, "setting WHERE key LIKE 'half.%'") == 50


@pytest.mark.sqlite_only  # backs up / restores the SQLite file
def test_backup_while_a_thread_keeps_writing_is_always_consistent(ctx, tmp_path):
    stop = threading.Event()

    def write() -> None:
        conn = sqlite3.connect(ctx.db_path, isolation_level=None, timeout=10)
        n = 0
        while not stop.is_set():
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT INTO setting (key, value) VALUES (?, ?)",
                             [(f"pair.{n}.{k}", "x") for k in range(2)])
            conn.execute("COMMIT")
            n += 1
        conn.close()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        copies = [backup_to(ctx.db_path, tmp_path / f"copy{i}.db") for i in range(5)]
    finally:
        stop.set()
        thread.join()
    for copy in copies:
        assert check_database(copy) == []
        assert count(copy, "setting WHERE key LIKE 'pair.%'") % 2 == 0  # pairs are never split


def test_backup_to_an_unwritable_place_says_so_and_leaves_nothing(ctx, tmp_path):
    with pytest.raises(BackupError) as error:
        backup_to(ctx.db, tmp_path / "missing folder" / "copy.db")
    assert "不存在" in str(error.value.message)
    with pytest.raises(BackupError) as error:
        backup_to(ctx.db, tmp_path)
    assert "文件夹" in str(error.value.message)


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True,
                    reason="root writes into read-only folders")
def test_backup_into_a_read_only_folder_says_so(ctx, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(BackupError) as error:
            backup_to(ctx.db, folder / "copy.db")
        assert "没有写入权限" in str(error.value.message)
    finally:
        folder.chmod(0o755)


@pytest.mark.sqlite_only  # backs up / restores the SQLite file
def test_daily_backup_runs_at_the_first_start_of_a_day_only(ctx):
    monday = dt.datetime(2026, 11, 23, 8, 30)
    first = daily_backup(ctx.db, ctx.db_path, now=monday)
    assert first is not None and first.parent == backups_folder()
    assert daily_backup(ctx.db, ctx.db_path, now=monday + dt.timedelta(hours=5)) is None
    assert daily_backup(ctx.db, ctx.db_path, now=monday + dt.timedelta(days=1)) is not None
    assert [b.reason_label for b in list_backups(backups_folder(), ctx.db_path)] == ["每日自动备份"] * 2


# -- restore -----------------------------------------------------------------------------
@pytest.mark.sqlite_only  # backs up / restores the SQLite file
def test_restore_brings_the_backup_back_and_keeps_the_current_state(ctx, county_orgs, tmp_path):
    copy = backup_to(ctx.db, tmp_path / "monday.db")
    audit.create(Organization, ctx.user, name="周二新建的组织", kind="grassroots")
    ctx.close()
    safety = restore_from(copy, ctx.db_path)
    assert count(ctx.db_path) == 2
    assert count(safety) == 3
    assert check_database(ctx.db_path) == []


@pytest.mark.sqlite_only  # backs up / restores the SQLite file
def test_restore_reaches_a_program_that_has_the_database_open(ctx, county_orgs, tmp_path):
    copy = backup_to(ctx.db, tmp_path / "monday.db")
    audit.create(Organization, ctx.user, name="周二新建的组织", kind="grassroots")
    restore_from(copy, ctx.db_path)
    assert Organization.select().count() == 2  # the open connection sees the restored data


@pytest.mark.sqlite_only  # backs up / restores the SQLite file
@pytest.mark.parametrize("content, expected", [
    (b"", "空的"),
    (b"PK\x03\x04 an xlsx, really" * 50, "不是数据库文件"),
])
def test_restore_refuses_a_file_that_is_not_a_database(ctx, county_orgs, tmp_path, content, expected):
    bad = tmp_path / "bad.db"
    bad.write_bytes(content)
    with pytest.raises(BackupError) as error:
        restore_from(bad, ctx.db_path)
    assert expected in str(error.value.message)
    assert Organization.select().count() == 2
    assert not backups_folder().exists() or not list(backups_folder().iterdir())


@pytest.mark.sqlite_only  # backs up / restores the SQLite file
def test_restore_refuses_another_programs_database_and_a_newer_one(ctx, tmp_path):
    foreign = tmp_path / "foreign.db"
    with closing(sqlite3.connect(foreign)) as conn, conn:
        conn.execute("CREATE TABLE invoice (id INTEGER PRIMARY KEY)")
    with pytest.raises(BackupError) as error:
        restore_from(foreign, ctx.db_path)
    assert "不是巾帼枢纽的数据库" in str(error.value.message)

    newer = backup_to(ctx.db, tmp_path / "newer.db")
    with closing(sqlite3.connect(newer)) as conn, conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(BackupError) as error:
        restore_from(newer, ctx.db_path)
    assert "较新版本" in str(error.value.message)


@pytest.mark.sqlite_only  # backs up / restores the SQLite file
def test_restore_refuses_a_backup_with_broken_references(ctx, county_orgs, tmp_path):
    copy = backup_to(ctx.db, tmp_path / "copy.db")
    with closing(sqlite3.connect(copy)) as conn, conn:
        conn.execute("UPDATE organization SET region_id = 9999")
    with pytest.raises(BackupError) as error:
        restore_from(copy, ctx.db_path)
    assert "社会组织（organization） 第" in str(error.value.message)


# -- one program per database ------------------------------------------------------------
def test_a_second_instance_is_told_and_a_crashed_ones_lock_does_not_block(tmp_path):
    db_path = tmp_path / "office.db"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from desktop.instance_lock import InstanceLock;"
         f"InstanceLock({str(db_path)!r}).acquire(); print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockedError) as error:
            InstanceLock(db_path).acquire()
        assert f"进程 {holder.pid}" in str(error.value.message)
        assert "已经打开了数据库" in str(error.value.message)
    finally:
        holder.kill()  # SIGKILL: the lock file stays behind, as after a crash
        holder.wait()
        holder.stdout.close()
    assert lock_path(db_path).exists()
    with InstanceLock(db_path) as lock:
        assert lock.held
    assert not lock_path(db_path).exists()


@pytest.mark.sqlite_only  # backs up / restores the SQLite file
def test_restore_is_refused_while_the_program_has_the_database_open(ctx, county_orgs, tmp_path):
    copy = backup_to(ctx.db, tmp_path / "copy.db")
    lock_path(ctx.db_path).write_text(json.dumps({"pid": os.getppid(), "host": socket.gethostname()}))
    with pytest.raises(LockedError):
        restore_from(copy, ctx.db_path)


def test_an_unreadable_lock_file_is_taken_as_stale(tmp_path):
    lock_path(tmp_path / "x.db").write_text("garbage")
    with InstanceLock(tmp_path / "x.db") as lock:
        assert lock.held
