"""The 创投 page and a round's detail, driven as a user: a new round typed in, applications,
the reviewers' sheets read back, the ranking, the decision on the winners, 立项, the 公示 list;
then the supervision of a funded project from its detail, and the home page's reminder of the
projects behind schedule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QMessageBox

from models.entities import Project
from models.venture_entities import SupervisionVisit, VentureApplication, VentureRound
from tests.desktop.pdf_reading import page_texts
from tests.venture_round import build_round, fill_sheet
from views import tasks
from views.main_window import MainWindow
from views.pages import venture_detail
from views.pages.home import HomePage
from views.pages.projects import ProjectsPage
from views.pages.supervision import EvaluationForm, MilestoneForm, VisitForm
from views.pages.venture import RoundForm, VenturePage
from views.pages.venture_dialogs import SelectionDialog, StatusDialog
from views.pdf_preview import PdfPreviewDialog

from .conftest import save, show_page, type_text

TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def no_internal_errors(monkeypatch):
    monkeypatch.setattr(tasks, "show_internal_error", pytest.fail)


@pytest.fixture
def boxes(monkeypatch):
    """The message boxes the detail shows, answered Yes; their texts."""
    said: list[str] = []

    def record(_parent, _title, text, *_args, **_kwargs):
        said.append(text)
        return QMessageBox.StandardButton.Yes

    for name in ("warning", "information", "question"):
        monkeypatch.setattr(venture_detail.QMessageBox, name, record)
    return said


@pytest.fixture
def built(ctx, county):
    return build_round(ctx.user, [county["east"], county["west"]])


def open_round(qtbot, ctx, name: str):
    page = show_page(qtbot, VenturePage(ctx))
    row = next(r for r in range(page.model.rowCount()) if page.model.row_at(r).values[1] == name)
    page.table.selectRow(row)
    page.open_selected()
    return page, page.detail


def test_a_new_round_is_typed_in_and_a_bad_budget_is_said(qtbot, ctx):
    page = show_page(qtbot, VenturePage(ctx))
    page.create_new()
    form = page.active_dialog
    assert isinstance(form, RoundForm)
    type_text(form.name, "2026年度妇联微创投")
    form.source.setValue("micro_venture")
    type_text(form.budget, "30万")
    type_text(form.project_cap, "50万")
    save(qtbot, form)
    assert form.isVisible() and form.error_text("project_cap") == "单个项目资助上限不能大于总预算"
    form.project_cap.clear()
    type_text(form.project_cap, "3万")
    type_text(form.dates["call_on"], "2026-03-01")
    type_text(form.dates["review_on"], "2026-02-01")
    save(qtbot, form)
    assert form.error_text("review_on") == "评审日期不能早于征集日期"
    form.dates["review_on"].clear()
    save(qtbot, form)
    assert not form.isVisible()
    rnd = VentureRound.get(VentureRound.name == "2026年度妇联微创投")
    assert (rnd.budget, rnd.project_cap, rnd.call_on) == (Decimal("300000"), Decimal("30000"),
                                                          dt.date(2026, 3, 1))
    assert page.model.row_at(0).values[1] == "2026年度妇联微创投"


def test_a_round_is_reviewed_decided_and_made_projects_from_its_detail(
        qtbot, ctx, built, tmp_path, boxes, monkeypatch):
    _page, detail = open_round(qtbot, ctx, built.round.name)
    assert detail.applications_table.rowCount() == 48
    assert detail.ranking_table.rowCount() == 48  # under review, not yet scored
    assert detail.table_texts(detail.ranking_table)[0][0] == ""

    # A hostile sheet among the five: nothing is imported, and the problem is named
    numbers = {a.id: n for n, a in enumerate(built.applications, start=1)}
    from desktop.venture.sheets import write_all_sheets

    sheets = write_all_sheets(tmp_path, built.round, ctx.user)
    for i, path in enumerate(sheets):
        fill_sheet(path, i, numbers)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    detail.import_sheet_files([*sheets[:4], broken])
    assert "没有导入任何评分" in boxes[-1] and "broken.xlsx 不是 Excel 工作簿" in boxes[-1]
    assert detail.table_texts(detail.ranking_table)[0][1] == ""
    detail.import_sheet_files(sheets)
    assert "已导入 5 位专家的评分表，1200 个分数有更新" in boxes[-1]
    ranked = detail.table_texts(detail.ranking_table)
    assert ranked[0][:3] == ["1", "88.00", "微心愿项目02"]
    third = next(r for r in ranked if r[2] == "微心愿项目03")
    assert "利益关联：冯专家" in third[6] and "去掉最高分和最低分" in third[6]
    assert "并列" in next(r for r in ranked if r[2] == "微心愿项目04")[6]

    detail.decide()
    selection = detail.active_dialog
    assert isinstance(selection, SelectionDialog)
    assert selection.total.text() == "已选 12 个，合计 300,000.00 元；总预算 300,000.00 元"
    selection.table.item(12, 0).setCheckState(selection.table.item(0, 0).checkState())  # a 13th
    assert "已选 13 个" in selection.total.text()
    save(qtbot, selection)
    assert selection.isVisible() and "超过本轮总预算" in selection.banner.text()
    selection.table.item(12, 0).setCheckState(selection.table.item(20, 0).checkState())  # unticked
    save(qtbot, selection)
    assert not selection.isVisible()
    assert VentureApplication.select().where(VentureApplication.status == "selected").count() == 12

    detail.establish()
    assert "已立项 12 个项目" in boxes[-1]
    assert Project.select().where(Project.batch == built.round.name).count() == 12
    assert "已资助 300,000.00 元" in detail.header.text()

    target = tmp_path / "公示.pdf"
    monkeypatch.setattr(venture_detail, "ask_save_path", lambda *a, **k: target)
    monkeypatch.setattr(venture_detail, "offer_to_open", lambda *a, **k: None)
    detail.export_publicity()
    qtbot.waitUntil(target.exists, timeout=10000)

    letters = tmp_path / "通知书.pdf"
    monkeypatch.setattr(venture_detail, "ask_save_path", lambda *a, **k: letters)
    detail.export_letters()
    qtbot.waitUntil(letters.exists, timeout=20000)
    pages = page_texts(letters)
    assert len(pages) == 48 and sum("结果：入选" in p for p in pages) == 12
    detail.print_letters()
    qtbot.waitUntil(lambda: bool(detail.task.outcome), timeout=20000)
    assert detail.task.outcome == "done"
    preview = detail.findChild(PdfPreviewDialog)
    assert preview is not None and preview.pdf_pages.page_count == 48
    preview.close()


def test_an_application_changes_status_with_its_date_and_note(qtbot, ctx, built, boxes):
    _page, detail = open_round(qtbot, ctx, built.round.name)
    detail.applications_table.selectRow(5)
    detail.change_status()
    dialog = detail.active_dialog
    assert isinstance(dialog, StatusDialog)
    assert [dialog.status.itemText(i) for i in range(dialog.status.count())] == ["入选", "未入选"]
    dialog.status.setValue("not_selected")
    type_text(dialog.note, "不符合申报指南")
    save(qtbot, dialog)
    assert not dialog.isVisible()
    app = VentureApplication.get_by_id(built.applications[5].id)
    assert app.status == "not_selected"
    assert detail.table_texts(detail.applications_table)[5][6] == "未入选"
    detail.show_steps()
    assert boxes[-1].splitlines()[-1].endswith("未入选　不符合申报指南")


@pytest.fixture
def funded(ctx, county, tmp_path):
    from tests.venture_round import decided_round

    return decided_round(ctx.user, [county["east"], county["west"]], tmp_path / "sheets")


def test_a_funded_project_is_supervised_and_closed_from_its_detail(qtbot, ctx, funded):
    project = Project.get(Project.batch == funded.round.name)
    page = show_page(qtbot, ProjectsPage(ctx))
    row = next(r for r in range(page.model.rowCount()) if page.model.row_at(r).id == project.id)
    page.table.selectRow(row)
    page.open_selected()
    detail = page.detail
    assert [detail.tabs.tabText(i) for i in range(detail.tabs.count())] == [
        "基本信息", "活动", "节点", "督导", "拨款"]
    assert detail.info_text("创投轮次") == funded.round.name

    detail.add_milestone()
    form = detail.active_dialog
    assert isinstance(form, MilestoneForm)
    type_text(form.title, "完成需求调研")
    type_text(form.due_on, (TODAY - dt.timedelta(days=3)).isoformat())
    save(qtbot, form)
    assert not form.isVisible()
    assert "进度滞后：1 个节点逾期" in detail.header.text()

    detail.add_visit()
    visit = detail.active_dialog
    assert isinstance(visit, VisitForm)
    type_text(visit.visitors, "县妇联 李督导")
    type_text(visit.score, "120")
    save(qtbot, visit)
    assert visit.error_text("score") == "分数应在 0–100 之间（填了 120）"
    visit.score.clear()
    type_text(visit.score, "86.5")
    visit.findings.setPlainText("台账齐全")
    save(qtbot, visit)
    assert not visit.isVisible()
    assert SupervisionVisit.get().score == Decimal("86.5")
    assert detail.table_texts(detail.visits_table)[0][1:3] == ["县妇联 李督导", "86.50"]
    assert Project.get_by_id(project.id).status == "in_progress"

    detail.evaluate()
    evaluation = detail.active_dialog
    assert isinstance(evaluation, EvaluationForm)
    type_text(evaluation.score, "91")
    evaluation.conclusion.setPlainText("目标全部完成")
    save(qtbot, evaluation)
    assert not evaluation.isVisible()
    assert Project.get_by_id(project.id).status == "closed"
    assert "91" in detail.info_text("结项评估") and not detail.visit_button.isEnabled()


def test_the_home_page_reminds_of_projects_behind_schedule_and_lists_them(qtbot, ctx, funded):
    from models.venture_supervision import add_milestone

    late = Project.get(Project.batch == funded.round.name)
    add_milestone(late, "开展首场活动", TODAY - dt.timedelta(days=10), ctx.user)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1000, 650)
    window.show()
    qtbot.waitExposed(window)
    home = window.current_page()
    assert isinstance(home, HomePage)
    qtbot.waitUntil(home.is_filled, timeout=10000)
    box = home.reminders.lines
    line = next(box.itemAt(i).widget() for i in range(box.count())
                if box.itemAt(i).widget().text.text().startswith("项目进度滞后"))
    assert late.name in line.text.text() and line.warning
    from PySide6.QtCore import Qt

    qtbot.mouseClick(line.buttons[0], Qt.MouseButton.LeftButton)
    projects = window.current_page()
    assert isinstance(projects, ProjectsPage) and projects.behind_filter.value() is True
    assert projects.model.total == 1 and projects.model.row_at(0).id == late.id


def test_applications_come_from_the_offices_sheet_after_a_preview(qtbot, ctx, built, boxes, tmp_path,
                                                                  monkeypatch):
    from openpyxl import Workbook

    from views.pages.venture_dialogs import ApplicationImportDialog

    _page, detail = open_round(qtbot, ctx, built.round.name)
    template = tmp_path / "模板.xlsx"
    monkeypatch.setattr(venture_detail, "ask_save_path", lambda *a, **k: template)
    monkeypatch.setattr(venture_detail, "offer_to_open", lambda *a, **k: None)
    detail.export_template()
    qtbot.waitUntil(template.exists, timeout=10000)

    sheet = tmp_path / "汇总.xlsx"
    wb = Workbook()
    wb.active.append(["项目名称", "申请金额（元）", "申报组织", "服务阵地"])
    wb.active.append(["新的微心愿", 20000, "巾帼互助社01", "东关街道妇女儿童之家"])
    wb.active.append(["微心愿项目02", 20000, "巾帼互助社02", ""])  # already in the round
    wb.save(sheet)
    monkeypatch.setattr(venture_detail, "ask_open_file", lambda *a, **k: sheet)
    detail.import_applications()
    dialog = detail.active_dialog
    assert isinstance(dialog, ApplicationImportDialog)
    rows = [[dialog.table.item(r, c).text() for c in range(5)] for r in range(dialog.table.rowCount())]
    assert rows[0] == ["2", "巾帼互助社01", "新的微心愿", "20,000.00", "新建"]
    assert "已申报过“微心愿项目02”" in rows[1][4]
    assert "1 份申报可以导入" in dialog.findChild(QLabel, "summary").text()
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Save).text() == "导入 1 份"
    save(qtbot, dialog)
    assert not dialog.isVisible()
    new = VentureApplication.get(VentureApplication.title == "新的微心愿")
    assert new.status == "collected" and [v.venue.name for v in new.venue_links] == ["东关街道妇女儿童之家"]
    assert any(r[2] == "新的微心愿" for r in detail.table_texts(detail.applications_table))

    broken = tmp_path / "坏.xlsx"
    broken.write_text("不是表格", encoding="utf-8")
    monkeypatch.setattr(venture_detail, "ask_open_file", lambda *a, **k: broken)
    detail.import_applications()
    assert "坏.xlsx 不是 Excel 工作簿" in boxes[-1]


def test_the_application_form_picks_venues_from_the_register(qtbot, ctx, built):
    _page, detail = open_round(qtbot, ctx, built.round.name)
    detail.applications_table.selectRow(0)
    detail.edit_application()
    form = detail.active_dialog
    first = VentureApplication.get_by_id(built.applications[0].id)
    (current,) = [link.venue_id for link in first.venue_links]
    assert form.venues.values() == [current]
    assert "已选 1 个" in form.venues.summary.text()
    type_text(form.venues.search, "东关")
    assert form.venues.shown() == ["东关街道妇女儿童之家"]
    (row,) = form.venues.shown_rows()
    form.venues.list.item(row).setCheckState(Qt.CheckState.Checked)
    save(qtbot, form)
    assert not form.isVisible()
    assert sorted(link.venue.name for link in first.venue_links) == ["东关街道妇女儿童之家",
                                                                     "西湖镇妇女儿童之家"]
