"""The setup guide's area step on the largest county of the table: 浦东新区, its 36 townships and
1,526 villages, written as regions through save_region (validated, one audit line each).

Run: python tests/bench/bench_area_import.py [--county 310115] [--db postgresql://…]
Prints the time of reading the county's rows from the bundled table, of the import, and its
floor: the same rows and as many audit lines written with multi-row INSERTs (no checks, no
snapshots) on a database of the same kind. Target: the import within 2 s (the guide shows a wait
cursor, not a progress dialog).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

TARGET_S = 2.0


def fresh(db_arg: str | None, folder: Path, name: str):
    from desktop.database import open_database

    if db_arg:
        from tests.server import TestServer

        server = TestServer(db_arg)
        return open_database(server.fresh()), server
    return open_database(folder / f"{name}.db"), None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--county", default="310115")
    parser.add_argument("--db", help="a PostgreSQL server URL (default: SQLite files in a temp folder)")
    args = parser.parse_args()
    from desktop.divisions import division_table
    from models.entities import AuditEntry, Region, User
    from models.office import adopt_area
    from models.sortkey import pinyin_key

    started = time.perf_counter()
    rows = division_table().official_regions(args.county, villages=True)
    read_s = time.perf_counter() - started
    levels = {level: sum(r.level == level for r in rows) for level in ("county", "township", "village")}

    with tempfile.TemporaryDirectory() as folder:
        db, server = fresh(args.db, Path(folder), "import")
        admin = User.get(User.role == "admin")
        started = time.perf_counter()
        adopt_area(rows, args.county, "county", admin)
        import_s = time.perf_counter() - started
        assert Region.select().count() == len(rows)
        db.close()

        db, floor_server = fresh(args.db, Path(folder), "floor")
        admin = User.get(User.role == "admin")
        started = time.perf_counter()
        with db.atomic():
            ids: dict[str, int] = {}
            for level in ("county", "township", "village"):
                batch = [r for r in rows if r.level == level]
                for chunk in range(0, len(batch), 500):
                    part = batch[chunk:chunk + 500]
                    Region.insert_many([{"name": r.name, "name_key": pinyin_key(r.name), "level": r.level,
                                         "parent": ids.get(r.parent_code), "code": r.code,
                                         "sort_order": r.sort_order} for r in part]).execute()
                ids.update(dict(Region.select(Region.code, Region.id).tuples()))
            lines = [{"user": admin.id, "username": admin.username, "action": "create", "entity": "region",
                      "entity_id": ids[r.code], "summary": r.name, "changes": "{}"} for r in rows]
            for chunk in range(0, len(lines), 100):
                AuditEntry.insert_many(lines[chunk:chunk + 100]).execute()
        floor_s = time.perf_counter() - started
        db.close()
        for s in (server, floor_server):
            if s is not None:
                s.drop_all()

    backend = "PostgreSQL" if args.db else "SQLite"
    print(f"county={args.county} backend={backend} rows={len(rows)} ({levels})")
    print(f"read_from_table_s={read_s:.3f}")
    print(f"import_s={import_s:.3f} floor_s={floor_s:.3f} ratio={import_s / floor_s:.1f} target_s={TARGET_S}")
    return 0 if import_s <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
