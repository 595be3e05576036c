"""Every register page works the same way, as each role meets it: a double click on a row opens
the record's detail (basic information first, then what refers to it), whose 编辑… and other
actions the role decides; the right-click menu offers the row's actions."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QMenu

from models.entities import Activity, Booking, Person, Project, Team, Training, Venue
from views.archiving import ArchiveRecordDialog
from views.pages.activities import ActivitiesPage
from views.pages.organizations import OrganizationsPage
from views.pages.people import PeoplePage
from views.pages.projects import ProjectsPage
from views.pages.teams import TeamsPage
from views.pages.trainings import TrainingsPage
from views.pages.users import UserDetail, UsersPage
from views.pages.venues import VenuesPage
from views.record_detail import RecordDetail

from .conftest import save, type_text

# page, the record's name as the first column shows it, the detail's related tabs, whether it
# has a roster (花名册)
REGISTERS = [
    (OrganizationsPage, "阳光家庭教育服务中心", ["成员", "项目", "活动", "孵化历程"], True),
    (PeoplePage, "王秀英", ["组织成员关系", "团队分工", "志愿服务（合计 0.0 小时）", "培训"], False),
    (TeamsPage, "东关三工队", ["成员", "项目", "活动"], True),
    (VenuesPage, "东关妇女之家", ["预约日历", "近期预约", "按月使用情况", "按年使用情况"], True),
    (ProjectsPage, "亲子阅读计划", ["活动", "节点", "督导", "拨款"], False),
    (ActivitiesPage, "三八节读书会", ["志愿服务"], False),
    (TrainingsPage, "社工督导", ["参加人员（0 人）"], False),
]


def type_over(field, text: str) -> None:
    """Select what the field shows and type over it: key by key, or as the input method commits
    Chinese characters."""
    field.setFocus()
    field.selectAll()
    if text.isascii():
        QTest.keyClicks(field, text)
    else:
        type_text(field, text)


@pytest.fixture
def records(ctx, orgs, county):
    east = county["east"]
    Person.create(name="王秀英", id_number="11010519491231002X", is_volunteer=True, region=east)
    team = Team.create(name="东关三工队", region=east)
    venue = Venue.create(name="东关妇女之家", level="town", kind="women_children_home", region=east,
                         capacity=40)
    Project.create(name="亲子阅读计划", source="venture", year=2026, organization=orgs[0], team=team)
    Activity.create(title="三八节读书会", held_on=dt.date(2026, 3, 8), venue=venue, team=team)
    Training.create(topic="社工督导", held_on=dt.date(2026, 4, 1))
    return {"team": team, "venue": venue}


def open_page(qtbot, page_class, ctx, user):
    ctx.user = user
    page = page_class(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


def row_of(page, name: str) -> int:
    for row in range(page.model.rowCount()):
        if name in [page.model.index(row, c).data() for c in range(page.model.columnCount())]:
            return row
    raise AssertionError(f"{name} not listed")


def double_click(qtbot, view, row: int) -> None:
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


@pytest.mark.parametrize("role", ["admin", "clerk", "viewer"])
@pytest.mark.parametrize(("page_class", "name", "related", "roster"), REGISTERS,
                         ids=[r[0].__name__ for r in REGISTERS])
def test_a_double_click_opens_the_same_detail_on_every_register_page(
        qtbot, ctx, operators, records, role, page_class, name, related, roster):
    page = open_page(qtbot, page_class, ctx, operators[role])
    editor = role != "viewer"
    assert page.open_button.text() == "打开…" and not page.open_button.isHidden()
    assert page.edit_button.isHidden() != editor and page.new_button.isHidden() != editor
    assert "查看/编辑" not in [b.text() for b in page.findChildren(type(page.open_button))]

    double_click(qtbot, page.table, row_of(page, name))
    detail = page.detail
    assert isinstance(detail, RecordDetail) and detail.isVisible() and name in detail.windowTitle()
    tabs = [detail.tabs.tabText(i) for i in range(detail.tabs.count())]
    assert tabs == ["基本信息", *related]
    assert name in detail.header.text() and next(iter(detail.info_labels.values())).text() == name
    assert detail.edit_button.isEnabled() == editor
    actions = {b.text(): b.isEnabled() for b in detail.findChildren(type(detail.edit_button))
               if b.parent() is detail and b.isVisible()}
    if roster:
        assert actions["花名册…"] == (role != "viewer") and actions["打印花名册…"]
    else:
        assert "花名册…" not in actions
    if editor:  # 编辑… opens the form over the detail; a save shows at once in the detail
        qtbot.mouseClick(detail.edit_button, Qt.MouseButton.LeftButton)
        form = detail.active_dialog
        assert form.isVisible() and form.parent() is detail
        form.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
        assert not form.isVisible() and detail.isVisible()
    detail.reject()


def test_the_id_number_in_the_basic_information_follows_the_role(qtbot, ctx, operators, records):
    shown = {}
    for role in ("admin", "clerk"):
        page = open_page(qtbot, PeoplePage, ctx, operators[role])
        double_click(qtbot, page.table, row_of(page, "王秀英"))
        shown[role] = page.detail.info_text("公民身份号码")
        page.detail.reject()
    assert shown == {"admin": "11010519491231002X", "clerk": "110105********002X"}


def test_editing_in_the_detail_updates_it_and_the_list(qtbot, ctx, operators, records):
    page = open_page(qtbot, TeamsPage, ctx, operators["clerk"])
    double_click(qtbot, page.table, row_of(page, "东关三工队"))
    detail = page.detail
    qtbot.mouseClick(detail.edit_button, Qt.MouseButton.LeftButton)
    form = detail.active_dialog
    form.name.clear()
    type_text(form.name, "东关街道三工联动队")
    save(qtbot, form)
    assert detail.info_text("名称") == "东关街道三工联动队" and "东关街道三工联动队" in detail.header.text()
    detail.reject()
    assert page.model.index(row_of(page, "东关街道三工联动队"), 0).data() == "东关街道三工联动队"
    assert page.selected_record().name == "东关街道三工联动队"


@pytest.mark.parametrize("role", ["clerk", "viewer"])
def test_the_right_click_menu_offers_the_rows_actions(qtbot, ctx, operators, records, role):
    page = open_page(qtbot, OrganizationsPage, ctx, operators[role])
    row = row_of(page, "阳光家庭教育服务中心")
    page.table.selectRow(row)
    menu = page.context_menu()
    offered = {a.text(): a.isEnabled() for a in menu.actions() if not a.isSeparator()}
    if role == "clerk":
        assert list(offered) == ["打开…", "编辑…", "推进阶段…", "归档…", "新建", "导出 Excel…",
                                 "复制选中行", "复制选中行（含表头）"]
        assert all(offered.values())
    else:  # a viewer is offered what she may do
        assert list(offered) == ["打开…", "复制选中行", "复制选中行（含表头）"]
    assert menu.defaultAction().text() == "打开…"

    # a real right click on another row selects it, then its menu's 打开… opens it
    other = row_of(page, "爱心助老协会")
    rect = page.table.visualRect(page.model.index(other, 0))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.RightButton, pos=rect.center())
    assert page.selected_record().name == "爱心助老协会"
    page.context_menu().actions()[0].trigger()
    assert page.detail.isVisible() and "爱心助老协会" in page.detail.windowTitle()
    page.detail.reject()
    if role == "clerk":
        [archive] = [a for a in page.context_menu().actions() if a.text() == "归档…"]
        archive.trigger()
        assert isinstance(page.active_dialog, ArchiveRecordDialog)
        page.active_dialog.reject()


@pytest.mark.qt_log_ignore("does not support grabbing the keyboard")  # offscreen popups
def test_the_menu_pops_up_with_the_pages_own_row_actions(qtbot, ctx, operators, records):
    page = open_page(qtbot, ActivitiesPage, ctx, operators["clerk"])
    page.table.selectRow(0)
    page.show_context_menu(QPoint(5, 5))
    [menu] = [m for m in page.findChildren(QMenu, "row_menu") if m.isVisible()]
    labels = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert labels[:4] == ["打开…", "编辑…", "归档…", "志愿服务时长…"]
    menu.close()


def test_orange_rows_have_a_legend_below_the_list(qtbot, ctx, operators, records):
    page = open_page(qtbot, OrganizationsPage, ctx, operators["clerk"])
    assert page.legend.isVisible()
    assert "孵化已超过 12 个月仍未出壳" in page.legend.text()
    assert "background-color:#ffeccc" in page.legend.text()  # the rows' own colour
    people = open_page(qtbot, PeoplePage, ctx, operators["clerk"])
    assert not people.legend.isVisible()  # no row of that list is ever coloured


def test_the_operators_page_searches_counts_and_opens_a_detail(qtbot, ctx, operators):
    page = open_page(qtbot, UsersPage, ctx, operators["admin"])
    assert page.new_button.text() == "新建" and page.status.text() == "共 3 个操作员"
    type_text(page.search, "查看")
    assert [page.table.item(r, 0).text() for r in range(page.table.rowCount())] == ["chakan"]
    assert page.status.text() == "共 3 个操作员，显示 1 个"
    double_click(qtbot, page.table, 0)
    detail = page.detail
    assert isinstance(detail, UserDetail) and detail.tabs.tabText(0) == "基本信息"
    assert "查看员" in detail.info.text() and detail.edit_button.isEnabled()
    qtbot.mouseClick(detail.edit_button, Qt.MouseButton.LeftButton)
    form = detail.active_dialog
    form.role.setValue("clerk")
    save(qtbot, form)
    assert "录入员" in detail.info.text()
    detail.reject()
    assert page.table.item(0, 2).text() == "录入员"
    page.table.selectRow(0)
    assert [a.text() for a in page.context_menu().actions() if not a.isSeparator()] == [
        "打开…", "编辑…", "重设密码…", "新建"]


def test_a_booking_for_a_person_shows_in_the_venue_calendar(qtbot, ctx, operators, records):
    page = open_page(qtbot, VenuesPage, ctx, operators["clerk"])
    double_click(qtbot, page.table, row_of(page, "东关妇女之家"))
    detail = page.detail
    calendar = detail.calendar
    day = calendar.days[2]  # Wednesday of this week
    calendar.grid.cellDoubleClicked.emit(0, 2)  # a double click on the day books it
    dialog = detail.active_dialog
    assert dialog.day.value() == day
    dialog.holder.setValue("person")
    assert dialog.picker.isVisible() and not dialog.organization.isVisible()
    save(qtbot, dialog)
    assert dialog.error_text("person") == "请选择为谁预约"
    type_text(dialog.picker.query, "王秀")
    dialog.picker.run_search()
    dialog.picker.pick_selected()
    type_over(dialog.starts_at, "14:00")
    type_over(dialog.ends_at, "1630")  # as clerks type times
    type_text(dialog.purpose, "婚姻家庭调解")
    save(qtbot, dialog)
    assert not dialog.isVisible()
    booking = Booking.get(Booking.purpose == "婚姻家庭调解")
    assert booking.person.name == "王秀英" and not booking.for_office
    assert "14:00–16:30 王秀英（婚姻家庭调解）" in calendar.text_of(day)

    qtbot.mouseClick(detail.book_button, Qt.MouseButton.LeftButton)
    office = detail.active_dialog
    office.holder.setValue("office")
    office.day.setValue(day)
    type_over(office.starts_at, "15点")
    type_over(office.ends_at, "17:00")
    save(qtbot, office)
    assert "王秀英" in office.error_text("starts_at")  # the time is hers
    type_over(office.starts_at, "16点半")
    save(qtbot, office)
    assert "16:30–17:00 本单位" in calendar.text_of(day)

    calendar.mode.setValue("month")
    assert len(calendar.days) in (28, 35, 42) and "王秀英" in calendar.text_of(day)
    calendar.move(1)
    assert calendar.text_of(day) == "" or "王秀英" not in calendar.text_of(day).split("\n", 1)[0]
    detail.reject()
