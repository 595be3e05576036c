"""Typing dates, times and amounts into the forms as people do: what is typed is what is stored,
and what cannot be read is said under the field, with nothing saved."""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt

from models.entities import AuditEntry, Booking, Organization, Project
from models.venues import VenueData, save_venue
from views.pages.organizations import OrganizationsPage
from views.pages.projects import ProjectsPage
from views.pages.venues import VenuesPage

from .conftest import save, show_page, type_text

VIEWS = Path(__file__).resolve().parents[2] / "views"


def retype(qtbot, field, text: str) -> None:
    """Select all in the field and type over it on the keyboard."""
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        qtbot.keyClicks(field, text)
    else:
        qtbot.keyClick(field, Qt.Key.Key_Delete)


def test_no_form_keeps_a_sectioned_date_or_time_edit():
    """A QDateEdit drops what does not fit its sections (the year of 2027-05-01 typed over a
    selection); every date and time field is a views.entry_widgets field instead."""
    offenders = [str(p.relative_to(VIEWS)) for p in VIEWS.rglob("*.py")
                 if any(name in p.read_text(encoding="utf-8")
                        for name in ("QDateEdit(", "QTimeEdit(", "QDateTimeEdit("))]
    assert offenders == []


@pytest.fixture
def org_form(qtbot, ctx, orgs):
    page = show_page(qtbot, OrganizationsPage(ctx))
    page.table.selectRow([page.model.row_at(r).values[0] for r in range(page.model.rowCount())]
                         .index("阳光家庭教育服务中心"))
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    return page.active_dialog


@pytest.mark.parametrize(("typed", "stored"), [
    ("2025-05-01", dt.date(2025, 5, 1)), ("2024-1-5", dt.date(2024, 1, 5)), ("2024/1/5", dt.date(2024, 1, 5)),
    ("2024.1.5", dt.date(2024, 1, 5)), ("20251231", dt.date(2025, 12, 31)),
])
def test_a_date_typed_over_a_selection_is_stored_as_typed(qtbot, org_form, typed, stored):
    retype(qtbot, org_form.founded_on, typed)
    save(qtbot, org_form)
    assert not org_form.isVisible()
    org = Organization.get(Organization.name == "阳光家庭教育服务中心")
    assert org.founded_on == stored
    change = AuditEntry.select().where(AuditEntry.action == "update").order_by(AuditEntry.id.desc()).get()
    assert json.loads(change.changes)["founded_on"] == [None, stored.isoformat()]


def test_a_date_in_chinese_is_read_and_shown_in_the_standard_form(qtbot, org_form):
    org_form.founded_on.clear()
    type_text(org_form.founded_on, "2025年1月5日")
    org_form.founded_on.editingFinished.emit()  # leaving the field
    assert org_form.founded_on.text() == "2025-01-05" and org_form.error_text("founded_on") == ""
    save(qtbot, org_form)
    assert Organization.get(Organization.name == "阳光家庭教育服务中心").founded_on == dt.date(2025, 1, 5)


@pytest.mark.parametrize(("typed", "problem"), [
    ("2025", "“2025”不是完整的日期，请写年、月、日，如 2025-01-05"),
    ("2025-02-30", "没有 2025 年 2 月 30 日这一天"),
])
def test_a_date_that_cannot_be_read_is_said_under_the_field_and_nothing_is_saved(
        qtbot, org_form, typed, problem):
    before = Organization.get(Organization.name == "阳光家庭教育服务中心").founded_on
    updates = AuditEntry.select().where(AuditEntry.action == "update").count()
    retype(qtbot, org_form.founded_on, typed)
    qtbot.keyClick(org_form.founded_on, Qt.Key.Key_Tab)  # leaving says it at once
    assert org_form.error_text("founded_on") == problem
    assert org_form.founded_on.text() == typed  # left as typed, never changed into another day
    save(qtbot, org_form)
    assert org_form.isVisible() and org_form.error_text("founded_on") == problem
    assert Organization.get(Organization.name == "阳光家庭教育服务中心").founded_on == before
    assert AuditEntry.select().where(AuditEntry.action == "update").count() == updates


def test_a_date_that_may_be_empty_can_be_emptied(qtbot, org_form):
    org = Organization.get(Organization.name == "阳光家庭教育服务中心")
    assert org.registered_on is None
    retype(qtbot, org_form.registered_on, "2020-6-1")
    save(qtbot, org_form)
    assert Organization.get_by_id(org.id).registered_on == dt.date(2020, 6, 1)
    page = org_form.parent()
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    form = page.active_dialog
    assert form.registered_on.text() == "2020-06-01"
    retype(qtbot, form.registered_on, "")
    save(qtbot, form)
    assert not form.isVisible()
    assert Organization.get_by_id(org.id).registered_on is None


