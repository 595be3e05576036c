"""The Projects list: search, filters and sort columns, all in SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, Case, fn

from .choices import PROJECT_SOURCES, PROJECT_STATUSES
from .entities import Organization, Project, Team
from .i18n import tr_noop
from .listing import Column, Listing, ListRow
from .lookups import township_places
from .name_search import name_condition
from .summary import UNDERTAKEN, project_span_overlaps


@dataclass(frozen=True)
class ProjectFilter:
    text: str = ""  # project or undertaking organization name
    source: str | None = None
    year: int | None = None
    status: str | None = None
    # Undertaken (立项、实施中、结项、终止) and running in that year: the summary's projects of the year.
    running_in: int | None = None
    township_id: int | None = None  # of the undertaking organization, else of the team
    archived: bool | None = False  # None: both
    behind: bool = False  # running, with a milestone overdue today (models/venture_supervision.py)


def _order_of(field, choices) -> Case:
    return Case(field, [(code, i) for i, code in enumerate(choices.codes())], -1)


class ProjectListing(Listing[ProjectFilter]):
    columns = (
        Column("name", tr_noop("项目名称"), sort=Project.name_key, width=240),
        Column("source", tr_noop("来源"), "label", sort=_order_of(Project.source, PROJECT_SOURCES),
               width=100),
        Column("year", tr_noop("年度"), "int", sort=Project.year, width=60),
        Column("batch", tr_noop("批次"), sort=Project.batch, width=80),
        Column("organization", tr_noop("承接组织"), sort=Organization.name_key, width=200),
        Column("status", tr_noop("状态"), "label", sort=_order_of(Project.status, PROJECT_STATUSES),
               width=70),
        Column("amount_applied", tr_noop("申请金额"), "money", sort=Project.amount_applied, width=110),
        Column("amount_granted", tr_noop("立项金额"), "money", sort=Project.amount_granted, width=110),
        Column("planned_served", tr_noop("计划服务人次"), "int", sort=Project.planned_served, width=95),
        Column("actual_served", tr_noop("实际服务人次"), "int", sort=Project.actual_served, width=95),
    )
    default_sort = "name"

    def base_query(self):
        return Project.select(
            Project.id, Project.name, Project.source, Project.year, Project.batch,
            Organization.name, Project.status, Project.amount_applied, Project.amount_granted,
            Project.planned_served, Project.actual_served, Project.archived,
        ).join(Organization, JOIN.LEFT_OUTER, on=(Project.organization == Organization.id))

    def id_column(self):
        return Project.id

    def apply_filter(self, query, flt: ProjectFilter):
        text = " ".join(flt.text.split())
        if text:
            query = query.where(name_condition(Project, text) | name_condition(Organization, text))
        if flt.source:
            query = query.where(Project.source == flt.source)
        if flt.year is not None:
            query = query.where(Project.year == flt.year)
        if flt.status:
            query = query.where(Project.status == flt.status)
        if flt.running_in is not None:
            year = flt.running_in
            query = query.where(Project.status.in_(UNDERTAKEN)
                                & project_span_overlaps(dt.date(year, 1, 1), dt.date(year, 12, 31)))
        if flt.township_id:
            team_region = Team.select(Team.region).where(Team.id == Project.team)
            query = query.where(fn.COALESCE(Organization.region, team_region)
                                .in_(township_places(flt.township_id)))
        if flt.archived is not None:
            query = query.where(Project.archived == flt.archived)
        if flt.behind:
            from .venture_schedule import behind_projects

            query = query.where(Project.id.in_(behind_projects(dt.date.today())))
        return query

    def to_row(self, raw: tuple) -> ListRow:
        pid, name, source, year, batch, org, status, applied, granted, planned, actual, archived = raw
        values = (
            name, PROJECT_SOURCES.label(source), year, batch, org or "",
            PROJECT_STATUSES.label(status), applied, granted, planned, actual,
        )
        return ListRow(pid, values, archived)
