"""The Projects page, driven as a user: typing amounts, choosing statuses, reading the list."""

import json
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from models.entities import AuditEntry, Project, ProjectVenue, Venue
from models.project_listing import ProjectFilter, ProjectListing
from models.projects import ProjectData, save_project
from views.pages.projects import ProjectForm, ProjectsPage
from views.table_model import ListingModel

from .conftest import save, show_page, type_text


@pytest.fixture
def venue(ctx):
    return Venue.create(name="东关妇女儿童之家", level="town", kind="women_children_home")


@pytest.fixture
def projects(ctx, orgs):
    specs = [
        ProjectData(name="家庭教育进社区", source="purchase", year=2025, organization_id=orgs[0].id,
                    amount_applied="50000", amount_granted="35600", planned_served=1200),
        ProjectData(name="爱心助老陪伴", source="venture", year=2024, organization_id=orgs[3].id,
                    amount_applied="8000.5"),
    ]
    return [save_project(spec, ctx.user) for spec in specs]


@pytest.fixture
def page(qtbot, ctx, projects, venue):
    return show_page(qtbot, ProjectsPage(ctx))



def cell(page, name, key):
    names = [page.model.row_at(r).values[0] for r in range(page.model.rowCount())]
    column = [c.key for c in page.model.columns].index(key)
    return page.model.index(names.index(name), column).data()


def test_table_model_passes_qt_model_tester(qtmodeltester, ctx, projects):
    model = ListingModel(ProjectListing(), ProjectFilter(), batch=1)
    qtmodeltester.check(model, force_py=True)
    model.set_filter(ProjectFilter(source="venture"))
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["爱心助老陪伴"]


def test_money_is_shown_with_separators_and_two_decimals(page):
    headers = [page.model.headerData(i, Qt.Orientation.Horizontal) for i in range(page.model.columnCount())]
    assert headers == ["项目名称", "来源", "年度", "批次", "承接组织", "状态", "申请金额", "立项金额",
                       "计划服务人次", "实际服务人次"]
    assert cell(page, "家庭教育进社区", "amount_granted") == "35,600.00"
    assert cell(page, "家庭教育进社区", "amount_applied") == "50,000.00"
    assert cell(page, "爱心助老陪伴", "amount_applied") == "8,000.50"
    assert cell(page, "爱心助老陪伴", "amount_granted") == ""
    assert cell(page, "家庭教育进社区", "organization") == "阳光家庭教育服务中心"
    assert cell(page, "家庭教育进社区", "status") == "申报"


def test_filters_and_search(qtbot, page):
    page.source_filter.setValue("venture")
    assert page.model.total == 1
    page.source_filter.setValue(None)
    page.year_filter.setValue(2025)
    assert page.model.row_at(0).values[0] == "家庭教育进社区" and page.model.total == 1
    page.year_filter.setValue(None)
    type_text(page.search, "助老协会")
    qtbot.waitUntil(lambda: page.model.current_filter.text == "助老协会", timeout=2000)
    assert [page.model.row_at(r).values[0] for r in range(page.model.rowCount())] == ["爱心助老陪伴"]


def test_bad_amounts_show_messages_and_save_nothing(qtbot, page):
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = page.active_dialog
    assert isinstance(form, ProjectForm)
    type_text(form.name, "巾帼创业扶持")
    type_text(form.amount_applied, "三万")
    type_text(form.amount_granted, "12.345")
    save(qtbot, form)
    assert form.isVisible()
    assert form.error_text("amount_applied") == "请输入金额数字，如 35,600.50 或 12万"
    assert form.error_text("amount_granted") == "金额最多保留两位小数（元、角、分）"
    form.amount_applied.setText("")
    type_text(form.amount_applied, "10,000")
    form.amount_granted.setText("")
    type_text(form.amount_granted, "12000")
    save(qtbot, form)
    assert "不能大于申请金额" in form.error_text("amount_granted")
    assert not Project.select().where(Project.name == "巾帼创业扶持").exists()


