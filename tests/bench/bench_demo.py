"""How long ``jinguo demo --people 100000`` takes, next to what SQLite alone needs.

Run: ``python tests/bench/bench_demo.py [--people N]``. The floor
is a raw sqlite3 ``executemany`` of as many person-like rows into the same
``person`` table (same schema, indexes and pragmas), timed in the same run, so
the two figures can be compared on any machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from desktop.database import PRAGMAS, open_database
from desktop.demo import fill_demo

TODAY = dt.date(2025, 11, 20)


def floor_seconds(path: Path, people: int) -> float:
    """Raw executemany of ``people`` rows shaped like the demo's persons into an empty schema."""
    open_database(path).close()
    rng = random.Random(1)
    stamp = f"{TODAY} 09:00:00"
    rows = [
        (i + 1, f"姓名{i}", f"xing4 ming2 {i}", f"{rng.randrange(10**17):017d}X",
         "1990-01-01", "F", f"1{rng.randrange(3 * 10**9, 10**10)}", 2, False, False, True,
         None, "", "", "", False, None, "", stamp, stamp)
        for i in range(people)
    ]
    columns = ("id, name, name_key, id_number, birth_date, sex, phone, region_id, is_cadre, "
               "is_social_worker, is_volunteer, social_worker_level, cadre_title, workplace, notes, "
               "archived, archived_on, archived_reason, created_at, updated_at")
    conn = sqlite3.connect(path, isolation_level=None)
    for key, value in PRAGMAS.items():
        conn.execute(f"PRAGMA {key} = {value}")
    conn.execute("PRAGMA foreign_keys = 0")  # no region rows in this empty schema
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO person ({columns}) VALUES ({', '.join('?' * 20)})", rows)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "demo.db")
        started = time.perf_counter()
        counts = fill_demo(args.people, today=TODAY)
        seconds = time.perf_counter() - started
        db.close()
        floor = floor_seconds(Path(folder) / "floor.db", args.people)
    print(f"demo_people={args.people} seconds={seconds:.2f} floor_seconds={floor:.2f}")
    for key, value in counts.items():
        print(f"  {key}={value}")


if __name__ == "__main__":
    main()
