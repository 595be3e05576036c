"""What the office does with a person: register and edit her; what her detail shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from peewee import fn

from . import audit
from .choices import MEMBERSHIP_ROLES, PERSON_ROLES, SEXES, SOCIAL_WORKER_LEVELS, TRAINING_KINDS
from .crypto import id_hash
from .db import database
from .entities import (
    Activity,
    Membership,
    Organization,
    Person,
    Region,
    ServiceRecord,
    Team,
    TeamAssignment,
    Training,
    TrainingAttendance,
    User,
)
from .errors import ValidationFailed
from .i18n import Message, msg
from .validators import InvalidValue, check_id_number, check_phone, mask_id_number


@dataclass
class PersonData:
    """What the person form gathers. With an ID, birth date and sex come from it (what is given
    here is ignored); without one, they are as entered (both may be unknown)."""

    name: str = ""
    id_number: str = ""
    birth_date: dt.date | None = None
    sex: str | None = None  # SEXES code
    phone: str = ""
    region_id: int | None = None
    is_cadre: bool = False
    is_social_worker: bool = False
    is_volunteer: bool = False
    social_worker_level: str | None = None
    cadre_title: str = ""
    workplace: str = ""
    notes: str = ""

    @classmethod
    def from_person(cls, person: Person) -> PersonData:
        return cls(
            name=person.name,
            id_number=person.id_number or "",
            birth_date=person.birth_date,
            sex=person.sex,
            phone=person.phone,
            region_id=person.region_id,
            is_cadre=person.is_cadre,
            is_social_worker=person.is_social_worker,
            is_volunteer=person.is_volunteer,
            social_worker_level=person.social_worker_level,
            cadre_title=person.cadre_title,
            workplace=person.workplace,
            notes=person.notes,
        )


def roles_text(is_cadre: bool, is_social_worker: bool, is_volunteer: bool) -> str:
    """``妇工、义工``: the roles a person holds, in the domain's order (Chinese source text)."""
    held = (is_cadre, is_social_worker, is_volunteer)
    return "、".join(label for (_code, label), on in zip(PERSON_ROLES, held, strict=True) if on)


def clean_person(data: PersonData) -> tuple[dict, dict[str, Message]]:
    """Normalise and check every field (the form and the importer alike); returns the column
    values and the errors per field."""
    errors: dict[str, Message] = {}
    name = " ".join(data.name.split())
    if not name:
        errors["name"] = msg("请填写姓名")
    elif len(name) > 50:
        errors["name"] = msg("姓名过长（最多 50 字）")
    values: dict = {"name": name, "id_number": None, "birth_date": None, "sex": None}
    if data.id_number.strip():
        try:
            resident = check_id_number(data.id_number)
        except InvalidValue as e:
            errors["id_number"] = e.message
        else:
            values.update(id_number=resident.number, birth_date=resident.birth_date, sex=resident.sex)
    else:
        if data.sex is not None and data.sex not in SEXES:
            errors["sex"] = msg("性别应为“男”或“女”")
        if data.birth_date is not None and data.birth_date > dt.date.today():
            errors["birth_date"] = msg("出生日期不能晚于今天")
        elif data.birth_date is not None and data.birth_date.year < 1900:
            errors["birth_date"] = msg("出生日期早于 1900 年，请核对")
        values.update(birth_date=data.birth_date, sex=data.sex)
    values["phone"] = ""
    if data.phone.strip():
        try:
            values["phone"] = check_phone(data.phone)
        except InvalidValue as e:
            errors["phone"] = e.message
    values["social_worker_level"] = None
    if data.is_social_worker:
        if data.social_worker_level is not None and data.social_worker_level not in SOCIAL_WORKER_LEVELS:
            errors["social_worker_level"] = msg("未知的社工等级")
        values["social_worker_level"] = data.social_worker_level
    elif data.social_worker_level:
        errors["social_worker_level"] = msg("只有社工才有社工等级")
    if data.region_id is not None and not (
        Region.select().where((Region.id == data.region_id) & (Region.level == "township")).exists()
    ):
        errors["region_id"] = msg("请选择所属镇（街道）")
    values.update(
        region=data.region_id,
        is_cadre=data.is_cadre,
        is_social_worker=data.is_social_worker,
        is_volunteer=data.is_volunteer,
        cadre_title=data.cadre_title.strip() if data.is_cadre else "",
        workplace=data.workplace.strip(),
        notes=data.notes.strip(),
    )
    return values, errors


