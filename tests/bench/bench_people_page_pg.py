"""The People page on 100,000 people in a PostgreSQL database: open, search, filter, sort, jump to the end.

Run: ``python tests/bench/bench_people_page_pg.py [--people N] [--url URL] [--db DB_URL]``. ``URL``
names a database to connect to as a user who may create databases (default:
``JINGUO_TEST_DATABASE_URL``, else ``postgresql://postgres@127.0.0.1:5433/postgres``); the bench
fills a new database there with ``jinguo demo`` (C collation, as the README says) and drops it at
the end. ``--db`` uses an existing demo database instead (kept).

The mirror of bench_people.py (SQLite). Each timing's floor is the very SQL the page ran (captured
from the connection) replayed through a plain psycopg connection to the same database, fetching
all rows; target: within 3x the floor and under 200 ms. Opening the page and jumping to the end
are partly Qt painting, so each line also gives a second floor: the SQL plus what a bare
QTableView over a constant model of the same shape takes (see bench_people.py).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
for folder in (ROOT, ROOT / "tests" / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from bench_people import REPEATS, PageDriver, Recorder, bare_table_floors, median_ms  # noqa: E402

from tests.server import TestServer, server_url  # noqa: E402

TARGET_MS = 200.0
TARGET_RATIO = 3.0


def floor_ms(url: str, statements: list[tuple[str, tuple]], repeats: int = REPEATS) -> float:
    """The page's SELECTs run again through psycopg on a connection of its own, all rows fetched."""
    selects = [(s, p) for s, p in statements if s.lstrip().upper().startswith("SELECT")]
    with psycopg.connect(url, autocommit=True) as conn:
        def replay() -> None:
            for sql, params in selects:
                conn.execute(sql, params).fetchall()

        replay()  # warm the caches as the page's first run did
        return median_ms(replay, repeats=repeats)


def measure(recorder: Recorder, url: str, action: Callable[[], object],
            prepare: Callable[[], object] | None = None) -> tuple[float, float]:
    if prepare:
        prepare()
    recorder.statements.clear()
    action()  # the first run: warms caches and records the SQL
    statements = list(recorder.statements)
    return median_ms(action, prepare), floor_ms(url, statements)


def report(name: str, ms: float, floor: float, paint: float, extra: str = "") -> bool:
    """One line, judged as bench_people.py does: against the SQL alone, and against the SQL plus
    a bare table's painting (what is left when the SQL takes a millisecond). Returns the latter."""
    ratio = ms / floor if floor else float("inf")
    both = ms / (floor + paint)
    ok_sql = ms <= TARGET_MS and ratio <= TARGET_RATIO
    ok = ms <= TARGET_MS and both <= TARGET_RATIO
    print(f"{name}_ms={ms:.1f} psycopg_floor_ms={floor:.1f} ratio={ratio:.2f} "
          f"target=<{TARGET_RATIO:.0f}x,<{TARGET_MS:.0f}ms {'OK' if ok_sql else 'MISSED'} | "
          f"paint_floor_ms={paint:.1f} ratio_to_sql_plus_paint={both:.2f} {'OK' if ok else 'MISSED'}{extra}")
    return ok


def fill(server: TestServer, people: int) -> str:
    url = server.empty(c_collation=True)
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, JINGUO_DATA_DIR=folder, PYTHONPATH=str(ROOT))
        subprocess.run([sys.executable, "-m", "desktop", "demo", "--db", url, "--people", str(people)],
                       env=env, check=True, capture_output=True)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--url", default=server_url() or "postgresql://postgres@127.0.0.1:5433/postgres")
    parser.add_argument("--db", help="an existing demo database (postgresql://…), kept")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="jinguo-bench-"))
    os.environ.update(QT_QPA_PLATFORM="offscreen", JINGUO_DATA_DIR=str(workdir / "data"))
    server = TestServer(args.url)
    server.prefix = f"jbench_{os.getpid()}"
    url = args.db or fill(server, args.people)
    try:
        run(url)
    finally:
        if not args.db:
            server.drop_all()


def run(url: str) -> None:
    from PySide6.QtWidgets import QApplication

    from desktop.context import build_context
    from models.entities import Person

    app = QApplication(sys.argv)
    ctx = build_context(url)
    recorder = Recorder(ctx.db)
    print(f"people={Person.select().count()} db={ctx.db.location}")
    clerk = PageDriver(app, ctx)
    results = []
    ms, floor = measure(recorder, url, clerk.open_page, clerk.close_pages)
    clerk.close_pages()
    clerk.open_page()
    page = clerk.page
    paint_open, paint_end, paint_reset = bare_table_floors(page.model.rowCount(), page.model.columnCount())
    results.append(report("open_first_rows", ms, floor, paint_open))

    for text, name in (("王", "search_surname"), ("1380", "search_phone_digits"),
                       ("32990119", "search_id_prefix")):
        ms, floor = measure(recorder, url, clerk.search(text), clerk.reset_search)
        results.append(report(name, ms, floor, paint_reset, f" rows={page.model.total}"))
    clerk.search("王")()
    ms, floor = measure(recorder, url, clerk.apply_role, clerk.clear_role)
    results.append(report("filter_volunteer_after_surname", ms, floor, paint_reset,
                          f" rows={page.model.total}"))
    clerk.reset_search()
    clerk.clear_role()

    sort_default = clerk.sort("name")
    for key, descending, name in (("name", True, "sort_name_desc"),
                                  ("birth_date", True, "sort_birth_date_desc"),
                                  ("township", False, "sort_township")):
        ms, floor = measure(recorder, url, clerk.sort(key, descending), sort_default)
        results.append(report(name, ms, floor, paint_reset, f" rows={page.model.total}"))
    sort_default()

    for text, key, name in (("王", "name", "scroll_to_end_surname"), ("", "name", "scroll_to_end_all"),
                            ("", "birth_date", "scroll_to_end_all_by_birth_date")):
        ms, floor = measure(recorder, url, clerk.scroll_to_end, clerk.fresh(text, key))
        results.append(report(name, ms, floor, paint_end, f" rows={page.model.rowCount()}"))
    print(f"within target (SQL + painting floor): {sum(results)}/{len(results)} "
          f"{'OK' if all(results) else 'MISSED'}")
    ctx.close()

if __name__ == "__main__":
    main()
