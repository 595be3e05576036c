"""The Trainings list with attendance counts, filtered and sorted in SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, Case, fn

from .activity_listing import period
from .choices import TRAINING_KINDS
from .entities import Training, TrainingAttendance, Venue
from .i18n import tr_noop
from .listing import Column, Listing, ListRow
from .name_search import name_condition


@dataclass(frozen=True)
class TrainingFilter:
    text: str = ""  # topic, trainer or venue
    kind: str | None = None
    year: int | None = None
    archived: bool | None = False  # None: both


# Wrapped in a function so the subquery can also be an ORDER BY expression.
_attended = fn.COALESCE(
    TrainingAttendance.select(fn.COUNT(TrainingAttendance.id)).where(
        TrainingAttendance.training == Training.id
    ),
    0,
)
_kind_order = Case(Training.kind, [(code, i) for i, code in enumerate(TRAINING_KINDS.codes())], -1)


class TrainingListing(Listing[TrainingFilter]):
    columns = (
        Column("held_on", tr_noop("日期"), "date", sort=Training.held_on, width=95),
        Column("topic", tr_noop("主题"), sort=Training.topic, width=260),
        Column("kind", tr_noop("类型"), "label", sort=_kind_order, width=60),
        Column("trainer", tr_noop("讲师"), sort=Training.trainer, width=100),
        Column("venue", tr_noop("阵地"), sort=Venue.name_key, width=160),
        Column("attended", tr_noop("参加人数"), "int", sort=_attended, width=75),
    )
    default_sort = "held_on"
    default_descending = True  # newest first

    def base_query(self):
        return Training.select(
            Training.id, Training.held_on, Training.topic, Training.kind, Training.trainer,
            Venue.name, _attended, Training.archived,
        ).join(Venue, JOIN.LEFT_OUTER, on=(Training.venue == Venue.id))

    def id_column(self):
        return Training.id

    def apply_filter(self, query, flt: TrainingFilter):
        text = " ".join(flt.text.split())
        if text:
            query = query.where(
                Training.topic.contains(text) | Training.trainer.contains(text)
                | name_condition(Venue, text)
            )
        if flt.kind:
            query = query.where(Training.kind == flt.kind)
        span = period(flt.year, None)
        if span is not None:
            query = query.where((Training.held_on >= span[0]) & (Training.held_on < span[1]))
        if flt.archived is not None:
            query = query.where(Training.archived == flt.archived)
        return query

    def to_row(self, raw: tuple) -> ListRow:
        tid, held_on, topic, kind, trainer, venue, attended, archived = raw
        if isinstance(held_on, str):
            held_on = dt.date.fromisoformat(held_on)
        values = (held_on, topic, TRAINING_KINDS.label(kind), trainer, venue or "", attended)
        return ListRow(tid, values, archived)
