"""Generic list queries: filtered, sorted and paged in SQL, never loaded whole.

A page of the UI shows one ``Listing``; the table model asks it for the row
count and for one page of rows at a time.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from peewee import Node, Select

F = TypeVar("F")


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # Chinese source text (translated by the UI, context "models")
    kind: str = "text"  # text | label | date | datetime | int | money | bool
    sort: Node | None = None  # SQL expression to ORDER BY; None = not sortable
    width: int = 120


@dataclass(frozen=True)
class ListRow:
    id: int
    values: tuple[Any, ...]
    archived: bool = False
    flagged: bool = False  # needs attention (e.g. incubation overdue)
    cursor: tuple[Any, ...] = ()  # sort value and id, where the next keyset page starts


class Listing(Generic[F]):
    """Subclasses declare columns, the base query and how a filter narrows it."""

    columns: tuple[Column, ...] = ()
    default_sort: str = ""
    default_descending: bool = False  # e.g. newest first for dated records
    flag_text: str = ""  # what a flagged row means (Chinese source text)
    # Page by the last row's (sort value, id) instead of OFFSET, so a deep page costs what the
    # first does. Only for listings whose sort expressions are plain columns (no aggregates).
    keyset: bool = False

    def base_query(self) -> Select:
        raise NotImplementedError

    def apply_filter(self, query: Select, flt: F) -> Select:
        raise NotImplementedError

    def to_row(self, raw: tuple) -> ListRow:
        raise NotImplementedError

    def id_column(self) -> Node:
        return self.base_query().model.id

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    def count(self, flt: F) -> int:
        query = self.apply_filter(self.base_query(), flt)
        return query.order_by().count(clear_limit=True)

    def fetch(
        self, flt: F, sort_key: str | None, descending: bool, offset: int, limit: int,
        after: tuple[Any, ...] = (),
    ) -> list[ListRow]:
        """One page: from ``offset``, or for a keyset listing right after the row whose
        ``cursor`` is ``after``."""
        query = self.apply_filter(self.base_query(), flt)
        key = sort_key or self.default_sort
        marks = [self.id_column()]
        if key:
            expr = self.column(key).sort
            if expr is None:
                raise ValueError(f"column {key!r} is not sortable")
            marks.insert(0, expr)
        query = query.order_by(*(m.desc() if descending else m.asc() for m in marks)).limit(limit)
        if not self.keyset:
            return [self.to_row(raw) for raw in query.offset(offset).tuples().iterator()]
        query = query.select_extend(*marks)
        if after:
            query = query.where(_after(marks, after, descending))
        else:
            query = query.offset(offset)
        n = len(marks)
        return [
            dataclasses.replace(self.to_row(raw[:-n]), cursor=tuple(raw[-n:]))
            for raw in query.tuples().iterator()
        ]


def _after(marks: list[Node], values: tuple[Any, ...], descending: bool) -> Node:
    """Rows after ``values`` in (sort expression, id) order; SQLite puts NULLs first ascending."""
    *head, id_column = marks
    last_id = values[-1]
    later_id = id_column < last_id if descending else id_column > last_id
    if not head:
        return later_id
    expr, value = head[0], values[0]
    if value is None:
        tied = expr.is_null() & later_id
        return tied if descending else (tied | expr.is_null(False))
    # The outer >= / <= lets SQLite start from the value in the index instead of scanning.
    if descending:
        return ((expr <= value) & ((expr < value) | later_id)) | expr.is_null()
    return (expr >= value) & ((expr > value) | later_id)
