"""What the organization detail shows: members, projects, activities, stage history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN

from .choices import INCUBATION_STAGES, MEMBERSHIP_ROLES, PROJECT_SOURCES, PROJECT_STATUSES
from .entities import Activity, Membership, Organization, OrganizationStage, Person, Project, Venue
from .organizations import incubation_started
from .rules import incubation_overdue
from .validators import mask_id_number

ACTIVITY_LIMIT = 200  # the newest; the Activities page lists them all


@dataclass(frozen=True)
class StageSpan:
    stage: str  # INCUBATION_STAGES code
    entered_on: dt.date
    left_on: dt.date | None  # the day the next stage began; None while current
    days: int  # time spent in the stage (until today for the current one)
    note: str
    stage_id: int  # the OrganizationStage row, to correct its date


def stage_history(org: Organization, today: dt.date | None = None) -> list[StageSpan]:
    today = today or dt.date.today()
    rows = list(
        OrganizationStage.select()
        .where(OrganizationStage.organization == org)
        .order_by(OrganizationStage.entered_on, OrganizationStage.id)
    )
    spans = []
    for i, row in enumerate(rows):
        left = rows[i + 1].entered_on if i + 1 < len(rows) else None
        end = left or (row.entered_on if row.stage == "graduated" else today)
        spans.append(StageSpan(row.stage, row.entered_on, left, (end - row.entered_on).days, row.note,
                               row.id))
    return spans


def overdue(org: Organization, today: dt.date | None = None) -> bool:
    return incubation_overdue(org.incubation_stage, incubation_started(org), today)


def members(org: Organization, today: dt.date | None = None) -> list[tuple]:
    """(membership id, name, masked ID, role label, from, to, active) — current members first."""
    today = today or dt.date.today()
    query = (
        Membership.select(Membership, Person)
        .join(Person)
        .where(Membership.organization == org)
        .order_by(Membership.end_on.is_null(False), Person.name_key)
    )
    return [
        (m.id, m.person.name, mask_id_number(m.person.id_number), MEMBERSHIP_ROLES.label(m.role),
         m.start_on, m.end_on, m.end_on is None or m.end_on >= today)
        for m in query
    ]


def projects(org: Organization) -> list[tuple]:
    """(name, year, source label, status label, amount granted)."""
    query = (
        Project.select(Project.name, Project.year, Project.source, Project.status, Project.amount_granted)
        .where(Project.organization == org)
        .order_by(Project.year.desc(), Project.name_key)
        .tuples()
    )
    return [(name, year, PROJECT_SOURCES.label(source), PROJECT_STATUSES.label(status), granted)
            for name, year, source, status, granted in query]


def behind_schedule(org: Organization, today: dt.date | None = None) -> list[tuple[str, int]]:
    """(project name, milestones overdue) of the organization's funded projects behind schedule."""
    from .venture_schedule import behind_schedule as behind

    return [(b.project, b.overdue) for b in behind(today, organization_id=org.id)]


def activities(org: Organization) -> list[tuple]:
    """(date, title, venue, participants, people served), newest first, at most ACTIVITY_LIMIT."""
    query = (
        Activity.select(Activity.held_on, Activity.title, Venue.name, Activity.participants,
                        Activity.people_served)
        .join(Venue, join_type=JOIN.LEFT_OUTER)
        .where((Activity.organization == org) & (Activity.archived == False))  # noqa: E712
        .order_by(Activity.held_on.desc())
        .limit(ACTIVITY_LIMIT)
        .tuples()
    )
    return list(query)


def stage_label(code: str | None) -> str:
    return INCUBATION_STAGES.label(code)
