"""The Activities page: events held by organizations, teams and projects, and their volunteer hours."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QSpinBox, QWidget

from desktop.context import AppContext
from models import lookups, pickers
from models.activities import ActivityData, activity_years, project_holders, save_activity
from models.activity_listing import AT_VENUE, ActivityFilter, ActivityListing
from models.entities import Activity
from models.related import service_of

from ..archiving import ArchivingListPage
from ..entry_widgets import DateField
from ..form import FormDialog
from ..list_page import ListPage
from ..record_detail import RecordDetail
from ..search_combo import SearchCombo
from ..widgets import ChoiceCombo
from .service_hours import ServiceHoursDialog

MAX_PEOPLE = 1_000_000


def _count_box() -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, MAX_PEOPLE)
    return box


class ActivityForm(FormDialog):
    def __init__(self, ctx: AppContext, activity: Activity | None = None, parent: QWidget | None = None):
        super().__init__("", parent)
        self.setWindowTitle(
            self.tr("新建活动") if activity is None
            else self.tr("编辑活动：{title}").format(title=activity.title)
        )
        self.ctx = ctx
        self.activity = activity
        self.resize(560, 560)
        data = ActivityData.from_activity(activity) if activity else ActivityData(held_on=dt.date.today())
        none = self.tr("（无）")
        self.title = self.add_field("title", self.tr("活动名称"), QLineEdit(), required=True)
        self.held_on = self.add_field("held_on", self.tr("日期"), DateField(), required=True)
        self.venue = self.add_field(
            "venue_id", self.tr("阵地"), SearchCombo(pickers.venues(data.venue_id), blank=none)
        )
        self.organization = self.add_field(
            "organization_id", self.tr("组织"),
            SearchCombo(pickers.organizations(data.organization_id), blank=none),
        )
        self.team = self.add_field(
            "team_id", self.tr("团队"), SearchCombo(pickers.teams(data.team_id), blank=none)
        )
        self.project = self.add_field(
            "project_id", self.tr("项目"), SearchCombo(pickers.projects(data.project_id), blank=none)
        )
        self.participants = self.add_field("participants", self.tr("参与人数"), _count_box())
        self.people_served = self.add_field("people_served", self.tr("服务人次"), _count_box())
        self.description = self.add_field("description", self.tr("活动内容"), QPlainTextEdit())
        self.description.setMaximumHeight(90)

        self.title.setText(data.title)
        self.held_on.setValue(data.held_on)
        self.venue.setValue(data.venue_id)
        self.organization.setValue(data.organization_id)
        self.team.setValue(data.team_id)
        self.project.setValue(data.project_id)
        self.participants.setValue(data.participants)
        self.people_served.setValue(data.people_served)
        self.description.setPlainText(data.description)
        self.project.currentIndexChanged.connect(self._fill_from_project)
        self.title.setFocus()

    def _fill_from_project(self) -> None:
        """Choosing a project fills in its organization and team when those are still blank."""
        if self.project.value() is None:
            return
        org_id, team_id = project_holders(self.project.value())
        if self.organization.value() is None and self.team.value() is None:
            self.organization.setValue(org_id)
            self.team.setValue(team_id)

    def gather(self) -> ActivityData:
        return ActivityData(
            title=self.title.text(), held_on=self.held_on.value(), venue_id=self.venue.value(),
            organization_id=self.organization.value(), team_id=self.team.value(),
            project_id=self.project.value(), participants=self.participants.value(),
            people_served=self.people_served.value(), description=self.description.toPlainText(),
        )

    def submit(self) -> Activity:
        return save_activity(self.gather(), self.ctx.user, self.activity)


class ActivityDetail(RecordDetail):
    """An activity: basic information and the volunteers who served, with their hours."""

    def __init__(self, page: ListPage, activity: Activity):
        super().__init__(page, activity, self.tr("活动详情：{title}").format(title=activity.title))
        self.hours_button = self.add_button(self.tr("志愿服务时长…"), self.edit_service_hours,
                                            permission="edit")
        self.service_table = self.add_table(
            self.tr("志愿服务"),
            [self.tr("姓名"), self.tr("身份证号"), self.tr("服务时长（小时）"), self.tr("服务内容")], [])
        self.finish()

    def refresh_related(self) -> None:
        self.fill_table(self.service_table, self._headers(self.service_table),
                        [(name, masked, f"{hours:.1f}", content)
                         for name, masked, hours, content in service_of(self.record)])

    def edit_service_hours(self) -> None:
        self.open_dialog(ServiceHoursDialog(self.ctx, self.record, parent=self))


class ActivitiesPage(ArchivingListPage):
    page_key = "activities"
    entity = Activity

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, ActivityListing(), parent)

    def search_placeholder(self) -> str:
        return self.tr("搜索活动、阵地、组织、团队或项目（Ctrl+F）")

    def setup_filters(self) -> None:
        all_ = self.tr("全部")
        self.year_filter = self.add_filter(
            self.tr("年度"), ChoiceCombo(((y, str(y)) for y in activity_years()), blank=all_), "year"
        )
        self.month_filter = self.add_filter(
            self.tr("月份"),
            ChoiceCombo(((m, self.tr("{m} 月").format(m=m)) for m in range(1, 13)), blank=self.tr("全年")),
            "month",
        )
        places = SearchCombo(lookups.townships(), blank=all_)
        places.insertItem(1, self.tr("活动阵地"), AT_VENUE)
        self.place_filter = self.add_filter(self.tr("举办地"), places, "place")
        self.place_filter.setToolTip(self.tr("在登记的活动阵地举办的活动；选镇（街道）为在该镇（街道）的阵地举办的"))
        self.archived_filter = self.add_filter(
            self.tr("归档"),
            ChoiceCombo(((False, self.tr("在册")), (True, self.tr("已归档")), (None, all_))), "archived",
        )
        self.year_filter.currentIndexChanged.connect(self._sync_month)
        self._sync_month()

    def _sync_month(self) -> None:
        self.month_filter.setEnabled(self.year_filter.value() is not None)

    def setup_actions(self) -> None:
        super().setup_actions()
        self.hours_button = self.add_action(
            self.tr("志愿服务时长…"), self.edit_service_hours,
            self.tr("登记参加本次活动的志愿者及其服务时长"), changes=True, row=True,
        )

    def current_filter(self) -> ActivityFilter:
        year = self.year_filter.value()
        return ActivityFilter(
            text=self.search.text(), year=year,
            month=self.month_filter.value() if year is not None else None,
            place=self.place_filter.value(), archived=self.archived_filter.value(),
        )

    def update_actions(self) -> None:
        super().update_actions()
        self.hours_button.setEnabled(self.selected_id() is not None)

    def make_form(self, record: Activity | None) -> ActivityForm:
        return ActivityForm(self.ctx, record, parent=self)

    def make_detail(self, record: Activity) -> ActivityDetail:
        return ActivityDetail(self, record)

    def edit_service_hours(self) -> None:
        activity = self.selected_record()
        if activity is not None:
            self.show_dialog(ServiceHoursDialog(self.ctx, activity, parent=self))
