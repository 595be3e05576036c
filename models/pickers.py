"""Choices the project, activity and training forms offer, and the limited person search."""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass
from functools import reduce

from peewee import JOIN, DateField, Field, Model, fn

from .db import date_text
from .entities import Membership, Organization, Person, Project, Region, Team, TeamAssignment, Venue
from .name_search import narrow_pinyin
from .person_listing import archived_is, person_text_condition
from .validators import mask_id_number

PERSON_SEARCH_LIMIT = 50


def _named_choices(model: type[Model], include_ids: tuple[int | None, ...]) -> list[tuple[int, str]]:
    """Non-archived rows in pinyin order; ``include_ids`` keep archived current values offered."""
    condition = model.archived == False  # noqa: E712 (peewee expression)
    kept = [i for i in include_ids if i is not None]
    if kept:
        condition = condition | model.id.in_(kept)
    query = model.select(model.id, model.name).where(condition).order_by(model.name_key, model.id)
    return list(query.tuples())


def organizations(*include_ids: int | None) -> list[tuple[int, str]]:
    return _named_choices(Organization, include_ids)


def teams(*include_ids: int | None) -> list[tuple[int, str]]:
    return _named_choices(Team, include_ids)


def venues(*include_ids: int | None) -> list[tuple[int, str]]:
    """Venues in pinyin order; a name several venues share (each village's 妇女儿童之家) is
    followed by the venue's place, so that the list tells them apart."""
    choices = _named_choices(Venue, include_ids)
    names = [name for _id, name in choices]
    shared = {name for name in names if names.count(name) > 1}
    if not shared:
        return choices
    place = Region.alias("place")
    township = Region.alias("township")
    places = dict(
        Venue.select(Venue.id, fn.COALESCE(township.name + " / " + place.name, place.name))
        .join(place, JOIN.LEFT_OUTER, on=(Venue.region == place.id))
        .join(township, JOIN.LEFT_OUTER, on=((place.parent == township.id) & (place.level == "village")))
        .where(Venue.name.in_(shared)).tuples()
    )
    return [(vid, f"{name}（{places[vid]}）" if name in shared and places.get(vid) else name)
            for vid, name in choices]


def projects(include_id: int | None = None) -> list[tuple[int, str]]:
    """Projects labelled with their year, newest first (an activity belongs to a recent one)."""
    condition = Project.archived == False  # noqa: E712
    if include_id is not None:
        condition = condition | (Project.id == include_id)
    query = (
        Project.select(Project.id, Project.name, Project.year)
        .where(condition)
        .order_by(Project.year.desc(), Project.name_key, Project.id)
    )
    return [(pid, f"{year} {name}") for pid, name, year in query.tuples()]


def filter_years(column: Field) -> list[int]:
    """The year filter's choices: the years in ``column`` (a year or a date) and this year,
    newest first (this year is always there, so a record saved today can be found)."""
    expr = date_text("%Y", column) if isinstance(column, DateField) else column
    found = {int(y) for (y,) in column.model.select(expr).distinct().tuples() if y}
    return sorted(found | {dt.date.today().year}, reverse=True)


def person_label(name: str, id_number: str | None) -> str:
    """How a picked person is shown: the name and the masked ID that tells namesakes apart."""
    masked = mask_id_number(id_number)
    return f"{name}（{masked}）" if masked else name


def search_people(
    text: str, volunteers_only: bool = False, limit: int = PERSON_SEARCH_LIMIT
) -> list[tuple[int, str]]:
    """At most ``limit`` non-archived people found by ``text`` as the People list finds them: the
    name's characters, pinyin or initials (``bcy``: 白彩月), the whole ID number or phone."""
    condition = person_text_condition(text)
    if condition is None:
        return []
    query = Person.select(Person.id, Person.name, Person.id_number).where(
        archived_is(False, narrow_pinyin(text)) & condition
    )
    if volunteers_only:
        query = query.where(Person.is_volunteer == True)  # noqa: E712
    query = query.order_by(Person.name_key, Person.id).limit(limit)
    return [(pid, person_label(name, number)) for pid, name, number in query.tuples()]


@dataclass(frozen=True)
class PersonDetails:
    """What tells namesakes apart in a picker: birth year, township, current organizations."""

    birth_year: int | None
    township: str
    organizations: tuple[str, ...]


def people_details(person_ids: list[int], day: dt.date | None = None) -> dict[int, PersonDetails]:
    """Birth year, township (a village's township) and the organizations each person is a member
    of on ``day``, in pinyin order. Two queries, whatever the number of people."""
    day = day or dt.date.today()
    if not person_ids:
        return {}
    township = Region.alias("township")
    rows = (
        Person.select(Person.id, Person.birth_date, Region.name, Region.level, township.name)
        .join(Region, JOIN.LEFT_OUTER, on=(Person.region == Region.id))
        .join(township, JOIN.LEFT_OUTER, on=(Region.parent == township.id))
        .where(Person.id.in_(person_ids)).tuples()
    )
    organizations: dict[int, list[str]] = {}
    for pid, name in (
        Membership.select(Membership.person, Organization.name).join(Organization)
        .where(Membership.person.in_(person_ids)
               & (Membership.start_on.is_null() | (Membership.start_on <= day))
               & (Membership.end_on.is_null() | (Membership.end_on >= day)))
        .order_by(Organization.name_key).tuples()
    ):
        organizations.setdefault(pid, []).append(name)
    return {
        pid: PersonDetails(born.year if born else None,
                           (parent if level == "village" else place) or "",
                           tuple(organizations.get(pid, ())))
        for pid, born, place, level, parent in rows
    }


def people_labels(person_ids: list[int]) -> list[tuple[int, str]]:
    """(id, label) of the given people in pinyin order."""
    query = (
        Person.select(Person.id, Person.name, Person.id_number)
        .where(Person.id.in_(person_ids))
        .order_by(Person.name_key, Person.id)
    )
    return [(pid, person_label(name, number)) for pid, name, number in query.tuples()]


def volunteer_members(
    organization_id: int | None, team_id: int | None, day: dt.date
) -> list[tuple[int, str]]:
    """Volunteers who on ``day`` were members of the organization or assigned to the team."""
    if organization_id is None and team_id is None:
        return []

    def active(model) -> object:
        return ((model.start_on.is_null()) | (model.start_on <= day)) & (
            (model.end_on.is_null()) | (model.end_on >= day)
        )

    sources = []
    if organization_id is not None:
        sources.append(Membership.select(Membership.person).where(
            (Membership.organization == organization_id) & active(Membership)))
    if team_id is not None:
        sources.append(TeamAssignment.select(TeamAssignment.person).where(
            (TeamAssignment.team == team_id) & active(TeamAssignment)))
    in_either = reduce(operator.or_, (Person.id.in_(source) for source in sources))
    query = (
        Person.select(Person.id, Person.name, Person.id_number)
        .where(in_either & (Person.is_volunteer == True) & (Person.archived == False))  # noqa: E712
        .order_by(Person.name_key, Person.id)
    )
    return [(pid, person_label(name, number)) for pid, name, number in query.tuples()]
