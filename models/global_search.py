"""The window's one search box (Ctrl+K): any organization, person, team, venue or project by
its name (characters, full pinyin, initials), a person by her whole ID number or phone (they are
stored encrypted: found by keyed hash, never by a part), an organization by its credit code's
first characters."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import Model

from .entities import Organization, Person, Project, Team, Venue
from .name_search import name_condition, narrow_pinyin
from .person_listing import archived_is, person_text_condition
from .validators import mask_id_number, to_halfwidth

PER_KIND = 8  # matches shown of each kind: enough to see, few enough to read


@dataclass(frozen=True)
class Found:
    kind: str  # organization | person | team | venue | project
    id: int
    name: str
    detail: str  # a credit code or masked ID, a year: plain data, no words to translate
    archived: bool


def _named(model: type[Model], kind: str, text: str, limit: int) -> list[Found]:
    condition = name_condition(model, text)
    if condition is None:
        return []
    query = (model.select(model.id, model.name, model.archived).where(condition)
             .order_by(model.archived, model.name_key, model.id).limit(limit))
    return [Found(kind, rid, name, "", archived) for rid, name, archived in query.tuples()]


def _organizations(text: str, limit: int) -> list[Found]:
    code = "".join(to_halfwidth(text).split()).upper()
    condition = name_condition(Organization, text) | Organization.short_name.contains(text.strip())
    if code:
        condition = condition | Organization.credit_code.startswith(code)
    query = (Organization.select(Organization.id, Organization.name, Organization.credit_code,
                                 Organization.archived)
             .where(condition).order_by(Organization.archived, Organization.name_key, Organization.id)
             .limit(limit))
    return [Found("organization", oid, name, code or "", archived)
            for oid, name, code, archived in query.tuples()]


def _people(text: str, limit: int) -> list[Found]:
    condition = person_text_condition(text)
    if condition is None:
        return []
    query = (Person.select(Person.id, Person.name, Person.id_number, Person.archived)
             .where(condition & archived_is(False, narrow_pinyin(text)))
             .order_by(Person.name_key, Person.id).limit(limit))
    return [Found("person", pid, name, mask_id_number(number), archived)
            for pid, name, number, archived in query.tuples()]


def find_records(text: str, per_kind: int = PER_KIND) -> list[Found]:
    """Up to ``per_kind`` matches of each kind, organizations first, each kind in pinyin order
    (archived ones after the others). Nothing for a blank text."""
    if not text.strip():
        return []
    found = _organizations(text, per_kind) + _people(text, per_kind)
    for model, kind in ((Team, "team"), (Venue, "venue"), (Project, "project")):
        found += _named(model, kind, text, per_kind)
    return found
