"""Activities held by an organization, team or project, and the volunteer hours served in them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from . import audit
from .db import database
from .entities import Activity, Organization, Person, Project, ServiceRecord, Team, User, Venue
from .errors import ValidationFailed, clean_title
from .i18n import Message, msg
from .pickers import filter_years
from .validators import InvalidValue, to_halfwidth

MAX_HOURS = Decimal(24)


@dataclass
class ActivityData:
    title: str = ""
    held_on: dt.date | None = None
    venue_id: int | None = None
    organization_id: int | None = None
    team_id: int | None = None
    project_id: int | None = None
    participants: int = 0
    people_served: int = 0
    description: str = ""

    @classmethod
    def from_activity(cls, activity: Activity) -> ActivityData:
        return cls(
            title=activity.title, held_on=activity.held_on, venue_id=activity.venue_id,
            organization_id=activity.organization_id, team_id=activity.team_id,
            project_id=activity.project_id, participants=activity.participants,
            people_served=activity.people_served, description=activity.description,
        )


def _clean(data: ActivityData, today: dt.date) -> tuple[dict, dict[str, Message]]:
    errors: dict[str, Message] = {}
    title = clean_title(data.title, "活动名称", "title", errors)
    if data.held_on is None:
        errors["held_on"] = msg("请填写活动日期")
    elif data.held_on > today:
        errors["held_on"] = msg("活动日期不能晚于今天")
    if data.organization_id is None and data.team_id is None and data.project_id is None:
        errors["organization_id"] = msg("请至少选择举办的组织、团队或项目之一")
    for key in ("participants", "people_served"):
        if getattr(data, key) < 0:
            errors[key] = msg("人数不能为负数")
    for key, model in (
        ("venue_id", Venue), ("organization_id", Organization), ("team_id", Team),
        ("project_id", Project),
    ):
        chosen = getattr(data, key)
        if chosen is not None and not model.select().where(model.id == chosen).exists():
            errors[key] = msg("所选的记录不存在")
    values = dict(
        title=title, held_on=data.held_on, venue=data.venue_id,
        organization=data.organization_id, team=data.team_id, project=data.project_id,
        participants=data.participants, people_served=data.people_served,
        description=data.description.strip(),
    )
    return values, errors


def save_activity(
    data: ActivityData, user: User | None, existing: Activity | None = None,
    today: dt.date | None = None,
) -> Activity:
    values, errors = _clean(data, today or dt.date.today())
    if errors:
        raise ValidationFailed(errors)
    return audit.save(Activity, user, existing, **values)


def project_holders(project_id: int) -> tuple[int | None, int | None]:
    """The organization and team undertaking a project: an activity of the project is theirs too."""
    row = Project.select(Project.organization, Project.team).where(Project.id == project_id).tuples().first()
    return row if row else (None, None)


def parse_hours(text: str) -> Decimal:
    """Hours as typed in the service-hours table ("2", "1.5", full-width digits)."""
    cleaned = "".join(to_halfwidth(text).split())
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidValue(msg("时长“{value}”不是数字", value=text.strip())) from None
    if not value.is_finite():
        raise InvalidValue(msg("时长“{value}”不是数字", value=text.strip()))
    return value


def check_hours(hours: Decimal) -> Message | None:
    """0 < hours <= 24, with at most one decimal (half an hour is 0.5)."""
    if not 0 < hours <= MAX_HOURS:
        return msg("时长须大于 0 且不超过 24 小时")
    if hours.as_tuple().exponent < -1:
        return msg("时长最多保留一位小数")
    return None


def service_hours(activity: Activity) -> dict[int, Decimal]:
    """The hours recorded for the activity, per person id."""
    query = ServiceRecord.select(ServiceRecord.person, ServiceRecord.hours).where(
        ServiceRecord.activity == activity
    )
    return {pid: Decimal(hours) for pid, hours in query.tuples()}


def set_service_hours(user: User | None, activity: Activity, hours: dict[int, Decimal]) -> None:
    """Replace the activity's volunteer hours with ``hours`` in one transaction, audited.

    Only volunteers (义工) may have hours; nothing is saved when any entry is refused.
    """
    people = {p.id: p for p in Person.select().where(Person.id.in_(list(hours)))}
    for pid, value in hours.items():
        person = people.get(pid)
        if person is None:
            raise ValidationFailed({"attendees": msg("所选的人员不存在")})
        if not person.is_volunteer:
            raise ValidationFailed({"attendees": msg(
                "“{name}”不是志愿者（义工），不能记录志愿服务时长", name=person.name)})
        problem = check_hours(value)
        if problem:
            raise ValidationFailed({"attendees": msg(
                "{name}：{problem}", name=person.name, problem=problem.render())})
    with database.atomic():
        existing = {r.person_id: r for r in ServiceRecord.select().where(ServiceRecord.activity == activity)}
        if {pid: r.hours for pid, r in existing.items()} != hours:
            audit.touch(activity)  # another clerk's hours for the same activity meanwhile: refused
        for pid, record in existing.items():
            if pid not in hours:
                audit.record(user, "delete", record, {"person": [pid, None], "hours": [
                    str(record.hours), None]}, activity.title)
                record.delete_instance()
        for pid, value in hours.items():
            if pid in existing:
                audit.update(existing[pid], user, hours=value)
            else:
                audit.create(ServiceRecord, user, person=pid, activity=activity, hours=value)


def activity_years() -> list[int]:
    return filter_years(Activity.held_on)
