import datetime as dt
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from desktop.reports import pdf
from desktop.reports.output import Cancelled, ExportError, Job
from desktop.reports.roster import export_roster, resolve_target
from models import audit
from models.entities import AuditEntry, Membership, Organization, Person
from models.settings import set_setting
from models.validators import id_check_char

from .pdf_reading import font_programs, page_texts, pages_of

SURNAMES = "张王李丁赵钱孙周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施"
TODAY = dt.date(2026, 6, 15)


def id_number(serial: int) -> str:
    first17 = f"320102198503{serial % 28 + 1:02d}{serial:03d}"
    return first17 + id_check_char(first17)


@pytest.fixture
def org(user):
    set_setting("office.name", "青禾县妇女联合会", user)
    org = audit.create(Organization, user, name="阳光妇女互助会", kind="grassroots")
    for i in range(70):
        person = audit.create(Person, user, name=SURNAMES[i % len(SURNAMES)] + "秀英"[: 1 + i % 2],
                              id_number=id_number(i), birth_date=dt.date(1985, 3, 1), sex="F",
                              phone=f"1381234{i:04d}")
        audit.create(Membership, user, person=person, organization=org, role="member")
    return org


@pytest.fixture
def out(tmp_path):
    """The folder exports go to (the test database lives beside it)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def embedded_fonts(path) -> list[tuple[str, bool]]:
    """(font name, embedded?) for every font the pages use."""
    return sorted((name, bool(kinds)) for name, kinds in font_programs(pages_of(path)).items())


def test_pdf_roster_repeats_the_header_and_numbers_pages(ctx, org, out):
    path = export_roster(out / "花名册.pdf", "organization", org.id, "pdf", user=ctx.user, today=TODAY)
    pages = page_texts(path)
    assert len(pages) >= 2
    assert "阳光妇女互助会成员花名册" in pages[0]
    assert "填报单位：青禾县妇女联合会" in pages[0] and "2026年6月15日" in pages[0]
    for number, text in enumerate(pages, start=1):
        assert "姓名" in text and "联系电话" in text  # the header, on every page ...
        assert text.count("身份证号") == 1  # ... once, at its top
        assert f"第 {number} 页 共 {len(pages)} 页" in text
    assert "填表人" in pages[-1] and "审核人" in pages[-1]
    fonts = embedded_fonts(path)
    assert fonts and all(embedded for _name, embedded in fonts), fonts


def test_pdf_roster_is_in_stroke_order_with_masked_ids(ctx, org, out):
    path = export_roster(out / "r.pdf", "organization", org.id, "pdf", today=TODAY)
    text = "\n".join(page_texts(path))
    names = [line.strip() for line in text.splitlines() if line.strip().endswith(("秀", "秀英"))]
    assert len(names) == 70 and names[:3] == ["丁秀", "丁秀英", "丁秀英"]
    firsts = [next(i for i, n in enumerate(names) if n[0] == s) for s in "丁王张"]
    assert firsts == sorted(firsts)  # 丁 2 strokes, 王 4, 张 7
    numbers = re.findall(r"320102\S{12}", text)
    assert len(numbers) == 70 and all("********" in n for n in numbers)


def test_xlsx_roster_keeps_ids_and_phones_as_text(ctx, org, out):
    set_setting("privacy.print_full_id", "1", ctx.user)
    path = export_roster(out / "r.xlsx", "organization", org.id, "xlsx", order="pinyin",
                         full_ids=True, today=TODAY)
    wb = load_workbook(path)
    ws = wb.active
    assert ws["A1"].value == "阳光妇女互助会成员花名册"
    header = [c.value for c in ws[3]]
    assert header == ["序号", "姓名", "性别", "出生年月", "身份证号", "联系电话", "职务"]
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.print_area == "'花名册'!$A$1:$G$75"
    rows = list(ws.iter_rows(min_row=4, max_row=73))
    assert [r[0].value for r in rows] == list(range(1, 71))
    ids = {r[4].value for r in rows}
    assert ids == {p.id_number for p in Person.select()}  # full numbers: allowed and asked for
    for r in rows:
        assert r[4].data_type == "s" and r[4].number_format == "@"
        assert r[5].data_type == "s" and r[5].value.startswith("1381234")
    names = [r[1].value for r in rows]
    assert names[0].startswith("陈")  # pinyin: chen before ding
    assert any(c.value == "填表人：" for c in ws[75])
    wb.close()


def test_export_is_audited(ctx, org, out):
    export_roster(out / "r.xlsx", "organization", org.id, "xlsx", user=ctx.user)
    entry = AuditEntry.select().where(AuditEntry.action == "export").get()
    assert (entry.entity, entry.entity_id, entry.username) == ("organization", org.id, ctx.user.username)
    assert entry.summary.startswith("导出花名册：阳光妇女互助会成员花名册，70 人，xlsx，身份证号已遮蔽")


def test_volunteer_roster_is_landscape_with_hours(ctx, out):
    audit.create(Person, ctx.user, name="王芳", is_volunteer=True)
    path = export_roster(out / "v.pdf", "volunteers", None, "pdf")
    page = PdfReader(str(path)).pages[0]
    assert page.mediabox.width > page.mediabox.height
    assert "累计服务时长" in page.extract_text() and "王芳" in page.extract_text()


def test_bad_requests_are_chinese_errors_and_leave_no_file(ctx, org, out):
    with pytest.raises(ExportError, match="找不到编号为 999 的团队"):
        export_roster(out / "x.pdf", "team", 999, "pdf")
    with pytest.raises(ExportError, match="不支持的格式"):
        export_roster(out / "x.doc", "organization", org.id, "doc")
    with pytest.raises(ExportError, match="找不到名为“没有的协会”的组织"):
        resolve_target("organization", "没有的协会")
    with pytest.raises(ExportError, match="不存在"):
        export_roster(out / "missing" / "x.pdf", "organization", org.id, "pdf")
    assert resolve_target("organization", "阳光妇女互助会") == org.id
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_cancelled_export_leaves_nothing(ctx, org, out, fmt):
    calls = []

    def progress(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 2:  # the user clicks Cancel once the export is under way
            job.cancel()

    job = Job(progress)
    with pytest.raises(Cancelled):
        export_roster(out / f"r.{fmt}", "organization", org.id, fmt, job=job)
    assert list(out.iterdir()) == []
    assert AuditEntry.select().where(AuditEntry.action == "export").count() == 0


def test_rows_of_mixed_heights_flow_page_by_page_with_one_header_each(out):
    rows = [[f"R{i:03d}", "很长的说明文字，" * (12 if i % 7 == 0 else 0) + "完"] for i in range(300)]
    path = out / "grid.pdf"
    pdf.build_pdf(path, [pdf.para("标题"), *pdf.grid_tables(["编号", "说明"], rows, [60, 300])])
    pages = page_texts(path)
    assert len(pages) > 5
    assert all(text.count("编号") == 1 for text in pages)
    seen = re.findall(r"R\d{3}", "\n".join(pages))
    assert seen == [f"R{i:03d}" for i in range(300)]  # every row once, in order
