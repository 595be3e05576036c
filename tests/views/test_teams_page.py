"""The Teams page, driven as a user: teams created and edited, members added and ended."""

import datetime as dt
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from models.entities import AuditEntry, Person, Team, TeamAssignment
from models.team_listing import TeamFilter, TeamListing
from models.teams import TeamData, add_assignment, save_team
from views.detail import DetailDialog
from views.pages.teams import TeamsPage
from views.table_model import ListingModel

from .conftest import column_values, save, show_page, type_text

TODAY = dt.date.today()


@pytest.fixture
def teams(ctx, county):
    cadre = Person.create(name="李红梅", is_cadre=True)
    worker = Person.create(name="张晓社", is_social_worker=True, social_worker_level="assistant",
                           id_number="320102199001011234")
    Person.create(name="王志愿", is_volunteer=True)
    east = save_team(TeamData(name="东关三工队", township_id=county["east"].id,
                              founded_on=dt.date(2024, 3, 8)), ctx.user)
    west = save_team(TeamData(name="西湖三工队", township_id=county["west"].id), ctx.user)
    add_assignment(ctx.user, east, cadre, "cadre", TODAY - dt.timedelta(days=100))
    add_assignment(ctx.user, east, worker, "social_worker", TODAY - dt.timedelta(days=100))
    add_assignment(ctx.user, west, cadre, "cadre", None)
    return {"east": east, "west": west}


@pytest.fixture
def page(qtbot, ctx, county, teams):
    return show_page(qtbot, TeamsPage(ctx), 1100, 600)



def names(page):
    return column_values(page)


def row_of(page, name):
    """The row's values, with the completeness column as the table shows it (translated)."""
    row = names(page).index(name)
    values = page.model.row_at(row).values
    return (*values[:5], page.model.index(row, 5).data(), *values[6:])


def open_team(qtbot, page, name):
    page.table.selectRow(names(page).index(name))
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)  # 打开…
    return page.detail


def edit_team(qtbot, page, name):
    """The team form (保存/取消), opened from the team's detail with 编辑…."""
    detail = open_team(qtbot, page, name)
    qtbot.mouseClick(detail.edit_button, Qt.MouseButton.LeftButton)
    return detail.active_dialog


def test_team_model_passes_qt_model_tester(qtmodeltester, teams):
    model = ListingModel(TeamListing(), TeamFilter(), batch=1)
    qtmodeltester.check(model, force_py=True)


