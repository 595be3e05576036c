"""The window keeps SQLite's locks on its database, so other processes never damage it.

On Linux a process loses all its POSIX locks on a file when it closes any descriptor of that
file. Qt's file dialog used to open every file it listed (to guess its type), so listing the
database's folder dropped the window's locks; ``jinguo backup`` from another process then
deleted the write-ahead log under the window, and later edits were lost at a crash.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from desktop.context import build_context
from desktop.lock_check import locks_lost
from views.lock_watch import LockWatch
from views.main_window import MainWindow
from views.pages.organizations import OrganizationsPage

from .window_driver import cancel_once_listed

pytestmark = [pytest.mark.skipif(not Path("/proc/locks").exists(), reason="POSIX lock table of Linux"),
              pytest.mark.sqlite_only]

DRIVER = Path(__file__).with_name("window_driver.py")


def test_listing_the_database_folder_in_every_file_dialog_keeps_the_locks(qtbot, ctx, orgs):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    for key in ("export/folder", "import/folder", "backup/folder"):
        window.settings.setValue(key, str(ctx.db_path.parent))
    window.open_page(OrganizationsPage).model.total  # noqa: B018 - the list has read the database
    assert locks_lost(ctx.db_path) is False
    timer = cancel_once_listed()
    window.current_page().export_excel()
    assert locks_lost(ctx.db_path) is False
    window.show_page(next(i for i in range(window.nav.count()) if window.nav.item(i).text() == "导入"))
    window.current_page().choose_file()
    assert locks_lost(ctx.db_path) is False
    window.backup_action.trigger()
    timer.stop()
    assert locks_lost(ctx.db_path) is False


def test_locks_lost_anyway_are_taken_again(qtbot, ctx, orgs):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    qtbot.waitUntil(window.is_filled)  # the home page's reading thread is done with its connection
    assert locks_lost(ctx.db_path) is False
    with open(ctx.db_path, "rb") as f:  # what the old file dialog did
        f.read(16)
    assert locks_lost(ctx.db_path) is True
    assert window.lock_watch.check() is True
    assert locks_lost(ctx.db_path) is False and not window.lock_watch.warned


def test_a_worker_connection_keeps_the_lock_lost_and_the_user_is_told(qtbot, ctx, orgs, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    told = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: told.append(args[2]))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    qtbot.waitUntil(window.is_filled)
    watch = LockWatch(ctx, window)
    other = build_context(ctx.db_path)  # a second connection of this process, as a worker's
    try:
        ctx.db.execute_sql("SELECT 1 FROM organization").fetchall()
        with open(ctx.db_path, "rb") as f:
            f.read(16)
        assert watch.check() is False and watch.check() is False
        assert len(told) == 1 and "锁定意外丢失" in told[0] and "重新打开" in told[0]
    finally:
        other.close()


def test_a_backup_from_another_process_leaves_the_windows_log_and_edits_survive_a_kill(tmp_path):
    db_path = tmp_path / "office" / "jinguo.db"
    db_path.parent.mkdir()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    window = subprocess.Popen([sys.executable, str(DRIVER), str(db_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert window.stdout.readline().strip() == "READY"
        wal = db_path.with_name(db_path.name + "-wal")
        locked = [line.split()[5] for line in Path("/proc/locks").read_text().splitlines()
                  if line.split()[4] == str(window.pid)]
        for path in (db_path, db_path.with_name(db_path.name + "-shm")):
            inode = os.stat(path).st_ino
            assert any(device.endswith(f":{inode}") for device in locked), f"{path.name} is not locked"

        copy = tmp_path / "copy.db"
        backup = subprocess.run([sys.executable, "-m", "desktop", "backup", "--db", str(db_path),
                                 "-o", str(copy)], capture_output=True, text=True, env=env, timeout=60)
        assert backup.returncode == 0, backup.stderr
        assert wal.exists()
        fds = [os.readlink(f"/proc/{window.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{window.pid}/fd")]
        assert not [fd for fd in fds if fd.endswith("(deleted)") and "jinguo.db" in fd]

        window.stdin.write("EDIT 备份之后新建的组织\n")
        window.stdin.flush()
        assert window.stdout.readline().strip() == "EDITED"
        os.kill(window.pid, signal.SIGKILL)
        window.wait(timeout=30)
    finally:
        if window.poll() is None:
            window.kill()
            window.wait()
        window.stdin.close()
        window.stdout.close()
    with closing(sqlite3.connect(db_path)) as conn:
        names = [row[0] for row in conn.execute("SELECT name FROM organization")]
    assert "备份之后新建的组织" in names
