"""Full disks and read-only places: say what is actually wrong, never call an intact database
damaged, and let the commands that only read do their work.

A real full disk is a small tmpfs and a real read-only folder a read-only bind mount; both
need root (CI runs as root) and are skipped where mounting is not allowed. As a normal user a
folder without write permission stands for the read-only place. SQLite's own "disk is full"
comes from ``PRAGMA max_page_count``, which needs no privileges.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

import desktop.database
from desktop.cli import main
from desktop.context import build_context
from models.entities import Organization

from .conftest import office_db

SAMPLES = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]
DAMAGE_WORDS = ("已损坏", "从备份恢复", "jinguo restore")


def rows(db: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(f"{db.as_uri()}?mode=ro&immutable=1", uri=True)) as conn:
        return conn.execute(sql).fetchall()


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


def _unmount(folder: Path) -> None:
    done = subprocess.run(["umount", str(folder)], capture_output=True, text=True)
    if done.returncode != 0:  # still in use: detach it anyway, and say so
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
        pytest.fail(f"{folder} was still in use: {done.stderr}")


def _can_mount() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("mount") is not None


@contextmanager
def read_only_folder(folder: Path) -> Iterator[Path]:
    """``folder`` cannot be written: a read-only bind mount as root, no write permission otherwise."""
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)
        return
    if not _can_mount():
        pytest.skip("needs root's mount to make a read-only folder")
    try:
        _mount("--bind", str(folder), str(folder))
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("mounting is not allowed here")
    try:
        _mount("-o", "remount,bind,ro", str(folder))
        yield folder
    finally:
        _unmount(folder)


@contextmanager
def full_disk(folder: Path, database: Path) -> Iterator[Path]:
    """A copy of ``database`` on a small disk (tmpfs at ``folder``) with no space left."""
    if not _can_mount():
        pytest.skip("needs root's mount for a small full disk")
    folder.mkdir()
    try:
        _mount("-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder))
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("mounting is not allowed here")
    try:
        copy = folder / database.name
        shutil.copyfile(database, copy)
        try:
            with (folder / "filler").open("wb") as filler:
                while True:
                    filler.write(b"\0" * 4096)
                    filler.flush()
        except OSError:  # no space left on device
            pass
        yield copy
    finally:
        _unmount(folder)


CLERK = {"JINGUO_USER": "luru", "JINGUO_PASSWORD": "luru-pass-1"}
ADMIN = {"JINGUO_USER": "admin", "JINGUO_PASSWORD": "admin-pass-1"}


def jinguo(data_dir: Path, *args: object, timeout: float = 120,
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The command in a process of its own, as an office runs it (and nothing of it stays open
    in the test process, so the small disks can be unmounted)."""
    full_env = dict(os.environ, QT_QPA_PLATFORM="offscreen", JINGUO_DATA_DIR=str(data_dir), **(env or {}))
    return subprocess.run([sys.executable, "-m", "desktop", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", env=full_env, timeout=timeout)


def check_and_backup_work(data: Path, db: Path, copy: Path) -> None:
    """``check`` says the database is sound (no word of damage) and a clerk's backup is complete."""
    check = jinguo(data, "check", "--db", db)
    assert check.returncode == 0, check.stderr
    assert "数据库完好" in check.stdout
    assert not any(word in check.stdout + check.stderr for word in DAMAGE_WORDS)

    backup = jinguo(data, "backup", "--db", db, "-o", copy, env=CLERK)
    assert backup.returncode == 0, backup.stderr
    assert rows(copy, "SELECT name FROM organization") == [("巾帼志愿服务队",)]


def test_check_backup_and_a_dry_run_work_on_a_full_disk(tmp_path):
    """Before, check and backup called the intact database "已损坏" and advised restoring an
    older backup, which would have lost everything entered since."""
    source = office_db(tmp_path / "office.db")
    data = tmp_path / "data"
    with full_disk(tmp_path / "usb", source) as db:
        check_and_backup_work(data, db, tmp_path / "copy.db")

        sheet = SAMPLES / "legacy-orgs.xlsx"
        dry_run = jinguo(data, "import", "orgs", sheet, "--db", db, "--skip-invalid", "--dry-run", env=CLERK)
        assert dry_run.returncode == 0, dry_run.stderr
        assert "可新建 6 条" in dry_run.stdout

        imported = jinguo(data, "import", "orgs", sheet, "--db", db, "--skip-invalid", env=CLERK)
        assert imported.returncode == 2, imported.stderr
        assert "磁盘空间不足" in imported.stderr
        assert not any(word in imported.stderr for word in (*DAMAGE_WORDS, "内部错误"))
        assert rows(db, "SELECT COUNT(*) FROM organization") == [(1,)]


def test_check_backup_and_a_dry_run_work_in_a_read_only_folder(tmp_path):
    db = office_db(tmp_path / "cd" / "office.db")
    data = tmp_path / "data"
    with read_only_folder(db.parent):
        check_and_backup_work(data, db, tmp_path / "copy.db")

        dry_run = jinguo(data, "import", "orgs", SAMPLES / "legacy-orgs.xlsx", "--db", db, "--skip-invalid",
                         "--dry-run", env=CLERK)
        assert dry_run.returncode == 0, dry_run.stderr
        assert "可新建 6 条" in dry_run.stdout

        target = tmp_path / "organizations.xlsx"
        export = jinguo(data, "export", "table", "organizations", "--db", db, "-o", target, env=CLERK)
        assert export.returncode == 2, export.stderr
        assert "没有导出" in export.stderr and "只读" in export.stderr and "内部错误" not in export.stderr
        assert not target.exists()


def test_a_restore_onto_a_read_only_folder_says_so_and_changes_nothing(tmp_path):
    """Before: "内部错误：OSError: [Errno 30] Read-only file system"."""
    db = office_db(tmp_path / "cd" / "office.db")
    data, backup = tmp_path / "data", tmp_path / "backup.db"
    assert jinguo(data, "backup", "--db", db, "-o", backup, env=ADMIN).returncode == 0
    with closing(sqlite3.connect(backup)) as conn, conn:
        conn.execute("UPDATE organization SET name = '备份里的名字'")
    before = db.read_bytes()
    with read_only_folder(db.parent):
        restore = jinguo(data, "restore", "--db", db, backup, env=ADMIN)
    assert restore.returncode == 2, restore.stderr
    assert "只读" in restore.stderr and "内部错误" not in restore.stderr and "OSError" not in restore.stderr
    assert db.read_bytes() == before


@pytest.fixture
def small_disk(monkeypatch):
    """SQLite reports a full disk once the database would grow past ``pages`` pages."""
    def limit(pages: int) -> None:
        monkeypatch.setitem(desktop.database.PRAGMAS, "max_page_count", pages)

    return limit


def page_count(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("PRAGMA page_count").fetchone()[0]


def test_an_import_on_a_full_disk_says_so_and_imports_nothing(tmp_path, small_disk, capsys):
    """Before: "内部错误：cannot rollback - no transaction is active"."""
    db = tmp_path / "office.db"
    build_context(db).close()
    small_disk(page_count(db))
    code = main(["import", "people", str(SAMPLES / "legacy-volunteers.xlsx"), "--db", str(db),
                 "--skip-invalid", "--create-orgs"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "磁盘空间不足" in err and "没有保存" in err
    assert "内部错误" not in err and "rollback" not in err
    assert rows(db, "SELECT COUNT(*) FROM person") == [(0,)]
    assert rows(db, "SELECT COUNT(*) FROM import_batch") == [(0,)]


def test_a_demo_on_a_full_disk_says_so(tmp_path, small_disk, capsys):
    """Before: "内部错误：cannot rollback - no transaction is active"."""
    empty = tmp_path / "empty.db"
    build_context(empty).close()
    small_disk(page_count(empty) + 4)  # the tables fit, the demo county does not
    code = main(["demo", "--db", str(tmp_path / "demo.db"), "--people", "300"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "磁盘空间不足" in err and "内部错误" not in err and "rollback" not in err


def test_savepoints_inside_a_transaction_still_roll_back_on_their_own(ctx):
    """Nested atomics (savepoints) keep working with transactions that begin IMMEDIATE."""
    from models.db import database

    with database.atomic():
        Organization.create(name="外层", kind="grassroots")
        with pytest.raises(RuntimeError), database.atomic():
            Organization.create(name="内层", kind="grassroots")
            raise RuntimeError("the inner part fails")
    assert [o.name for o in Organization.select()] == ["外层"]


def test_smoke_reports_a_failed_daily_backup_instead_of_waiting_on_a_dialog(tmp_path):
    """Before, a modal warning waited for a click that never came: --smoke hung for ever."""
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / "backups").write_text("a file where the backups folder should be")
    try:
        result = jinguo(data, "--db", tmp_path / "office.db", "--smoke", timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("--smoke waited on a dialog")
    assert result.returncode == 0, result.stderr
    assert "\nstartup_ms=" in result.stdout
    assert "今天的自动备份没有完成" in result.stderr
