"""The periodic summary as the office sends it: the workbook reopened, the PDF read back."""

import datetime as dt
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from desktop.reports.output import Cancelled, ExportError, Job
from desktop.reports.summary import export_summary
from models.entities import (
    Activity,
    AuditEntry,
    Organization,
    OrganizationServiceArea,
    Person,
    Project,
    Region,
    ServiceArea,
    ServiceRecord,
    Team,
    TeamAssignment,
    Venue,
)
from models.periods import Period
from models.settings import set_setting

from .pdf_reading import font_programs, page_texts, pages_of

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 1, 15)
YEAR = Period.for_year(2025)
SETTINGS = {
    "office.name": "青禾县妇女联合会", "report.table_no": "妇统社3表", "report.issuer": "青州市妇女联合会",
    "report.unit_head": "王主席", "report.stats_head": "李统计", "report.preparer": "张填表",
    "report.phone": "0514-87654321",
}
SHEETS = ["统计报表", "社会组织", "项目", "三工联动团队", "活动阵地", "志愿服务时长", "培训督导"]


@pytest.fixture
def county(ctx, user):
    for key, value in SETTINGS.items():
        set_setting(key, value, user)
    county = Region.create(name="青禾县", level="county")
    east = Region.create(name="东关街道", level="township", parent=county, sort_order=1)
    west = Region.create(name="西湖镇", level="township", parent=county, sort_order=2)
    village = Region.create(name="柳树村", level="village", parent=west)
    tricky = Organization.create(name="=HYPERLINK(\"http://x\",\"点我\")", kind="grassroots", region=east)
    village_org = Organization.create(name="柳树村妇女微家互助会", kind="grassroots", region=village)
    Organization.create(name="无地区读书会", kind="grassroots")
    Project.create(name="家庭教育项目", source="venture", year=2025, organization=tricky,
                   status="closed", amount_granted=Decimal("10000.10"), actual_served=100)
    Project.create(name="微家项目", source="micro_venture", year=2025, organization=village_org,
                   status="approved", amount_granted=Decimal("2500.55"), actual_served=40)
    team = Team.create(name="西湖镇三工联动服务队", region=west)
    volunteer = Person.create(name="张丽", sex="F", region=east, is_volunteer=True,
                              id_number="11010519491231002X", phone="13812345678")
    helper = Person.create(name="刘强", sex="M", region=village, is_volunteer=True)
    for person, role in ((volunteer, "cadre"), (helper, "social_worker"), (helper, "volunteer")):
        TeamAssignment.create(team=team, person=person, role=role)
    venue = Venue.create(name="柳树村妇女微家", level="village", kind="women_micro_home", region=village)
    held = Activity.create(title="微家茶话", held_on=dt.date(2025, 5, 1), venue=venue,
                           organization=village_org, people_served=15)
    ServiceRecord.create(person=volunteer, activity=held, hours=Decimal("2.5"))
    ServiceRecord.create(person=helper, activity=held, hours=Decimal("3.0"))
    return {"county": county, "east": east, "west": west, "village": village}


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def sheet_rows(ws) -> list[tuple]:
    return [tuple(cell.value for cell in row) for row in ws.iter_rows()]


def table_after(rows: list[tuple], title: str) -> tuple[tuple, list[tuple]]:
    """The header row and the body rows (through 合计) of the section titled ``title``."""
    start = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).endswith(title))
    body = []
    for r in rows[start + 2:]:
        body.append(r)
        if r[0] == "合计":
            break
    return rows[start + 1], body