@pytest.mark.qt_log_ignore("does not support grabbing the keyboard", "does not support raise")  # offscreen
def test_the_calendar_button_picks_a_day(qtbot, org_form):
    org_form.founded_on.calendar_action.trigger()
    calendar = org_form.founded_on.calendar
    calendar.clicked.emit(QDate(2023, 8, 8))
    assert org_form.founded_on.text() == "2023-08-08"
    save(qtbot, org_form)
    assert Organization.get(Organization.name == "阳光家庭教育服务中心").founded_on == dt.date(2023, 8, 8)


@pytest.fixture
def booking(qtbot, ctx, county, orgs):
    save_venue(VenueData(name="东关妇女儿童之家", level="town", kind="women_children_home",
                         region_id=county["east"].id, capacity=80), ctx.user)
    page = show_page(qtbot, VenuesPage(ctx))
    page.table.selectRow(0)
    qtbot.mouseClick(page.book_button, Qt.MouseButton.LeftButton)
    dialog = page.active_dialog
    dialog.organization.setValue(orgs[0].id)
    return dialog


def test_times_typed_as_people_write_them(qtbot, booking):
    retype(qtbot, booking.starts_at, "1000")
    booking.ends_at.clear()
    type_text(booking.ends_at, "11点半")
    retype(qtbot, booking.day, "2030.3.8")
    save(qtbot, booking)
    assert not booking.isVisible(), booking.error_text("ends_at")
    stored = Booking.get()
    assert stored.starts_at == dt.datetime(2030, 3, 8, 10)
    assert stored.ends_at == dt.datetime(2030, 3, 8, 11, 30)


def test_a_colon_time_is_read_and_a_bad_one_is_said(qtbot, booking):
    retype(qtbot, booking.starts_at, "10:00")
    retype(qtbot, booking.ends_at, "25:00")
    save(qtbot, booking)
    assert booking.error_text("ends_at") == "没有 25 点 0 分这个时间"
    assert Booking.select().count() == 0
    retype(qtbot, booking.ends_at, "12:00")
    save(qtbot, booking)
    assert not booking.isVisible()
    assert Booking.get().starts_at.time() == dt.time(10)


@pytest.mark.parametrize(("applied", "granted", "stored"), [
    ("12万", "1.2万元", (Decimal("120000.00"), Decimal("12000.00"))),
    ("￥35,600.50", "35600.5", (Decimal("35600.50"), Decimal("35600.50"))),
])
def test_amounts_typed_as_people_write_them(qtbot, ctx, orgs, applied, granted, stored):
    page = show_page(qtbot, ProjectsPage(ctx))
    page.create_new()
    form = page.active_dialog
    type_text(form.name, "巾帼创业扶持")
    form.organization.setValue(orgs[0].id)
    type_text(form.amount_applied, applied)
    type_text(form.amount_granted, granted)
    form.amount_applied.editingFinished.emit()
    assert form.amount_applied.text() == f"{stored[0]:,.2f}"
    save(qtbot, form)
    assert not form.isVisible(), {k: form.error_text(k) for k in ("amount_applied", "amount_granted")}
    project = Project.get(Project.name == "巾帼创业扶持")
    assert (project.amount_applied, project.amount_granted) == stored


def test_a_count_that_may_be_empty_can_be_emptied(qtbot, ctx, orgs):
    page = show_page(qtbot, ProjectsPage(ctx))
    page.create_new()
    form = page.active_dialog
    type_text(form.name, "巾帼创业扶持")
    form.organization.setValue(orgs[0].id)
    form.planned_served.setFocus()
    qtbot.keyClick(form.planned_served, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(form.planned_served, "300")
    save(qtbot, form)
    project = Project.get(Project.name == "巾帼创业扶持")
    assert project.planned_served == 300
    page.table.selectRow(0)
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    form = page.active_dialog
    form.planned_served.setFocus()
    qtbot.keyClick(form.planned_served, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(form.planned_served, Qt.Key.Key_Delete)
    assert form.planned_served.count() is None  # not put back to 300
    save(qtbot, form)
    assert not form.isVisible()
    assert Project.get_by_id(project.id).planned_served is None
