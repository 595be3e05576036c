"""Power cuts and damaged files, as they happen: a real import killed midway, a file cut short
or overwritten; ``jinguo check`` names the problem and a backup brings the data back."""

from __future__ import annotations

import datetime as dt
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
from openpyxl import Workbook

from desktop.backup import backups_folder, daily_backup, list_backups
from desktop.database import open_database
from models.validators import id_check_char

ROWS = 3000

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def jinguo(tmp_path: Path, *args, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "desktop", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", env=_env(tmp_path), timeout=timeout)


def _env(tmp_path: Path) -> dict[str, str]:
    """As the demo database's administrator (its password is printed by ``jinguo demo``)."""
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", JINGUO_DATA_DIR=str(tmp_path / "data"),
                JINGUO_USER="admin", JINGUO_PASSWORD="admin-2025")


def people_sheet(path: Path, rows: int) -> Path:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("志愿者")
    ws.append(["姓名", "身份证号码", "联系电话", "所属组织", "角色", "服务时长"])
    for n in range(rows):
        born = dt.date(1950, 1, 1) + dt.timedelta(days=n)
        first17 = f"321002{born:%Y%m%d}00{(n % 5) * 2}"
        ws.append(["王" + "秀英华玉兰桂芳珍"[n % 8] + "凤红梅丽敏"[n % 5], first17 + id_check_char(first17),
                   f"138{n:08d}", f"第{n % 7}巾帼志愿服务队", "志愿者", 2.5])
    wb.save(path)
    return path


def counts(db: Path) -> dict[str, int]:
    with closing(sqlite3.connect(db)) as conn, conn:
        return {table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("person", "organization", "membership", "import_batch", "audit_entry")}


@pytest.fixture(scope="module")
def sheet(tmp_path_factory) -> Path:
    return people_sheet(tmp_path_factory.mktemp("sheet") / "people.xlsx", ROWS)


@pytest.fixture
def empty_db(tmp_path) -> Path:
    path = tmp_path / "office.db"
    open_database(path).close()
    return path


def _wait_for(condition, proc: subprocess.Popen, limit: float = 30) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None and not condition():
        time.sleep(0.001)


def _backup_made(tmp_path: Path):
    """The import makes its automatic backup just before it starts writing."""
    folder = tmp_path / "data" / "backups"
    return lambda: folder.is_dir() and any(p.suffix == ".db" for p in folder.iterdir())


def _wal_written(db: Path):
    """The commit is being written: the write-ahead log grows past zero."""
    wal = db.with_name(db.name + "-wal")
    return lambda: wal.exists() and wal.stat().st_size > 0


# (what to wait for, then how long): reading the sheet; building the rows in the open
# transaction; in the middle of writing the commit; just after it. (Measured here: the
# mid-commit kills leave nothing, the last one leaves everything.)
KILL_POINTS = [("start", 0.4), ("backup", 0.3),
               ("wal", 0.0), ("wal", 0.002), ("wal", 0.03)]


@pytest.mark.parametrize("event, delay", KILL_POINTS)
def test_an_import_killed_at_any_point_leaves_all_or_nothing(tmp_path, sheet, empty_db, event, delay):
    before = counts(empty_db)
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop", "import", "people", str(sheet), "--db", str(empty_db),
         "--create-orgs"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(tmp_path),
    )
    if event == "backup":
        _wait_for(_backup_made(tmp_path), proc)
    elif event == "wal":
        _wait_for(_wal_written(empty_db), proc)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    checked = jinguo(tmp_path, "check", "--db", empty_db)
    assert checked.returncode == 0, checked.stderr
    assert "数据库完好" in checked.stdout
    after = counts(empty_db)
    if after["import_batch"] == 0:
        assert after == before
    else:
        assert after["person"] == ROWS and after["organization"] == 7
        assert after["membership"] == ROWS and after["import_batch"] == 1
        assert after["audit_entry"] >= before["audit_entry"] + ROWS


def test_a_finished_import_is_complete_and_backed_up_first(tmp_path, sheet, empty_db):
    result = jinguo(tmp_path, "import", "people", sheet, "--db", empty_db, "--create-orgs")
    assert result.returncode == 0, result.stderr
    assert counts(empty_db)["person"] == ROWS
    (backup,) = list_backups(backups_folder(tmp_path / "data"), empty_db)
    assert backup.reason == "import" and counts(backup.path)["person"] == 0


@pytest.fixture
def filled(tmp_path) -> Path:
    db = tmp_path / "office.db"
    result = jinguo(tmp_path, "demo", "--db", db, "--people", 300)
    assert result.returncode == 0, result.stderr
    return db


