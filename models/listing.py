"""Generic list queries: filtered, sorted and paged in SQL, never loaded whole.

A page of the UI shows one ``Listing``; the table model asks it for the row
count and for one page of rows at a time.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from peewee import Field, Model, Node, Select

F = TypeVar("F")


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # Chinese source text (translated by the UI, context "models")
    # text | label | message (models.i18n.Message) | date | datetime | int | hours (0.1) | money | bool
    kind: str = "text"
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

    def _marks(self, sort_key: str | None) -> list[Node]:
        """The ORDER BY expressions: the sort column's, then the id as a tie-breaker."""
        marks = [self.id_column()]
        key = sort_key or self.default_sort
        if key:
            expr = self.column(key).sort
            if expr is None:
                raise ValueError(f"column {key!r} is not sortable")
            marks.insert(0, expr)
        return marks

    def fetch(
        self, flt: F, sort_key: str | None, descending: bool, offset: int, limit: int,
        after: tuple[Any, ...] = (), *, before: tuple[Any, ...] = (), from_end: bool = False,
    ) -> list[ListRow]:
        """One page of rows, in display order.

        From ``offset``; or, with ``from_end``, the rows that end ``offset`` rows before the
        last one. A keyset listing can also start right after the row whose ``cursor`` is
        ``after``, or end right before the row whose cursor is ``before``. Pages read
        backwards run the query in reverse order, so the last page costs what the first does.
        """
        marks = self._marks(sort_key)
        backwards = bool(before) or from_end
        reverse = descending != backwards
        query = self.apply_filter(self.base_query(), flt)
        query = query.order_by(*_ordering(marks, reverse, query.model)).limit(limit)
        if not self.keyset:
            if after or before:
                raise ValueError("cursors need a keyset listing")
            rows = [self.to_row(raw) for raw in query.offset(offset).tuples().iterator()]
        else:
            query = query.select_extend(*marks)
            cursor = before or after
            query = query.where(_after(marks, cursor, reverse)) if cursor else query.offset(offset)
            n = len(marks)
            rows = [
                dataclasses.replace(self.to_row(raw[:-n]), cursor=tuple(raw[-n:]))
                for raw in query.tuples().iterator()
            ]
        return rows[::-1] if backwards else rows

    def position(self, flt: F, sort_key: str | None, descending: bool, row_id: int) -> int | None:
        """Where the row ``row_id`` stands in the filtered, sorted list (None if not in it).

        Keyset listings only: it counts the rows before it with the same condition paging uses.
        """
        if not self.keyset:
            return None
        marks = self._marks(sort_key)
        query = self.apply_filter(self.base_query(), flt)
        found = query.where(self.id_column() == row_id).select_extend(*marks).tuples().first()
        if found is None:
            return None
        cursor = tuple(found[-len(marks):])
        before = self.apply_filter(self.base_query(), flt).where(_after(marks, cursor, not descending))
        return before.order_by().count(clear_limit=True)


def _ordering(marks: list[Node], descending: bool, model: type[Model]) -> list[Node]:
    """ORDER BY terms with NULLs first ascending and last descending on both backends (SQLite's
    own order; PostgreSQL's is the opposite), as ``_after`` expects. A NOT NULL column of the
    listed table (its name key, its id) is ordered plainly: PostgreSQL reads an index in that
    order only without a NULLS clause."""
    def order(mark: Node) -> Node:
        if isinstance(mark, Field) and mark.model is model and not mark.null:
            return mark.desc() if descending else mark.asc()
        return mark.desc(nulls="last") if descending else mark.asc(nulls="first")

    return [order(m) for m in marks]


def _after(marks: list[Node], values: tuple[Any, ...], descending: bool) -> Node:
    """Rows after ``values`` in (sort expression, id) order, NULLs first ascending (``_ordering``)."""
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
