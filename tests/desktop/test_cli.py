"""The command line as a user runs it: separate processes, exit codes, Chinese messages."""

import os
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest

from models.schema import SCHEMA_VERSION


def run(tmp_path, *args, timeout=120):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", JINGUO_DATA_DIR=str(tmp_path / "data"))
    return subprocess.run(
        [sys.executable, "-m", "desktop", *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", env=env, timeout=timeout,
    )


def test_smoke_creates_a_new_database_and_reports_startup_time(tmp_path):
    db = tmp_path / "new folder" / "office.db"
    result = run(tmp_path, "--db", db, "--smoke")
    assert result.returncode == 0, result.stderr
    shown, filled = result.stdout.split()  # the window drawn, then its home page's figures in
    assert shown.startswith("shown_ms=") and filled.startswith("startup_ms=")
    assert 0 < int(shown.split("=")[1]) <= int(filled.split("=")[1])
    with closing(sqlite3.connect(db)) as conn, conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT username FROM user").fetchall() == [("admin",)]
    assert (tmp_path / "data" / "logs" / "jinguo.log").exists()


def test_smoke_with_print_check_renders_a_pdf_page_as_the_print_preview_does(tmp_path):
    result = run(tmp_path, "--db", tmp_path / "office.db", "--smoke", "--print-check")
    assert result.returncode == 0, result.stderr
    _shown, startup, check = result.stdout.split()
    assert startup.startswith("startup_ms=") and check == "print_check=ok"


def test_a_damaged_file_is_refused_in_chinese_and_left_alone(tmp_path):
    db = tmp_path / "broken.db"
    db.write_bytes(b"this is not a database" * 100)
    result = run(tmp_path, "--db", db, "--smoke")
    assert result.returncode == 2
    assert "不是巾帼枢纽的数据库或已损坏" in result.stderr
    assert db.read_bytes() == b"this is not a database" * 100


def test_a_database_from_a_newer_version_is_refused(tmp_path):
    db = tmp_path / "future.db"
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("CREATE TABLE organization (id INTEGER PRIMARY KEY)")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    result = run(tmp_path, "--db", db, "--smoke")
    assert result.returncode == 2
    assert "较新版本" in result.stderr and "请升级程序" in result.stderr


def test_demo_fills_a_new_database_and_refuses_a_filled_one(tmp_path):
    db = tmp_path / "demo.db"
    result = run(tmp_path, "demo", "--db", db, "--people", 300)
    assert result.returncode == 0, result.stderr
    assert "演示数据已写入" in result.stdout
    with closing(sqlite3.connect(db)) as conn, conn:
        assert conn.execute("SELECT COUNT(*) FROM person").fetchone()[0] == 300
        assert conn.execute("SELECT COUNT(*) FROM organization").fetchone()[0] > 0
    again = run(tmp_path, "demo", "--db", db, "--people", 300)
    assert again.returncode == 2 and "已有数据" in again.stderr
    smoke = run(tmp_path, "--db", db, "--smoke")
    assert smoke.returncode == 0 and "startup_ms=" in smoke.stdout


@pytest.mark.parametrize("people", ["0", "-5"])
def test_demo_rejects_a_non_positive_size(tmp_path, people):
    result = run(tmp_path, "demo", "--db", tmp_path / "x.db", "--people", people)
    assert result.returncode == 2 and "正整数" in result.stderr