def _overwrite_page(path: Path, page: int) -> None:
    with closing(sqlite3.connect(path)) as conn, conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    with path.open("r+b") as f:
        f.seek(size * (page - 1))
        f.write(bytes(range(256)) * (size // 256))


def test_check_names_a_truncated_file_and_restore_from_the_daily_backup_brings_it_back(tmp_path, filled):
    assert jinguo(tmp_path, "check", "--db", filled).returncode == 0
    db = open_database(filled)
    daily = daily_backup(db, filled)
    db.close()
    good = counts(filled)
    with filled.open("r+b") as f:
        f.truncate(filled.stat().st_size // 2)

    checked = jinguo(tmp_path, "check", "--db", filled)
    assert checked.returncode == 1
    assert "被截断了" in checked.stderr and "jinguo restore" in checked.stderr

    restored = jinguo(tmp_path, "restore", "--db", filled, daily)
    assert restored.returncode == 0, restored.stderr
    assert counts(filled) == good
    assert jinguo(tmp_path, "check", "--db", filled).stdout.startswith("数据库完好")


def test_a_file_stopped_mid_checkpoint_is_sound_and_keeps_every_row(tmp_path):
    """The state a kill during a checkpoint leaves (seen under load): page 1 already copied
    from the log, naming the new size, later pages still only in the log."""
    live, crashed = tmp_path / "live.db", tmp_path / "crashed.db"
    db = open_database(live)
    db.close()
    conn = sqlite3.connect(live, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO setting (key, value) VALUES (?, ?)",
                         [(f"test.{i}", "长" * 600) for i in range(3000)])
        conn.execute("COMMIT")
        for suffix in ("", "-wal"):  # what a power cut now would leave on disk
            shutil.copyfile(f"{live}{suffix}", f"{crashed}{suffix}")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    with live.open("rb") as f:
        first_page = f.read(page_size)
    with crashed.open("r+b") as f:  # the checkpoint got as far as page 1
        f.write(first_page)
    assert crashed.stat().st_size < live.stat().st_size

    checked = jinguo(tmp_path, "check", "--db", crashed)

    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("数据库完好")
    with closing(sqlite3.connect(crashed)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM setting WHERE key LIKE 'test.%'").fetchone()[0] == 3000
    # without its log the same file really is cut off, and is named so
    Path(f"{crashed}-wal").unlink(missing_ok=True)  # (check closed it: SQLite folded the log in)
    shutil.copyfile(live, crashed)
    with crashed.open("r+b") as f:
        f.truncate(live.stat().st_size // 2)
    checked = jinguo(tmp_path, "check", "--db", crashed)
    assert checked.returncode == 1 and "被截断了" in checked.stderr


def test_check_names_the_table_whose_page_was_overwritten(tmp_path, filled):
    with closing(sqlite3.connect(filled)) as conn, conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'person'").fetchone()[0]
    damaged = tmp_path / "damaged.db"
    shutil.copy(filled, damaged)
    _overwrite_page(damaged, root)

    checked = jinguo(tmp_path, "check", "--db", damaged)
    assert checked.returncode == 1
    assert "已损坏" in checked.stderr and "人员（person）" in checked.stderr
    assert jinguo(tmp_path, "check", "--db", filled).returncode == 0  # the original is untouched


def test_check_of_a_missing_file_and_of_a_file_that_is_not_a_database(tmp_path):
    missing = jinguo(tmp_path, "check", "--db", tmp_path / "nowhere.db")
    assert missing.returncode == 2 and "找不到数据库文件" in missing.stderr
    text = tmp_path / "notes.db"
    text.write_text("会议纪要" * 200, encoding="utf-8")
    foreign = jinguo(tmp_path, "check", "--db", text)
    assert foreign.returncode == 1 and "不是数据库文件" in foreign.stderr
    wiped = tmp_path / "wiped.db"  # a database's first bytes, then nothing SQLite can read
    wiped.write_bytes(b"SQLite format 3\x00" + b"\x00" * 500)
    damaged = jinguo(tmp_path, "check", "--db", wiped)
    assert damaged.returncode == 1 and "已损坏" in damaged.stderr and "内部错误" not in damaged.stderr


def register(db: Path) -> dict[str, int]:
    """The records, without the audit trail (logging in to restore adds a line to it)."""
    found = counts(db)
    del found["audit_entry"]
    return found


def test_restore_refuses_a_file_that_is_not_a_valid_database(tmp_path, filled):
    good = register(filled)
    text = tmp_path / "copy.db"
    text.write_bytes(b"\x00" * 8192)
    refused = jinguo(tmp_path, "restore", "--db", filled, text)
    assert refused.returncode == 2
    assert "不能用" in refused.stderr
    assert register(filled) == good
    missing = jinguo(tmp_path, "restore", "--db", filled, tmp_path / "usb" / "none.db")
    assert missing.returncode == 2 and "找不到" in missing.stderr


def test_backup_command_writes_a_sound_copy_and_refuses_a_missing_folder(tmp_path, filled):
    copy = tmp_path / "usb" / "备份.db"
    refused = jinguo(tmp_path, "backup", "--db", filled, "-o", copy)
    assert refused.returncode == 2 and "不存在" in refused.stderr
    copy.parent.mkdir()
    done = jinguo(tmp_path, "backup", "--db", filled, "-o", copy)
    assert done.returncode == 0, done.stderr
    assert register(copy) == register(filled)


def test_a_second_window_on_the_same_database_is_told_and_a_killed_ones_lock_does_not_block(tmp_path):
    db = tmp_path / "office.db"
    first = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from desktop.instance_lock import InstanceLock;"
         f"InstanceLock({str(db)!r}).acquire(); print('open', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True, env=_env(tmp_path),
    )
    try:
        assert first.stdout.readline().strip() == "open"
        second = jinguo(tmp_path, "--db", db, "--smoke")
        assert second.returncode == 2
        assert "已经打开了数据库" in second.stderr and f"进程 {first.pid}" in second.stderr
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
        first.stdout.close()
    after_crash = jinguo(tmp_path, "--db", db, "--smoke")
    assert after_crash.returncode == 0, after_crash.stderr
    assert not db.with_name("office.db.lock").exists()
