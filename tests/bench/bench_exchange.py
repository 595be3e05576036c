"""Report packages on the 100,000-person demo: making a package against computing the summary, and
importing 30 packages into an upper unit.

Run: python tests/bench/bench_exchange.py [--db DEMO.db] [--period 2025Q3] [--repeat 5]
Without --db a 100,000-person demo database is generated in a temporary folder first (a copy is
used: the unit is set on it).

Floors, measured in the same run:
- the summary: ``compute_summary`` and its JSON rows (what ``export summary --format json``
  computes); target: a package (without the register) within 1.5x of it;
- reading: the 30 files read, their SHA-256 and Ed25519 signatures checked with nothing else
  (zipfile + hashlib + cryptography); target: importing the 30 (plan, checks, one transaction)
  under 3 s.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop.context import build_context
from desktop.exchange.package import build_package
from desktop.exchange.receive import apply_import, plan_import
from desktop.exchange.service import export_package
from desktop.reports.summary_json import summary_document
from models.exchange_entities import UnitKey
from models.office import office_township
from models.periods import parse_period
from models.summary import compute_summary
from models.units import Unit, make_key, set_unit, signature_valid

EXPORT_RATIO = 1.5
IMPORT_SECONDS = 3.0
PACKAGES = 30


def timed(action: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def read_floor(files: list[Path]) -> None:
    for path in files:
        data = path.read_bytes()
        hashlib.sha256(data).hexdigest()
        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        import json

        manifest = json.loads(parts["manifest.json"])
        for name, digest in manifest["parts"].items():
            assert hashlib.sha256(parts[name]).hexdigest() == digest
        assert signature_valid(parts["manifest.json"], base64.b64decode(parts["signature"]),
                               manifest["sender"]["public_key"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--period", default="2025Q3")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    period = parse_period(args.period)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        db_path = folder / "demo.db"
        if args.db:
            shutil.copy(args.db, db_path)
        else:
            from desktop.demo import fill_demo

            print("generating a 100,000-person demo database…", flush=True)
            ctx = build_context(db_path)
            fill_demo(people=100_000)
            ctx.close()
        ctx = build_context(db_path)
        set_unit("甲镇妇联", "320101001", "township", "320101", None)
        summary_document(compute_summary(period, office_township()))  # warm up
        summary = timed(lambda: summary_document(compute_summary(period, office_township())), args.repeat)
        own = folder / "own"
        own.mkdir()
        export_package(own, period)  # once to warm up (as the summary was, by its first run)
        package = timed(lambda: export_package(own, period), args.repeat)
        with_register = timed(lambda: export_package(own, period, with_register=True), args.repeat)
        out = folder / "out"
        out.mkdir()
        document = summary_document(compute_summary(period, office_township()))
        files = []
        for i in range(1, PACKAGES + 1):
            UnitKey.delete().execute()
            key = make_key()
            unit = Unit(f"第{i}镇妇联", f"320101{100 + i:03d}", "township", "320101")
            path = out / f"{unit.name}_{period.code}.jgrpt"
            path.write_bytes(build_package(unit, key, period.code, document, None, "bench"))
            files.append(path)
        ctx.close()
        print(f"summary (compute + JSON rows): {summary * 1000:7.0f} ms   (floor)")
        print(f"package export:                {package * 1000:7.0f} ms   "
              f"ratio {package / summary:.2f} (target <= {EXPORT_RATIO})")
        print(f"package export with register:  {with_register * 1000:7.0f} ms   "
              f"ratio {with_register / summary:.2f}")

        floor = timed(lambda: read_floor(files), args.repeat)
        runs, again = [], []
        for r in range(args.repeat):
            upper = folder / f"county{r}.db"
            ctx = build_context(upper)
            set_unit("青禾县妇联", "320101", "county", "320100", None)
            started = time.perf_counter()
            verdicts = plan_import([out], trust_new=True)
            done = apply_import(verdicts, None)
            runs.append(time.perf_counter() - started)
            assert done == PACKAGES, [(v.path.name, v.status, v.reason) for v in verdicts]
            started = time.perf_counter()
            assert all(v.status == "same" for v in plan_import([out]))
            again.append(time.perf_counter() - started)
            ctx.close()
        imported = statistics.median(runs)
        print(f"read + verify {PACKAGES} files:         {floor * 1000:7.0f} ms   (floor)")
        print(f"import {PACKAGES} packages:             {imported * 1000:7.0f} ms   "
              f"ratio {imported / floor:.1f} (target < {IMPORT_SECONDS * 1000:.0f} ms)")
        print(f"re-import (all 相同):           {statistics.median(again) * 1000:7.0f} ms")
        ok = package / summary <= EXPORT_RATIO and imported < IMPORT_SECONDS
    print("OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