def _check_unique_id(values: dict, errors: dict[str, Message], exclude_id: int | None) -> None:
    if "id_number" in errors or not values["id_number"]:
        return
    query = Person.select(Person.name, Person.archived).where(Person.id_hash == id_hash(values["id_number"]))
    if exclude_id is not None:
        query = query.where(Person.id != exclude_id)
    clash = query.first()
    if clash:
        errors["id_number"] = msg(
            "身份证号 {number} 已登记给“{name}”{state}",
            number=mask_id_number(values["id_number"]),
            name=clash.name,
            state="（已归档）" if clash.archived else "",
        )


def save_person(data: PersonData, user: User | None, existing: Person | None = None) -> Person:
    """Register a new person or update ``existing``; raises ValidationFailed, saving nothing."""
    values, errors = clean_person(data)
    with database.atomic():
        _check_unique_id(values, errors, existing.id if existing else None)
        if errors:
            raise ValidationFailed(errors)
        return audit.save(Person, user, existing, **values)


# -- choices for the filters ---------------------------------------------------------------


def _named_with_links(model, link_field) -> list[tuple[int, str]]:
    """(id, name) of the ``model`` rows some ``link_field`` row points at, in pinyin order."""
    linked = link_field.model.select(link_field.model.id).where(link_field == model.id)
    query = (
        model.select(model.id, model.name)
        .where(fn.EXISTS(linked))
        .order_by(model.name_key, model.id)
    )
    return list(query.tuples())


def organizations_with_members() -> list[tuple[int, str]]:
    """Organizations anyone has joined (what the people filter can narrow to)."""
    return _named_with_links(Organization, Membership.organization)


def teams_with_members() -> list[tuple[int, str]]:
    """Teams anyone is assigned to."""
    return _named_with_links(Team, TeamAssignment.team)


# -- what the person detail shows ----------------------------------------------------------


def memberships(person: Person | int) -> list[tuple]:
    """(membership id, organization, role label, from, to, active today) — current ones first."""
    today = dt.date.today()
    query = (
        Membership.select(Membership.id, Organization.name, Membership.role, Membership.start_on,
                          Membership.end_on)
        .join(Organization)
        .where(Membership.person == person)
        .order_by(Membership.end_on.is_null(False), Membership.start_on.desc(nulls="last"), Membership.id)
        .tuples()
    )
    return [(mid, org, MEMBERSHIP_ROLES.label(role), start, end, end is None or end >= today)
            for mid, org, role, start, end in query]


def team_roles(person: Person | int) -> list[tuple]:
    """(team, role label, from, to) — current ones first."""
    query = (
        TeamAssignment.select(Team.name, TeamAssignment.role, TeamAssignment.start_on,
                              TeamAssignment.end_on)
        .join(Team)
        .where(TeamAssignment.person == person)
        .order_by(TeamAssignment.end_on.is_null(False), TeamAssignment.start_on.desc(nulls="last"),
                  TeamAssignment.id)
        .tuples()
    )
    return [(team, PERSON_ROLES.label(role), start, end) for team, role, start, end in query]


def service_records(person: Person | int) -> list[tuple]:
    """(activity date, activity title, hours), newest first."""
    query = (
        ServiceRecord.select(Activity.held_on, Activity.title, ServiceRecord.hours)
        .join(Activity)
        .where(ServiceRecord.person == person)
        .order_by(Activity.held_on.desc(), ServiceRecord.id)
        .tuples()
    )
    return list(query)


def total_service_hours(person: Person | int) -> Decimal:
    total = (
        ServiceRecord.select(fn.SUM(ServiceRecord.hours))
        .where(ServiceRecord.person == person)
        .scalar()
    )
    return Decimal(str(total or 0)).quantize(Decimal("0.1"))


def trainings_attended(person: Person | int) -> list[tuple]:
    """(date, topic, kind label), newest first."""
    query = (
        TrainingAttendance.select(Training.held_on, Training.topic, Training.kind)
        .join(Training)
        .where(TrainingAttendance.person == person)
        .order_by(Training.held_on.desc(), Training.id)
        .tuples()
    )
    return [(held, topic, TRAINING_KINDS.label(kind)) for held, topic, kind in query]
