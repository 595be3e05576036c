"""The 活动阵地 page: venues, their bookings and how much they are used."""

from __future__ import annotations

import datetime as dt
from html import escape

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from desktop.context import AppContext
from models import pickers
from models.bookings import book_venue, bookings_between, describe_booking
from models.choices import VENUE_KINDS, VENUE_LEVELS
from models.entities import Booking, Organization, Person, Team, Venue
from models.errors import ValidationFailed
from models.i18n import msg
from models.lookups import regions_for_organizations, townships
from models.validators import check_phone
from models.venue_listing import VenueFilter, VenueListing
from models.venues import (
    MAX_CAPACITY,
    VenueData,
    cancel_booking,
    save_venue,
    upcoming_bookings,
    usage_by_period,
)

from ..archiving import ArchivingListPage
from ..booking_calendar import BookingCalendar
from ..entry_widgets import DateField, TimeField
from ..form import CHOSEN, FormDialog
from ..i18n import tr_label, tr_msg
from ..list_page import ListPage
from ..person_picker import PersonPicker
from ..record_detail import RecordDetail
from ..search_combo import SearchCombo
from ..widgets import ChoiceCombo, OptionalCountBox


class VenueForm(FormDialog):
    def __init__(self, ctx: AppContext, venue: Venue | None = None, parent: QWidget | None = None):
        super().__init__(
            self.tr("新建阵地") if venue is None else self.tr("编辑阵地：{name}").format(name=venue.name),
            parent,
        )
        self.ctx = ctx
        self.venue = venue
        data = VenueData.from_venue(venue) if venue else VenueData()
        self.name = self.add_field("name", self.tr("阵地名称"), QLineEdit(), required=True)
        self.level = self.add_field(
            "level", self.tr("级别"), ChoiceCombo.of(VENUE_LEVELS, blank=self.tr("（请选择）")), required=True
        )
        self.kind = self.add_field(
            "kind", self.tr("类型"), ChoiceCombo.of(VENUE_KINDS, blank=self.tr("（请选择）")), required=True
        )
        self.region = self.add_field(
            "region_id", self.tr("所在镇（街道）/村（社区）"),
            SearchCombo(regions_for_organizations(), blank=self.tr("（请选择）")), required=True,
        )
        self.address = self.add_field("address", self.tr("地址"), QLineEdit())
        self.capacity = self.add_field(
            "capacity", self.tr("容纳人数"), OptionalCountBox(maximum=MAX_CAPACITY)
        )
        self.manager_id = data.manager_id
        self.picker = PersonPicker(pickers.search_people, self, single=True)
        self.picker.picked.connect(self._manager_picked)
        self.add_field("manager_id", self.tr("管理员"), self.picker)
        chosen_row = QHBoxLayout()
        self.manager_label = QLabel(self)
        self.manager_label.setProperty(CHOSEN, True)
        self.clear_manager_button = QPushButton(self.tr("清除"), self)
        self.clear_manager_button.clicked.connect(lambda: self._manager_picked(None, ""))
        chosen_row.addWidget(self.manager_label, 1)
        chosen_row.addWidget(self.clear_manager_button)
        self.form.addRow(self.tr("已选管理员"), chosen_row)
        self.phone = self.add_field("phone", self.tr("联系电话"), QLineEdit())
        self.check_on_leave("phone", self.phone, check_phone)

        self.name.setText(data.name)
        self.level.setValue(data.level)
        self.kind.setValue(data.kind)
        self.region.setValue(data.region_id)
        self.address.setText(data.address)
        self.capacity.setCount(data.capacity)
        self.phone.setText(data.phone)
        manager = pickers.people_labels([data.manager_id]) if data.manager_id else []
        self._manager_picked(data.manager_id, manager[0][1] if manager else "")
        self.resize(560, 560)
        self.name.setFocus()

    def _manager_picked(self, person_id: int | None, label: str) -> None:
        self.manager_id = person_id
        self.manager_label.setText(label or self.tr("（无）"))
        self.clear_manager_button.setEnabled(person_id is not None)

    def gather(self) -> VenueData:
        return VenueData(
            name=self.name.text(), level=self.level.value(), kind=self.kind.value(),
            region_id=self.region.value(), address=self.address.text(),
            capacity=self.capacity.count(), manager_id=self.manager_id, phone=self.phone.text(),
        )

    def submit(self) -> Venue:
        return save_venue(self.gather(), self.ctx.user, self.venue)


