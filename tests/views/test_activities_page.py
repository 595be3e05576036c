"""The Activities page and its bulk service-hours dialog, driven as a user."""

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from models.activities import ActivityData, save_activity
from models.activity_listing import ActivityFilter, ActivityListing
from models.entities import Activity, AuditEntry, Membership, Person, ServiceRecord
from models.projects import ProjectData, save_project
from views.pages.activities import ActivitiesPage, ActivityForm
from views.pages.service_hours import ServiceHoursDialog
from views.table_model import ListingModel

from .conftest import save, show_page, type_text

TODAY = dt.date.today()


@pytest.fixture
def volunteers(ctx):
    return [Person.create(name=name, is_volunteer=True, id_number=number)
            for name, number in (("王芳", None), ("王丽", None), ("李娜", "11010519491231002X"))]


@pytest.fixture
def activities(ctx, orgs):
    return [
        save_activity(ActivityData(title="端午敬老", held_on=TODAY, organization_id=orgs[2].id,
                                   participants=20, people_served=60), ctx.user),
        save_activity(ActivityData(title="家庭教育讲座", held_on=TODAY - dt.timedelta(days=400),
                                   organization_id=orgs[0].id), ctx.user),
    ]


@pytest.fixture
def page(qtbot, ctx, activities, volunteers):
    return show_page(qtbot, ActivitiesPage(ctx))



def titles(page):
    return [page.model.row_at(r).values[1] for r in range(page.model.rowCount())]


def select_title(page, title):
    page.table.selectRow(titles(page).index(title))


def pick(qtbot, dialog, text, shown: str | None = None):
    """Type in the picker, wait for the matches (the first one showing ``shown``, else ``text``),
    press Enter on the first one."""
    dialog.picker.query.clear()
    type_text(dialog.picker.query, text)
    qtbot.waitUntil(lambda: dialog.picker.matches.count() > 0
                    and (shown or text) in dialog.picker.matches.item(0).text(), timeout=2000)
    qtbot.keyClick(dialog.picker.query, Qt.Key.Key_Return)
    assert dialog.isVisible()  # Enter in the search box never saves the dialog


def test_table_model_passes_qt_model_tester(qtmodeltester, ctx, activities):
    model = ListingModel(ActivityListing(), ActivityFilter(), batch=1)
    qtmodeltester.check(model, force_py=True)
    model.set_filter(ActivityFilter(text="敬老"))
    assert model.rowCount() == 1


def test_list_columns_and_period_filter(page):
    headers = [page.model.headerData(i, Qt.Orientation.Horizontal) for i in range(page.model.columnCount())]
    assert headers == ["日期", "活动名称", "阵地", "组织", "团队", "项目", "参与人数", "服务人次",
                       "志愿时长合计"]
    assert titles(page) == ["端午敬老", "家庭教育讲座"]  # newest first
    assert page.table.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert not page.month_filter.isEnabled()
    page.year_filter.setValue(TODAY.year)
    assert titles(page) == ["端午敬老"]
    assert page.month_filter.isEnabled()
    page.month_filter.setValue(TODAY.month % 12 + 1)  # another month of this year
    assert titles(page) == []
    page.month_filter.setValue(TODAY.month)
    assert titles(page) == ["端午敬老"]


def test_activity_needs_an_organization_team_or_project(qtbot, page):
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = page.active_dialog
    assert isinstance(form, ActivityForm)
    type_text(form.title, "三八节读书会")
    save(qtbot, form)
    assert form.isVisible()
    assert form.error_text("organization_id") == "请至少选择举办的组织、团队或项目之一"
    assert not Activity.select().where(Activity.title == "三八节读书会").exists()


def test_choosing_a_project_fills_its_organization(qtbot, page, orgs):
    project = save_project(ProjectData(name="家庭教育进社区", organization_id=orgs[0].id), page.ctx.user)
    page.create_new()
    form = page.active_dialog
    form.project.setValue(project.id)
    assert form.organization.value() == orgs[0].id and form.team.value() is None
    form.organization.setValue(orgs[1].id)
    form.project.setValue(None)
    form.project.setValue(project.id)
    assert form.organization.value() == orgs[1].id  # not overwritten once chosen


def test_new_activity_is_saved(qtbot, page, orgs):
    page.create_new()
    form = page.active_dialog
    type_text(form.title, "三八节读书会")
    form.organization.setValue(orgs[1].id)
    form.participants.setValue(15)
    form.people_served.setValue(30)
    save(qtbot, form)
    assert not form.isVisible(), {k: form.error_text(k) for k in form._errors}
    activity = Activity.get(Activity.title == "三八节读书会")
    assert activity.organization_id == orgs[1].id and activity.people_served == 30
    assert activity.held_on == TODAY
    assert page.selected_id() == activity.id


