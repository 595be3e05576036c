"""Trainings, supervision (督导) and exchange sessions, and who attended from which organization."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from . import audit
from .activities import check_hours, parse_hours
from .choices import TRAINING_KINDS
from .db import database
from .entities import Membership, Organization, Person, Training, TrainingAttendance, User, Venue
from .errors import ValidationFailed, clean_title
from .i18n import Message, msg
from .pickers import filter_years, person_label
from .validators import InvalidValue


@dataclass
class TrainingData:
    topic: str = ""
    held_on: dt.date | None = None
    kind: str = "training"
    trainer: str = ""
    venue_id: int | None = None
    hours: str = ""  # as typed; blank when not recorded
    attendees: dict[int, int | None] = field(default_factory=dict)  # person id → organization id

    @classmethod
    def from_training(cls, training: Training) -> TrainingData:
        return cls(
            topic=training.topic, held_on=training.held_on, kind=training.kind,
            trainer=training.trainer, venue_id=training.venue_id,
            hours=hours_text(training.hours),
            attendees={a.person_id: a.organization_id for a in training.attendance},
        )


def default_organization(person_id: int, day: dt.date | None = None) -> int | None:
    """The organization a person comes from: her active membership's, when she has exactly one."""
    day = day or dt.date.today()
    query = Membership.select(Membership.organization).distinct().where(
        (Membership.person == person_id)
        & (Membership.start_on.is_null() | (Membership.start_on <= day))
        & (Membership.end_on.is_null() | (Membership.end_on >= day))
    )
    found = [org for (org,) in query.limit(2).tuples()]
    return found[0] if len(found) == 1 else None


def attendees(training: Training) -> list[tuple[int, str, int | None]]:
    """(person id, label, organization id) of each attendee, in pinyin order."""
    query = (
        TrainingAttendance.select(Person.id, Person.name, Person.id_number,
                                  TrainingAttendance.organization)
        .join(Person)
        .where(TrainingAttendance.training == training)
        .order_by(Person.name_key, Person.id)
    )
    return [(pid, person_label(name, number), org) for pid, name, number, org in query.tuples()]


def _clean(data: TrainingData, today: dt.date) -> tuple[dict, dict[str, Message]]:
    errors: dict[str, Message] = {}
    topic = clean_title(data.topic, "培训主题", "topic", errors)
    if data.held_on is None:
        errors["held_on"] = msg("请填写日期")
    elif data.held_on > today:
        errors["held_on"] = msg("日期不能晚于今天")
    if data.kind not in TRAINING_KINDS:
        errors["kind"] = msg("请选择类型")
    hours = None
    if data.hours.strip():
        try:
            hours = parse_hours(data.hours)
            problem = check_hours(hours)
            if problem:
                errors["hours"] = problem
        except InvalidValue as e:
            errors["hours"] = e.message
    if data.venue_id is not None and not Venue.select().where(Venue.id == data.venue_id).exists():
        errors["venue_id"] = msg("所选的活动阵地不存在")
    people = set(data.attendees)
    if Person.select().where(Person.id.in_(list(people))).count() != len(people):
        errors["attendees"] = msg("所选的人员不存在")
    orgs = {o for o in data.attendees.values() if o is not None}
    if Organization.select().where(Organization.id.in_(list(orgs))).count() != len(orgs):
        errors["attendees"] = msg("所选的组织不存在")
    values = dict(topic=topic, held_on=data.held_on, kind=data.kind, trainer=data.trainer.strip(),
                  venue=data.venue_id, hours=hours)
    return values, errors


def _set_attendance(training: Training, wanted: dict[int, int | None], user: User | None) -> None:
    current = {a.person_id: a for a in training.attendance}
    before = {pid: a.organization_id for pid, a in current.items()}
    if before == wanted:
        return
    TrainingAttendance.delete().where(
        (TrainingAttendance.training == training)
        & TrainingAttendance.person.not_in(list(wanted))
    ).execute()
    for pid, org in wanted.items():
        if pid not in current:
            TrainingAttendance.create(training=training, person=pid, organization=org)
        elif current[pid].organization_id != org:
            current[pid].organization = org
            current[pid].save()
    changes = {"attendance": [
        {str(k): v for k, v in sorted(before.items())},
        {str(k): v for k, v in sorted(wanted.items())},
    ]}
    audit.touch(training)
    audit.record(user, "update", training, changes, training.topic)


def save_training(
    data: TrainingData, user: User | None, existing: Training | None = None,
    today: dt.date | None = None,
) -> Training:
    """Record a session and its attendance in one transaction; saves nothing when refused."""
    values, errors = _clean(data, today or dt.date.today())
    if errors:
        raise ValidationFailed(errors)
    with database.atomic():
        training = audit.save(Training, user, existing, **values)
        _set_attendance(training, dict(data.attendees), user)
    return training


def hours_text(value: Decimal | None) -> str:
    return "" if value is None else f"{Decimal(value):.1f}"


def training_years() -> list[int]:
    return filter_years(Training.held_on)