class BookingDialog(FormDialog):
    """Book a venue on one day, from a start to an end time, for an organization, a team, a
    named person or the office itself."""

    def __init__(self, ctx: AppContext, venue: Venue, parent: QWidget | None = None,
                 day: dt.date | None = None):
        super().__init__(self.tr("预约：{name}").format(name=venue.name), parent)
        self.ctx = ctx
        self.venue = venue
        self.person_id: int | None = None
        self.holder = self.add_field("holder", self.tr("为谁预约"), ChoiceCombo((
            ("organization", self.tr("社会组织")), ("team", self.tr("三工联动团队")),
            ("person", self.tr("人员")), ("office", self.tr("本单位")),
        )), required=True)
        self.organization = self.add_field(
            "organization", self.tr("组织"), SearchCombo(pickers.organizations(), blank=self.tr("（请选择）"))
        )
        self.team = self.add_field(
            "team", self.tr("团队"), SearchCombo(pickers.teams(), blank=self.tr("（请选择）"))
        )
        self.picker = self.add_field("person", self.tr("人员"),
                                     PersonPicker(pickers.search_people, self, single=True))
        self.picker.picked.connect(self._person_picked)
        self.chosen = QLabel(self.tr("（尚未选择）"), self)
        self.chosen.setObjectName("chosen_person")
        self.chosen.setProperty(CHOSEN, True)
        self.form.addRow(self.tr("已选"), self.chosen)
        self.day = self.add_field(
            "day", self.tr("日期"), DateField(value=day or dt.date.today() + dt.timedelta(days=1)),
            required=True,
        )
        self.starts_at = self.add_field(
            "starts_at", self.tr("开始时间"), TimeField(value=dt.time(9, 0)), required=True
        )
        self.ends_at = self.add_field(
            "ends_at", self.tr("结束时间"), TimeField(value=dt.time(11, 0)), required=True
        )
        self.purpose = self.add_field("purpose", self.tr("用途"), QLineEdit())
        self.holder.currentIndexChanged.connect(self._holder_changed)
        self._holder_changed()
        self.resize(460, 420)

    def _holder_changed(self) -> None:
        kind = self.holder.value()
        for key, widget in (("organization", self.organization), ("team", self.team),
                            ("person", self.picker)):
            self.form.setRowVisible(widget.parentWidget(), kind == key)
            self.set_error(key, None)
        self.form.setRowVisible(self.chosen, kind == "person")

    def _person_picked(self, person_id: int, label: str) -> None:
        self.person_id = person_id
        self.chosen.setText(label)

    def submit(self) -> Booking:
        day, starts, ends = self.day.value(), self.starts_at.value(), self.ends_at.value()
        missing = {key: text for key, value, text in (
            ("day", day, msg("请填写日期")), ("starts_at", starts, msg("请填写开始时间")),
            ("ends_at", ends, msg("请填写结束时间"))) if value is None}
        if missing:
            raise ValidationFailed(missing)
        kind = self.holder.value()
        org_id = self.organization.value() if kind == "organization" else None
        team_id = self.team.value() if kind == "team" else None
        person_id = self.person_id if kind == "person" else None
        if kind != "office" and org_id is None and team_id is None and person_id is None:
            raise ValidationFailed({kind: msg("请选择为谁预约")})
        return book_venue(
            self.ctx.user, self.venue,
            dt.datetime.combine(day, starts), dt.datetime.combine(day, ends),
            organization=Organization.get_by_id(org_id) if org_id is not None else None,
            team=Team.get_by_id(team_id) if team_id is not None else None,
            person=Person.get_by_id(person_id) if person_id is not None else None,
            for_office=kind == "office",
            purpose=self.purpose.text().strip(),
        )


