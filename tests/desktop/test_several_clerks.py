"""Several clerks on one database at once: no lost update, no silent overwrite, exclusive jobs
refused while another runs.

The tests that need real concurrent connections run on the PostgreSQL server
(JINGUO_TEST_DATABASE_URL); the exclusive-job tests run on both backends.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import threading
from collections import defaultdict
from pathlib import Path

import pytest
from openpyxl import Workbook

from desktop.importing import ImportOptions, apply_import, plan_import, read_sheet, undo_batch
from desktop.importing import apply as apply_module
from models.auth import create_user
from models.db import database
from models.entities import AuditEntry, Person
from models.errors import StaleRecord
from models.exclusive import JobBusy, exclusive_job
from models.people import PersonData, save_person

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 5
SAVES = 500
RECORDS = 12


@pytest.fixture
def clerk(ctx):
    return create_user(ctx.user, "lixia", "李霞", "clerk", "clerk-pass-2025", "clerk-pass-2025")


def in_thread(work) -> threading.Thread:
    """``work`` on a connection of its own (peewee connects once per thread)."""

    def run() -> None:
        try:
            work()
        finally:
            database.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_save_waiting_for_another_clerks_transaction_is_refused_once_it_commits(
        server, ctx, clerk):
    """Clerk A's save holds the row; clerk B's save of the same version waits for it, then is
    refused (not written over A's)."""
    person = save_person(PersonData(name="王秀英", notes="初次登记"), ctx.user)
    in_a, release = threading.Event(), threading.Event()

    def clerk_a() -> None:
        mine = Person.get_by_id(person.id)
        with database.atomic():
            save_person(dataclasses.replace(PersonData.from_person(mine), notes="A 的修改"), clerk, mine)
            in_a.set()
            release.wait(10)

    b_result: list = []

    def clerk_b() -> None:
        theirs = Person.get_by_id(person.id)
        in_a.wait(10)
        threading.Timer(0.3, release.set).start()  # A commits while B waits on the row
        try:
            save_person(dataclasses.replace(PersonData.from_person(theirs), phone="13800000001"),
                        ctx.user, theirs)
            b_result.append("saved")
        except StaleRecord as e:
            b_result.append(str(e.message))

    threads = [in_thread(clerk_a), in_thread(clerk_b)]
    for t in threads:
        t.join(20)
    assert "李霞" in b_result[0] and "没有保存" in b_result[0]
    stored = Person.get_by_id(person.id)
    assert (stored.notes, stored.phone, stored.version) == ("A 的修改", "", 2)


def test_five_clerks_saving_overlapping_records_lose_no_update(server, ctx):
    """5 processes × 500 saves over 12 people: the stored notes and versions equal a serial replay
    of the accepted saves, and every refusal was reported to its clerk."""
    people = [save_person(PersonData(name=f"志愿者{n:02d}", notes="起始"), ctx.user).id
              for n in range(RECORDS)]
    clerks = [f"clerk{k}" for k in range(PROCESSES)]
    for name in clerks:
        create_user(ctx.user, name, name, "clerk", "clerk-pass-2025", "clerk-pass-2025")
    url = str(ctx.location)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen(
        [sys.executable, "-m", "tests.clerk_worker", url, name, str(SAVES),
         ",".join(map(str, people)), str(k)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for k, name in enumerate(clerks)]
    outcomes = []
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
        outcomes.extend(json.loads(line) for line in out.splitlines())

    assert len(outcomes) == PROCESSES * SAVES  # every save was either accepted or reported refused
    accepted = defaultdict(list)
    refused = 0
    for o in outcomes:
        if "refused" in o:
            refused += 1
            assert "修改了它" in o["refused"] and "没有保存" in o["refused"]
        else:
            accepted[o["id"]].append((o["version"], o["note"]))
    assert refused > 0  # the clerks did collide
    for person_id in people:
        saves = sorted(accepted[person_id])
        # Serial: each accepted save made the next version, none made the same one twice.
        assert [v for v, _ in saves] == list(range(2, len(saves) + 2))
        stored = Person.get_by_id(person_id)
        assert stored.version == len(saves) + 1
        assert stored.notes == (saves[-1][1] if saves else "起始")
        lines = (AuditEntry.select().where((AuditEntry.entity == "person")
                                           & (AuditEntry.entity_id == person_id)
                                           & (AuditEntry.action == "update"))
                 .order_by(AuditEntry.id))
        replay = [json.loads(e.changes)["notes"] for e in lines]
        # The trail replays the accepted saves in order, each from the value the previous left.
        assert [new for _old, new in replay] == [note for _v, note in saves]
        assert [old for old, _new in replay] == ["起始", *[note for _v, note in saves][:-1]]


def people_sheet(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "联系电话", "备注"])
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def test_an_import_while_another_clerk_edits_keeps_her_edit(server, ctx, clerk, tmp_path, monkeypatch):
    """The clerk saves a person the import will update after the import checked the file: the
    import's write finds the newer version, checks the rows again and writes on top of her edit
    (her change kept, the file's applied); undo puts back her version, not the older one."""
    person = save_person(PersonData(name="王秀英", phone="13800000001", notes="初次登记"), ctx.user)
    sheet = read_sheet(people_sheet(tmp_path / "people.xlsx", [("王秀英", "13800000001", "骨干义工")]),
                       "people")
    plan = plan_import(sheet, options=ImportOptions())
    assert plan.updated == 1

    real_people = apply_module._people
    edits = []

    def clerk_saves_meanwhile(plan_now, writer):
        if not edits:  # the first try only: the clerk's save lands between check and write
            def edit() -> None:
                mine = Person.get_by_id(person.id)
                save_person(dataclasses.replace(PersonData.from_person(mine), workplace="东关街道办"),
                            clerk, mine)
            in_thread(edit).join(10)
            edits.append(True)
        return real_people(plan_now, writer)

    monkeypatch.setattr(apply_module, "_people", clerk_saves_meanwhile)
    replans = []
    real_plan = apply_module.plan_import
    monkeypatch.setattr(apply_module, "plan_import",
                        lambda *a, **k: replans.append(1) or real_plan(*a, **k))
    batch = apply_import(plan, ctx.user)

    stored = Person.get_by_id(person.id)
    assert edits and (stored.workplace, stored.notes) == ("东关街道办", "骨干义工")
    assert batch.updated == 1 and stored.version == 3
    assert len(replans) == 1  # the write found her newer version and checked the rows again
    undo_batch(batch.id, ctx.user)
    stored = Person.get_by_id(person.id)
    assert (stored.workplace, stored.notes) == ("东关街道办", "初次登记")


def test_a_second_import_while_one_runs_is_refused_naming_who_runs_it(ctx, clerk, tmp_path):
    sheet = read_sheet(people_sheet(tmp_path / "people.xlsx", [("王秀英", "13800000001", "")]), "people")
    plan = plan_import(sheet, options=ImportOptions())
    running, done = threading.Event(), threading.Event()

    def clerk_imports() -> None:
        with exclusive_job("import", clerk):
            running.set()
            done.wait(10)

    thread = in_thread(clerk_imports)
    try:
        assert running.wait(10)
        with pytest.raises(JobBusy) as busy:
            apply_import(plan, ctx.user)
        text = str(busy.value.message)
        assert "李霞" in text and "正在导入数据" in text and "请等对方完成" in text
        with pytest.raises(JobBusy):
            undo_batch(1, ctx.user)
    finally:
        done.set()
        thread.join(10)
    assert Person.select().count() == 0  # nothing of the refused import was written
    batch = apply_import(plan, ctx.user)  # once the other job ended
    assert batch.created == 1