def test_list_shows_counts_and_completeness(page):
    assert names(page) == ["东关三工队", "西湖三工队"]
    assert row_of(page, "东关三工队")[1:6] == ("东关街道", 1, 1, 0, "缺义工")
    assert row_of(page, "西湖三工队")[5] == "缺社工、义工"
    headers = [page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    assert headers == ["团队名称", "所属镇（街道）", "妇工", "社工", "义工", "是否齐全", "成立日期"]
    page.township_filter.setCurrentIndex(2)  # 西湖镇
    assert names(page) == ["西湖三工队"]


def test_create_team_with_validation_messages(qtbot, ctx, page, county):
    qtbot.keyClick(page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = page.active_dialog
    save(qtbot, form)
    assert form.error_text("name") == "请填写团队名称"
    assert form.error_text("township_id") == "请选择所属镇（街道）"
    type_text(form.name, "东关三工队")
    form.township.setValue(county["west"].id)
    save(qtbot, form)
    assert form.error_text("name") == "名称与已有团队“东关三工队”重复"
    assert Team.select().count() == 2
    form.name.clear()
    type_text(form.name, "柳树三工队")
    save(qtbot, form)
    assert not form.isVisible()
    team = Team.get(Team.name == "柳树三工队")
    assert team.region_id == county["west"].id
    assert names(page)[page.table.currentIndex().row()] == "柳树三工队"
    entry = AuditEntry.get((AuditEntry.entity == "team") & (AuditEntry.entity_id == team.id))
    assert entry.action == "create"


def add_member(qtbot, form, search: str, role: str | None = None):
    """加入成员…: type a name, the first match is highlighted and so chosen; 保存 in the small dialog."""
    qtbot.mouseClick(form.add_member_button, Qt.MouseButton.LeftButton)
    adding = form.active_dialog
    type_text(adding.picker.query, search)
    adding.picker.run_search()
    if role is not None:
        adding.role.setValue(role)
    save(qtbot, adding)
    return adding


def assignments(team) -> int:
    return TeamAssignment.select().where(TeamAssignment.team == team).count()


def test_members_added_and_ended_are_saved_with_the_team_and_cancel_undoes_them(
        qtbot, ctx, page, teams, discard_questions):
    form = edit_team(qtbot, page, "东关三工队")
    assert form.status_label.text() == "缺义工"
    audit_lines = AuditEntry.select().count()
    adding = add_member(qtbot, form, "王志")
    assert adding.chosen.text() == "王志愿"  # highlighting chose her
    assert adding.role.value() == "volunteer"  # suggested from the register
    assert not adding.isVisible()
    assert form.status_label.text() == "齐全"
    assert DetailDialog.table_texts(form.members_table)[-1][1::5] == ["王志愿", "待保存"]
    assert assignments(teams["east"]) == 2  # nothing written before 保存

    asked = discard_questions.answer(True)
    qtbot.mouseClick(form.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and not form.isVisible()
    assert assignments(teams["east"]) == 2 and AuditEntry.select().count() == audit_lines
    assert row_of(page, "东关三工队")[5] == "缺义工"

    page.detail.reject()
    form = edit_team(qtbot, page, "东关三工队")
    add_member(qtbot, form, "王志")
    again = add_member(qtbot, form, "李红", "cadre")
    assert "不能重复加入" in again.error_text("person")
    asked = discard_questions.answer(True)
    qtbot.keyClick(again, Qt.Key.Key_Escape)
    assert not again.isVisible()

    rows = DetailDialog.table_texts(form.members_table)
    assert [r[:2] for r in rows] == [["妇工", "李红梅"], ["社工", "张晓社"], ["义工", "王志愿"]]
    assert rows[1][2] != "320102199001011234"  # masked
    form.members_table.selectRow(1)
    qtbot.mouseClick(form.end_member_button, Qt.MouseButton.LeftButton)
    ending = form.active_dialog
    ending.end_on.setValue(TODAY - dt.timedelta(days=200))
    save(qtbot, ending)
    assert "不能早于开始日期" in ending.error_text("end_on")
    ending.end_on.setValue(TODAY - dt.timedelta(days=1))
    save(qtbot, ending)
    assert form.status_label.text() == "缺社工"
    assert TeamAssignment.get(TeamAssignment.role == "social_worker").end_on is None  # not yet
    save(qtbot, form)
    assert not form.isVisible()
    page.detail.reject()  # the list follows once the team's detail is closed
    ended = TeamAssignment.get(TeamAssignment.role == "social_worker")
    assert ended.end_on == TODAY - dt.timedelta(days=1)
    assert assignments(teams["east"]) == 3
    assert row_of(page, "东关三工队")[2:6] == (1, 0, 1, "缺社工")
    assert AuditEntry.select().where(AuditEntry.entity == "team_assignment").count() == 5


def test_a_volunteer_without_a_certificate_is_no_social_worker_unless_a_reason_is_given(
        qtbot, ctx, page, teams):
    form = edit_team(qtbot, page, "西湖三工队")
    adding = add_member(qtbot, form, "王志", "social_worker")
    assert adding.isVisible() and "没有社工证书等级" in adding.error_text("role")
    assert form.status_label.text() == "缺社工、义工"
    assert adding.override.isEnabled()
    type_text(adding.override, "持证社工病休期间临时顶岗")
    save(qtbot, adding)
    assert not adding.isVisible()
    save(qtbot, form)
    assert not form.isVisible()
    worker = TeamAssignment.get(TeamAssignment.team == teams["west"], TeamAssignment.role == "social_worker")
    assert worker.person.name == "王志愿"
    override = AuditEntry.get(AuditEntry.action == "override")
    assert override.entity == "team_assignment" and override.entity_id == worker.id
    assert json.loads(override.changes) == {"certificate_override": [None, "持证社工病休期间临时顶岗"]}
    assert override.username == ctx.user.username


def test_members_added_and_ended_in_the_detail_are_written_by_their_own_dialogs(qtbot, ctx, page, teams):
    """The team's detail has no 保存 of its own: 加入成员… and 结束任职… write when their small
    dialog's 保存 is pressed, and the detail shows the team as stored."""
    detail = open_team(qtbot, page, "东关三工队")
    assert detail.info_text("三工情况") == "缺义工"
    adding = add_member(qtbot, detail, "王志")
    assert not adding.isVisible() and assignments(teams["east"]) == 3
    assert detail.info_text("三工情况") == "齐全"
    again = add_member(qtbot, detail, "李红", "cadre")
    assert "不能重复加入" in again.error_text("person")
    again.reject()
    detail.members_table.selectRow(1)  # 社工 张晓社
    qtbot.mouseClick(detail.end_member_button, Qt.MouseButton.LeftButton)
    ending = detail.active_dialog
    ending.end_on.setValue(TODAY - dt.timedelta(days=1))
    save(qtbot, ending)
    assert TeamAssignment.get(TeamAssignment.role == "social_worker").end_on == TODAY - dt.timedelta(days=1)
    assert detail.info_text("三工情况") == "缺社工"
    detail.reject()
    assert row_of(page, "东关三工队")[2:6] == (1, 0, 1, "缺社工")
    assert AuditEntry.select().where(AuditEntry.entity == "team_assignment").count() == 5


def test_edit_and_archive_team(qtbot, page, teams):
    form = edit_team(qtbot, page, "西湖三工队")
    form.name.clear()
    type_text(form.name, "西湖镇三工联动队")
    save(qtbot, form)
    assert Team.get_by_id(teams["west"].id).name == "西湖镇三工联动队"
    page.detail.reject()  # back on the list
    page.table.selectRow(names(page).index("西湖镇三工联动队"))
    qtbot.mouseClick(page.archive_button, Qt.MouseButton.LeftButton)
    dialog = page.active_dialog
    save(qtbot, dialog)
    assert dialog.error_text("reason") == "请填写归档原因"
    dialog.reason.setPlainText("并入东关队")
    save(qtbot, dialog)
    assert names(page) == ["东关三工队"]
    assert Team.get_by_id(teams["west"].id).archived_reason == "并入东关队"


def test_complete_filter_and_township_view(qtbot, ctx, page, teams, county):
    volunteer = Person.get(Person.name == "王志愿")
    add_assignment(ctx.user, teams["east"], volunteer, "volunteer", TODAY)
    page.refresh()
    page.complete_filter.setCurrentIndex(1)  # 齐全
    assert names(page) == ["东关三工队"]
    page.complete_filter.setCurrentIndex(2)  # 不齐全
    assert names(page) == ["西湖三工队"]
    qtbot.mouseClick(page.township_button, Qt.MouseButton.LeftButton)
    view = page.township_dialog
    assert DetailDialog.table_texts(view.table) == [
        ["东关街道", "1", "1", ""], ["西湖镇", "1", "0", "无专业社工团队"]]
    assert "西湖镇" in view.header.text()
    view.reject()