class VenueDetail(RecordDetail):
    """The venue: basic information, its bookings as a calendar and a list (booked and
    cancelled here), its use per period, and its roster."""

    def __init__(self, page: ListPage, venue: Venue):
        super().__init__(page, venue, self.tr("阵地详情：{name}").format(name=venue.name))
        self.book_button = self.add_button(self.tr("预约…"), self.book, permission="edit")
        self.cancel_button = self.add_button(self.tr("取消预约…"), self.cancel_selected, permission="edit")
        self.roster_button, self.print_roster_button = self.add_roster_buttons("venue")
        self.calendar = BookingCalendar(lambda first, last: bookings_between(self.record, first, last), self)
        self.calendar.day_activated.connect(self.book)
        self.tabs.addTab(self.calendar, self.tr("预约日历"))
        self.booking_ids: list[int] = []
        self.bookings_table = self.add_table(self.tr("近期预约"), self._booking_headers(), [])
        usage_headers = [self.tr("期间"), self.tr("活动次数"), self.tr("服务人次")]
        self.monthly_table = self.add_table(self.tr("按月使用情况"), usage_headers, [])
        self.yearly_table = self.add_table(self.tr("按年使用情况"), usage_headers, [])
        self.finish()

    @property
    def venue(self) -> Venue:
        return self.record

    def header_parts(self) -> list[str]:
        venue = self.venue
        parts = [escape(tr_label(VENUE_LEVELS.label(venue.level))),
                 escape(tr_label(VENUE_KINDS.label(venue.kind)))]
        if venue.address:
            parts.append(escape(venue.address))
        if venue.capacity is not None:
            parts.append(self.tr("容纳 {n} 人").format(n=venue.capacity))
        if venue.manager_id:
            parts.append(self.tr("管理员：{name}").format(name=escape(venue.manager.name)))
        if venue.phone:
            parts.append(escape(venue.phone))
        return parts

    def _booking_headers(self) -> list[str]:
        return [self.tr("开始"), self.tr("结束"), self.tr("预约方"), self.tr("用途")]

    def refresh_related(self) -> None:
        self.refresh_bookings()
        for table, period in ((self.monthly_table, "month"), (self.yearly_table, "year")):
            self.fill_table(table, self._headers(table),
                            [(r.period, r.activities, r.people_served)
                             for r in usage_by_period(self.venue, period)])

    def refresh_bookings(self) -> None:
        rows = upcoming_bookings(self.venue)
        self.booking_ids = [r.booking_id for r in rows]
        self.fill_table(self.bookings_table, self._booking_headers(),
                        [(r.starts_at, r.ends_at, r.holder, r.purpose) for r in rows])
        self.cancel_button.setEnabled(bool(rows) and self.may("edit"))
        self.calendar.refresh()

    def book(self, day: dt.date | None = None) -> None:
        if not self.may("edit") or self.venue.archived:
            return
        dialog = BookingDialog(self.ctx, self.venue, parent=self,
                               day=day if isinstance(day, dt.date) else None)
        dialog.accepted.connect(lambda: self.calendar.show_day(dialog.result_value.starts_at.date()))
        dialog.accepted.connect(self.refresh_bookings)
        dialog.finished.connect(dialog.deleteLater)
        self.active_dialog = dialog
        dialog.open()

    def cancel_selected(self) -> None:
        row = self.bookings_table.currentRow()
        if not 0 <= row < len(self.booking_ids):
            return
        booking = Booking.get_by_id(self.booking_ids[row])
        answer = QMessageBox.question(
            self, self.tr("取消预约"),
            self.tr("确定取消预约“{booking}”吗？").format(booking=describe_booking(booking)),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            cancel_booking(self.ctx.user, booking)
        except ValidationFailed as e:
            QMessageBox.warning(self, self.tr("不能取消"), "\n".join(tr_msg(m) for m in e.errors.values()))
        self.refresh_bookings()


class VenuesPage(ArchivingListPage):
    page_key = "venues"
    entity = Venue

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, VenueListing(), parent)

    def search_placeholder(self) -> str:
        return self.tr("搜索阵地名称或地址（Ctrl+F）")

    def setup_filters(self) -> None:
        all_ = self.tr("全部")
        self.level_filter = self.add_filter(self.tr("级别"), ChoiceCombo.of(VENUE_LEVELS, blank=all_),
                                            "level")
        self.kind_filter = self.add_filter(self.tr("类型"), ChoiceCombo.of(VENUE_KINDS, blank=all_), "kind")
        self.township_filter = self.add_filter(self.tr("镇（街道）"), SearchCombo(townships(), blank=all_),
                                               "township_id")
        self.archived_filter = self.add_filter(
            self.tr("归档"),
            ChoiceCombo(((False, self.tr("在册")), (True, self.tr("已归档")), (None, all_))), "archived",
        )

    def setup_actions(self) -> None:
        self.book_button = self.add_action(self.tr("预约…"), self.book_selected, changes=True, row=True)
        super().setup_actions()

    def update_actions(self) -> None:
        super().update_actions()
        venue = self.selected_record()
        self.book_button.setEnabled(venue is not None and not venue.archived)

    def current_filter(self) -> VenueFilter:
        return VenueFilter(
            text=self.search.text(), level=self.level_filter.value(), kind=self.kind_filter.value(),
            township_id=self.township_filter.value(), archived=self.archived_filter.value(),
        )

    def make_form(self, record: Venue | None) -> VenueForm:
        return VenueForm(self.ctx, record, parent=self)

    def make_detail(self, record: Venue) -> VenueDetail:
        return VenueDetail(self, record)

    def show_detail(self) -> VenueDetail | None:
        return self.show_venue(self.selected_id())

    def show_venue(self, venue: Venue | int | None) -> VenueDetail | None:
        """The detail of ``venue`` (a record or its id): as a double click on its row opens it."""
        if venue is None:
            return None
        self.detail = None
        self.open_item(venue if isinstance(venue, int) else venue.id)
        return self.detail

    def book_selected(self) -> None:
        venue = self.selected_record()
        if venue is not None:
            self.active_dialog = BookingDialog(self.ctx, venue, parent=self)
            self.active_dialog.finished.connect(self.active_dialog.deleteLater)
            self.active_dialog.open()
