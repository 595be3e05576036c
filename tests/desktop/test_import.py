"""Importing the office's sheets, as a user does it: read, preview, import, undo."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from desktop.importing import (
    ImportOptions,
    SheetError,
    UndoRefused,
    apply_import,
    list_batches,
    plan_import,
    read_sheet,
    save_rejected,
    save_template,
    undo_batch,
)
from desktop.reports.output import Cancelled, Job
from models import audit
from models.db import database
from models.entities import (
    Activity,
    AuditEntry,
    Certificate,
    ImportBatch,
    ImportBatchItem,
    Membership,
    Organization,
    OrganizationServiceArea,
    OrganizationStage,
    Person,
    Region,
    ServiceRecord,
    Team,
    TeamAssignment,
)
from models.organizations import OrganizationData, save_organization
from models.validators import id_check_char

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = Path(__file__).resolve().parents[1] / "data"
COUNTED = (Person, Organization, Membership, TeamAssignment, Activity, ServiceRecord, OrganizationStage,
           OrganizationServiceArea, Certificate)


def samples_dir() -> Path:
    """The two legacy workbooks offices brought, and which of their rows are valid and why not."""
    return SAMPLES


def counts() -> dict[str, int]:
    return {m.__name__: m.select().count() for m in COUNTED}


def valid_id(born: str, serial: int, female: bool = True) -> str:
    first17 = f"321002{born}{serial:02d}{(serial % 5) * 2 + (0 if female else 1)}"
    return first17 + id_check_char(first17)


HEADER = ["序号", "姓 名", "身份证号码", "手机", "单位", "身份", "加入日期", "时长（小时）"]


def people_workbook(path: Path, rows: list[list], title_rows: int = 2) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    for i in range(title_rows):
        ws.append([f"标题行 {i + 1}"])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


# -- the sample workbooks -------------------------------------------------------------------


@pytest.mark.parametrize("name, kind", [("legacy-orgs.xlsx", "orgs"), ("legacy-volunteers.xlsx", "people")])
def test_sample_workbooks_agree_with_expected_row_by_row(ctx, name, kind):
    folder = samples_dir()
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))[name]
    sheet = read_sheet(folder / name, kind)
    assert sheet.header_row == expected["header_row"]
    if "sheet" in expected:
        assert sheet.sheet == expected["sheet"]
    plan = plan_import(sheet, options=ImportOptions(create_orgs=True))
    valid = {p.row for p in plan.new + plan.updates}
    rejected = {r.row: r for r in plan.rejected}
    for row in expected["rows"]:
        if row["valid"]:
            assert row["row"] in valid, (row, rejected.get(row["row"]))
        else:
            assert rejected[row["row"]].code == row["reason"], row
            assert rejected[row["row"]].reason_text()  # a Chinese reason for the user
    listed = {r["row"] for r in expected["rows"]}
    assert valid | set(rejected) == listed
    for ignorable in expected.get("ignorable_rows", []):
        assert ignorable not in valid | set(rejected)
    assert plan.rows == len(listed)


def test_sample_volunteers_import_with_memberships_roles_and_hours(ctx, user):
    folder = samples_dir()
    plan = plan_import(read_sheet(folder / "legacy-orgs.xlsx", "orgs"))
    apply_import(plan, user)
    sheet = read_sheet(folder / "legacy-volunteers.xlsx", "people")
    plan = plan_import(sheet, options=ImportOptions(create_orgs=True, hours_on=dt.date(2024, 12, 31)))
    batch = apply_import(plan, user)
    assert batch.created == Person.select().count() == len(plan.new)
    # 湾头镇巾帼志愿服务队 had a bad credit code in the organizations sheet: created as grassroots now.
    assert plan.new_organizations == ["湾头镇巾帼志愿服务队"]
    assert Organization.get(Organization.name == "湾头镇巾帼志愿服务队").kind == "grassroots"
    fullwidth = Person.get(Person.id_number_is("321002197206066700"))  # typed with full-width digits
    assert fullwidth.name == "夏红" and fullwidth.sex == "F" and fullwidth.birth_date == dt.date(1972, 6, 6)
    spaced = Person.get(Person.id_number_is("321002198210231734"))  # spaces around, sex 男 from the ID
    assert spaced.sex == "M"
    assert Person.get(Person.id_number_is("321002196009124663")).phone == "18106043158"  # 181 0604 3158
    assert Person.get(Person.id_number_is("321002198809131385")).phone == "14308136896"  # +86 …
    assert Person.get(Person.id_number_is("321002197203097042")).phone == "0514-83780463"
    guo = Person.get(Person.id_number_is("321002197311180863"))
    assert guo.is_volunteer
    membership = Membership.get(Membership.person == guo)
    assert membership.start_on == dt.date(2023, 8, 1) and membership.role == "member"  # 2023年8月1日
    assert Membership.get(Membership.person == Person.get(
        Person.id_number_is("321002195909011643"))).start_on == dt.date(2020, 3, 22)  # 2020.3.22
    tang = Person.get(Person.id_number_is("321002198806129482"))
    assert ServiceRecord.get(ServiceRecord.person == tang).hours == Decimal("57.0")  # "57.0小时"
    assert {a.held_on for a in Activity.select()} == {dt.date(2024, 12, 31)}
    assert Person.get(Person.id_number_is("321002196903165224")).is_cadre  # 妇联干部
    assert ImportBatchItem.select().where(ImportBatchItem.batch == batch).count() > batch.created
    entry = AuditEntry.get((AuditEntry.entity == "person") & (AuditEntry.entity_id == guo.id))
    assert entry.action == "create" and "membership" in json.loads(entry.changes)


# -- sources --------------------------------------------------------------------------------


TWIN_ROWS = [
    [1, "张  三", "１１０１０５１９４９１２３１００２ｘ", "+86 138-1234-5678", "爱心妈妈团", "义工",
     "2021.3.5", "12.5"],
    [2, "李四", valid_id("19850214", 11), "0514-87654321", "爱心妈妈团", "负责人、社工", "2021年3月5日", ""],
    [3, "王五", valid_id("19900101", 22), "139 0000 1111", "", "志愿者", "2021/3/5", "3"],
    [4, "赵六", "110105194912310021", "13800001111", "爱心妈妈团", "义工", "", "-1"],
    [5, "钱七", valid_id("19700707", 33), "1381234", "爱心妈妈团", "义工", "", ""],
    [6, "孙八", "11010519491231002X", "13800002222", "", "义工", "", ""],
    [None, None, None, None, None, None, None, None],
    ["合计", None, None, None, None, None, None, "14.5"],
    ["填表人：张敏", None, None, None, "审核人：李芳"],
]


def test_a_gb18030_csv_imports_the_same_as_its_xlsx_twin(ctx, user, tmp_path):
    save_organization(OrganizationData(name="爱心妈妈团"), user)
    xlsx = people_workbook(tmp_path / "twin.xlsx", TWIN_ROWS)
    csv_path = tmp_path / "twin.csv"
    with open(csv_path, "w", encoding="gb18030", newline="") as f:
        writer = csv.writer(f)
        writer.writerows([["标题行 1"], ["标题行 2"], HEADER])
        writer.writerows([["" if v is None else v for v in row] for row in TWIN_ROWS])
    assert csv_path.read_bytes().decode("gb18030")  # really GB18030, not UTF-8
    with pytest.raises(UnicodeDecodeError):
        csv_path.read_bytes().decode("utf-8")
    plans = [plan_import(read_sheet(p, "people")) for p in (xlsx, csv_path)]
    for plan in plans:
        assert plan.sheet.header_row == 3
        assert plan.rows == 6
    assert plans[0].summary() == plans[1].summary()
    xlsx_rows, csv_rows = ([(p.row, p.values, p.organization, p.membership_role, p.joined_on, p.hours)
                            for p in plan.new] for plan in plans)
    assert xlsx_rows == csv_rows
    summary = plans[1].summary()
    assert [(r["row"], r["column"]) for r in summary["rejected"]] == [(7, "时长（小时）"), (8, "手机"),
                                                                 (9, "身份证号码")]
    assert "第 4 行" in summary["rejected"][2]["reason"]  # the same person as row 4 (x → X)
    first = plans[1].new[0]
    assert first.values["id_number"] == "11010519491231002X" and first.values["name"] == "张三"
    assert first.values["phone"] == "13812345678" and first.joined_on == dt.date(2021, 3, 5)
    li = plans[1].new[1]
    assert li.membership_role == "leader" and li.values["is_social_worker"]
    batch = apply_import(plans[1], user)
    assert (batch.created, batch.rejected) == (3, 3)


def test_utf8_csv_with_and_without_bom(ctx, tmp_path):
    rows = "姓名,身份证号\n张三,11010519491231002X\n"
    for encoding in ("utf-8", "utf-8-sig"):
        path = tmp_path / f"{encoding}.csv"
        path.write_text(rows, encoding=encoding)
        sheet = read_sheet(path, "people")
        assert sheet.header == ["姓名", "身份证号"]
        assert plan_import(sheet).new[0].values["name"] == "张三"


def test_ids_excel_stored_as_numbers_are_refused_as_damaged(ctx, tmp_path):
    path = people_workbook(tmp_path / "numbers.xlsx", [
        [1, "甲", 110105194912310020, "13800000000"],
        [2, "乙", 1.10105194912310e17, "13800000001"],
        [3, "丙", "1.10105E+17", "13800000002"],
    ])
    plan = plan_import(read_sheet(path, "people"))
    assert [r.code for r in plan.rejected] == ["id_stored_as_number"] * 3
    assert "文本" in plan.rejected[0].reason_text()


@pytest.mark.parametrize("name, content, expected", [
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "另存为"),
    ("wps.et", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "WPS"),
    ("sheet.numbers", b"PK\x03\x04rest", "Numbers"),
    ("picture.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "不是有效的 Excel 工作簿"),
    ("empty.xlsx", b"", "空文件"),
    ("locked.xlsx", (SAMPLES / "encrypted.xlsx").read_bytes(), "打开密码"),  # an OLE file, like an .xls
    ("empty.csv", b"", "空文件"),
    ("binary.csv", b"\x89PNG\r\n\x1a\n\0\0\0", "不是文本格式"),
    ("notes.docx", b"PK\x03\x04", "另存为"),
])
def test_unreadable_files_get_a_message_saying_what_to_do(ctx, tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SheetError) as caught:
        read_sheet(path, "people")
    assert expected in str(caught.value.message)


def test_a_truncated_workbook_gets_a_message(ctx, tmp_path):
    whole = people_workbook(tmp_path / "whole.xlsx", [[1, "甲", "11010519491231002X"]])
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(SheetError) as caught:
        read_sheet(cut, "people")
    assert "已损坏" in str(caught.value.message) and "另存为" in str(caught.value.message)


def test_a_missing_sheet_or_header_is_explained(ctx, tmp_path):
    path = people_workbook(tmp_path / "p.xlsx", [[1, "甲", "11010519491231002X"]])
    with pytest.raises(SheetError, match="没有名为“其他”的工作表"):
        read_sheet(path, "people", sheet="其他")
    with pytest.raises(SheetError, match="看起来是人员名单，不是社会组织名单：请把导入类型改为“人员”"):
        read_sheet(path, "orgs")
    wb = Workbook()
    wb.active.append(["这张表", "没有表头"])
    wb.save(tmp_path / "none.xlsx")
    with pytest.raises(SheetError, match="找不到表头"):
        read_sheet(tmp_path / "none.xlsx", "people")


def test_sheet_choice_by_name(ctx, tmp_path):
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["请按模板填写"])
    second = wb.create_sheet("二季度")
    second.append(["姓名", "身份证号"])
    second.append(["甲", "11010519491231002X"])
    third = wb.create_sheet("三季度")
    third.append(["姓名", "身份证号"])
    third.append(["乙", valid_id("19800101", 12)])
    wb.save(tmp_path / "q.xlsx")
    assert read_sheet(tmp_path / "q.xlsx", "people").sheet == "二季度"  # the first with a header
    chosen = read_sheet(tmp_path / "q.xlsx", "people", sheet="三季度")
    assert chosen.sheet_names == ["说明", "二季度", "三季度"]
    assert plan_import(chosen).new[0].values["name"] == "乙"


def test_reading_reports_progress_can_be_cancelled_and_the_header_row_can_be_given(ctx, tmp_path):
    rows = [[i, f"人{i}", valid_id("19800101", i % 90)] for i in range(1, 4500)]
    path = people_workbook(tmp_path / "p.xlsx", rows, title_rows=0)
    seen = []
    sheet = read_sheet(path, "people", job=Job(lambda done, total: seen.append((done, total))))
    assert seen[0] == (2000, 4500) and len(sheet.rows) == 4500
    cancelled = Job()
    cancelled.cancel()
    with pytest.raises(Cancelled):
        read_sheet(path, "people", job=cancelled)
    with pytest.raises(SheetError, match="超出"):
        read_sheet(path, "people", header_row=9999)
    assert read_sheet(path, "people", header_row=2).header[1] == "人1"


# -- mapping --------------------------------------------------------------------------------


def test_a_corrected_mapping_is_remembered_for_the_same_header(ctx, user, tmp_path):
    path = tmp_path / "odd.xlsx"
    wb = Workbook()
    wb.active.append(["姓名", "资料", "电话号码"])
    wb.active.append(["甲", "11010519491231002X", "13800000000"])
    wb.save(path)
    sheet = read_sheet(path, "people")
    assert sheet.mapping == {"name": 0, "phone": 2} and not sheet.mapping_remembered
    assert [c.title for c in plan_import(sheet).ignored] == ["资料"]
    apply_import(plan_import(sheet, {"name": 0, "id_number": 1, "phone": 2}), user)
    assert Person.get().id_number == "11010519491231002X"
    again = read_sheet(path, "people")
    assert again.mapping_remembered and again.mapping == {"name": 0, "id_number": 1, "phone": 2}


# -- matching and updating ------------------------------------------------------------------


def test_existing_people_are_updated_or_skipped(ctx, user, tmp_path):
    number = valid_id("19800101", 12)
    first = people_workbook(tmp_path / "a.xlsx", [[1, "甲", number, "13800000000", "", "义工"]])
    apply_import(plan_import(read_sheet(first, "people")), user)
    second = people_workbook(tmp_path / "b.xlsx", [[1, "甲", number, "13900000000", "", "社工"]])
    skipping = plan_import(read_sheet(second, "people"), options=ImportOptions(update_existing=False))
    assert (skipping.created, skipping.updated, skipping.skipped) == (0, 0, [4])
    plan = plan_import(read_sheet(second, "people"))
    assert (plan.created, plan.updated) == (0, 1)
    batch = apply_import(plan, user)
    person = Person.get()
    assert person.phone == "13900000000" and person.is_volunteer and person.is_social_worker
    again = plan_import(read_sheet(second, "people"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, [4])
    assert phone_finds("13900000000") == [person.id] and phone_finds("13800000000") == []
    assert Person.select().where(Person.id_number_is(number)).count() == 1  # updated, not duplicated
    stored = database.execute_sql("SELECT before FROM import_batch_item WHERE batch_id = "
                                  f"{database.param}", (batch.id,)).fetchone()[0]
    assert stored.startswith("e1:") and "13800000000" not in stored  # the undo snapshot is encrypted
    undo_batch(batch.id, user)
    person = Person.get()
    assert person.phone == "13800000000" and not person.is_social_worker
    assert phone_finds("13800000000") == [person.id] and phone_finds("13900000000") == []


def phone_finds(phone: str) -> list[int]:
    """Whom the People list finds by a whole phone (its keyed hash, written by the bulk paths)."""
    from models.person_listing import PersonFilter, PersonListing

    return [row.id for row in PersonListing().fetch(PersonFilter(text=phone), None, False, 0, 10)]


def test_undoing_updates_puts_back_every_changed_value_and_records_it(ctx, user, tmp_path):
    numbers = [valid_id("19800101", 10 + i) for i in range(30)]
    first = people_workbook(tmp_path / "a.xlsx", [[i, f"王{i}", n, f"1380000{i:04d}", "", "义工"]
                                                  for i, n in enumerate(numbers)])
    apply_import(plan_import(read_sheet(first, "people")), user)
    before = {p.id_number: (p.name, p.name_key, p.phone, p.is_social_worker) for p in Person.select()}
    second = people_workbook(tmp_path / "b.xlsx", [[i, f"张{i}", n, f"1390000{i:04d}", "", "社工"]
                                                   for i, n in enumerate(numbers)])
    held = plan_import(read_sheet(second, "people"))
    assert (held.updated, len(held.renames)) == (0, 30)  # a new name for the same ID waits for a yes
    batch = apply_import(plan_import(read_sheet(second, "people"),
                                     options=ImportOptions(allow_renames=True)), user)
    assert {p.name[0] for p in Person.select()} == {"张"}

    undo_batch(batch.id, user)

    after = {p.id_number: (p.name, p.name_key, p.phone, p.is_social_worker) for p in Person.select()}
    assert after == before  # the sort key too
    undone_at = ImportBatch.get_by_id(batch.id).undone_at
    assert undone_at is not None and {p.updated_at for p in Person.select()} == {undone_at}
    lines = list(AuditEntry.select().where((AuditEntry.entity == "person")
                                           & AuditEntry.summary.startswith(f"撤销导入 #{batch.id}")))
    assert len(lines) == 30
    changes = json.loads(next(e for e in lines if e.entity_id == Person.get(Person.name == "王7").id).changes)
    assert changes["name"] == ["张7", "王7"] and changes["phone"] == ["13900000007", "13800000007"]
    assert changes["is_social_worker"] == [True, False]


def test_without_an_id_the_same_name_and_phone_is_the_same_person(ctx, user, tmp_path):
    path = people_workbook(tmp_path / "no-id.xlsx", [
        [1, "甲", "", "138 0000 0000", "", "义工"],
        [2, "乙", None, "13800000001"],
        [3, "甲", None, "+86 13800000000"],
    ])
    plan = plan_import(read_sheet(path, "people"))
    assert [(r.row, r.code) for r in plan.rejected] == [(6, "duplicate_in_file")]
    assert "第 4 行" in plan.rejected[0].reason_text()
    apply_import(plan, user)
    again = people_workbook(tmp_path / "again.xlsx", [[1, "甲", "", "13800000000", "", "社工"]])
    plan = plan_import(read_sheet(again, "people"))
    assert (plan.created, plan.updated) == (0, 1)
    apply_import(plan, user)
    person = Person.get(Person.name == "甲")
    assert person.is_volunteer and person.is_social_worker and Person.select().count() == 2


def test_organizations_match_by_credit_code_or_name(ctx, user, tmp_path):
    code = "52321002A0FGG1021A"
    save_organization(OrganizationData(name="旧名称", kind="registered", legal_form="service_org",
                                       credit_code=code), user)
    save_organization(OrganizationData(name="爱心妈妈团"), user)
    wb = Workbook()
    wb.active.append(["组织名称", "统一社会信用代码", "负责人", "联系电话", "服务领域"])
    wb.active.append(["新名称", code, "雷玉", "15343311813", "青少年服务、家庭教育"])
    wb.active.append(["爱心妈妈团", None, "武娜", None, None])
    wb.active.append(["新来的组织", None, None, None, "未知领域"])
    wb.save(tmp_path / "orgs.xlsx")
    held = plan_import(read_sheet(tmp_path / "orgs.xlsx", "orgs"))
    assert [p.row for p in held.renames] == [2] and [p.row for p in held.updates] == [3]
    assert held.renames[0].changes()[0] == ("name", "旧名称", "新名称")
    plan = plan_import(read_sheet(tmp_path / "orgs.xlsx", "orgs"), options=ImportOptions(allow_renames=True))
    assert [p.row for p in plan.updates] == [2, 3] and plan.created == 0
    assert plan.rejected[0].code == "service_area_unknown"
    batch = apply_import(plan, user)
    renamed = Organization.get(Organization.credit_code == code)
    assert renamed.name == "新名称" and renamed.contact_person == "雷玉"
    links = OrganizationServiceArea.select().where(OrganizationServiceArea.organization == renamed)
    assert links.count() == 2
    line = AuditEntry.get((AuditEntry.entity == "organization") & (AuditEntry.entity_id == renamed.id)
                          & AuditEntry.summary.startswith(f"导入 #{batch.id}"))
    assert {"name", "contact_person", "service_areas"} <= set(json.loads(line.changes))
    undo_batch(batch.id, user)
    renamed = Organization.get(Organization.credit_code == code)
    assert renamed.name == "旧名称" and renamed.contact_person == ""
    assert OrganizationServiceArea.select().count() == 0


def test_unknown_organization_rejects_the_row_unless_created_as_grassroots(ctx, user, tmp_path):
    row = [1, "甲", valid_id("19800101", 12), "", "新的互助会", "骨干"]
    path = people_workbook(tmp_path / "p.xlsx", [row])
    plan = plan_import(read_sheet(path, "people"))
    assert plan.rejected[0].code == "organization_unknown" and "草根组织" in plan.rejected[0].reason_text()
    plan = plan_import(read_sheet(path, "people"), options=ImportOptions(create_orgs=True))
    apply_import(plan, user)
    org = Organization.get(Organization.name == "新的互助会")
    assert org.kind == "grassroots"
    assert Membership.get().role == "core"


def test_team_roles_come_from_the_role_cell(ctx, user, tmp_path):
    town = Region.create(name="东关街道", level="township")
    team = Team.create(name="东关三工联动团队", region=town)
    wb = Workbook()
    wb.active.append(["姓名", "身份证号", "所属团队", "角色"])
    wb.active.append(["甲", valid_id("19800101", 12), "东关三工联动团队", "妇工、义工"])
    wb.active.append(["乙", valid_id("19800101", 13), "东关三工联动团队", ""])
    wb.active.append(["丙", valid_id("19800101", 14), "没有的团队", "义工"])
    wb.save(tmp_path / "t.xlsx")
    plan = plan_import(read_sheet(tmp_path / "t.xlsx", "people"))
    assert [r.code for r in plan.rejected] == ["role_missing", "team_unknown"]
    apply_import(plan, user)
    assert sorted(a.role for a in TeamAssignment.select().where(TeamAssignment.team == team)) == [
        "cadre", "volunteer"]


def test_a_social_worker_joins_a_team_only_with_a_certificate_level(ctx, user, tmp_path):
    town = Region.create(name="东关街道", level="township")
    team = Team.create(name="东关三工联动团队", region=town)
    wb = Workbook()
    wb.active.append(["姓名", "身份证号", "所属团队", "角色", "社工等级"])
    wb.active.append(["甲", valid_id("19800101", 12), "东关三工联动团队", "社工", "社会工作师"])
    wb.active.append(["乙", valid_id("19800101", 13), "东关三工联动团队", "社工", ""])
    wb.save(tmp_path / "t.xlsx")
    plan = plan_import(read_sheet(tmp_path / "t.xlsx", "people"))
    assert [r.code for r in plan.rejected] == ["social_worker_uncertified"]
    assert "社工证书等级" in plan.rejected[0].reason_text()
    apply_import(plan, user)
    assert [(a.person.name, a.role) for a in TeamAssignment.select().where(TeamAssignment.team == team)] == [
        ("甲", "social_worker")]


# -- all or nothing -------------------------------------------------------------------------


def big_csv(path: Path, rows: int) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["姓名", "身份证号", "联系电话", "所属组织", "角色", "服务时长"])
        for i in range(rows):
            first17 = f"3210021980{1 + i // 28 % 12:02d}{1 + i % 28:02d}{i // 336 % 1000:03d}"
            writer.writerow([f"人员{i}", first17 + id_check_char(first17), f"138{i:08d}", "爱心妈妈团",
                             "义工", "2.5"])
    return path


def test_an_error_at_row_30000_leaves_the_database_unchanged(ctx, user, tmp_path, monkeypatch):
    import desktop.importing.apply as apply_module

    save_organization(OrganizationData(name="爱心妈妈团"), user)
    before, audit_before = counts(), AuditEntry.select().count()
    plan = plan_import(read_sheet(big_csv(tmp_path / "big.csv", 30_000), "people"))
    assert plan.created == 30_000 and not plan.rejected
    real_note = apply_module._Writer.note
    calls = []

    def failing_note(self, *args):
        calls.append(1)
        if len(calls) == 30_000 * 2:  # membership and hours of row 30,000: after every insert but the log
            assert Person.select().count() == before["Person"] + 30_000  # really written, then undone
            raise RuntimeError("disk unplugged")
        return real_note(self, *args)

    monkeypatch.setattr(apply_module._Writer, "note", failing_note)
    with pytest.raises(RuntimeError, match="disk unplugged"):
        apply_import(plan, user)
    assert counts() == before and AuditEntry.select().count() == audit_before
    assert ImportBatch.select().count() == 0 and ImportBatchItem.select().count() == 0


def test_a_cancelled_import_writes_nothing(ctx, user, tmp_path):
    rows = [[i, f"人{i}", valid_id("19800101", i)] for i in range(1, 30)]
    path = people_workbook(tmp_path / "p.xlsx", rows)
    plan = plan_import(read_sheet(path, "people"))
    job = Job(lambda done, total: job.cancel())
    with pytest.raises(Cancelled):
        apply_import(plan, user, job)
    assert Person.select().count() == 0 and ImportBatch.select().count() == 0


def test_an_import_cancelled_while_its_people_are_written_writes_nothing(ctx, user, tmp_path):
    """The rows stream to the database as they are made (COPY on a server); a cancel between two
    rows of that stream leaves nothing behind, and the next import works."""
    born = [dt.date(1970, 1, 1) + dt.timedelta(days=i) for i in range(2100)]
    rows = [[i, f"人{i}", valid_id(f"{day:%Y%m%d}", i % 90 + 10)] for i, day in enumerate(born, start=1)]
    plan = plan_import(read_sheet(people_workbook(tmp_path / "p.xlsx", rows), "people"))
    assert plan.created == 2100
    steps = []
    job = Job(lambda done, total: steps.append(done))
    job.cancel()  # the first report is made after the first 2000 people went out
    with pytest.raises(Cancelled):
        apply_import(plan, user, job)
    assert Person.select().count() == 0 and ImportBatch.select().count() == 0 and steps == []
    assert apply_import(plan, user).created == 2100
    assert Person.select().count() == 2100


def test_a_plan_made_stale_by_other_writes_is_checked_again(ctx, user, tmp_path):
    number = valid_id("19800101", 12)
    path = people_workbook(tmp_path / "p.xlsx", [[1, "甲", number]])
    plan = plan_import(read_sheet(path, "people"))
    assert plan.created == 1
    audit.create(Person, user, name="甲", id_number=number)  # registered meanwhile, by hand
    batch = apply_import(plan, user)
    assert (batch.created, Person.select().count()) == (0, 1)


# -- undo -----------------------------------------------------------------------------------


def test_undoing_a_batch_restores_the_counts_before_it(ctx, user):
    folder = samples_dir()
    apply_import(plan_import(read_sheet(folder / "legacy-orgs.xlsx", "orgs")), user)
    before = counts()
    plan = plan_import(read_sheet(folder / "legacy-volunteers.xlsx", "people"),
                       options=ImportOptions(create_orgs=True))
    batch = apply_import(plan, user)
    assert counts() != before
    undo_batch(batch.id, user)
    assert counts() == before
    history = list_batches()
    assert [b.kind for b in history] == ["people", "orgs"]
    assert history[0].undone_at is not None and history[0].created == len(plan.new)
    with pytest.raises(UndoRefused, match="撤销过了"):
        undo_batch(batch.id, user)
    assert AuditEntry.select().where(AuditEntry.action == "delete").count() > 0


def test_undo_is_refused_when_an_imported_person_is_used_since(ctx, user, tmp_path):
    path = people_workbook(tmp_path / "p.xlsx", [[1, "甲", valid_id("19800101", 12)]])
    batch = apply_import(plan_import(read_sheet(path, "people")), user)
    person = Person.get()
    Certificate.create(number="2025-0001", year=2025, serial=1, person=person,
                       period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 6, 30),
                       hours=Decimal("3"), issued_on=dt.date(2025, 7, 1))
    with pytest.raises(UndoRefused, match="已被其他记录引用"):
        undo_batch(batch.id, user)
    assert Person.select().count() == 1 and ImportBatch.get().undone_at is None


def test_undo_is_refused_when_an_imported_person_was_edited_since(ctx, user, tmp_path):
    path = people_workbook(tmp_path / "p.xlsx", [[1, "甲", valid_id("19800101", 12)]])
    batch = apply_import(plan_import(read_sheet(path, "people")), user)
    audit.update(Person.get(), user, phone="13800000000")
    with pytest.raises(UndoRefused, match="修改过"):
        undo_batch(batch.id, user)
    assert Person.select().count() == 1


def test_an_earlier_batch_is_undone_only_after_a_later_one_that_changed_its_records(ctx, user, tmp_path):
    number = valid_id("19800101", 12)
    first = apply_import(plan_import(read_sheet(
        people_workbook(tmp_path / "a.xlsx", [[1, "甲", number, "13800000000"]]), "people")), user)
    second = apply_import(plan_import(read_sheet(
        people_workbook(tmp_path / "b.xlsx", [[1, "甲", number, "13900000000"]]), "people")), user)
    assert second.updated == 1
    with pytest.raises(UndoRefused, match=f"第 {second.id} 批导入"):
        undo_batch(first.id, user)
    undo_batch(second.id, user)
    assert Person.get().phone == "13800000000"
    undo_batch(first.id, user)
    assert Person.select().count() == 0


# -- files for the user ---------------------------------------------------------------------


def test_rejected_rows_are_saved_with_their_reasons(ctx, tmp_path):
    folder = samples_dir()
    plan = plan_import(read_sheet(folder / "legacy-volunteers.xlsx", "people"),
                       options=ImportOptions(create_orgs=True))
    out = save_rejected(plan, tmp_path / "未导入.xlsx")
    ws = load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    header = rows[2]
    assert header[-2:] == ("未导入原因", "原行号") and header[3] == "身份证号码"
    body = rows[3:]
    assert len(body) == len(plan.rejected)
    assert body[0][-1] == 11 and "存成了数字" in body[0][-2]
    assert body[0][3] == "3.21002196602187E+17"  # the damaged ID as Excel showed it, as text
    assert ws.cell(row=4, column=4).data_type == "s"
    # fixed and re-imported, the file is read like any other
    assert read_sheet(out, "people").header_row == 3


@pytest.mark.parametrize("kind, text_titles", [("people", {"身份证号", "联系电话"}),
                                                ("orgs", {"统一社会信用代码", "联系电话"})])
def test_blank_templates_have_text_formatted_id_and_phone_columns(ctx, user, tmp_path, kind, text_titles):
    path = save_template(kind, tmp_path / f"{kind}.xlsx")
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    titles = [c.value for c in ws[1]]
    for i, title in enumerate(titles, start=1):
        letter = ws.cell(row=1, column=i).column_letter
        if title in text_titles:
            assert ws.column_dimensions[letter].number_format == "@", title
    assert wb.sheetnames[1] == "填表说明"
    if kind == "people":  # filled in and imported
        ws.append(["甲", "11010519491231002X"])
        wb.save(path)
        apply_import(plan_import(read_sheet(path, "people")), user)
        assert Person.get().name == "甲"


def test_the_importer_loads_without_pyside6():
    script = (
        "import sys; sys.modules['PySide6'] = None\n"
        "import desktop.importing.apply, desktop.importing.files, desktop.importing.command\n"
        "print(sorted(m for m in sys.modules if m.startswith('PySide6') and sys.modules[m]))"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("cell, day", [
    ("2021.3.5", dt.date(2021, 3, 5)), ("2021年3月5日", dt.date(2021, 3, 5)),
    ("2021/3/5", dt.date(2021, 3, 5)), ("2021-03-05", dt.date(2021, 3, 5)),
    ("2021/3/5 0:00", dt.date(2021, 3, 5)), ("20210305", dt.date(2021, 3, 5)),
    (20210305, dt.date(2021, 3, 5)),
    (dt.datetime(2021, 3, 5, 8, 30), dt.date(2021, 3, 5)), ("", None),
])
def test_date_forms_of_real_sheets(cell, day):
    from desktop.importing.values import parse_date

    assert parse_date(cell) == day


@pytest.mark.parametrize("cell, problem", [
    ("2021.2.30", "不存在"), ("去年", "无法识别"), ("1899-12-31", "早于 1900 年"),
    # a number is a date serial only in a date-formatted cell (which arrives as a date)
    (44260, "是一个数字，不是日期"), ("４４２６０", "是一个数字，不是日期"), (2021, "只有年份"),
    (2021.3, "只有年和月"),
])
def test_impossible_dates_are_named(cell, problem):
    from desktop.importing.values import parse_date
    from models.validators import InvalidValue

    with pytest.raises(InvalidValue, match=problem):
        parse_date(cell)
