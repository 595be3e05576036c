"""Which funded projects are behind schedule: running (立项, 实施中) with a milestone past its date
and not done. Read by the home page's reminders, the organization's detail and the Projects
list's 进度 filter; kept apart from models/venture_supervision.py so that the home page loads
only this query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, fn

from .entities import Organization, Project
from .venture_entities import ProjectMilestone

RUNNING = ("approved", "in_progress")


@dataclass(frozen=True)
class BehindSchedule:
    project_id: int
    project: str
    organization_id: int | None
    organization: str
    overdue: int  # milestones past their date, not done
    first_due: dt.date  # the earliest of them


def overdue_milestones(day: dt.date):
    """SQL condition on ProjectMilestone: past its date and not done."""
    return (ProjectMilestone.due_on < day) & ProjectMilestone.done_on.is_null()


def behind_projects(day: dt.date):
    """Subquery of the ids of running projects behind schedule on ``day`` (the Projects list's
    filter, the same rule as ``behind_schedule``)."""
    return (ProjectMilestone.select(ProjectMilestone.project).join(Project)
            .where(Project.status.in_(RUNNING) & overdue_milestones(day)))


def behind_schedule(today: dt.date | None = None, organization_id: int | None = None,
                    limit: int | None = None, township_id: int | None = None) -> list[BehindSchedule]:
    """Running projects (立项, 实施中) with milestones past their date and not done, the longest
    overdue first; of one organization, or of the organizations of one township."""
    from .lookups import township_places

    day = today or dt.date.today()
    query = (Project.select(Project.id, Project.name, Organization.id, Organization.name,
                            fn.COUNT(ProjectMilestone.id), fn.MIN(ProjectMilestone.due_on))
             .join(ProjectMilestone, on=(ProjectMilestone.project == Project.id))
             .join_from(Project, Organization, JOIN.LEFT_OUTER, on=(Project.organization == Organization.id))
             .where(Project.status.in_(RUNNING) & ~Project.archived & overdue_milestones(day))
             .group_by(Project.id, Project.name, Organization.id, Organization.name)
             .order_by(fn.MIN(ProjectMilestone.due_on), Project.id))
    if organization_id is not None:
        query = query.where(Project.organization == organization_id)
    if township_id is not None:
        query = query.where(Organization.region.in_(township_places(township_id)))
    if limit is not None:
        query = query.limit(limit)
    return [BehindSchedule(pid, name, oid, org or "", count, first if isinstance(first, dt.date)
                           else dt.date.fromisoformat(str(first)))
            for pid, name, oid, org, count, first in query.tuples()]
