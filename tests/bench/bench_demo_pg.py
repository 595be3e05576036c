"""How long ``jinguo demo --people 100000`` takes onto PostgreSQL, next to COPY writing the same rows.

Run: ``python tests/bench/bench_demo_pg.py [--people N] [--url URL]``. ``URL`` names a database
to connect to as a user who may create databases (default: ``JINGUO_TEST_DATABASE_URL``, else
``postgresql://postgres@127.0.0.1:5433/postgres``); the bench makes two databases there (C
collation, as the README says) and drops them. Target: the whole command under 90 s.

The floor is timed in the same run: the demo's rows, read back from its database, written into
a second database with the same, empty schema (same indexes and constraints) with one COPY per
table in one transaction, through psycopg (rolled back; the fastest of three). The demo also
generates its county in Python and starts a process; the ratio says what that and its way of
writing cost on top.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from peewee import sort_models

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from desktop.database import open_database  # noqa: E402
from desktop.demo import DEMO_MODELS  # noqa: E402
from tests.bench.copy_floor import copy_in_seconds, copy_out  # noqa: E402
from tests.server import TestServer, server_url  # noqa: E402

TARGET_S = 90.0
REPEATS = 3


def copy_floor(source: str, target: str) -> tuple[float, int]:
    """Seconds to COPY the demo's rows (read from ``source`` beforehand) into ``target``."""
    return copy_in_seconds(target, copy_out(source, sort_models(DEMO_MODELS)), REPEATS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--url", default=server_url() or "postgresql://postgres@127.0.0.1:5433/postgres")
    args = parser.parse_args()
    server = TestServer(args.url)
    server.prefix = f"jbench_{os.getpid()}"
    demo_url, floor_url = server.empty(c_collation=True), server.empty(c_collation=True)
    try:
        with tempfile.TemporaryDirectory() as folder:
            env = dict(os.environ, JINGUO_DATA_DIR=folder, PYTHONPATH=str(ROOT))
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "desktop", "demo", "--db", demo_url,
                                   "--people", str(args.people)], env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"jinguo demo failed:\n{done.stderr}")
        open_database(floor_url).close()  # the schema, as the program makes it
        floor, rows = copy_floor(demo_url, floor_url)
    finally:
        server.drop_all()
    ratio = seconds / floor
    print(f"demo_people={args.people} rows={rows} demo_seconds={seconds:.2f} copy_floor_seconds={floor:.2f} "
          f"ratio={ratio:.2f} target=<{TARGET_S:.0f}s {'OK' if seconds < TARGET_S else 'MISSED'}")
    counts = done.stdout.strip().splitlines()
    print("  " + next((line for line in counts if "演示数据已写入" in line), counts[-1] if counts else ""))


if __name__ == "__main__":
    main()
