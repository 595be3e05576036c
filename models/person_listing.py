"""The People list: search by name, ID or phone, filters by role, place, organization, team."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from peewee import JOIN

from .choices import SEXES, SOCIAL_WORKER_LEVELS
from .crypto import id_hash, phone_hash
from .db import PerBackend, matching
from .duplicates import upgraded_id
from .entities import Membership, Person, Region, TeamAssignment
from .i18n import tr_noop
from .listing import Column, Listing, ListRow
from .lookups import township_places
from .name_search import name_condition, narrow_pinyin, spelled
from .people import roles_text
from .validators import mask_id_number, normalise_phone, to_halfwidth

_FULL_ID = re.compile(r"^\d{17}[\dX]$", re.ASCII)
_OLD_ID = re.compile(r"^\d{15}$", re.ASCII)
MIN_PHONE_DIGITS = 7

ROLE_FIELDS = {
    "cadre": Person.is_cadre,
    "social_worker": Person.is_social_worker,
    "volunteer": Person.is_volunteer,
}


@dataclass(frozen=True)
class PersonFilter:
    text: str = ""
    role: str | None = None  # a PERSON_ROLES code
    township_id: int | None = None
    organization_id: int | None = None  # has an active membership there
    team_id: int | None = None  # has an active assignment there
    archived: bool | None = False  # None: both


def _active_today(model) -> object:
    today = dt.date.today()
    return model.end_on.is_null() | (model.end_on >= today)


def person_text_condition(text: str):
    """People whose name contains ``text`` or starts with it in pinyin or initials (``bcy`` finds
    白彩月), whose whole ID number or whose whole phone it is; None: no text.

    ID numbers and phones are stored encrypted (models.crypto), so they are found by their keyed
    hashes: a complete number finds its person, a part of one finds nobody (no prefix or
    substring of a number can be matched without decrypting every row)."""
    typed = " ".join(text.split())
    if not typed:
        return None
    if spelled(typed):  # letters: a name typed as pinyin (an ID cannot start with a letter)
        return name_condition(Person, typed, anywhere=False)
    condition = matching(Person.name, typed)
    ids = typed_id_hashes(typed)
    if ids:
        condition = condition | Person.id_hash.in_(ids)
    phone = typed_phone_hash(typed)
    if phone:
        condition = condition | (Person.phone_hash == phone)
    return condition


def typed_id_hashes(text: str) -> list[str]:
    """The keyed hashes a typed complete ID number is stored under: an 18-character number, or
    an old 15-digit one (as typed and as it became, the form imports store); [] otherwise."""
    number = re.sub(r"[\s-]+", "", to_halfwidth(text)).upper()
    if _FULL_ID.match(number):
        return [id_hash(number)]
    if _OLD_ID.match(number):
        return [id_hash(number), id_hash(upgraded_id(number))]
    return []


def typed_phone_hash(text: str) -> str | None:
    """The keyed hash of a typed complete phone (its digits, without +86), when it can be one:
    a mobile or a landline with its area code has at least 7 digits."""
    digits = re.sub(r"\D", "", normalise_phone(text))
    return phone_hash(digits) if len(digits) >= MIN_PHONE_DIGITS else None


def archived_is(archived: bool, by_pinyin: bool = False):
    """``Person.archived == archived``. Searched by a narrow pinyin (``name_search.narrow_pinyin``)
    on SQLite, written so that no index answers it (``archived + 0``): SQLite then reads the few
    matches off the pinyin and initials indexes (``bcy`` in 0.1 ms) instead of checking 100,000
    entries of the list's index in name order (15-40 ms), which is the better way for ``w``'s
    13,000. PostgreSQL's planner chooses by itself, from its statistics."""
    plain = Person.archived == archived
    if not by_pinyin:
        return plain
    return PerBackend(lambda: (Person.archived + 0) == int(archived), lambda: plain)


class PersonListing(Listing[PersonFilter]):
    columns = (
        Column("name", tr_noop("姓名"), sort=Person.name_key, width=90),
        Column("sex", tr_noop("性别"), "label", sort=Person.sex, width=50),
        Column("birth_date", tr_noop("出生日期"), "date", sort=Person.birth_date, width=95),
        Column("id_number", tr_noop("身份证号"), width=160),
        Column("phone", tr_noop("联系电话"), width=120),
        Column("roles", tr_noop("角色"), width=120),
        Column("township", tr_noop("所属镇（街道）"), sort=Region.name_key, width=120),
        Column("sw_level", tr_noop("社工等级"), "label", sort=Person.social_worker_level, width=120),
        Column("updated", tr_noop("更新时间"), "datetime", sort=Person.updated_at, width=140),
    )
    default_sort = "name"
    keyset = True

    def base_query(self):
        return Person.select(
            Person.id, Person.name, Person.sex, Person.birth_date, Person.id_number, Person.phone,
            Person.is_cadre, Person.is_social_worker, Person.is_volunteer, Region.name,
            Person.social_worker_level, Person.updated_at, Person.archived,
        ).join(Region, JOIN.LEFT_OUTER, on=(Person.region == Region.id))

    def id_column(self):
        return Person.id

    def count(self, flt: PersonFilter) -> int:
        """Counted without the township join the rows need: a LEFT join cannot change the count,
        and skipping it makes counting 100k people several times faster."""
        return self.apply_filter(Person.select(Person.id), flt).count()

    def apply_filter(self, query, flt: PersonFilter):
        condition = person_text_condition(flt.text)
        if condition is not None:
            query = query.where(condition)
        if flt.role in ROLE_FIELDS:
            query = query.where(ROLE_FIELDS[flt.role] == True)  # noqa: E712
        if flt.township_id:
            query = query.where(Person.region.in_(township_places(flt.township_id)))
        # IN (not a correlated EXISTS): SQLite reads the few members off the (organization,
        # person) / team index and then looks the people up, instead of probing for 100k people.
        if flt.organization_id:
            query = query.where(Person.id.in_(
                Membership.select(Membership.person).where(
                    (Membership.organization == flt.organization_id) & _active_today(Membership)
                )
            ))
        if flt.team_id:
            query = query.where(Person.id.in_(
                TeamAssignment.select(TeamAssignment.person).where(
                    (TeamAssignment.team == flt.team_id) & _active_today(TeamAssignment)
                )
            ))
        if flt.archived is not None:
            query = query.where(archived_is(flt.archived, narrow_pinyin(flt.text)))
        return query

    def to_row(self, raw: tuple) -> ListRow:
        (pid, name, sex, birth, number, phone, cadre, worker, volunteer, township, level,
         updated, archived) = raw
        values = (
            name, SEXES.label(sex), birth, mask_id_number(number), phone,
            roles_text(cadre, worker, volunteer), township or "", SOCIAL_WORKER_LEVELS.label(level),
            updated,
        )
        return ListRow(pid, values, archived)