def test_amount_is_tidied_when_leaving_the_field(qtbot, page):
    page.create_new()
    form = page.active_dialog
    type_text(form.amount_applied, "35600.5")
    form.amount_applied.editingFinished.emit()
    assert form.amount_applied.text() == "35,600.50"
    form.amount_granted.setText("-3")
    form.amount_granted.editingFinished.emit()
    assert form.error_text("amount_granted") == "金额不能为负数"


def test_new_project_is_saved_with_decimal_money_and_venues(qtbot, page, orgs, venue):
    page.create_new()
    form = page.active_dialog
    type_text(form.name, "妇女微家能力提升")
    form.source.setValue("micro_venture")
    form.year.setValue(2025)
    type_text(form.batch, "第二批")
    form.organization.setValue(orgs[1].id)
    type_text(form.amount_applied, "35,600.50")
    type_text(form.amount_granted, "35600.5")
    assert form.planned_served.text() == "未填"
    form.planned_served.setValue(300)
    form.venues.setValues([venue.id])
    save(qtbot, form)
    assert not form.isVisible(), {k: form.error_text(k) for k in form._errors}
    project = Project.get(Project.name == "妇女微家能力提升")
    assert project.amount_applied == project.amount_granted == Decimal("35600.50")
    assert project.source == "micro_venture" and project.batch == "第二批" and project.planned_served == 300
    assert project.actual_served is None  # left blank
    assert [link.venue_id for link in ProjectVenue.select().where(ProjectVenue.project == project)] == [
        venue.id]
    assert page.selected_id() == project.id
    assert cell(page, "妇女微家能力提升", "amount_granted") == "35,600.50"


def test_edit_form_offers_only_allowed_next_statuses(qtbot, page, projects):
    page.table.selectRow([page.model.row_at(r).id for r in range(page.model.rowCount())].index(
        projects[0].id))
    page.edit_selected()
    form = page.active_dialog
    offered = [form.status.itemData(i) for i in range(form.status.count())]
    assert offered == ["applied", "approved", "rejected"]
    assert form.amount_granted.text() == "35,600.00"
    form.status.setValue("approved")
    save(qtbot, form)
    assert not form.isVisible()
    assert Project.get_by_id(projects[0].id).status == "approved"
    entry = (AuditEntry.select()
             .where((AuditEntry.entity == "project") & (AuditEntry.entity_id == projects[0].id)
                    & (AuditEntry.action == "update"))
             .order_by(AuditEntry.id.desc()).first())
    assert json.loads(entry.changes) == {"status": ["applied", "approved"]}
    page.edit_selected()
    offered = [page.active_dialog.status.itemData(i) for i in range(page.active_dialog.status.count())]
    assert offered == ["approved", "in_progress", "terminated"]


def test_archive_needs_a_reason_then_hides_and_restores(qtbot, page, projects):
    ids = [page.model.row_at(r).id for r in range(page.model.rowCount())]
    page.table.selectRow(ids.index(projects[1].id))
    qtbot.mouseClick(page.archive_button, Qt.MouseButton.LeftButton)
    dialog = page.active_dialog
    save(qtbot, dialog)
    assert dialog.error_text("reason") == "请填写归档原因"
    type_text(dialog.reason, "重复录入")
    save(qtbot, dialog)
    assert not dialog.isVisible()
    assert Project.get_by_id(projects[1].id).archived
    assert page.model.total == 1
    page.archived_filter.setValue(True)
    page.table.selectRow(0)
    assert page.archive_button.text() == "恢复…"
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    type_text(page.active_dialog.reason, "误归档")
    save(qtbot, page.active_dialog)
    assert not Project.get_by_id(projects[1].id).archived
    actions = [e.action for e in AuditEntry.select().where(
        (AuditEntry.entity == "project") & (AuditEntry.entity_id == projects[1].id)).order_by(AuditEntry.id)]
    assert actions[-2:] == ["archive", "restore"]
