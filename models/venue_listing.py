"""The Venues list: level, kind and place filters, sorted in SQL."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import JOIN, Case, fn

from .choices import VENUE_KINDS, VENUE_LEVELS
from .entities import Person, Region, Venue
from .i18n import tr_noop
from .listing import Column, Listing, ListRow
from .name_search import name_condition

Township = Region.alias("township")
Place = Region.alias("place")

_place_name = Case(
    None, [(Township.id.is_null(), Place.name)], Township.name.concat(" / ").concat(Place.name)
)
_level_order = Case(Venue.level, [(code, i) for i, code in enumerate(VENUE_LEVELS.codes())], 99)


@dataclass(frozen=True)
class VenueFilter:
    text: str = ""
    level: str | None = None
    kind: str | None = None
    township_id: int | None = None
    archived: bool | None = False  # None: both


class VenueListing(Listing[VenueFilter]):
    columns = (
        Column("name", tr_noop("阵地名称"), sort=Venue.name_key, width=220),
        Column("level", tr_noop("级别"), "label", sort=_level_order, width=60),
        Column("kind", tr_noop("类型"), "label", sort=Venue.kind, width=130),
        Column("place", tr_noop("所在地区"), sort=fn.COALESCE(Township.name_key, Place.name_key), width=160),
        Column("address", tr_noop("地址"), sort=Venue.address, width=200),
        Column("capacity", tr_noop("容纳人数"), "int", sort=Venue.capacity, width=80),
        Column("manager", tr_noop("管理员"), sort=Person.name_key, width=80),
        Column("phone", tr_noop("联系电话"), width=120),  # encrypted: not sortable in SQL
    )
    default_sort = "name"

    def base_query(self):
        return (
            Venue.select(
                Venue.id, Venue.name, Venue.level, Venue.kind, _place_name, Venue.address,
                Venue.capacity, Person.name, Venue.phone, Venue.archived,
            )
            .join(Place, JOIN.LEFT_OUTER, on=(Venue.region == Place.id))
            .join(Township, JOIN.LEFT_OUTER,
                  on=((Place.parent == Township.id) & (Place.level == "village")))
            .switch(Venue)
            .join(Person, JOIN.LEFT_OUTER, on=(Venue.manager == Person.id))
        )

    def id_column(self):
        return Venue.id

    def apply_filter(self, query, flt: VenueFilter):
        text = " ".join(flt.text.split())
        if text:
            query = query.where(name_condition(Venue, text) | Venue.address.contains(text))
        if flt.level:
            query = query.where(Venue.level == flt.level)
        if flt.kind:
            query = query.where(Venue.kind == flt.kind)
        if flt.township_id:
            query = query.where((Place.id == flt.township_id) | (Place.parent == flt.township_id))
        if flt.archived is not None:
            query = query.where(Venue.archived == flt.archived)
        return query

    def to_row(self, raw: tuple) -> ListRow:
        vid, name, level, kind, place, address, capacity, manager, phone, archived = raw
        values = (name, VENUE_LEVELS.label(level), VENUE_KINDS.label(kind), place or "", address,
                  capacity, manager or "", phone)
        return ListRow(vid, values, archived)
