"""The Projects page: 公益创投, purchased services and other projects, with money and status."""

from __future__ import annotations

import datetime as dt
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QSpinBox, QWidget

from desktop.context import AppContext
from models import lookups, pickers
from models.choices import PROJECT_SOURCES, PROJECT_STATUSES
from models.entities import Project
from models.project_listing import ProjectFilter, ProjectListing
from models.projects import (
    FIRST_YEAR,
    ProjectData,
    next_statuses,
    parse_money,
    project_years,
    save_project,
)
from models.related import activities_of

from ..archiving import ArchivingListPage
from ..entry_widgets import AmountField, DateField
from ..form import FormDialog
from ..i18n import tr_label
from ..list_page import ListPage
from ..record_detail import RecordDetail
from ..search_combo import SearchCheckList, SearchCombo
from ..widgets import ChoiceCombo, OptionalCountBox

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
    """A project: basic information, its service venues and the activities held within it."""

    def __init__(self, page: ListPage, project: Project):
        super().__init__(page, project, self.tr("项目详情：{name}").format(name=project.name))
        self.activities_table = self.add_table(
            self.tr("活动"),
            [self.tr("日期"), self.tr("活动名称"), self.tr("阵地"), self.tr("参与人数"), self.tr("服务人次")],
            [])
        self.finish()

    def extra_info(self) -> list[tuple[str, str]]:
        chosen = ProjectData.from_project(self.record).venue_ids
        names = dict(pickers.venues(*chosen))
        return [(self.tr("服务阵地"), "、".join(names[v] for v in chosen if v in names))]

    def header_parts(self) -> list[str]:
        project = self.record
        return [escape(tr_label(PROJECT_SOURCES.label(project.source))), str(project.year),
                escape(tr_label(PROJECT_STATUSES.label(project.status)))]

    def refresh_related(self) -> None:
        self.fill_table(self.activities_table, self._headers(self.activities_table),
                        activities_of(project=self.record))


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
        self.archived_filter = self.add_filter(
            self.tr("归档"),
            ChoiceCombo(((False, self.tr("在册")), (True, self.tr("已归档")), (None, all_))), "archived",
        )

    def current_filter(self) -> ProjectFilter:
        return ProjectFilter(
            text=self.search.text(), source=self.source_filter.value(),
            year=self.year_filter.value(), status=self.status_filter.value(),
            running_in=self.running_filter.value(), township_id=self.township_filter.value(),
            archived=self.archived_filter.value(),
        )

    def make_form(self, record: Project | None) -> ProjectForm:
        return ProjectForm(self.ctx, record, parent=self)

    def make_detail(self, record: Project) -> ProjectDetail:
        return ProjectDetail(self, record)
