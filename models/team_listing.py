"""The Teams list: per-role counts of members active today, computed in one grouped query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN

from .choices import PERSON_ROLES
from .entities import Region, Team, TeamAssignment
from .i18n import tr_noop
from .listing import Column, Listing, ListRow
from .name_search import name_condition
from .rules import TeamStatus
from .teams import complete_condition, role_count


@dataclass(frozen=True)
class TeamFilter:
    text: str = ""
    township_id: int | None = None
    complete: bool | None = None  # None: both
    archived: bool | None = False  # None: both


class TeamListing(Listing[TeamFilter]):
    """``today`` is read per query, so a list left open past midnight counts the new day."""

    default_sort = "name"
    flag_text = tr_noop("妇工、社工、义工未齐全")

    def __init__(self, today: dt.date | None = None):
        self._today = today

    @property
    def day(self) -> dt.date:
        return self._today or dt.date.today()

    @property
    def columns(self) -> tuple[Column, ...]:  # type: ignore[override]
        day = self.day
        return (
            Column("name", tr_noop("团队名称"), sort=Team.name_key, width=220),
            Column("township", tr_noop("所属镇（街道）"), sort=Region.name_key, width=120),
            Column("cadres", tr_noop("妇工"), "int", sort=role_count("cadre", day), width=60),
            Column("social_workers", tr_noop("社工"), "int", sort=role_count("social_worker", day),
                   width=60),
            Column("volunteers", tr_noop("义工"), "int", sort=role_count("volunteer", day), width=60),
            Column("status", tr_noop("是否齐全"), "message", width=140),
            Column("founded_on", tr_noop("成立日期"), "date", sort=Team.founded_on, width=100),
        )

    def base_query(self):
        day = self.day
        return (
            Team.select(
                Team.id, Team.name, Region.name,
                *(role_count(role, day) for role in PERSON_ROLES.codes()),
                Team.founded_on, Team.archived,
            )
            .join(Region, JOIN.LEFT_OUTER, on=(Team.region == Region.id))
            .switch(Team)
            .join(TeamAssignment, JOIN.LEFT_OUTER)
            .group_by(Team.id, Region.id)
        )

    def id_column(self):
        return Team.id

    def apply_filter(self, query, flt: TeamFilter):
        text = " ".join(flt.text.split())
        if text:
            query = query.where(name_condition(Team, text))
        if flt.township_id:
            query = query.where(Team.region == flt.township_id)
        if flt.complete is not None:
            complete = complete_condition(self.day)
            query = query.having(complete if flt.complete else ~complete)
        if flt.archived is not None:
            query = query.where(Team.archived == flt.archived)
        return query

    def to_row(self, raw: tuple) -> ListRow:
        tid, name, township, cadres, workers, volunteers, founded, archived = raw
        counts = dict(zip(PERSON_ROLES.codes(), (cadres, workers, volunteers), strict=True))
        missing = tuple(code for code, n in counts.items() if not n)
        status = TeamStatus(not missing, missing).describe()  # translated by whoever shows it
        values = (name, township or "", cadres, workers, volunteers, status, founded)
        return ListRow(tid, values, archived, bool(missing))
