"""The Activities list with each activity's total volunteer hours, filtered and sorted in SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from peewee import JOIN, fn

from .entities import Activity, Organization, Project, ServiceRecord, Team, Venue
from .i18n import tr_noop
from .listing import Column, Listing, ListRow
from .lookups import township_places
from .name_search import name_condition
from .rules import add_months


@dataclass(frozen=True)
class ActivityFilter:
    text: str = ""  # title, venue, organization, team or project name
    year: int | None = None
    month: int | None = None  # 1–12 within ``year``; ignored without a year
    # AT_VENUE: held at a registered venue; a township's id: at one of the township's venues
    place: int | str | None = None
    archived: bool | None = False  # None: both


AT_VENUE = "venue"


# Wrapped in a function so the subquery can also be an ORDER BY expression.
_hours = fn.COALESCE(
    ServiceRecord.select(fn.SUM(ServiceRecord.hours)).where(ServiceRecord.activity == Activity.id), 0
)


def period(year: int | None, month: int | None) -> tuple[dt.date, dt.date] | None:
    """The first day of the period and the first day after it."""
    if year is None:
        return None
    if month is None:
        return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    start = dt.date(year, month, 1)
    return start, add_months(start, 1)


class ActivityListing(Listing[ActivityFilter]):
    columns = (
        Column("held_on", tr_noop("日期"), "date", sort=Activity.held_on, width=95),
        Column("title", tr_noop("活动名称"), sort=Activity.title, width=220),
        Column("venue", tr_noop("阵地"), sort=Venue.name_key, width=150),
        Column("organization", tr_noop("组织"), sort=Organization.name_key, width=170),
        Column("team", tr_noop("团队"), sort=Team.name_key, width=130),
        Column("project", tr_noop("项目"), sort=Project.name_key, width=170),
        Column("participants", tr_noop("参与人数"), "int", sort=Activity.participants, width=75),
        Column("people_served", tr_noop("服务人次"), "int", sort=Activity.people_served, width=75),
        Column("hours", tr_noop("志愿时长合计"), "hours", sort=_hours, width=95),
    )
    default_sort = "held_on"
    default_descending = True  # newest first

    def base_query(self):
        return (
            Activity.select(
                Activity.id, Activity.held_on, Activity.title, Venue.name, Organization.name,
                Team.name, Project.name, Activity.participants, Activity.people_served, _hours,
                Activity.archived,
            )
            .join(Venue, JOIN.LEFT_OUTER, on=(Activity.venue == Venue.id))
            .switch(Activity)
            .join(Organization, JOIN.LEFT_OUTER, on=(Activity.organization == Organization.id))
            .switch(Activity)
            .join(Team, JOIN.LEFT_OUTER, on=(Activity.team == Team.id))
            .switch(Activity)
            .join(Project, JOIN.LEFT_OUTER, on=(Activity.project == Project.id))
        )

    def id_column(self):
        return Activity.id

    def apply_filter(self, query, flt: ActivityFilter):
        text = " ".join(flt.text.split())
        if text:
            query = query.where(
                Activity.title.contains(text) | name_condition(Venue, text)
                | name_condition(Organization, text) | name_condition(Team, text)
                | name_condition(Project, text)
            )
        span = period(flt.year, flt.month)
        if span is not None:
            query = query.where((Activity.held_on >= span[0]) & (Activity.held_on < span[1]))
        if flt.place == AT_VENUE:
            query = query.where(Activity.venue.is_null(False))
        elif flt.place is not None:
            query = query.where(Venue.region.in_(township_places(flt.place)))
        if flt.archived is not None:
            query = query.where(Activity.archived == flt.archived)
        return query

    def to_row(self, raw: tuple) -> ListRow:
        aid, held_on, title, venue, org, team, project, participants, served, hours, archived = raw
        if isinstance(held_on, str):
            held_on = dt.date.fromisoformat(held_on)
        total = Decimal(str(hours)).quantize(Decimal("0.1"))
        values = (held_on, title, venue or "", org or "", team or "", project or "",
                  participants, served, total)
        return ListRow(aid, values, archived)