def test_xlsx_summary_sheet(county, out, user):
    path = export_summary(out / "统计报表.xlsx", YEAR, None, "xlsx", user=user, today=TODAY)
    assert path == out / "统计报表.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == SHEETS
    ws = wb["统计报表"]
    assert ws["A1"].value == "青禾县妇女社会组织和巾帼阵地工作统计报表"
    assert "表号：妇统社3表" in ws["A2"].value and "制表机关：青州市妇女联合会" in ws["A2"].value
    assert "填报单位：青禾县妇女联合会" in ws["A3"].value and "报告期：2025年" in ws["A3"].value
    assert ws.freeze_panes == "A4"
    assert ws.print_area.startswith("'统计报表'!$A$1:$J$")
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"  # A4

    rows = sheet_rows(ws)
    header, body = table_after(rows, "项目（按来源）")
    assert header[:4] == ("项目来源", "项目数", "立项金额（元）", "服务人次")
    venture = next(r for r in body if r[0] == "公益创投")
    assert venture[1:4] == (1, 10000.10, 100)
    assert body[-1][1:4] == (2, 12500.65, 140)
    assert isinstance(body[-1][2], float) and isinstance(body[-1][1], int)
    assert ws.cell(rows.index(body[-1]) + 1, 3).number_format == "#,##0.00"

    _header, townships = table_after(rows, "社会组织和项目")
    assert [r[0] for r in townships] == ["东关街道", "西湖镇", "县级或未填写镇（街道）", "合计"]
    for column in range(1, 10):
        assert sum(r[column] for r in townships[:-1]) == pytest.approx(townships[-1][column])
    assert townships[1][1] == 1  # 柳树村's group counts in 西湖镇
    footer = [r[0] for r in rows if r[0] and "单位负责人" in str(r[0])]
    assert footer and "王主席" in footer[0]
    assert any(r[0] and "单位盖章" in str(r[0]) for r in rows)
    assert any(r[0] == "说明：" for r in rows)


def test_xlsx_list_sheets(county, out, user):
    path = export_summary(out / "报表.xlsx", YEAR, None, "xlsx", user=user, today=TODAY)
    wb = load_workbook(path)
    orgs = wb["社会组织"]
    assert orgs["A1"].value == "青禾县2025年社会组织清单"
    assert orgs.freeze_panes == "A3"
    assert orgs.print_title_rows == "$2:$2"
    assert orgs.page_setup.fitToWidth == 1
    names = [orgs.cell(r, 2) for r in range(3, orgs.max_row + 1)]
    tricky = next(c for c in names if str(c.value).startswith("="))
    assert tricky.data_type == "s" and tricky.value == "=HYPERLINK(\"http://x\",\"点我\")"
    assert [c.value for c in orgs[2]][:3] == ["序号", "组织名称", "类别"]
    assert orgs.cell(3, 1).value == 1 and isinstance(orgs.cell(3, 1).value, int)

    volunteers = wb["志愿服务时长"]
    by_name = {row[1]: row for row in volunteers.iter_rows(min_row=3, values_only=True)}
    assert by_name["张丽"][3] == "110105********002X"
    assert by_name["张丽"][8] == 2.5 and by_name["刘强"][8] == 3.0
    assert by_name["刘强"][5:7] == ("西湖镇", "柳树村")
    projects = wb["项目"]
    amounts = [r[10] for r in projects.iter_rows(min_row=3, values_only=True)]
    assert sorted(amounts) == [2500.55, 10000.10]


def test_xlsx_of_one_township(county, out, user):
    path = export_summary(out / "西湖镇.xlsx", YEAR, county["west"].id, "xlsx", user=user, today=TODAY)
    wb = load_workbook(path)
    ws = wb["统计报表"]
    assert ws["A1"].value == "西湖镇妇女社会组织和巾帼阵地工作统计报表"
    assert not any(r[0] and "分镇" in str(r[0]) for r in sheet_rows(ws))
    assert [r[1] for r in wb["社会组织"].iter_rows(min_row=3, values_only=True)] == ["柳树村妇女微家互助会"]


def pdf_text(path) -> str:
    return "\n".join(page_texts(path))


def font_files(path) -> dict[str, bool]:
    """Every font the pages use → whether a TrueType program (FontFile2) is embedded."""
    return {name: "/FontFile2" in kinds for name, kinds in font_programs(pages_of(path)).items()}


def test_pdf_is_the_official_table(county, out, user):
    path = export_summary(out / "统计报表.pdf", YEAR, None, "pdf", user=user, today=TODAY)
    text = pdf_text(path)
    assert "青禾县妇女社会组织和巾帼阵地工作统计报表" in text
    for label, value in (("表号", "妇统社3表"), ("制表机关", "青州市妇女联合会"),
                         ("填报单位", "青禾县妇女联合会"), ("报告期", "2025年"),
                         ("计量单位", "个、人、人次、元、小时"),
                         ("单位负责人", "王主席"), ("统计负责人", "李统计"), ("填表人", "张填表"),
                         ("联系电话", "0514-87654321"), ("报出日期", "2026年01月15日")):
        assert f"{label}：{value}" in text, label
    assert "单位盖章" in text
    for expected in ("一、社会组织（按类别）", "四、项目（按来源）", "分镇（街道）情况", "东关街道",
                     "西湖镇", "10,000.10", "12,500.65", "说明："):
        assert expected in text, expected
    assert "第 1 页 共" in text
    fonts = font_files(path)
    assert fonts and all(fonts.values()), fonts
    assert PdfReader(str(path)).metadata.title == "青禾县妇女社会组织和巾帼阵地工作统计报表"


