"""What spreadsheet programs make of an office's lists, read back without damage.

The calc-*.xlsx files were typed into LibreOffice Calc and saved by it (tools/make_import_samples.py):
Calc, like Excel and WPS, stores "1983.10" typed in a cell as the number 1983.1, a phone number as a
number, a date typed as 2020/3/8 as a date.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from desktop.cli import build_parser
from desktop.importing import ImportOptions, apply_import, plan_import, read_sheet
from desktop.importing.command import run as run_import
from models.entities import Membership, Organization, Person, Region, ServiceRecord
from models.organizations import OrganizationData, save_organization
from models.people import PersonData, save_person
from models.validators import id_check_char, mask_id_number

DATA = Path(__file__).resolve().parents[1] / "data"


def resident_id(birth: str, serial: int) -> str:
    first17 = f"321002{birth}{serial:03d}"
    return first17 + id_check_char(first17)


def by_row(plan) -> dict[int, str]:
    return {r.row: r.reason_text() for r in plan.rejected}


def workbook(path: Path, rows: list[list], title: str | None = None) -> Path:
    wb = Workbook()
    if title:
        wb.active.append([title])
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


# -- 1. numbers in date columns ----------------------------------------------------------------


def test_a_year_month_number_is_a_year_and_month_not_a_date_serial(ctx, user):
    plan = plan_import(read_sheet(DATA / "calc-birth-months.xlsx", "people"))
    births = {p.row: p.values["birth_date"] for p in plan.new}
    # 1983.1 is 1983.10: the column writes two-digit months (1985.03), so its January would be 1983.01
    assert births == {2: dt.date(1983, 10, 1), 3: dt.date(1985, 3, 1), 4: dt.date(1990, 12, 1)}
    reasons = by_row(plan)
    assert "不能晚于今天" in reasons[5]
    assert "早于 1900 年" in reasons[6]
    assert "加入时间 1970-05-01 早于出生日期 1975-08-01" in reasons[7]
    apply_import(plan, user)
    assert {p.birth_date.year for p in Person.select()} == {1983, 1985, 1990}  # never 1905
    assert Person.get(Person.name == "王秀英").phone == "13812345678"


def test_an_ambiguous_year_month_is_refused_with_a_reason(ctx):
    plan = plan_import(read_sheet(DATA / "calc-birth-ambiguous.xlsx", "people"))
    assert {p.row: p.values["birth_date"] for p in plan.new} == {
        3: dt.date(1990, 11, 1), 4: dt.date(1979, 12, 1)}
    [rejected] = plan.rejected
    assert rejected.row == 2 and rejected.code == "date_ambiguous"
    assert "不能确定是 1983年1月 还是 1983年10月" in rejected.reason_text()


def test_a_csv_saved_by_excel_shows_months_as_numbers_too(ctx, tmp_path):
    path = tmp_path / "出生.csv"
    path.write_text("姓名,出生年月\n甲,1983.1\n乙,1985.03\n丙,1986.1\n", encoding="gb18030")
    plan = plan_import(read_sheet(path, "people"))
    assert [p.values["birth_date"] for p in plan.new] == [dt.date(1983, 10, 1), dt.date(1985, 3, 1),
                                                        dt.date(1986, 10, 1)]
    # typed as text in a workbook, 1983.1 is what was typed: January
    typed = workbook(tmp_path / "typed.xlsx", [["姓名", "出生年月"], ["甲", "1983.1"]])
    assert plan_import(read_sheet(typed, "people")).new[0].values["birth_date"] == dt.date(1983, 1, 1)


def test_a_date_cell_is_a_date_and_a_plain_number_is_not(ctx, tmp_path):
    wb = Workbook()
    wb.active.append(["姓名", "出生日期"])
    wb.active.append(["甲", dt.datetime(1983, 10, 5)])
    wb.active.append(["乙", 30594])  # what a date looks like when its cell lost the date format
    wb.save(tmp_path / "d.xlsx")
    plan = plan_import(read_sheet(tmp_path / "d.xlsx", "people"))
    assert [p.values["birth_date"] for p in plan.new] == [dt.date(1983, 10, 5)]
    assert "是一个数字，不是日期" in plan.rejected[0].reason_text()


# -- 2. several organizations in one cell ------------------------------------------------------


@pytest.fixture
def three_orgs(user):
    return {name: save_organization(OrganizationData(name=name), user).id
            for name in ("阳光协会", "爱心妈妈团", "巾帼志愿服务队")}


def test_several_organizations_in_one_cell_are_each_a_membership(ctx, user, three_orgs):
    plan = plan_import(read_sheet(DATA / "calc-volunteers.xlsx", "people"))
    assert not plan.rejected and plan.created == 3 and not plan.new_organizations
    apply_import(plan, user)
    joined = {p.name: {m.organization.name for m in p.memberships} for p in Person.select()}
    assert joined == {"钱晓燕": {"阳光协会", "爱心妈妈团", "巾帼志愿服务队"},
                      "冯雪梅": {"阳光协会", "爱心妈妈团"}, "韩倩": {"巾帼志愿服务队", "爱心妈妈团"}}
    assert Organization.select().count() == 3
    hours = {r.person.name: r.hours for r in ServiceRecord.select()}
    assert hours == {"钱晓燕": Decimal("27.5"), "冯雪梅": Decimal("12"), "韩倩": Decimal("3")}
    # the roster's 累计服务时长 is a total: importing it again records nothing more
    again = plan_import(read_sheet(DATA / "calc-volunteers.xlsx", "people"))
    assert (again.created, again.updated, len(again.unchanged)) == (0, 0, 3)


def test_with_create_orgs_each_unknown_name_is_one_new_organization(ctx, user):
    plan = plan_import(read_sheet(DATA / "calc-volunteers.xlsx", "people"),
                       options=ImportOptions(create_orgs=True))
    assert sorted(plan.new_organizations) == sorted(["阳光协会", "爱心妈妈团", "巾帼志愿服务队"])


# -- 3. 职务 of an organization roster -------------------------------------------------------------


def test_an_organization_rosters_duty_is_the_membership_role(ctx, user, three_orgs):
    sunny = three_orgs["阳光协会"]
    bai = save_person(PersonData(name="白彩月", id_number=resident_id("19680215", 28), phone="13800001111",
                                 is_cadre=True, cadre_title="妇联兼职副主席"), user)
    Membership.create(person=bai, organization=sunny, role="member", start_on=dt.date(2020, 1, 1))
    plan = plan_import(read_sheet(DATA / "calc-org-roster.xlsx", "people"))
    assert plan.roster is not None and (plan.roster.kind, plan.roster.target) == ("organization", "阳光协会")
    assert plan.unchanged == [4] and plan.created == 2 and not plan.rejected
    apply_import(plan, user)
    assert Person.get_by_id(bai.id).cadre_title == "妇联兼职副主席"
    roles = {m.person.name: m.role for m in Membership.select().where(Membership.organization == sunny)}
    assert roles == {"白彩月": "member", "孙丽": "leader", "周芳": "core"}


def test_outside_a_roster_a_duty_that_is_no_membership_role_is_the_federation_post(ctx, user, tmp_path):
    path = workbook(tmp_path / "p.xlsx", [["姓名", "身份证号", "职务"],
                                          ["甲", resident_id("19700101", 2), "妇联执委"]])
    apply_import(plan_import(read_sheet(path, "people")), user)
    person = Person.get()
    assert person.cadre_title == "妇联执委" and person.is_cadre


# -- 4. people without ID or phone -------------------------------------------------------------


def test_people_without_id_or_phone_are_not_duplicated_on_reimport(ctx, user, tmp_path):
    town = Region.create(name="湾头镇", level="township")
    path = DATA / "calc-people-no-id.xlsx"
    apply_import(plan_import(read_sheet(path, "people")), user)
    again = plan_import(read_sheet(path, "people"))
    assert (again.created, again.updated, sorted(again.unchanged)) == (0, 0, [2, 3])
    assert Person.select().count() == 2
    assert Person.get(Person.name == "李娜").region_id == town.id


def test_a_person_who_may_be_someone_registered_waits_for_a_decision(ctx, user, tmp_path):
    registered = save_person(PersonData(name="王芳"), user)
    path = workbook(tmp_path / "p.xlsx", [["姓名", "备注"], ["王芳", "新来的"]])
    plan = plan_import(read_sheet(path, "people"))
    assert plan.created == 0 and [d.row for d in plan.possible_duplicates] == [2]
    assert plan.possible_duplicates[0].candidates[0].id == registered.id
    assert plan.summary()["possible_duplicates"][0]["name"] == "王芳"
    same = plan_import(read_sheet(path, "people"), options=ImportOptions(duplicates={2: registered.id}))
    assert [p.existing_id for p in same.updates] == [registered.id]
    new = plan_import(read_sheet(path, "people"), options=ImportOptions(duplicates={2: 0}))
    assert new.created == 1


def test_the_cli_lists_possible_duplicates_and_creates_them_only_when_told(tmp_path, capsys, ctx, user,
                                                                           database_location):
    save_person(PersonData(name="王芳"), user)
    db = database_location  # the file, or the database on the test server
    ctx.close()
    path = workbook(tmp_path / "p.xlsx", [["姓名", "备注"], ["王芳", ""]])

    def run(*extra):
        code = run_import(build_parser().parse_args(["import", "people", str(path), "--db", str(db), *extra]))
        return code, capsys.readouterr().out

    code, out = run()
    assert code == 1 and "可能重复" in out and "--create-possible-duplicates" in out
    code, out = run("--json")
    assert json.loads(out)["possible_duplicates"][0]["row"] == 2
    code, out = run("--create-possible-duplicates")
    assert code == 0 and "新建 1 条" in out


# -- 5. columns the program's own lists write --------------------------------------------------


def test_the_titles_the_program_exports_are_recognised(ctx):
    from desktop.importing.columns import detect_mapping
    orgs = detect_mapping("orgs", ["组织名称", "简称", "类型", "统一社会信用代码", "孵化阶段", "阶段起始",
                                   "所属镇（街道）", "服务领域", "联盟成员", "联系人", "联系电话",
                                   "更新时间"])
    assert set(orgs) == {"name", "short_name", "kind", "credit_code", "stage", "stage_on", "township",
                         "service_areas", "alliance_member", "contact_person", "contact_phone"}
    people = detect_mapping("people", ["姓名", "性别", "出生日期", "身份证号", "联系电话", "角色",
                                       "所属镇（街道）", "社工等级", "所在组织", "所在镇（街道）",
                                       "累计服务时长（小时）"])
    assert {"township", "organization", "hours_total", "role"} <= set(people)


def test_stage_dates_are_kept(ctx, user, tmp_path):
    apply_import(plan_import(read_sheet(DATA / "calc-orgs-stage.xlsx", "orgs")), user)
    org = Organization.get()
    assert (org.incubation_stage, org.stage_since) == ("startup", dt.date(2024, 5, 6))
    assert org.alliance_member and org.contact_phone == "13800002222"
    again = plan_import(read_sheet(DATA / "calc-orgs-stage.xlsx", "orgs"))
    assert again.unchanged == [2]


# -- 6. masked ID numbers ----------------------------------------------------------------------


def test_a_masked_id_is_named_and_matches_the_registered_person(ctx, user, tmp_path):
    number = resident_id("19800101", 24)
    save_person(PersonData(name="王芳", id_number=number, phone="13800000000"), user)
    path = DATA / "calc-masked-ids.xlsx"  # 王芳's and 李娜's numbers, masked as exports show them
    assert read_sheet(path, "people").row(2)[1] == mask_id_number(number)
    plan = plan_import(read_sheet(path, "people"))
    [update] = plan.updates
    assert update.values["id_number"] == number and update.values["phone"] == "13900000000"
    [rejected] = plan.rejected
    assert rejected.code == "id_masked" and "遮蔽" in rejected.reason_text()
    assert "只能由数字组成" not in rejected.reason_text()


# -- 7. columns not imported -------------------------------------------------------------------


def test_every_column_not_imported_is_named_and_can_be_mapped(ctx, user, tmp_path, capsys, database_location):
    path = DATA / "calc-variant-titles.xlsx"
    sheet = read_sheet(path, "people")
    assert sheet.guessed == {"hours": 2}  # contains 服务时长: guessed, and said so
    plan = plan_import(sheet)
    assert [c.title for c in plan.ignored] == ["序号", "家庭住址"]
    summary = plan.summary()
    assert summary["guessed_columns"] == [{"column": "志愿者服务时长", "field": "服务时长"}]
    assert any("家庭住址" in c for c in summary["ignored_columns"])
    db = database_location  # the file, or the database on the test server
    ctx.close()
    args = ["import", "people", str(path), "--db", str(db), "--dry-run"]
    run_import(build_parser().parse_args(args))
    out = capsys.readouterr().out
    assert "“志愿者服务时长”列作为“服务时长”导入" in out and "未导入的列：序号" in out and "家庭住址" in out
    run_import(build_parser().parse_args([*args, "--map", "家庭住址=备注", "--map", "志愿者服务时长="]))
    out = capsys.readouterr().out
    assert "家庭住址" not in out.split("未导入的列")[-1].split("\n")[0] or "未导入的列" not in out
    assert "志愿者服务时长（" in out
    code = run_import(build_parser().parse_args([*args, "--map", "家庭住址=住址"]))
    assert code == 2 and "不是可导入的人员项" in capsys.readouterr().err


# -- 8. renames --------------------------------------------------------------------------------


def test_a_changed_name_is_shown_and_applied_only_when_allowed(ctx, user, tmp_path, capsys,
                                                               database_location):
    number = resident_id("19750901", 46)
    bai = save_person(PersonData(name="白彩月", id_number=number, phone="13800000000"), user)
    path = DATA / "calc-renamed.xlsx"
    plan = plan_import(read_sheet(path, "people"))
    assert plan.updated == 0 and [p.row for p in plan.renames] == [2]
    assert ("name", "白彩月", "孙丽") in plan.renames[0].changes()
    assert ("phone", "13800000000", "13811112222") in plan.renames[0].changes()
    db = database_location  # the file, or the database on the test server
    ctx.close()
    args = ["import", "people", str(path), "--db", str(db)]
    code = run_import(build_parser().parse_args(args))
    out = capsys.readouterr().out
    assert code == 1 and "姓名：白彩月 → 孙丽" in out and "--allow-rename" in out
    code = run_import(build_parser().parse_args([*args, "--allow-rename"]))
    assert code == 0 and "更新 1 条" in capsys.readouterr().out
    from desktop.context import build_context
    again = build_context(db)
    try:
        assert Person.get_by_id(bai.id).name == "孙丽"
    finally:
        again.close()
