"""The People list (100,000 people) to .xlsx, against openpyxl write-only writing the same cells.

Run: python tests/bench/bench_table_export.py [--db demo.db] [--people 100000]
Without --db a demo database is filled in a temporary folder (jinguo demo).
The floor is openpyxl in write-only mode appending the very values the export writes
(already read, already converted, in memory) as plain values, with nothing else: no
query, no text cleaning, no cell types or styles. The export reads them page by page from
the database, cleans and types them, and writes the audit line. Target: within 1.3x the
floor. Each figure is the best of --repeats runs (the machine may be shared).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from openpyxl import Workbook

from desktop.context import build_context
from desktop.demo import fill_demo
from desktop.reports.table_export import cell_value, export_listing, listing_rows
from models.person_listing import PersonFilter, PersonListing

TARGET_RATIO = 1.3


def best(action, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def plain_write(path: Path, header: list[str], rows: list[list]) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("人员")
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(str(path))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, help="a demo database (copied, not changed)")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        db_path = out / "bench.db"
        if args.db:
            shutil.copy(args.db, db_path)
            ctx = build_context(db_path)
        else:
            ctx = build_context(db_path)
            fill_demo(args.people)
        listing, flt = PersonListing(), PersonFilter()
        rows = [[cell_value(c, v) for c, v in zip(listing.columns, row.values)]
                for row in listing_rows(listing, flt, None, False)]
        header = [c.title for c in listing.columns]
        floor = best(lambda: plain_write(out / "floor.xlsx", header, rows), args.repeats)
        export = best(lambda: export_listing(out / "people.xlsx", listing, flt, None, False,
                                             user=ctx.user, title="人员"), args.repeats)
        read = best(lambda: sum(1 for _ in listing_rows(listing, flt, None, False)), args.repeats)
        ctx.close()
    ratio = export / floor
    print(f"People list to xlsx, {len(rows)} rows x {len(header)} columns: export {export:.2f} s; "
          f"openpyxl write-only floor {floor:.2f} s; ratio {ratio:.2f} (target <= {TARGET_RATIO})")
    print(f"of which reading the rows page by page: {read:.2f} s")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