def test_bulk_service_hours(qtbot, page, volunteers, orgs):
    select_title(page, "端午敬老")
    qtbot.mouseClick(page.hours_button, Qt.MouseButton.LeftButton)
    dialog = page.active_dialog
    assert isinstance(dialog, ServiceHoursDialog)
    pick(qtbot, dialog, "王芳")
    pick(qtbot, dialog, "王丽")
    pick(qtbot, dialog, "11010519491231002x", "110105********002X")  # a whole ID number
    assert dialog.table.rowCount() == 3
    assert "110105********002X" in dialog.table.item(2, 0).text()
    dialog.same_hours.setValue(2.5)
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    dialog.table.item(1, 1).setText("4")  # 王丽 stayed longer
    assert dialog.total.text() == "3 人，共 9.0 小时"
    save(qtbot, dialog)
    assert not dialog.isVisible(), dialog.error_text("attendees")
    activity = Activity.get(Activity.title == "端午敬老")
    stored = {r.person_id: r.hours for r in ServiceRecord.select().where(ServiceRecord.activity == activity)}
    a, b, c = volunteers
    assert stored == {a.id: Decimal("2.5"), b.id: Decimal("4"), c.id: Decimal("2.5")}
    hours_col = [col.key for col in page.model.columns].index("hours")
    assert page.model.index(titles(page).index("端午敬老"), hours_col).data() == "9.0"

    page.edit_service_hours()  # the same activity is still selected
    again = page.active_dialog
    assert again.table.rowCount() == 3
    shown = [again.table.item(r, 0).text() for r in range(again.table.rowCount())]
    assert shown[1:] == ["王芳", "王丽"]  # pinyin order
    again.table.selectRow(shown.index("王芳"))
    qtbot.mouseClick(again.remove_button, Qt.MouseButton.LeftButton)
    save(qtbot, again)
    stored = {r.person_id for r in ServiceRecord.select().where(ServiceRecord.activity == activity)}
    assert len(stored) == 2 and a.id not in stored
    deleted = AuditEntry.select().where((AuditEntry.entity == "service_record")
                                        & (AuditEntry.action == "delete"))
    assert deleted.count() == 1


def test_non_volunteers_are_not_offered_and_bad_hours_refused(qtbot, page, volunteers):
    Person.create(name="王秀英", is_volunteer=False)
    select_title(page, "端午敬老")
    page.edit_service_hours()
    dialog = page.active_dialog
    type_text(dialog.picker.query, "王")
    qtbot.waitUntil(lambda: dialog.picker.matches.count() > 0, timeout=2000)
    offered = [dialog.picker.matches.item(i).text() for i in range(dialog.picker.matches.count())]
    assert offered == ["王芳", "王丽"]
    qtbot.keyClick(dialog.picker.query, Qt.Key.Key_Return)
    dialog.table.item(0, 1).setText("30")
    save(qtbot, dialog)
    assert dialog.isVisible()
    assert "不超过 24 小时" in dialog.error_text("attendees")
    dialog.table.item(0, 1).setText("两")
    save(qtbot, dialog)
    assert dialog.error_text("attendees") == "时长“两”不是数字"
    assert ServiceRecord.select().count() == 0


def test_members_of_the_organization_who_are_volunteers_are_added(qtbot, page, volunteers, orgs):
    Membership.create(person=volunteers[0], organization=orgs[2])
    Membership.create(person=Person.create(name="非志愿者成员"), organization=orgs[2])
    select_title(page, "端午敬老")
    page.edit_service_hours()
    dialog = page.active_dialog
    qtbot.mouseClick(dialog.members_button, Qt.MouseButton.LeftButton)
    assert [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())] == ["王芳"]
    assert dialog.table.item(0, 1).text() == "2.0"
    assert dialog.members_hint.text() == "已添加本组织/团队的 1 名志愿者。"
    qtbot.mouseClick(dialog.members_button, Qt.MouseButton.LeftButton)  # again: nothing new
    assert dialog.table.rowCount() == 1
    assert dialog.members_hint.text() == "本组织/团队的 1 名志愿者都已在下表中。"


def test_adding_the_volunteers_of_an_organization_without_any_says_so(qtbot, page, orgs):
    select_title(page, "端午敬老")
    page.edit_service_hours()
    dialog = page.active_dialog
    qtbot.mouseClick(dialog.members_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 0
    assert dialog.members_hint.isVisible()
    assert dialog.members_hint.text().startswith("本组织/团队在 ")
    assert "没有在册的志愿者" in dialog.members_hint.text()
