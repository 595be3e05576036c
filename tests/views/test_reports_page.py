"""The Reports page, driven as a user would: choose the report and its options, export, preview."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from models import audit
from models.entities import (
    Activity,
    AuditEntry,
    Certificate,
    Membership,
    Organization,
    Person,
    ServiceRecord,
)
from models.periods import Period
from models.settings import set_setting
from models.validators import id_check_char, mask_id_number
from views import tasks
from views.pages.reports import ReportsPage
from views.pdf_preview import PdfPreviewDialog

from .conftest import type_text

THIS_YEAR = dt.date.today().year


def resident_id(serial: int) -> str:
    first17 = f"32010219850301{serial:02d}2"
    return first17 + id_check_char(first17)


@pytest.fixture
def register(ctx, user, orgs):
    set_setting("office.name", "青禾县妇女联合会", user)
    people = {}
    for serial, name in enumerate(["张敏", "王芳", "丁玲"], 1):
        people[name] = audit.create(Person, user, name=name, id_number=resident_id(serial), sex="F",
                                    birth_date=dt.date(1985, 3, 1), phone=f"1390000000{serial}",
                                    is_volunteer=True)
        audit.create(Membership, user, person=people[name], organization=orgs[0], role="member")
    activity = audit.create(Activity, user, title="家庭教育讲座", held_on=dt.date(THIS_YEAR, 1, 8),
                            organization=orgs[0])
    audit.create(ServiceRecord, user, person=people["王芳"], activity=activity, hours=Decimal("2.5"),
                 content="签到引导")
    return people


@pytest.fixture
def page(qtbot, ctx, register, monkeypatch):
    monkeypatch.setattr(tasks, "show_internal_error", pytest.fail)
    widget = ReportsPage(ctx)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def save_as(dialogs, path: Path) -> list:
    """Answer the next save dialog with ``path``; returns the dialogs answered (filled in later)."""
    return dialogs.answer(path)


def proposed(asked) -> list[str]:
    """The file names the save dialogs proposed."""
    return [Path(a.suggested).name for a in asked]


def click_and_wait(qtbot, page, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert page.task is not None
    with qtbot.waitSignal(page.task.finished, timeout=20000):
        pass
    return page.task


def pdf_text(path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(path).pages)


def test_summary_of_the_year_to_excel(qtbot, page, tmp_path, monkeypatch, file_dialogs):
    page.report.setValue("summary")
    assert page.area.isVisible() and page.period.isVisible() and not page.target.isVisible()
    page.period.kind.setValue("year")
    asked = save_as(file_dialogs, tmp_path / "summary.xlsx")
    task = click_and_wait(qtbot, page, page.export_button)
    assert task.outcome == "done"
    (name,) = proposed(asked)
    assert name.startswith(f"统计报表_{THIS_YEAR}年_全县_") and name.endswith(".xlsx")
    wb = load_workbook(tmp_path / "summary.xlsx")
    assert wb.sheetnames[0] == "统计报表"
    texts = [c for row in wb["统计报表"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(f"{THIS_YEAR}年" in t for t in texts) and any("青禾县妇女联合会" in t for t in texts)
    assert page.findChild(QMessageBox, "saved").isVisible()


def test_summary_of_a_quarter_for_one_township_to_pdf(qtbot, page, tmp_path, monkeypatch, file_dialogs):
    page.report.setValue("summary")
    page.period.kind.setValue("quarter")
    assert page.period.quarter.isVisible() and not page.period.month.isVisible()
    last = Period.containing("quarter", dt.date.today()).previous()  # offered first
    assert (page.period.year.value(), page.period.quarter.value()) == (last.year, last.number)
    page.period.year.setValue(THIS_YEAR)
    page.period.quarter.setValue(1)
    page.area.setCurrentIndex(page.area.findText("东关街道"))
    page.format.setValue("pdf")
    asked = save_as(file_dialogs, tmp_path / "q1")
    click_and_wait(qtbot, page, page.export_button)
    assert "东关街道" in proposed(asked)[0]
    text = pdf_text(tmp_path / "q1.pdf")
    assert f"{THIS_YEAR}年第1季度" in text and "东关街道" in text


def test_roster_of_an_organization_in_stroke_order(qtbot, page, orgs, register, tmp_path, monkeypatch,
                                                   file_dialogs):
    page.report.setValue("roster")
    assert page.target.isVisible() and page.order.isVisible() and not page.period.isVisible()
    page.roster_kind.setValue("organization")
    page.target.setValue(orgs[0].id)
    page.order.setValue("strokes")
    page.format.setValue("pdf")
    save_as(file_dialogs, tmp_path / "roster.pdf")
    click_and_wait(qtbot, page, page.export_button)
    text = pdf_text(tmp_path / "roster.pdf")
    assert "花名册" in text and orgs[0].name in text
    assert text.index("丁玲") < text.index("王芳") < text.index("张敏")
    assert mask_id_number(register["王芳"].id_number) in text  # the settings do not allow full IDs
    assert register["王芳"].id_number not in text
    assert AuditEntry.select().where(AuditEntry.action == "export").exists()


def test_volunteer_roster_of_the_county_to_excel(qtbot, page, register, tmp_path, monkeypatch, file_dialogs):
    page.report.setValue("roster")
    page.roster_kind.setValue("volunteers")
    assert page.area.isVisible() and not page.target.isVisible()
    save_as(file_dialogs, tmp_path / "volunteers.xlsx")
    click_and_wait(qtbot, page, page.export_button)
    ws = load_workbook(tmp_path / "volunteers.xlsx").worksheets[0]
    names = {c for row in ws.iter_rows(values_only=True) for c in row}
    assert {"丁玲", "王芳", "张敏"} <= names


def test_certificate_needs_a_volunteer_then_is_issued(qtbot, page, register, tmp_path, monkeypatch,
                                                      file_dialogs):
    page.report.setValue("certificate")
    assert not page.format.isEnabled() and page.format.value() == "pdf"
    assert not page.preview_button.isEnabled()
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert page.error.isVisible() and "志愿者" in page.error.text()
    assert page.task is None and file_dialogs.asked == []  # no file asked for

    type_text(page.person.query, "王芳")
    page.person.run_search()
    qtbot.mouseClick(page.person.add_button, Qt.MouseButton.LeftButton)
    assert page.person_shown.text().startswith("王芳")
    page.period.kind.setValue("year")
    asked = save_as(file_dialogs, tmp_path / "cert.pdf")
    click_and_wait(qtbot, page, page.export_button)
    assert proposed(asked)[0].startswith(f"志愿服务记录证明_王芳_{THIS_YEAR}年")
    text = pdf_text(tmp_path / "cert.pdf")
    assert "志愿服务记录证明" in text and "家庭教育讲座" in text
    assert Certificate.select().count() == 1


def test_an_export_error_is_shown_and_leaves_no_file(qtbot, page, tmp_path, monkeypatch, file_dialogs):
    page.report.setValue("certificate")
    type_text(page.person.query, "张敏")  # no service hours
    page.person.run_search()
    page.person.pick_selected()
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    save_as(file_dialogs, tmp_path / "none.pdf")
    task = click_and_wait(qtbot, page, page.export_button)
    assert task.outcome == "failed" and warnings and not (tmp_path / "none.pdf").exists()


def test_print_preview_of_a_roster_shows_the_pdf_pages(qtbot, page, orgs):
    page.report.setValue("roster")
    page.target.setValue(orgs[0].id)
    task = click_and_wait(qtbot, page, page.preview_button)
    assert task.outcome == "done"
    dialog = page.findChild(PdfPreviewDialog)
    assert dialog is not None and dialog.pdf_pages.page_count >= 1
    dialog.close()


def test_new_organizations_appear_when_the_page_is_shown_again(qtbot, page, ctx):
    page.report.setValue("roster")
    before = page.target.count()
    page.hide()
    audit.create(Organization, ctx.user, name="新成立的妇女微家", kind="grassroots")
    page.show()
    assert page.target.count() == before + 1


def test_summary_with_its_charts_page_as_pdf(qtbot, page, tmp_path, file_dialogs):
    page.report.setValue("summary")
    page.period.kind.setValue("year")
    assert page.charts.isVisible() and not page.charts.isEnabled()  # Excel first: no charts there
    page.format.setValue("pdf")
    assert page.charts.isEnabled()
    page.charts.setChecked(True)
    save_as(file_dialogs, tmp_path / "with_charts.pdf")
    click_and_wait(qtbot, page, page.export_button)
    last = PdfReader(tmp_path / "with_charts.pdf").pages[-1].extract_text()
    assert "图表" in last and "社会组织孵化进程" in last and "志愿服务时长（小时，按月）" in last
    page.report.setValue("roster")
    assert not page.charts.isVisible()
