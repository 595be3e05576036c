"""``jinguo … | head``: when the reader of the output goes away, the command ends quietly, as
Unix tools do, instead of "内部错误：BrokenPipeError"."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from desktop.context import build_context

PIPE_CLOSED = 141  # 128 + SIGPIPE: what a shell shows for a Unix tool stopped by a closed pipe
SAMPLES = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]


def jinguo_into_a_closed_pipe(tmp_path: Path, *args: object) -> subprocess.CompletedProcess:
    """Run the command with its stdout a pipe nobody reads any more (``| head -c 0``)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", JINGUO_DATA_DIR=str(tmp_path / "data"))
    try:
        return subprocess.run([sys.executable, "-m", "desktop", *map(str, args)], cwd=ROOT, stdout=write_end,
                              stderr=subprocess.PIPE, text=True, encoding="utf-8", env=env, timeout=120)
    finally:
        os.close(write_end)


def assert_quiet(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == PIPE_CLOSED, result.stderr
    assert result.stderr == ""  # no 内部错误, no BrokenPipeError, no "Exception ignored"


def test_an_import_with_json_into_a_closed_pipe_ends_quietly_and_keeps_the_import(tmp_path):
    db = tmp_path / "office.db"
    build_context(db).close()
    result = jinguo_into_a_closed_pipe(tmp_path, "import", "orgs", SAMPLES / "legacy-orgs.xlsx", "--db", db,
                                       "--json", "--skip-invalid")
    assert_quiet(result)
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM organization").fetchone() == (6,)


def test_an_export_into_a_closed_pipe_ends_quietly(tmp_path):
    db = tmp_path / "office.db"
    build_context(db).close()
    result = jinguo_into_a_closed_pipe(tmp_path, "export", "table", "organizations", "--db", db,
                                       "-o", tmp_path / "organizations.xlsx")
    assert_quiet(result)
    assert (tmp_path / "organizations.xlsx").exists()
