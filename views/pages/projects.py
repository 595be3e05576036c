"""The Projects page: 公益创投, purchased services and other projects, with money and status."""

from __future__ import annotations

import datetime as dt
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPlainTextEdit, QSpinBox, QWidget

from desktop.context import AppContext
from models import lookups, pickers
from models.choices import PROJECT_SOURCES, PROJECT_STATUSES
from models.entities import Project
from models.project_listing import ProjectFilter, ProjectListing
from models.projects import (
    FIRST_YEAR,
    ProjectData,
    format_money,
    next_statuses,
    parse_money,
    project_years,
    save_project,
)
from models.related import activities_of
from models.venture_schedule import RUNNING, behind_schedule
from models.venture_supervision import (
    evaluation_of,
    milestones_of,
    paid_total,
    payments_of,
    round_of,
    visits_of,
)

from ..archiving import ArchivingListPage
from ..entry_widgets import AmountField, DateField
from ..form import FormDialog
from ..i18n import tr_label
from ..list_page import ListPage
from ..record_detail import RecordDetail
from ..search_combo import SearchCheckList, SearchCombo
from ..widgets import ChoiceCombo, OptionalCountBox
from .supervision import EvaluationForm, MilestoneDoneForm, MilestoneForm, PaymentForm, VisitForm

MAX_SERVED = 10_000_000


class ProjectForm(FormDialog):
    def __init__(self, ctx: AppContext, project: Project | None = None, parent: QWidget | None = None):
        super().__init__("", parent)
        self.setWindowTitle(
            self.tr("新建项目") if project is None
            else self.tr("编辑项目：{name}").format(name=project.name)
        )
        self.ctx = ctx
        self.project = project
        self.resize(600, 720)
        data = ProjectData.from_project(project) if project else ProjectData()

        self.name = self.add_field("name", self.tr("项目名称"), QLineEdit(), required=True)
        self.source = self.add_field(
            "source", self.tr("来源"), ChoiceCombo.of(PROJECT_SOURCES), required=True
        )
        self.year = self.add_field("year", self.tr("年度"), QSpinBox(), required=True)
        self.year.setRange(FIRST_YEAR, dt.date.today().year + 1)
        self.batch = self.add_field("batch", self.tr("批次"), QLineEdit())
        self.batch.setPlaceholderText(self.tr("如 第一批"))
        self.organization = self.add_field(
            "organization_id", self.tr("承接组织"),
            SearchCombo(pickers.organizations(data.organization_id), blank=self.tr("（未指定）")),
        )
        self.team = self.add_field(
            "team_id", self.tr("团队"), SearchCombo(pickers.teams(data.team_id), blank=self.tr("（无）"))
        )
        statuses = PROJECT_STATUSES.codes() if project is None else [
            project.status, *next_statuses(project.status)]
        self.status = self.add_field(
            "status", self.tr("状态"),
            ChoiceCombo((c, tr_label(PROJECT_STATUSES.label(c))) for c in statuses), required=True,
        )
        self.amount_applied = self.add_field("amount_applied", self.tr("申请金额（元）"),
                                             AmountField(parse=parse_money))
        self.amount_granted = self.add_field("amount_granted", self.tr("立项金额（元）"),
                                             AmountField(parse=parse_money))
        for edit in (self.amount_applied, self.amount_granted):
            edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.planned_served = self.add_field(
            "planned_served", self.tr("计划服务人次"), OptionalCountBox(maximum=MAX_SERVED)
        )
        self.actual_served = self.add_field(
            "actual_served", self.tr("实际服务人次"), OptionalCountBox(maximum=MAX_SERVED)
        )
        self.start_on = self.add_field("start_on", self.tr("开始日期"), DateField())
        self.end_on = self.add_field("end_on", self.tr("结束日期"), DateField())
        self.venues = self.add_field(
            "venue_ids", self.tr("服务阵地"), SearchCheckList(pickers.venues(*data.venue_ids))
        )
        self.description = self.add_field("description", self.tr("项目简介"), QPlainTextEdit())
        self.description.setMaximumHeight(80)
        self._load(data)
        self.name.setFocus()

    def _load(self, data: ProjectData) -> None:
        self.name.setText(data.name)
        self.source.setValue(data.source)
        self.year.setValue(data.year)
        self.batch.setText(data.batch)
        self.organization.setValue(data.organization_id)
        self.team.setValue(data.team_id)
        self.status.setValue(data.status)
        self.amount_applied.setText(data.amount_applied)
        self.amount_granted.setText(data.amount_granted)
        self.planned_served.setCount(data.planned_served)
        self.actual_served.setCount(data.actual_served)
        self.start_on.setValue(data.start_on)
        self.end_on.setValue(data.end_on)
        self.venues.setValues(data.venue_ids)
        self.description.setPlainText(data.description)

    def gather(self) -> ProjectData:
        return ProjectData(
            name=self.name.text(), source=self.source.value(), year=self.year.value(),
            batch=self.batch.text(), organization_id=self.organization.value(),
            team_id=self.team.value(), status=self.status.value(),
            amount_applied=self.amount_applied.text(), amount_granted=self.amount_granted.text(),
            planned_served=self.planned_served.count(), actual_served=self.actual_served.count(),
            start_on=self.start_on.value(), end_on=self.end_on.value(),
            description=self.description.toPlainText(), venue_ids=self.venues.values(),
        )

    def submit(self) -> Project:
        return save_project(self.gather(), self.ctx.user, self.project)


