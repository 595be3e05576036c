"""Finding duplicate people on the 100,000-person demo, next to the floor: the same blocking
queries run raw with the stdlib sqlite3 on the same file (what no Python around them can beat;
the ID numbers it reads stay encrypted, while find_people decrypts them).

Run: python tests/bench/bench_duplicates.py [--people 100000] [--db PATH] [--server [URL]]
``--db`` is copied first (never changed). ``--server``: on a new demo database on that PostgreSQL
server (default URL: JINGUO_TEST_DATABASE_URL), the floor the same queries through psycopg; the
database is dropped at the end. 1% of the people are given a duplicate of one of the
kinds models.duplicates finds (an old 15-digit ID, a mistyped digit, the same name and birth date
without an ID, a variant character, the same phone with a homophone name), so the rules have
pairs to score. Target: under 3 s for all candidates.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_S = 3.0
RUNS = 3

BLOCKING = (
    "SELECT a.id, b.id FROM person a JOIN person b ON b.birth_date = a.birth_date "
    "AND b.name_pinyin = a.name_pinyin AND b.id > a.id AND NOT b.archived "
    "WHERE a.birth_date IS NOT NULL AND a.name_pinyin <> '' AND NOT a.archived",
    "SELECT a.id, b.id FROM person a JOIN person b ON b.phone_hash = a.phone_hash AND b.id > a.id "
    "AND NOT b.archived WHERE a.phone_hash IN (SELECT phone_hash FROM person WHERE phone_hash "
    "IS NOT NULL AND NOT archived GROUP BY phone_hash HAVING COUNT(*) BETWEEN 2 AND 8) AND NOT a.archived",
    "SELECT id, id_number FROM person WHERE id_number IS NOT NULL AND NOT archived",
)


def seed(share: float = 0.01) -> int:
    """Give ``share`` of the people a duplicate; returns how many were added."""
    import datetime as dt

    from models import crypto
    from models.db import database
    from models.entities import Person
    from models.sortkey import name_columns

    registered = Person.id_number.is_null(False) & ~Person.archived
    people = list(Person.select().where(registered).order_by(Person.id)
                  .limit(int(Person.select().count() * share)))
    variants = {"丽": "麗", "华": "華", "红": "紅", "兰": "蘭", "凤": "鳳"}
    rows = []
    for i, p in enumerate(people):
        kind = i % 4
        number = None
        name = p.name
        if kind == 0 and p.id_number[6:8] == "19":  # an old 15-digit number (none after 1999)
            number = p.id_number[:6] + p.id_number[8:17]
        elif kind == 1:  # a mistyped digit
            digit = str((int(p.id_number[9]) + 1) % 10)
            number = p.id_number[:9] + digit + p.id_number[10:]
        elif kind == 2:  # a variant character, no ID
            name = "".join(variants.get(c, c) for c in p.name)
        phone = p.phone if kind == 3 else ""
        rows.append({"name": name, **name_columns(name, person=True), "id_number": number,
                     "id_hash": crypto.id_hash(number), "phone_hash": crypto.phone_hash(phone),
                     "birth_date": p.birth_date, "sex": p.sex, "phone": phone, "region": p.region_id,
                     "is_volunteer": True, "created_at": dt.datetime.now(), "updated_at": dt.datetime.now()})
    with database.atomic():
        for start in range(0, len(rows), 200):
            Person.insert_many(rows[start:start + 200]).execute()
    return len(rows)


def floor_s(location: Path | str) -> float:
    """The blocking queries run raw: stdlib sqlite3 on the file, psycopg on a server database."""
    if isinstance(location, str):
        import psycopg

        conn = psycopg.connect(location, autocommit=True)
    else:
        conn = sqlite3.connect(location)
    try:
        started = time.perf_counter()
        for sql in BLOCKING:
            conn.execute(sql).fetchall()
        return time.perf_counter() - started
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="a demo database to copy (left unchanged)")
    parser.add_argument("--server", nargs="?", const="", metavar="URL", help="on PostgreSQL")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="jinguo-bench-"))
    os.environ["JINGUO_DATA_DIR"] = str(workdir / "data")
    if args.server is not None:
        sys.path.insert(0, str(ROOT / "tests" / "bench"))
        import bench_people_page_pg as pg

        from tests.server import TestServer, server_url

        server = TestServer(args.server or server_url() or "postgresql://postgres@127.0.0.1:5433/postgres")
        server.prefix = f"jbench_{os.getpid()}"
        try:
            run(pg.fill(server, args.people), "psycopg")
        finally:
            server.drop_all()
            shutil.rmtree(workdir, ignore_errors=True)
        return
    path = workdir / "demo.db"
    if args.db:
        shutil.copyfile(args.db, path)
    else:
        subprocess.run([sys.executable, "-m", "desktop", "demo", "--db", str(path), "--people",
                        str(args.people)], check=True, capture_output=True)
    run(path, "sqlite3")
    shutil.rmtree(workdir, ignore_errors=True)


def run(location: Path | str, floor_name: str) -> None:
    from desktop.context import build_context
    from models.auth import authenticate
    from models.db import refresh_statistics
    from models.duplicates import find_people
    from models.entities import Person

    ctx = build_context(location)
    try:
        authenticate("admin", "admin-2025")  # the demo's administrator: unlocks the data key
        added = seed()
        refresh_statistics([Person])
        total = Person.select().count()
        find_people()  # warm: the variant table and the pages of the file
        times, found = [], []
        for _ in range(RUNS):
            started = time.perf_counter()
            found = find_people()
            times.append(time.perf_counter() - started)
    finally:
        ctx.close()
    floors = [floor_s(location) for _ in range(RUNS)]
    work, floor = statistics.median(times), statistics.median(floors)
    print(f"people: {total:,} ({added:,} seeded duplicates); candidates found: {len(found):,}")
    print(f"find_people: {work:.2f} s   floor (blocking queries, raw {floor_name}): {floor:.2f} s   "
          f"ratio {work / floor:.1f}   target < {TARGET_S:.0f} s: {'met' if work < TARGET_S else 'MISSED'}")


if __name__ == "__main__":
    main()
