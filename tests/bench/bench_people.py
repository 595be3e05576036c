"""The People page on a 100k-person demo database: open, search, sort, scroll, memory.

Run: python tests/bench/bench_people.py [--people 100000] [--db PATH]
Prints one line per figure. Each timing's floor is the very SQL the page ran (captured
from the connection) replayed with the stdlib sqlite3 on the same file, fetching all rows;
target: within 3x the floor and under 150 ms. Opening the page and jumping to the end are
mostly Qt painting, so every line also gives a second floor: the SQL plus what a bare
QTableView over a constant model of the same shape takes to show, to repaint after a model
reset (search, filter, sort) or to scroll to its end.
Memory: peak RSS of a process showing the page minus that of a bare PySide6 window; target under 150 MB.
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
from collections.abc import Callable
from pathlib import Path

REPEATS = 5
TARGET_MS = 150.0
TARGET_RATIO = 3.0
TARGET_MB = 150.0

PEAK_RSS = """
def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
"""

BARE_WINDOW = PEAK_RSS + """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow(); w.resize(1200, 800); w.show(); app.processEvents()
print(f"{peak_mb():.1f}")
"""

PEOPLE_WINDOW = PEAK_RSS + """
import sys
from pathlib import Path
from PySide6.QtWidgets import QApplication, QMainWindow
from desktop.context import build_context
from views.pages.people import PeoplePage
app = QApplication(sys.argv)
ctx = build_context(Path(sys.argv[1]))
w = QMainWindow(); w.resize(1200, 800)
w.setCentralWidget(PeoplePage(ctx, w)); w.show(); app.processEvents()
print(f"{peak_mb():.1f}")
"""


class Recorder:
    """Wraps the connection's execute_sql so a measured action's SQL can be replayed raw."""

    def __init__(self, db):
        self.statements: list[tuple[str, tuple]] = []
        self.original = db.execute_sql
        db.execute_sql = self.execute

    def execute(self, sql, params=None, *args, **kwargs):
        self.statements.append((sql, tuple(params or ())))
        return self.original(sql, params, *args, **kwargs)


def median_ms(action: Callable[[], object], prepare: Callable[[], object] | None = None,
              repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        if prepare:
            prepare()
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def floor_ms(path: Path, statements: list[tuple[str, tuple]], repeats: int = REPEATS) -> float:
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA cache_size=-64000")
    selects = [(s, p) for s, p in statements if s.lstrip().upper().startswith("SELECT")]

    def replay() -> None:
        for sql, params in selects:
            conn.execute(sql, params).fetchall()

    replay()  # warm the page cache as the page's first run did
    result = median_ms(replay, repeats=repeats)
    conn.close()
    return result


def report(name: str, ms: float, floor: float, extra: str = "", paint: float | None = None) -> None:
    """One line; with ``paint``, also the ratio to the SQL floor plus a bare table's painting."""
    ratio = ms / floor if floor else float("inf")
    ok = ms <= TARGET_MS and ratio <= TARGET_RATIO
    line = (f"{name}_ms={ms:.1f} floor_ms={floor:.1f} ratio={ratio:.2f} "
            f"target=<{TARGET_RATIO:.0f}x,<{TARGET_MS:.0f}ms {'OK' if ok else 'MISSED'}")
    if paint is not None:
        both = ms / (floor + paint)
        line += (f" | paint_floor_ms={paint:.1f} ratio_to_sql_plus_paint={both:.2f} "
                 f"{'OK' if ms <= TARGET_MS and both <= TARGET_RATIO else 'MISSED'}")
    print(line + extra)


def bare_table_floors(rows: int, columns: int) -> tuple[float, float, float]:
    """What Qt alone costs: show a QTableView over a constant model of the same shape, reset
    its model (as a new search or sort does) and scroll it to the end (median ms). No
    database, no formatting."""
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
    from PySide6.QtWidgets import QApplication, QHeaderView, QTableView

    class Constant(QAbstractTableModel):
        def rowCount(self, parent=QModelIndex()):  # noqa: B008
            return 0 if parent.isValid() else rows

        def columnCount(self, parent=QModelIndex()):  # noqa: B008
            return 0 if parent.isValid() else columns

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            return "王秀英" if role == Qt.ItemDataRole.DisplayRole else None

    app = QApplication.instance()
    views: list[QTableView] = []

    def show() -> None:
        view = QTableView()
        view.setModel(Constant())
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.resize(1200, 800)
        view.show()
        app.processEvents()
        views.append(view)

    def close() -> None:
        while views:
            views.pop().deleteLater()
        app.processEvents()

    open_ms = median_ms(show, close)
    show()
    view = views[0]

    def to_top() -> None:
        view.scrollToTop()
        app.processEvents()

    def to_end() -> None:
        view.scrollToBottom()
        app.processEvents()

    end_ms = median_ms(to_end, to_top)

    def reset() -> None:
        model = view.model()
        model.beginResetModel()
        model.endResetModel()
        app.processEvents()

    reset_ms = median_ms(reset, to_top)
    close()
    return open_ms, end_ms, reset_ms


