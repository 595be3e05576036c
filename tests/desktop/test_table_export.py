import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from desktop.reports.output import Cancelled, Job
from desktop.reports.table_export import export_listing
from models.entities import AuditEntry, Person, Region
from models.people import PersonData, save_person
from models.person_listing import PersonFilter, PersonListing
from models.project_listing import ProjectFilter, ProjectListing
from models.validators import id_check_char, mask_id_number


def id_number(serial: int, birth: str = "19850301") -> str:
    first17 = f"320102{birth}{serial:03d}"
    return first17 + id_check_char(first17)


@pytest.fixture
def people(ctx):
    town = Region.create(name="东关街道", level="township")
    specs = [
        ("王芳", 2, True), ("李娜", 4, True), ('=HYPERLINK("x")', 6, True),
        ("张\x01敏", 8, False), ("陈静", 10, True),
    ]
    saved = []
    for name, serial, volunteer in specs:
        saved.append(save_person(PersonData(
            name=name, id_number=id_number(serial), phone=f"1391234{serial:04d}",
            region_id=town.id, is_volunteer=volunteer,
        ), ctx.user))
    return saved


def read_rows(path):
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    return wb, ws, rows


def test_exports_all_matching_rows_in_the_listing_order(ctx, people, tmp_path):
    path = tmp_path / "people.xlsx"
    flt = PersonFilter(role="volunteer")
    count = export_listing(path, PersonListing(), flt, "updated", True, user=ctx.user, title="人员")
    assert count == 4
    _wb, ws, rows = read_rows(path)
    assert rows[0][0] == "人员"
    header = rows[2]
    assert header[:5] == ["姓名", "性别", "出生日期", "身份证号", "联系电话"]
    body = rows[3:]
    assert [r[4] for r in body] == ["13912340010", "13912340006", "13912340004", "13912340002"]
    assert ws.freeze_panes == "A4"
    # the ID is masked as in the list, a text cell
    assert body[0][3] == mask_id_number(id_number(10))
    assert ws.cell(4, 4).data_type == "s"
    assert ws.cell(4, 3).is_date and ws.cell(4, 3).value.date() == dt.date(1985, 3, 1)
    assert body[0][1] == "女"
    # a formula-looking name stays text
    formula_row = next(i for i, r in enumerate(body) if r[0].startswith("="))
    cell = ws.cell(4 + formula_row, 1)
    assert cell.value == '=HYPERLINK("x")' and cell.data_type == "s"
    entry = AuditEntry.select().where(AuditEntry.action == "export").get()
    assert entry.entity == "person" and "4" in entry.summary and entry.username == ctx.user.username


def test_control_characters_are_stripped(ctx, people, tmp_path):
    path = tmp_path / "all.xlsx"
    export_listing(path, PersonListing(), PersonFilter(text="敏"), None, False)
    _wb, _ws, rows = read_rows(path)
    assert rows[2][0] == "张敏"


def test_reads_page_by_page_past_the_first_page(ctx, tmp_path, monkeypatch):
    Person.insert_many(
        [{"name": f"人{i:03d}", "name_key": f"ren{i:03d}"} for i in range(25)]
    ).execute()
    monkeypatch.setattr("desktop.reports.table_export.PAGE_ROWS", 10)
    path = tmp_path / "p.xlsx"
    steps = []
    assert export_listing(path, PersonListing(), PersonFilter(), None, False,
                          job=Job(lambda d, t: steps.append((d, t)))) == 25
    _wb, _ws, rows = read_rows(path)
    assert [r[0] for r in rows[2:]] == [f"人{i:03d}" for i in range(25)]
    assert steps == [(0, 25), (10, 25), (20, 25), (25, 25)]


def test_money_is_a_number(ctx, tmp_path):
    from models.entities import Project
    Project.create(name="微家项目", name_key="weijia", year=2025, source="micro",
                   amount_granted=Decimal("12345.60"))
    path = tmp_path / "projects.xlsx"
    export_listing(path, ProjectListing(), ProjectFilter(), None, False, title="项目")
    _wb, ws, rows = read_rows(path)
    header = rows[2]
    col = header.index("立项金额") + 1
    cell = ws.cell(4, col)
    assert cell.value == pytest.approx(12345.6) and cell.data_type == "n"


def test_cancelled_export_leaves_no_file(ctx, people, tmp_path):
    path = tmp_path / "cancelled.xlsx"
    job = Job()
    job.cancel()
    with pytest.raises(Cancelled):
        export_listing(path, PersonListing(), PersonFilter(), None, False, job=job)
    assert list(tmp_path.glob("*.xlsx*")) == []
    assert not AuditEntry.select().where(AuditEntry.action == "export").exists()


@pytest.mark.parametrize(("setting", "operator_may", "full"), [
    ("1", True, True), ("0", True, False), ("1", False, False),
])
def test_full_id_numbers_only_when_the_settings_and_the_operator_allow(
        ctx, people, tmp_path, setting, operator_may, full):
    from models.settings import set_setting

    set_setting("privacy.print_full_id", setting, ctx.user)
    path = tmp_path / "ids.xlsx"
    export_listing(path, PersonListing(), PersonFilter(), "updated", False, user=ctx.user,
                   full_ids=operator_may)
    _wb, _ws, rows = read_rows(path)
    shown = [r[3] for r in rows[2:]]
    expected = [id_number(s) for s in (2, 4, 6, 8, 10)]
    assert shown == (expected if full else [mask_id_number(n) for n in expected])
    entry = AuditEntry.select().where(AuditEntry.action == "export").get()
    assert ("完整身份证号" in entry.summary) == full


def test_activity_hours_keep_their_half_hour(ctx, people, tmp_path):
    """27.5 hours shows as 27.5 in the exported list (a whole-number format showed 28)."""
    from models.activity_listing import ActivityFilter, ActivityListing
    from models.entities import Activity, ServiceRecord
    activity = Activity.create(title="敬老院探访", held_on=dt.date(2025, 3, 8))
    ServiceRecord.create(activity=activity, person=people[0], hours=Decimal("20"))
    ServiceRecord.create(activity=activity, person=people[1], hours=Decimal("7.5"))
    path = tmp_path / "activities.xlsx"
    export_listing(path, ActivityListing(), ActivityFilter(), None, False, title="活动")
    _wb, ws, rows = read_rows(path)
    col = rows[2].index("志愿时长合计") + 1
    cell = ws.cell(4, col)
    assert cell.value == pytest.approx(27.5)
    assert cell.number_format == "#,##0.0"


def test_a_fraction_in_a_whole_number_column_is_not_rounded_away(tmp_path):
    from openpyxl import Workbook

    from desktop.reports.xlsx import typed_cell
    ws = Workbook(write_only=True).create_sheet()
    assert typed_cell(ws, 12, "int").number_format == "#,##0"
    assert typed_cell(ws, Decimal("27.5"), "int").number_format == "#,##0.0##"