def test_pdf_of_one_township(county, out, user):
    path = export_summary(out / "东关.pdf", YEAR, county["east"].id, "pdf", user=user, today=TODAY)
    text = pdf_text(path)
    assert "东关街道妇女社会组织和巾帼阵地工作统计报表" in text
    assert "分镇" not in text


def test_a_long_section_runs_over_pages_instead_of_sitting_side_by_side(county, out, user):
    """A side-by-side cell cannot split across pages: with 80 service areas the list must
    run on its own, over pages, with its header on each."""
    org = Organization.get(Organization.name == "柳树村妇女微家互助会")
    for i in range(80):
        area = ServiceArea.create(name=f"测试服务领域{i:02d}", sort_order=100 + i)
        OrganizationServiceArea.create(organization=org, service_area=area)
    path = export_summary(out / "long.pdf", YEAR, None, "pdf", user=user, today=TODAY)
    pages = [page.extract_text() for page in PdfReader(path).pages]
    with_areas = [text for text in pages if "测试服务领域" in text]
    assert len(with_areas) >= 2 and all("服务领域" in text for text in with_areas)
    assert "测试服务领域79" in "".join(with_areas)


def test_bad_input_is_refused_in_chinese_and_writes_nothing(county, out, user):
    target = out / "报表.pdf"
    with pytest.raises(ExportError) as caught:
        export_summary(target, YEAR, county["village"].id, "pdf", user=user, today=TODAY)
    assert "镇（街道）不存在" in str(caught.value.message)
    with pytest.raises(ExportError) as caught:
        export_summary(target, YEAR, None, "docx", user=user, today=TODAY)
    assert "xlsx、pdf 或 json" in str(caught.value.message)
    with pytest.raises(ExportError) as caught:
        export_summary(target, Period.for_year(2027), None, "pdf", user=user, today=TODAY)
    assert "尚未开始" in str(caught.value.message)
    with pytest.raises(ExportError) as caught:
        export_summary(out / "没有这个文件夹" / "报表.pdf", YEAR, None, "pdf", user=user, today=TODAY)
    assert "不存在" in str(caught.value.message)
    assert list(out.iterdir()) == []
    assert not AuditEntry.select().where(AuditEntry.entity == "report").exists()


@pytest.mark.parametrize("fmt", ["xlsx", "pdf", "json"])
def test_cancelled_before_start_leaves_an_earlier_file_alone(county, out, user, fmt):
    target = out / f"报表.{fmt}"
    target.write_bytes(b"earlier export")
    job = Job()
    job.cancel()
    with pytest.raises(Cancelled):
        export_summary(target, YEAR, None, fmt, job=job, user=user, today=TODAY)
    assert target.read_bytes() == b"earlier export"
    assert [p.name for p in out.iterdir()] == [target.name]


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_cancelled_while_writing_leaves_no_file(county, out, user, fmt):
    calls = []

    def progress(done, total):
        calls.append((done, total))
        if len(calls) == 3:
            job.cancel()

    job = Job(progress)
    target = out / f"报表.{fmt}"
    with pytest.raises(Cancelled):
        export_summary(target, YEAR, None, fmt, job=job, user=user, today=TODAY)
    assert list(out.iterdir()) == []
    assert len(calls) == 3
    target.write_bytes(b"earlier export")
    calls.clear()
    job = Job(progress)
    with pytest.raises(Cancelled):
        export_summary(target, YEAR, None, fmt, job=job, user=user, today=TODAY)
    assert target.read_bytes() == b"earlier export"
    assert [p.name for p in out.iterdir()] == [target.name]
    assert not AuditEntry.select().where(AuditEntry.entity == "report").exists()


