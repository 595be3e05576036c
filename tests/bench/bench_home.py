"""The home page (工作台) on the 100,000-person demo: from the window showing to the page filled.

Run: python tests/bench/bench_home.py [--db DEMO.db] [--township NAME] [--repeat 5]
Without --db a 100,000-person demo database is made in a temporary folder first (``jinguo demo
--people 100000 --db DEMO.db`` makes the same one to keep).

Figures, each the median of the runs:
- fill: a main window is built as at start-up (building the home page starts its reading in
  a worker thread), then shown; the time from ``show()`` to the page filled and painted;
- load: ``desktop.home.load_home`` alone (its SQL, the backups folder, assembling);
- floor: the very statements ``load_home`` runs, replayed with sqlite3 on a new connection (as
  the worker's is), without peewee or Python assembling.
Target: filled within 300 ms of the window showing. Ratio: fill / floor.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop.context import build_context
from desktop.home import load_home
from models.db import database

TARGET_MS = 300.0


def demo_database(people: int) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="jinguo-bench-home-"))
    path = folder / "demo.db"
    env = dict(os.environ, JINGUO_DATA_DIR=str(folder / "data"))
    subprocess.run([sys.executable, "-m", "desktop", "demo", "--db", str(path), "--people", str(people)],
                   check=True, capture_output=True, env=env)
    return path


def statements(db_path: Path, township_id: int | None) -> list[tuple[str, tuple]]:
    """What ``load_home`` asks the database, in order."""
    captured: list[tuple[str, tuple]] = []
    real = database.obj
    original = real.execute_sql

    def capture(sql, params=None, *args, **kwargs):
        captured.append((sql, tuple(params or ())))
        return original(sql, params, *args, **kwargs)

    real.execute_sql = capture
    try:
        load_home(db_path, township_id)
    finally:
        del real.execute_sql
    return captured


def replay(db_path: Path, sql: list[tuple[str, tuple]]) -> float:
    started = time.perf_counter()
    connection = sqlite3.connect(db_path)
    try:
        for text, params in sql:
            connection.execute(text, params).fetchall()
    finally:
        connection.close()
    return (time.perf_counter() - started) * 1000


def fill_once(app, ctx, township_id: int | None) -> float:
    from PySide6.QtCore import QEventLoop, QSettings

    from views.main_window import MainWindow
    from views.pages.home import AREA_KEY

    QSettings(str(ctx.ui_settings_path), QSettings.Format.IniFormat).setValue(AREA_KEY, township_id or 0)
    window = MainWindow(ctx)
    window.resize(1366, 708)
    home = window.current_page()
    loop = QEventLoop()
    home.loaded.connect(loop.quit)
    started = time.perf_counter()
    window.show()
    if not home.is_filled():
        loop.exec()  # idle as the program is while it waits (a busy loop would slow the worker)
    window.repaint()  # the filled page on screen
    elapsed = (time.perf_counter() - started) * 1000
    window.close()
    window.deleteLater()
    app.processEvents()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--township", help="a township's name (default: the county)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("JINGUO_DATA_DIR", tempfile.mkdtemp(prefix="jinguo-bench-data-"))
    db_path = args.db or demo_database(args.people)

    from desktop.app import create_application, load_cjk_font

    app = create_application()
    load_cjk_font(app)
    ctx = build_context(db_path)
    township_id = None
    if args.township:
        from models.rosters import find_township

        township_id = find_township(args.township)

    sql = statements(db_path, township_id)
    floors, loads, fills = [], [], []
    for _ in range(args.repeat):
        floors.append(replay(db_path, sql))
        started = time.perf_counter()
        load_home(db_path, township_id)
        loads.append((time.perf_counter() - started) * 1000)
        fills.append(fill_once(app, ctx, township_id))
    fill, load, floor = (statistics.median(x) for x in (fills, loads, floors))
    print(f"area={args.township or 'county'} statements={len(sql)} runs={args.repeat}")
    print(f"home_fill_ms={fill:.0f} (runs: {', '.join(f'{x:.0f}' for x in fills)}) target_ms={TARGET_MS:.0f} "
          f"{'ok' if fill <= TARGET_MS else 'OVER'}")
    print(f"load_home_ms={load:.0f} floor_same_sql_sqlite3_ms={floor:.0f}")
    print(f"ratio_fill_to_floor={fill / floor:.2f} ratio_load_to_floor={load / floor:.2f}")
    ctx.close()


if __name__ == "__main__":
    main()
