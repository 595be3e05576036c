"""The organization detail, opened from the Organizations page, with members added and ended."""

import datetime as dt
import json

import pytest
from PySide6.QtCore import Qt

from models.entities import AuditEntry, Membership, Organization, OrganizationStage, Person, User
from models.organizations import advance_stage, correct_stage_date
from models.permissions import PermissionDenied
from views.detail import DetailDialog
from views.pages.organizations import OrganizationsPage

from .conftest import save, type_text


@pytest.fixture
def detail(qtbot, ctx, orgs):
    Person.create(name="王秀英", id_number="11010519491231002X", is_volunteer=True)
    Person.create(name="王芳", is_volunteer=True)
    page = OrganizationsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    names = [page.model.row_at(r).values[0] for r in range(page.model.rowCount())]
    page.table.selectRow(names.index("柳树村妇女微家互助会"))
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    return page.detail


def tab_rows(dialog, title):
    index = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())].index(title)
    return DetailDialog.table_texts(dialog.tabs.widget(index).findChild(type(dialog.members_table)))


def test_detail_shows_stage_history_and_overdue_flag(detail):
    assert detail.isVisible()
    assert "柳树村妇女微家互助会" in detail.header.text()
    assert "孵化已超过 12 个月仍未出壳" in detail.header.text()
    stages = tab_rows(detail, "孵化历程")
    assert stages == [["萌芽期", (dt.date.today() - dt.timedelta(days=500)).isoformat(), "", "500", ""]]
    assert tab_rows(detail, "成员") == [] and tab_rows(detail, "项目") == []


def test_add_a_member_by_searching_then_end_the_membership(qtbot, detail, discard_questions):
    qtbot.mouseClick(detail.add_member_button, Qt.MouseButton.LeftButton)
    dialog = detail.active_dialog
    type_text(dialog.picker.query, "王")
    dialog.picker.run_search()
    labels = [dialog.picker.matches.item(i).text() for i in range(dialog.picker.matches.count())]
    assert labels == ["王芳", "王秀英（110105********002X）"]
    dialog.picker.matches.setCurrentRow(1)
    dialog.picker.pick_selected()
    dialog.role.setValue("leader")
    save(qtbot, dialog)
    assert not dialog.isVisible()
    membership = Membership.get()
    assert membership.person.name == "王秀英" and membership.role == "leader"
    assert membership.organization.name == "柳树村妇女微家互助会"
    assert tab_rows(detail, "成员")[0][:3] == ["王秀英", "110105********002X", "负责人"]

    qtbot.mouseClick(detail.add_member_button, Qt.MouseButton.LeftButton)  # the same person again
    again = detail.active_dialog
    type_text(again.picker.query, "王秀英")
    again.picker.run_search()
    again.picker.pick_selected()
    save(qtbot, again)
    assert "不能重复加入" in again.error_text("person")
    asked = discard_questions.answer(True)
    qtbot.keyClick(again, Qt.Key.Key_Escape)  # what was typed is dropped, once confirmed
    assert len(asked) == 1 and not again.isVisible()

    detail.members_table.selectRow(0)
    qtbot.mouseClick(detail.end_member_button, Qt.MouseButton.LeftButton)
    ending = detail.active_dialog
    save(qtbot, ending)
    assert Membership.get_by_id(membership.id).end_on == dt.date.today()
    assert tab_rows(detail, "成员")[0][4] == dt.date.today().isoformat()
    assert Organization.select().count() == 4


def test_a_wrong_stage_date_is_corrected_with_a_reason_in_the_audit_trail(qtbot, ctx, detail):
    org = Organization.get(Organization.name == "柳树村妇女微家互助会")
    advance_stage(org, ctx.user, "startup", dt.date.today() - dt.timedelta(days=10))
    detail = reopened(qtbot, detail)
    entered = dt.date.today() - dt.timedelta(days=500)
    assert [r[:2] for r in tab_rows(detail, "孵化历程")] == [
        ["萌芽期", entered.isoformat()], ["初创期", (dt.date.today() - dt.timedelta(days=10)).isoformat()]]
    detail.stages_table.selectRow(0)
    qtbot.mouseClick(detail.correct_stage_button, Qt.MouseButton.LeftButton)
    dialog = detail.active_dialog
    assert dialog.on.text() == entered.isoformat()
    dialog.on.setFocus()
    qtbot.keyClick(dialog.on, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    after_next = dt.date.today() - dt.timedelta(days=5)  # 初创期 began 10 days ago
    qtbot.keyClicks(dialog.on, after_next.strftime("%Y%m%d"))
    save(qtbot, dialog)
    assert "不能晚于下一阶段“初创期”的日期" in dialog.error_text("on")
    assert "请填写更正原因" in dialog.error_text("reason")
    corrected = entered - dt.timedelta(days=30)
    qtbot.keyClick(dialog.on, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.on, corrected.strftime("%Y/%m/%d"))
    type_text(dialog.reason, "登记时把入孵日期抄错")
    save(qtbot, dialog)
    assert not dialog.isVisible()
    assert tab_rows(detail, "孵化历程")[0][:2] == ["萌芽期", corrected.isoformat()]
    entry = AuditEntry.get(AuditEntry.action == "correct")
    assert entry.entity == "organization_stage" and entry.username == ctx.user.username
    assert json.loads(entry.changes) == {"entered_on": [entered.isoformat(), corrected.isoformat()],
                                         "reason": [None, "登记时把入孵日期抄错"]}


def test_a_viewer_cannot_correct_a_stage_date(qtbot, ctx, detail):
    viewer = User.create(username="guest", display_name="访客", role="viewer", password_hash="x")
    stage = OrganizationStage.get()
    with pytest.raises(PermissionDenied):
        correct_stage_date(stage, viewer, stage.entered_on - dt.timedelta(days=1), "抄错")
    assert OrganizationStage.get_by_id(stage.id).entered_on == stage.entered_on
    ctx.user = viewer
    detail = reopened(qtbot, detail)
    assert not detail.correct_stage_button.isEnabled()


def reopened(qtbot, detail):
    """Close the detail and open it again (it shows what is stored now)."""
    page = detail.parent()
    detail.reject()
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)  # 打开…
    return page.detail
