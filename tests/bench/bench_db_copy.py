"""How long ``jinguo db copy`` takes to move a county (``jinguo demo --people 100000``) from its
SQLite file onto a PostgreSQL server, and to back the server up as a file again.

Run: ``python tests/bench/bench_db_copy.py [--people N] [--server postgresql://postgres@host:5432/postgres]``
(the server user must be allowed to create databases; default: ``JINGUO_TEST_DATABASE_URL``).
Target: the copy onto the server under 60 s. Floors, timed in the same run on the same rows held
in memory: plain psycopg COPY of every table into the same empty schema on the server, and plain
sqlite3 ``executemany`` into an empty backup file. The demo file is cached in the temp folder,
keyed by its parameters and the schema version.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

from desktop.database import open_database
from desktop.dbcopy import copy_database
from desktop.server_backup import backup_server_to
from models.entities import ALL_MODELS
from models.schema import SCHEMA_VERSION

TARGET_S = 60.0
ROOT = Path(__file__).resolve().parents[2]


def cached_demo(people: int, seed: int) -> Path:
    folder = Path(tempfile.gettempdir()) / "jinguo-bench"
    folder.mkdir(exist_ok=True)
    path = folder / f"demo-{people}-{seed}-v{SCHEMA_VERSION}.db"
    if not path.exists():
        print(f"making the demo database {path} …", file=sys.stderr)
        env = dict(os.environ, JINGUO_DATA_DIR=str(folder / "data"))
        subprocess.run([sys.executable, "-m", "desktop", "demo", "--db", str(path), "--people", str(people),
                        "--seed", str(seed)], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return path


def new_database(admin_url: str, name: str) -> str:
    """A new, empty database on the server; its URL."""
    from urllib.parse import quote

    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    p = conninfo_to_dict(admin_url)
    auth = quote(p.get("user", ""), safe="")
    if p.get("password"):
        auth += ":" + quote(p["password"], safe="")
    return f"postgresql://{auth}@{p.get('host', 'localhost')}:{p.get('port', '5432')}/{name}"


def drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def columns(model) -> str:
    return ", ".join(f'"{f.column_name}"' for f in model._meta.sorted_fields)


def read_all(path: Path) -> dict[str, list[tuple]]:
    with closing(sqlite3.connect(path)) as conn:
        return {m._meta.table_name: conn.execute(
            f'SELECT {columns(m)} FROM "{m._meta.table_name}"').fetchall() for m in ALL_MODELS}


def floor_server(url: str, rows: dict[str, list[tuple]]) -> float:
    """Plain COPY of every row, in one transaction, into the program's empty schema."""
    import psycopg

    open_database(url).close()  # the schema, as the program makes it
    with psycopg.connect(url) as conn:
        started = time.perf_counter()
        conn.execute("TRUNCATE " + ", ".join(f'"{m._meta.table_name}"' for m in ALL_MODELS))
        for model in ALL_MODELS:
            with conn.cursor().copy(f'COPY "{model._meta.table_name}" ({columns(model)}) FROM STDIN') as copy:
                for row in rows[model._meta.table_name]:
                    copy.write_row(row)
        conn.commit()
        return time.perf_counter() - started


def floor_file(folder: Path, rows: dict[str, list[tuple]]) -> float:
    """Plain executemany of every row, in one transaction, into an empty schema file."""
    path = folder / "floor.db"
    open_database(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = delete")
    conn.execute("PRAGMA synchronous = off")
    started = time.perf_counter()
    conn.execute("BEGIN")
    for model in ALL_MODELS:
        table = model._meta.table_name
        conn.execute(f'DELETE FROM "{table}"')
        width = len(model._meta.sorted_fields)
        conn.executemany(f'INSERT INTO "{table}" ({columns(model)}) VALUES ({", ".join("?" * width)})',
                         rows[table])
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--server", default=os.environ.get("JINGUO_TEST_DATABASE_URL")
                        or "postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    demo = cached_demo(args.people, args.seed)
    rows = read_all(demo)
    total = sum(len(r) for r in rows.values())
    names = [f"jinguo_bench_{os.getpid()}_{n}" for n in ("copy", "floor")]
    try:
        copy_url, floor_url = (new_database(args.server, name) for name in names)
        floor = floor_server(floor_url, rows)
        source = open_database(demo)
        try:
            report = copy_database(source, copy_url)
        finally:
            source.close()
        with tempfile.TemporaryDirectory() as folder:
            server = open_database(copy_url)
            try:
                backup = backup_server_to(server, Path(folder) / "backup.db")
            finally:
                server.close()
            file_floor = floor_file(Path(folder), rows)
    finally:
        for name in names:
            drop_database(args.server, name)
    verdict = "ok" if report.seconds < TARGET_S else "TOO SLOW"
    print(f"people={args.people} rows={total} tables={len(rows)}")
    print(f"copy_to_server_s={report.seconds:.2f} floor_copy_s={floor:.2f} "
          f"ratio={report.seconds / floor:.2f} target_s={TARGET_S:.0f} {verdict}")
    print(f"backup_to_file_s={backup.seconds:.2f} floor_executemany_s={file_floor:.2f} "
          f"ratio={backup.seconds / file_floor:.2f}")


if __name__ == "__main__":
    main()