def json_values(path) -> dict:
    document = json.loads(path.read_text(encoding="utf-8"))
    values = {}
    for row in document["values"]:
        assert set(row) == {"indicator", "disaggregation", "value"}
        key = (row["indicator"], tuple(sorted((row["disaggregation"] or {}).items())))
        assert key not in values, key
        values[key] = row["value"]
    return values


def test_json_has_every_figure_by_indicator(county, out, user):
    path = export_summary(out / "报表.json", YEAR, None, "json", user=user, today=TODAY)
    document = json.loads(path.read_text(encoding="utf-8"))
    header = document["header"]
    assert header["schema"] == "jinguo-hub.summary" and header["schema_version"] == 1
    assert header["program"] == "jinguo-hub" and header["program_version"]
    assert dt.datetime.fromisoformat(header["generated_at"]).tzinfo is not None
    assert header["period"] == {"code": "2025", "kind": "year", "label": "2025年",
                                "start": "2025-01-01", "end": "2025-12-31"}
    assert header["area"] == {"name": "青禾县", "level": "county", "code": ""}
    assert (header["office"], header["table_no"]) == ("青禾县妇女联合会", "妇统社3表")
    assert header["as_of"] == "2025-12-31"
    values = json_values(path)
    assert values[("project.amount_granted", ())] == "12500.65"
    assert values[("project.amount_granted", (("source", "公益创投"),))] == "10000.10"
    assert values[("project.amount_granted", (("township", "西湖镇"),))] == "2500.55"
    assert values[("org.count", ())] == 3
    assert values[("org.count", (("township", "县级或未填写镇（街道）"),))] == 1
    assert values[("org.count", (("org_kind", "草根组织（备案）"),))] == 3
    assert values[("org.count", (("stage", "未纳入孵化"),))] == 3
    assert values[("activity.volunteer_hours", ())] == "5.5"
    assert values[("activity.volunteer_hours", (("sex", "女"),))] == "2.5"
    assert values[("team.member.count", (("completeness", "齐全"), ("role", "社工")))] == 1
    assert values[("venue.count", (("venue_kind", "妇女微家"), ("venue_level", "村级")))] == 1
    assert all(isinstance(v, int) or re.fullmatch(r"\d+\.\d{1,2}", v) for v in values.values())

    # Every figure the workbook's summary sheet shows is there, and nothing else.
    wb = load_workbook(export_summary(out / "报表.xlsx", YEAR, None, "xlsx", user=user, today=TODAY))
    shown = {Decimal(str(v)) for row in sheet_rows(wb["统计报表"]) for v in row
             if isinstance(v, int | float)}
    assert shown == {Decimal(v) for v in values.values()}
    entry = AuditEntry.select().where(AuditEntry.entity == "report").order_by(AuditEntry.id).first()
    assert entry.summary == "导出统计报表：青禾县，2025年，json，报表.json"


def test_json_of_one_township(county, out, user):
    path = export_summary(out / "西湖镇.json", YEAR, county["west"].id, "json", user=user, today=TODAY)
    values = json_values(path)
    assert json.loads(path.read_text(encoding="utf-8"))["header"]["area"]["level"] == "township"
    assert values[("org.count", ())] == 1 and values[("project.amount_granted", ())] == "2500.55"
    assert not any(key == "township" for _code, where in values for key, _label in where)
    assert path.read_text(encoding="utf-8").count("\n") == len(values) + 5  # one line per figure


def test_progress_and_audit(county, out, user):
    calls = []
    export_summary(out / "报表.xlsx", Period.for_quarter(2025, 2), county["west"].id, "xlsx",
                   job=Job(lambda done, total: calls.append((done, total))), user=user, today=TODAY)
    assert calls[0] == (0, 1) and calls[-1] == (1, 1)
    assert all(0 <= done <= total for done, total in calls)
    entry = AuditEntry.get(AuditEntry.entity == "report")
    assert (entry.action, entry.username) == ("export", user.username)
    assert entry.summary == "导出统计报表：西湖镇，2025年第2季度，xlsx，报表.xlsx"


def test_the_export_runs_without_qt():
    """The CLI and a scheduled job export with PySide6 impossible to import."""
    code = ("import sys; sys.modules['PySide6'] = None; "
            "import desktop.reports.summary, models.summary_lists; "
            "print(sorted(m for m in sys.modules if m.startswith('PySide6') and sys.modules[m]))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
