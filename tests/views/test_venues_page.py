"""The Venues page, driven as a user: venues registered, booked, bookings cancelled, usage read."""

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from models.bookings import book_venue
from models.entities import Activity, AuditEntry, Booking, Person, Venue
from models.venue_listing import VenueFilter, VenueListing
from models.venues import VenueData, save_venue
from views.detail import DetailDialog
from views.pages.venues import VenuesPage
from views.table_model import ListingModel

from .conftest import column_values, save, show_page, type_text

DAY = dt.date.today() + dt.timedelta(days=2)


@pytest.fixture
def venues(ctx, county):
    home = save_venue(VenueData(name="东关妇女儿童之家", level="town", kind="women_children_home",
                                region_id=county["east"].id, capacity=80), ctx.user)
    micro = save_venue(VenueData(name="柳树村妇女微家", level="village", kind="women_micro_home",
                                 region_id=county["village"].id, capacity=20), ctx.user)
    return {"home": home, "micro": micro}


@pytest.fixture
def page(qtbot, ctx, venues, orgs):
    return show_page(qtbot, VenuesPage(ctx), 1200, 600)



def names(page):
    return column_values(page)


def select(page, name):
    page.table.selectRow(names(page).index(name))


def test_venue_model_passes_qt_model_tester(qtmodeltester, venues):
    model = ListingModel(VenueListing(), VenueFilter(), batch=1)
    qtmodeltester.check(model, force_py=True)


def test_list_and_filters(page, county):
    assert names(page) == ["东关妇女儿童之家", "柳树村妇女微家"]
    assert page.model.row_at(1).values[1:4] == ("村级", "妇女微家", "西湖镇 / 柳树村")
    page.township_filter.setCurrentIndex(2)  # 西湖镇
    assert names(page) == ["柳树村妇女微家"]
    page.township_filter.setCurrentIndex(0)
    page.level_filter.setValue("town")
    assert names(page) == ["东关妇女儿童之家"]
    page.level_filter.setCurrentIndex(0)
    page.kind_filter.setValue("women_micro_home")
    assert names(page) == ["柳树村妇女微家"]


def test_create_venue_refuses_bad_input_then_saves(qtbot, ctx, page, county):
    manager = Person.create(name="赵桂兰")
    qtbot.keyClick(page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = page.active_dialog
    save(qtbot, form)
    assert form.error_text("name") == "请填写阵地名称"
    assert form.error_text("region_id") == "请选择所在镇（街道）或村（社区）"
    type_text(form.name, "柳树村妇女微家")
    form.level.setValue("village")
    form.kind.setValue("women_micro_home")
    form.region.setValue(county["village"].id)
    type_text(form.phone, "12345")
    save(qtbot, form)
    assert form.error_text("name") == "该地区已有同名阵地“柳树村妇女微家”"
    assert form.error_text("phone") != ""
    assert Venue.select().count() == 2
    form.name.clear()
    type_text(form.name, "柳树村妇女儿童之家")
    form.phone.clear()
    type_text(form.phone, "13912345678")
    form.capacity.setCount(45)
    type_text(form.picker.query, "赵桂")
    form.picker.run_search()
    form.picker.pick_selected()
    assert form.manager_label.text() == "赵桂兰"
    save(qtbot, form)
    assert not form.isVisible()
    venue = Venue.get(Venue.name == "柳树村妇女儿童之家")
    assert (venue.capacity, venue.manager_id, venue.phone) == (45, manager.id, "13912345678")
    entry = AuditEntry.get((AuditEntry.entity == "venue") & (AuditEntry.entity_id == venue.id))
    assert entry.action == "create"


def retype(qtbot, field, text: str) -> None:
    """Select all in the field and type over it, as the user does."""
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field, text)


def test_booking_overlap_named_touching_allowed_cancel_frees(qtbot, ctx, page, venues, orgs, monkeypatch):
    book_venue(ctx.user, venues["home"], dt.datetime.combine(DAY, dt.time(9)),
               dt.datetime.combine(DAY, dt.time(11)), organization=orgs[0], purpose="亲子阅读")
    select(page, "东关妇女儿童之家")
    qtbot.mouseClick(page.book_button, Qt.MouseButton.LeftButton)
    dialog = page.active_dialog
    save(qtbot, dialog)
    assert dialog.error_text("organization") == "请选择为谁预约"
    dialog.organization.setValue(orgs[1].id)
    dialog.day.setValue(DAY)
    retype(qtbot, dialog.starts_at, "10:00")
    retype(qtbot, dialog.ends_at, "12:00")
    save(qtbot, dialog)
    assert "该时段已被预约" in dialog.error_text("starts_at")
    assert "阳光家庭教育服务中心" in dialog.error_text("starts_at")
    assert Booking.select().count() == 1
    retype(qtbot, dialog.starts_at, "11:00")  # starts as the other ends
    save(qtbot, dialog)
    assert not dialog.isVisible()
    assert Booking.select().count() == 2

    detail = page.show_detail()
    assert [r[2] for r in DetailDialog.table_texts(detail.bookings_table)] == [
        "阳光家庭教育服务中心", "柳树村妇女微家互助会"]
    detail.bookings_table.selectRow(0)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(detail.cancel_button, Qt.MouseButton.LeftButton)
    assert [r[2] for r in DetailDialog.table_texts(detail.bookings_table)] == ["柳树村妇女微家互助会"]
    assert Booking.get(Booking.purpose == "亲子阅读").cancelled
    qtbot.mouseClick(detail.book_button, Qt.MouseButton.LeftButton)
    again = detail.active_dialog
    again.organization.setValue(orgs[2].id)
    again.day.setValue(DAY)
    retype(qtbot, again.starts_at, "9:00")
    retype(qtbot, again.ends_at, "11:00")
    save(qtbot, again)
    assert not again.isVisible()  # the cancelled booking freed the slot
    assert len(DetailDialog.table_texts(detail.bookings_table)) == 2
    assert AuditEntry.select().where(AuditEntry.entity == "booking").count() == 4


def test_detail_usage_per_month_and_year(qtbot, page, venues):
    for held, served in ((dt.date(2025, 3, 2), 20), (dt.date(2025, 3, 20), 15), (dt.date(2024, 7, 1), 9)):
        Activity.create(title="活动", held_on=held, venue=venues["micro"], people_served=served)
    select(page, "柳树村妇女微家")
    detail = page.show_detail()
    assert DetailDialog.table_texts(detail.monthly_table) == [["2025-03", "2", "35"], ["2024-07", "1", "9"]]
    assert DetailDialog.table_texts(detail.yearly_table) == [["2025", "2", "35"], ["2024", "1", "9"]]
    assert "容纳 20 人" in detail.header.text()
