"""Generic list queries: filtered, sorted and paged in SQL, never loaded whole.

A page of the UI shows one ``Listing``; the table model asks it for the row
count and for one page of rows at a time.
"""

from __future__ import annotations

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


class Listing(Generic[F]):
    """Subclasses declare columns, the base query and how a filter narrows it."""

    columns: tuple[Column, ...] = ()
    default_sort: str = ""
    default_descending: bool = False  # e.g. newest first for dated records
    flag_text: str = ""  # what a flagged row means (Chinese source text)

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
        self, flt: F, sort_key: str | None, descending: bool, offset: int, limit: int
    ) -> list[ListRow]:
        query = self.apply_filter(self.base_query(), flt)
        key = sort_key or self.default_sort
        order = []
        if key:
            expr = self.column(key).sort
            if expr is None:
                raise ValueError(f"column {key!r} is not sortable")
            order.append(expr.desc() if descending else expr.asc())
        order.append(self.id_column().desc() if descending else self.id_column().asc())
        query = query.order_by(*order).offset(offset).limit(limit)
        return [self.to_row(raw) for raw in query.tuples().iterator()]
