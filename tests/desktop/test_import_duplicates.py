"""Imports use the rules of finding duplicates: a row that probably is someone (or some group)
already registered is shown as such in the preview instead of being created."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from desktop.importing import ImportOptions, apply_import, plan_import, read_sheet
from models import audit
from models.entities import Organization, Person
from models.merge import merge
from models.validators import id_check_char


def resident_id(birth: str, serial: str) -> str:
    first17 = "320102" + birth + serial
    return first17 + id_check_char(first17)


def workbook(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def test_rows_that_probably_are_registered_people_wait_for_a_decision(ctx, user, tmp_path):
    old = resident_id("19650312", "042")
    upgraded = audit.create(Person, user, name="王秀英", id_number=old, birth_date=dt.date(1965, 3, 12),
                            sex="F", is_volunteer=True)
    no_id = audit.create(Person, user, name="李娜", birth_date=dt.date(1990, 5, 1), sex="F")
    sound = audit.create(Person, user, name="刘静", birth_date=dt.date(1985, 2, 2), sex="F")
    path = workbook(tmp_path / "p.xlsx", [
        ["姓名", "身份证号", "出生日期", "联系电话", "备注"],
        ["王秀英", old[:6] + old[8:17], None, None, "旧的 15 位号码"],  # row 2
        ["李娜", resident_id("19900501", "024"), None, None, ""],  # row 3: registered without an ID
        ["刘晶", None, "1985-02-02", None, ""],  # row 4: a homophone, same birth date
        ["赵新", resident_id("19930707", "046"), None, None, ""],  # row 5: nobody registered
    ])
    plan = plan_import(read_sheet(path, "people"))
    assert [p.existing_id for p in plan.updates] == [upgraded.id]
    assert plan.updates[0].values["notes"] == "旧的 15 位号码"
    held = {d.row: ([c.id for c in d.candidates], d.reason_text()) for d in plan.possible_duplicates}
    assert held == {3: ([no_id.id], "同名同生日"), 4: ([sound.id], "同生日，姓名同音")}
    assert plan.summary()["possible_duplicates"][0]["reason"] == "同名同生日"
    assert [p.values["name"] for p in plan.new] == ["赵新"]

    decided = plan_import(read_sheet(path, "people"), options=ImportOptions(duplicates={3: no_id.id, 4: 0}))
    assert not decided.possible_duplicates
    apply_import(decided, user)
    li = Person.get_by_id(no_id.id)
    assert li.id_number == resident_id("19900501", "024")  # the ID she had not been given
    assert Person.select().where(Person.name == "刘晶").count() == 1
    assert Person.select().where(Person.name == "王秀英").count() == 1


def test_a_row_naming_a_merged_person_is_applied_to_the_one_kept(ctx, user, tmp_path):
    kept = audit.create(Person, user, name="周小红", birth_date=dt.date(1980, 2, 2), sex="F")
    number = resident_id("19800202", "046")
    dropped = audit.create(Person, user, name="周小红", id_number=number, birth_date=dt.date(1980, 2, 2),
                           sex="F")
    merge("people", kept.id, dropped.id, user, choices={"id_number": "kept"})
    path = workbook(tmp_path / "p.xlsx", [["姓名", "身份证号", "备注"], ["周小红", number, "又来了"]])
    plan = plan_import(read_sheet(path, "people"))
    assert [p.existing_id for p in plan.updates] == [kept.id] and not plan.new


def test_an_organization_named_with_its_preparation_mark_is_held_as_a_rename(ctx, user, tmp_path):
    org = audit.create(Organization, user, name="东关社区巾帼志愿服务队", kind="grassroots")
    path = workbook(tmp_path / "o.xlsx", [["组织名称", "备注"], ["东关社区巾帼志愿服务队（筹）", "新表"],
                                          ["西湖阳光妇女互助会", ""]])
    plan = plan_import(read_sheet(path, "orgs"))
    assert [r.existing_id for r in plan.renames] == [org.id]
    assert [p.values["name"] for p in plan.new] == ["西湖阳光妇女互助会"]


def test_the_command_names_why_a_row_is_held(ctx, user, tmp_path, capsys, database_location):
    from desktop.cli import build_parser
    from desktop.importing.command import run as run_import

    audit.create(Person, user, name="陈丽华", birth_date=dt.date(1978, 8, 8), sex="F")
    ctx.close()
    path = workbook(tmp_path / "p.xlsx", [["姓名", "身份证号"], ["陳麗華", resident_id("19780808", "024")]])
    args = build_parser().parse_args(["import", "people", str(path), "--db", str(database_location)])
    code = run_import(args)
    out = capsys.readouterr().out
    assert code == 1
    assert "第 2 行 陳麗華：可能重复，未登记（同生日，姓名为异体字或繁简字：陈丽华，1978-08-08" in out