class PageDriver:
    """What a clerk does on the People page, as the benches time it (the same on SQLite and
    PostgreSQL): each method acts and lets Qt catch up; the ones returning callables are the
    actions and preparations ``measure`` repeats."""

    def __init__(self, app, ctx):
        self.app, self.ctx = app, ctx
        self.pages: list = []

    @property
    def page(self):
        return self.pages[0]

    def open_page(self) -> None:
        from views.pages.people import PeoplePage

        page = PeoplePage(self.ctx)
        page.resize(1200, 800)
        page.show()
        self.app.processEvents()
        assert page.model.rowCount() > 0
        self.pages.append(page)

    def close_pages(self) -> None:
        while self.pages:
            page = self.pages.pop()
            page.close()
            page.deleteLater()
        self.app.processEvents()

    def search(self, text: str) -> Callable[[], None]:
        def run() -> None:
            self.page.search.setText(text)
            self.page.apply_filter()  # what the debounce timer fires; its wait is not work
            self.app.processEvents()
        return run

    def reset_search(self) -> None:
        self.search("")()

    def apply_role(self) -> None:
        self.page.role_filter.setCurrentIndex(self.page.role_filter.findData("volunteer"))
        self.app.processEvents()

    def clear_role(self) -> None:
        self.page.role_filter.setCurrentIndex(0)
        self.app.processEvents()

    def sort(self, key: str, descending: bool = False) -> Callable[[], None]:
        from PySide6.QtCore import Qt

        column = [c.key for c in self.page.model.columns].index(key)
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder

        def run() -> None:
            self.page.table.sortByColumn(column, order)
            self.app.processEvents()
        return run

    def scroll_to_end(self) -> None:  # Ctrl+End, or the scroll bar dragged to the bottom
        page = self.page
        page.table.scrollToBottom()
        self.app.processEvents()
        assert page.model.index(page.model.rowCount() - 1, 0).data()

    def fresh(self, text: str, key: str = "name", descending: bool = False) -> Callable[[], None]:
        def run() -> None:  # a new list, so the last block is not in memory yet
            page = self.page
            page.search.setText(text)
            page.apply_filter()
            self.sort(key, descending)()
            page.model.reload()
            page.table.scrollToTop()
            self.app.processEvents()
        return run


def measure(recorder: Recorder, path: Path, action: Callable[[], object],
            prepare: Callable[[], object] | None = None, repeats: int = REPEATS) -> tuple[float, float]:
    if prepare:
        prepare()
    recorder.statements.clear()
    action()  # the first run: warms caches and records the SQL
    statements = list(recorder.statements)
    return median_ms(action, prepare, repeats), floor_ms(path, statements, repeats)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--scroll-all", action="store_true",
                        help="also page through the whole list (informational; takes minutes)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="jinguo-bench-"))
    os.environ.update(QT_QPA_PLATFORM="offscreen", JINGUO_DATA_DIR=str(workdir / "data"))
    db_path = args.db or workdir / "demo.db"
    if not db_path.exists():
        subprocess.run([sys.executable, "-m", "desktop", "demo", "--db", str(db_path),
                        "--people", str(args.people)], check=True, capture_output=True)

    from PySide6.QtWidgets import QApplication

    from desktop.context import build_context
    from models.entities import Person

    app = QApplication(sys.argv)
    ctx = build_context(db_path)
    recorder = Recorder(ctx.db)
    print(f"people={Person.select().count()} db={db_path}")
    clerk = PageDriver(app, ctx)
    ms, floor = measure(recorder, db_path, clerk.open_page, clerk.close_pages)
    clerk.close_pages()
    clerk.open_page()
    page = clerk.page
    paint_open, paint_end, paint_reset = bare_table_floors(page.model.rowCount(), page.model.columnCount())
    report("open_first_rows", ms, floor, paint=paint_open)

    ms, floor = measure(recorder, db_path, clerk.search("王"), clerk.reset_search)
    report("search_surname", ms, floor, f" rows={page.model.total}", paint=paint_reset)
    clerk.search("王")()
    ms, floor = measure(recorder, db_path, clerk.apply_role, clerk.clear_role)
    report("filter_volunteer_after_surname", ms, floor, f" rows={page.model.total}", paint=paint_reset)
    clerk.reset_search()
    clerk.clear_role()

    sort_default = clerk.sort("name")
    ms, floor = measure(recorder, db_path, clerk.sort("birth_date", descending=True), sort_default)
    report("sort_birth_date_desc", ms, floor, f" rows={page.model.total}", paint=paint_reset)
    sort_default()

    ms, floor = measure(recorder, db_path, clerk.scroll_to_end, clerk.fresh("王"))
    report("scroll_to_end_surname", ms, floor, f" rows={page.model.rowCount()}", paint=paint_end)
    ms, floor = measure(recorder, db_path, clerk.scroll_to_end, clerk.fresh(""))
    report("scroll_to_end_all", ms, floor, f" rows={page.model.rowCount()}", paint=paint_end)

    def scroll_through_all() -> None:  # holding Page Down through the whole list
        bar = page.table.verticalScrollBar()
        while bar.value() < bar.maximum():
            bar.setValue(bar.value() + bar.pageStep())
            app.processEvents()

    if args.scroll_all:
        clerk.fresh("")()
        started = time.perf_counter()
        scroll_through_all()
        whole = (time.perf_counter() - started) * 1000
        print(f"scroll_through_all_ms={whole:.0f} rows={page.model.rowCount()} "
              f"rows_in_memory={page.model.rows_in_memory} (informational: every screen painted)")

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    bare = float(subprocess.run([sys.executable, "-c", BARE_WINDOW], env=env, check=True,
                                capture_output=True, text=True).stdout)
    full = float(subprocess.run([sys.executable, "-c", PEOPLE_WINDOW, str(db_path)], env=env,
                                check=True, capture_output=True, text=True).stdout)
    delta = full - bare
    print(f"peak_rss_people_page_mb={full:.1f} floor_bare_window_mb={bare:.1f} "
          f"delta_mb={delta:.1f} target=<{TARGET_MB:.0f}MB {'OK' if delta < TARGET_MB else 'MISSED'}")
    ctx.close()


if __name__ == "__main__":
    main()
