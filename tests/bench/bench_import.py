"""How long importing a 50 000-row people sheet takes, next to two readers merely reading it.

Run: ``python tests/bench/bench_import.py [--rows N] [--keep DIR] [--undo] [--server [URL]]``. The floors are
openpyxl's read-only mode and python-calamine (which the importer uses for .xls/.ods, not for
.xlsx) iterating over the same cells of the same file, each timed in the same run before and
after the import (the faster of the two counts). The import (read, check, match, write with audit
and batch items, in one transaction) should stay within 2x of openpyxl's floor.

With ``--undo`` it then imports the same people again with new phone numbers (every row an
update), and times undoing that batch (each record put back, with its audit line) and then
the first one (every record deleted), next to raw sqlite3 writing the same phone numbers back
with one prepared UPDATE (rolled back) as the floor.

With ``--server`` it also imports the sheet into a new database on a PostgreSQL server (``URL``
names a database to connect to as a user who may create databases; default
``JINGUO_TEST_DATABASE_URL``, else ``postgresql://postgres@127.0.0.1:5433/postgres``), and times
as its floor the very rows the import wrote (records, audit lines, batch items), read back and
written with one COPY per table into a second database in the state the first had before the
import, in one transaction (rolled back; the fastest of three). Target: within 2.5x of that
floor. Both databases are dropped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from desktop.context import build_context  # noqa: E402
from desktop.importing import apply_import, list_batches, plan_import, read_sheet, undo_batch  # noqa: E402
from models.entities import AuditEntry, Membership, Person, ServiceRecord  # noqa: E402
from models.organizations import OrganizationData, save_organization  # noqa: E402
from models.validators import id_check_char  # noqa: E402
from tests.server import server_url  # noqa: E402

HEADER = ("序号", "姓名", "性别", "身份证号码", "出生年月", "联系电话", "所属组织", "角色", "加入时间",
          "服务时长（小时）", "备注")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
GIVEN = "秀英华玉兰桂芳珍凤红梅丽敏静燕艳娟霞婷雪琳倩欣悦慧晶颖萍洁"
ORGS = ("湾头镇巾帼志愿服务队", "东关街道爱心妈妈团", "文峰街道妇女微家互助会",
        "扬州市小匣子少儿公益服务中心")
ROLES = ("义工", "志愿者", "妇工", "社工", "骨干")
REPEATS = 3


def person_id(rng: random.Random, serial: int) -> tuple[str, dt.date]:
    born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 55))
    first17 = f"321002{born:%Y%m%d}{serial % 1000:03d}"
    first17 = first17[:16] + str(rng.choice((0, 2, 4, 6, 8)))
    return first17 + id_check_char(first17), born


def build_sheet(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("志愿者花名册")
    ws.append(["湾头镇巾帼志愿者花名册"])
    ws.append(["填报单位：湾头镇妇联"])
    ws.append(HEADER)
    seen: set[str] = set()
    n = 0
    while n < rows:
        number, born = person_id(rng, rng.randrange(10**6))
        if number in seen:
            continue
        seen.add(number)
        n += 1
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        ws.append([n, name, "女", number, f"{born:%Y.%m}", phone, rng.choice(ORGS), rng.choice(ROLES),
                   dt.datetime(2020, 1, 1) + dt.timedelta(days=rng.randrange(1500)),
                   round(rng.uniform(0, 80), 1), None])
    ws.append(["合计"])
    ws.append(["填表人：张敏    审核人：李芳"])
    wb.save(path)


def read_only_seconds(path: Path) -> float:
    started = time.perf_counter()
    wb = load_workbook(path, read_only=True, data_only=True)
    cells = 0
    for row in wb["志愿者花名册"].iter_rows(values_only=True):
        cells += len(row)
    wb.close()
    return time.perf_counter() - started


def calamine_seconds(path: Path) -> float:
    started = time.perf_counter()
    with CalamineWorkbook.from_path(str(path)) as wb:
        cells = 0
        for row in wb.get_sheet_by_name("志愿者花名册").iter_rows():
            cells += len(row)
    return time.perf_counter() - started


def before_import(db_path: Path | str):
    """The database as the import finds it: the organizations the sheet names. Returns the context."""
    ctx = build_context(db_path)
    for name in ORGS:
        save_organization(OrganizationData(name=name), ctx.user)
    return ctx


def import_seconds(path: Path, db_path: Path | str) -> tuple[float, dict[str, float], dict[str, int]]:
    ctx = before_import(db_path)
    try:
        started = time.perf_counter()
        sheet = read_sheet(path, "people")
        read = time.perf_counter()
        plan = plan_import(sheet)
        planned = time.perf_counter()
        batch = apply_import(plan, ctx.user)
        done = time.perf_counter()
        assert not plan.rejected, plan.rejected[:3]
        counts = {"people": Person.select().count(), "memberships": Membership.select().count(),
                  "service_records": ServiceRecord.select().count(), "audit": AuditEntry.select().count(),
                  "batch_created": batch.created}
        steps = {"read": read - started, "plan": planned - read, "apply": done - planned}
        return done - started, steps, counts
    finally:
        ctx.close()


def changed_phones(path: Path, out: Path) -> None:
    """The same sheet with every phone number changed: importing it updates every person."""
    wb = load_workbook(path, read_only=True)
    copy = Workbook(write_only=True)
    ws = copy.create_sheet("志愿者花名册")
    phone = HEADER.index("联系电话")
    for i, row in enumerate(wb["志愿者花名册"].iter_rows(values_only=True)):
        row = list(row)
        if i > 2 and len(row) > phone and row[phone]:
            row[phone] = "139" + str(row[phone])[3:]
        ws.append(row)
    wb.close()
    copy.save(out)


def undo_seconds(sheet: Path, db_path: Path) -> None:
    ctx = build_context(db_path)
    try:
        first = next(b for b in list_batches() if b.undone_at is None)
        again = sheet.with_name(sheet.stem + "-new-phones.xlsx")
        changed_phones(sheet, again)
        plan = plan_import(read_sheet(again, "people"))
        batch = apply_import(plan, ctx.user)
        phones = [(p.phone, p.id) for p in Person.select(Person.id, Person.phone)]
        conn = sqlite3.connect(db_path)
        started = time.perf_counter()
        conn.executemany("UPDATE person SET phone = ?, updated_at = CURRENT_TIMESTAMP WHERE id = ?", phones)
        floor = time.perf_counter() - started
        conn.rollback()
        conn.close()
        started = time.perf_counter()
        undo_batch(batch.id, ctx.user)
        updates = time.perf_counter() - started
        started = time.perf_counter()
        undo_batch(first.id, ctx.user)
        creates = time.perf_counter() - started
        print(f"undo of {batch.updated} updates: {updates:.2f} s; raw sqlite3 UPDATE of the same phones: "
              f"{floor:.2f} s ({updates / floor:.1f}x)")
        print(f"undo of {first.created} created people (with memberships and hours): {creates:.2f} s; "
              f"left: {Person.select().count()} people")
    finally:
        ctx.close()


def copy_floor_seconds(imported: str, floor: str) -> tuple[float, int]:
    """Seconds to COPY the rows the import wrote into ``floor``, a database in the state the
    imported one had before the import (so the same ids are free and the same rows referenced)."""
    from peewee import AutoField, sort_models

    from models.db import database
    from models.entities import ALL_MODELS
    from tests.bench.copy_floor import copy_in_seconds, copy_out

    models = sort_models([m for m in ALL_MODELS if isinstance(m._meta.primary_key, AutoField)])
    ctx = build_context(floor)
    marks = {m: m.select(m.id).order_by(m.id.desc()).limit(1).scalar() or 0 for m in models}
    ctx.close()
    assert database.obj is None or database.obj.is_closed()
    tables = copy_out(imported, models, lambda model: f"WHERE id > {int(marks[model])}")
    return copy_in_seconds(floor, tables, REPEATS)


def server_run(sheet: Path, rows: int, url: str) -> None:
    from tests.server import TestServer

    server = TestServer(url)
    server.prefix = f"jbench_{os.getpid()}"
    try:
        imported, floor = server.empty(c_collation=True), server.empty(c_collation=True)
        total, steps, counts = import_seconds(sheet, imported)
        before_import(floor).close()
        copy_seconds, copied = copy_floor_seconds(imported, floor)
    finally:
        server.drop_all()
    ratio = total / copy_seconds
    print(f"PostgreSQL: import (read {steps['read']:.2f} + check {steps['plan']:.2f} + write "
          f"{steps['apply']:.2f}): {total:.2f} s; COPY of the {copied} rows it wrote: {copy_seconds:.2f} s; "
          f"import / COPY: {ratio:.2f}x (target < 2.5x) {'OK' if ratio < 2.5 else 'MISSED'}; "
          f"write alone / COPY: {steps['apply'] / copy_seconds:.2f}x")
    print("written: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--keep", type=Path, help="folder to keep the sheet and database in")
    parser.add_argument("--undo", action="store_true", help="also time undoing")
    parser.add_argument("--server", nargs="?", const=server_url() or "postgresql://postgres@127.0.0.1:5433/postgres",
                        help="also import into a database on this PostgreSQL server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        sheet = folder / f"people-{args.rows}.xlsx"
        if not sheet.exists():
            build_sheet(sheet, args.rows)
        before = read_only_seconds(sheet), calamine_seconds(sheet)
        db = folder / "bench-import.db"
        db.unlink(missing_ok=True)
        total, steps, counts = import_seconds(sheet, db)
        after = read_only_seconds(sheet), calamine_seconds(sheet)
        # the faster reading of each: a busy machine makes the ratio worse, not better
        openpyxl_floor, calamine_floor = min(before[0], after[0]), min(before[1], after[1])
        print(f"rows: {args.rows}")
        print(f"import (read {steps['read']:.2f} + check {steps['plan']:.2f} + write {steps['apply']:.2f}): "
              f"{total:.2f} s")
        print(f"openpyxl read_only, reading the cells: {before[0]:.2f} s before, {after[0]:.2f} s after the "
              f"import; import / openpyxl: {total / openpyxl_floor:.2f}x (target < 2x)")
        print(f"python-calamine, reading the cells: {before[1]:.2f} s before, {after[1]:.2f} s after the "
              f"import; import / calamine: {total / calamine_floor:.2f}x")
        print("written: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        if args.undo:
            undo_seconds(sheet, db)
        if args.server:
            server_run(sheet, args.rows, args.server)


if __name__ == "__main__":
    main()
