"""What refers to a record, for the tabs of its detail (views.record_detail): small lists,
newest first and capped, each one query."""

from __future__ import annotations

from peewee import JOIN

from .choices import PROJECT_SOURCES, PROJECT_STATUSES
from .entities import (
    Activity,
    AuditEntry,
    Organization,
    OrganizationServiceArea,
    Person,
    Project,
    ServiceArea,
    ServiceRecord,
    Team,
    Training,
    TrainingAttendance,
    User,
    Venue,
)
from .validators import mask_id_number

LIMIT = 200  # the newest; the list pages show them all


def service_area_names(org: Organization | int) -> list[str]:
    query = (ServiceArea.select(ServiceArea.name).join(OrganizationServiceArea)
             .where(OrganizationServiceArea.organization == org)
             .order_by(ServiceArea.sort_order, ServiceArea.id).tuples())
    return [name for (name,) in query]


def projects_of(holder: Team) -> list[tuple]:
    """(name, year, source label, status label, amount granted) of a team's projects."""
    query = (Project.select(Project.name, Project.year, Project.source, Project.status,
                            Project.amount_granted)
             .where(Project.team == holder).order_by(Project.year.desc(), Project.name_key)
             .limit(LIMIT).tuples())
    return [(name, year, PROJECT_SOURCES.label(source), PROJECT_STATUSES.label(status), granted)
            for name, year, source, status, granted in query]


def activities_of(team: Team | None = None, project: Project | None = None) -> list[tuple]:
    """(date, title, venue, participants, people served) held by a team or within a project."""
    where = Activity.team == team if team is not None else Activity.project == project
    query = (Activity.select(Activity.held_on, Activity.title, Venue.name, Activity.participants,
                             Activity.people_served)
             .join(Venue, join_type=JOIN.LEFT_OUTER)
             .where(where & (Activity.archived == False))  # noqa: E712
             .order_by(Activity.held_on.desc()).limit(LIMIT).tuples())
    return list(query)


def service_of(activity: Activity) -> list[tuple]:
    """(name, masked ID, hours, content) of the volunteers who served at an activity."""
    query = (ServiceRecord.select(Person.name, Person.id_number, ServiceRecord.hours,
                                  ServiceRecord.content)
             .join(Person).where(ServiceRecord.activity == activity)
             .order_by(Person.name_key).tuples())
    return [(name, mask_id_number(id_number), hours, content) for name, id_number, hours, content in query]


def attendees_of(training: Training) -> list[tuple]:
    """(name, masked ID, organization) of who attended a training."""
    query = (TrainingAttendance.select(Person.name, Person.id_number, Organization.name)
             .join(Person).switch(TrainingAttendance)
             .join(Organization, join_type=JOIN.LEFT_OUTER)
             .where(TrainingAttendance.training == training)
             .order_by(Person.name_key).tuples())
    return [(name, mask_id_number(id_number), org or "") for name, id_number, org in query]


def actions_of(user: User) -> list[tuple]:
    """(time, action, entity, summary) of an operator's newest audit lines (codes, for labels)."""
    query = (AuditEntry.select(AuditEntry.at, AuditEntry.action, AuditEntry.entity, AuditEntry.summary)
             .where(AuditEntry.username == user.username)
             .order_by(AuditEntry.id.desc()).limit(LIMIT).tuples())
    return list(query)