class ProjectDetail(RecordDetail):
    """A project: basic information, its service venues, the activities held within it, and its
    supervision (milestones, 督导 visits, instalments, the closing evaluation)."""

    def __init__(self, page: ListPage, project: Project):
        super().__init__(page, project, self.tr("项目详情：{name}").format(name=project.name))
        self.evaluation_button = self.add_button(self.tr("结项评估…"), self.evaluate, permission="edit")
        self.activities_table = self.add_table(
            self.tr("活动"),
            [self.tr("日期"), self.tr("活动名称"), self.tr("阵地"), self.tr("参与人数"), self.tr("服务人次")],
            [])
        self.milestones_table = self.add_table(
            self.tr("节点"), [self.tr("节点"), self.tr("计划完成"), self.tr("完成日期"), self.tr("说明")], [])
        row = self._buttons_above(self.milestones_table)
        self.milestone_button = self.add_button(self.tr("添加节点…"), self.add_milestone, row, "edit")
        self.done_button = self.add_button(self.tr("节点完成…"), self.milestone_done, row, "edit")
        row.addStretch(1)
        self.visits_table = self.add_table(
            self.tr("督导"), [self.tr("日期"), self.tr("督导人员"), self.tr("评分"), self.tr("督导发现")], [])
        row = self._buttons_above(self.visits_table)
        self.visit_button = self.add_button(self.tr("记录督导…"), self.add_visit, row, "edit")
        row.addStretch(1)
        self.payments_table = self.add_table(
            self.tr("拨款"), [self.tr("拨付日期"), self.tr("金额（元）"), self.tr("说明")], [])
        row = self._buttons_above(self.payments_table)
        self.payment_button = self.add_button(self.tr("拨付…"), self.add_payment, row, "edit")
        row.addStretch(1)
        self.finish()

    @staticmethod
    def _buttons_above(table) -> QHBoxLayout:
        row = QHBoxLayout()
        table.parentWidget().layout().insertLayout(0, row)
        return row

    def extra_info(self) -> list[tuple[str, str]]:
        chosen = ProjectData.from_project(self.record).venue_ids
        names = dict(pickers.venues(*chosen))
        lines = [(self.tr("服务阵地"), "、".join(names[v] for v in chosen if v in names))]
        origin = round_of(self.record)
        if origin:
            lines.append((self.tr("创投轮次"), origin))
        lines.append((self.tr("已拨付（元）"), format_money(paid_total(self.record))))
        evaluation = evaluation_of(self.record)
        if evaluation is not None:
            lines.append((self.tr("结项评估"), self.tr("{day}，{score} 分，{who}：{conclusion}").format(
                day=evaluation.evaluated_on.isoformat(), score=evaluation.score, who=evaluation.evaluators,
                conclusion=evaluation.conclusion)))
        return lines

    def header_parts(self) -> list[str]:
        project = self.record
        parts = [escape(tr_label(PROJECT_SOURCES.label(project.source))), str(project.year),
                 escape(tr_label(PROJECT_STATUSES.label(project.status)))]
        behind = behind_schedule(organization_id=project.organization_id)
        late = next((b for b in behind if b.project_id == project.id), None)
        if late is not None:
            parts.append("<span style='color:#c0392b'>" + escape(self.tr("进度滞后：{n} 个节点逾期").format(
                n=late.overdue)) + "</span>")
        return parts

    def refresh_related(self) -> None:
        project = self.record
        self.fill_table(self.activities_table, self._headers(self.activities_table),
                        activities_of(project=project))
        self.fill_table(self.milestones_table, self._headers(self.milestones_table), milestones_of(project))
        self.fill_table(self.visits_table, self._headers(self.visits_table), visits_of(project))
        self.fill_table(self.payments_table, self._headers(self.payments_table), payments_of(project))
        running = project.status in RUNNING and self.may("edit")
        for button in (self.milestone_button, self.done_button, self.visit_button, self.evaluation_button):
            button.setEnabled(running)

    def _open(self, form_class) -> None:
        self.open_dialog(form_class(self.ctx, self.record, parent=self))

    def add_milestone(self) -> None:
        self._open(MilestoneForm)

    def milestone_done(self) -> None:
        self._open(MilestoneDoneForm)

    def add_visit(self) -> None:
        self._open(VisitForm)

    def add_payment(self) -> None:
        self._open(PaymentForm)

    def evaluate(self) -> None:
        self._open(EvaluationForm)


