"""The 创投 page's list of rounds: search, filters and sort columns, all in SQL."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import JOIN, Case, fn

from .choices import ROUND_SOURCES
from .i18n import tr_noop
from .listing import Column, Listing, ListRow
from .venture import WINNERS
from .venture_entities import VentureApplication, VentureRound


@dataclass(frozen=True)
class RoundFilter:
    text: str = ""  # in the round's name or organiser
    source: str | None = None
    year: int | None = None


_APPLICATIONS = fn.COUNT(VentureApplication.id)
_WINNERS = fn.SUM(Case(None, [(VentureApplication.status.in_(WINNERS), 1)], 0))
_GRANTED = fn.SUM(Case(None, [(VentureApplication.status.in_(WINNERS), VentureApplication.amount_granted)],
                       0))


class RoundListing(Listing[RoundFilter]):
    columns = (
        Column("id", tr_noop("编号"), "int", sort=VentureRound.id, width=50),
        Column("name", tr_noop("轮次名称"), sort=VentureRound.name, width=220),
        Column("source", tr_noop("类型"), "label",
               sort=Case(VentureRound.source, [(c, i) for i, c in enumerate(ROUND_SOURCES.codes())], -1),
               width=80),
        Column("year", tr_noop("年度"), "int", sort=VentureRound.year, width=60),
        Column("organiser", tr_noop("主办单位"), sort=VentureRound.organiser, width=140),
        Column("budget", tr_noop("总预算"), "money", sort=VentureRound.budget, width=110),
        Column("applications", tr_noop("申报数"), "int", sort=_APPLICATIONS, width=70),
        Column("winners", tr_noop("入选数"), "int", sort=_WINNERS, width=70),
        Column("granted", tr_noop("资助金额"), "money", sort=_GRANTED, width=110),
        Column("call_on", tr_noop("征集日期"), "date", sort=VentureRound.call_on, width=95),
    )
    default_sort = "year"
    default_descending = True

    def base_query(self):
        return (VentureRound.select(VentureRound.id, VentureRound.name, VentureRound.source,
                                    VentureRound.year, VentureRound.organiser, VentureRound.budget,
                                    _APPLICATIONS, _WINNERS, _GRANTED, VentureRound.call_on)
                .join(VentureApplication, JOIN.LEFT_OUTER,
                      on=(VentureApplication.round == VentureRound.id))
                .group_by(VentureRound.id))

    def id_column(self):
        return VentureRound.id

    def apply_filter(self, query, flt: RoundFilter):
        text = " ".join(flt.text.split())
        if text:
            query = query.where(VentureRound.name.contains(text) | VentureRound.organiser.contains(text))
        if flt.source:
            query = query.where(VentureRound.source == flt.source)
        if flt.year is not None:
            query = query.where(VentureRound.year == flt.year)
        return query

    def to_row(self, raw: tuple) -> ListRow:
        rid, name, source, year, organiser, budget, apps, winners, granted, call_on = raw
        return ListRow(rid, (rid, name, ROUND_SOURCES.label(source), year, organiser, budget, apps,
                             int(winners or 0), granted or 0, call_on))


def round_years() -> list[int]:
    from .pickers import filter_years

    return filter_years(VentureRound.year)