class ProjectsPage(ArchivingListPage):
    page_key = "projects"
    entity = Project

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, ProjectListing(), parent)

    def search_placeholder(self) -> str:
        return self.tr("搜索项目名称或承接组织（Ctrl+F）")

    def setup_filters(self) -> None:
        all_ = self.tr("全部")
        self.source_filter = self.add_filter(self.tr("来源"), ChoiceCombo.of(PROJECT_SOURCES, blank=all_),
                                             "source")
        years = project_years()
        self.year_filter = self.add_filter(
            self.tr("年度"), ChoiceCombo(((y, str(y)) for y in years), blank=all_), "year"
        )
        self.status_filter = self.add_filter(self.tr("状态"), ChoiceCombo.of(PROJECT_STATUSES, blank=all_),
                                             "status")
        self.running_filter = self.add_filter(
            self.tr("实施年度"), ChoiceCombo(((y, str(y)) for y in years), blank=all_), "running_in"
        )
        self.running_filter.setToolTip(self.tr(
            "该年内在实施的项目：已立项（立项、实施中、结项或终止）且实施期与该年有重叠，与统计报表的口径相同"))
        self.township_filter = self.add_filter(
            self.tr("镇（街道）"), SearchCombo(lookups.townships(), blank=all_), "township_id"
        )
        self.behind_filter = self.add_filter(
            self.tr("进度"), ChoiceCombo(((False, all_), (True, self.tr("滞后（节点逾期）")))), "behind")
        self.archived_filter = self.add_filter(
            self.tr("归档"),
            ChoiceCombo(((False, self.tr("在册")), (True, self.tr("已归档")), (None, all_))), "archived",
        )

    def current_filter(self) -> ProjectFilter:
        return ProjectFilter(
            text=self.search.text(), source=self.source_filter.value(),
            year=self.year_filter.value(), status=self.status_filter.value(),
            running_in=self.running_filter.value(), township_id=self.township_filter.value(),
            archived=self.archived_filter.value(), behind=self.behind_filter.value(),
        )

    def make_form(self, record: Project | None) -> ProjectForm:
        return ProjectForm(self.ctx, record, parent=self)

    def make_detail(self, record: Project) -> ProjectDetail:
        return ProjectDetail(self, record)
