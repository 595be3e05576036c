"""A table model over a ``Listing``: sorted and filtered in SQL, rows read a block at a time."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from models.listing import Column, Listing, ListRow

from .i18n import tr_label, tr_msg

Index = QModelIndex | QPersistentModelIndex

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_CENTER = Qt.AlignmentFlag.AlignCenter
FLAG_BACKGROUND = QColor(255, 236, 204)


def format_value(column: Column, value: Any) -> str:
    if value is None or value == "":
        return ""
    if column.kind == "label":
        return tr_label(value)
    if column.kind == "message":
        return tr_msg(value)
    if column.kind == "bool":
        return QApplication.translate("ListingModel", "是") if value else ""
    if column.kind == "money":
        return f"{Decimal(value):,.2f}"
    if column.kind == "hours":
        return f"{Decimal(value):,.1f}"
    if column.kind == "datetime" and isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if column.kind == "date" and isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class ListingModel(QAbstractTableModel):
    """Every matching row has a place in the view; rows are read in blocks when first shown.

    The row count comes from one COUNT, so the scroll bar is true from the start and
    dragging it to the end reads only the last block (backwards, from the end), not every
    block in between. Only the blocks seen last are kept in memory.
    """

    def __init__(self, listing: Listing, flt: Any, batch: int = 100, parent=None,
                 max_blocks: int = 50):
        super().__init__(parent)
        self.listing = listing
        self.columns = listing.columns
        self.batch = batch
        self.max_blocks = max(2, max_blocks)
        self._filter = flt
        self._sort_key = listing.default_sort
        self._descending = listing.default_descending
        self._blocks: OrderedDict[int, list[ListRow]] = OrderedDict()
        self._total = 0
        self._stale = False
        self.rows_fetched = 0  # rows read from the database since creation (for tests)
        self.reload()

    # -- state -------------------------------------------------------------
    @property
    def total(self) -> int:
        """Rows matching the filter (each has a row in the view; not all are in memory)."""
        return self._total

    @property
    def current_filter(self) -> Any:
        return self._filter

    @property
    def sort_state(self) -> tuple[str, bool]:
        return self._sort_key, self._descending

    @property
    def rows_in_memory(self) -> int:
        return sum(len(rows) for rows in self._blocks.values())

    def set_filter(self, flt: Any) -> None:
        if flt != self._filter:
            self._filter = flt
            self.reload()

    def reload(self) -> None:
        total = self.listing.count(self._filter)
        first = self._read_block(0, total, {}) if total else []
        if len(first) < min(self.batch, total):  # rows went between the count and the read
            total = len(first)
        self.beginResetModel()
        self._total = total
        self._blocks = OrderedDict({0: first}) if total else OrderedDict()
        self._stale = False
        self.endResetModel()

    def row_at(self, row: int) -> ListRow:
        if not 0 <= row < self._total:
            raise IndexError(row)
        rows = self._block(row // self.batch)
        offset = row % self.batch
        if offset >= len(rows):  # the database lost rows since the count; a reload is queued
            raise IndexError(row)
        return rows[offset]

    def row_of_id(self, row_id: int) -> int | None:
        """The view row of a record: found among the rows in memory, or asked of the database."""
        for number, rows in self._blocks.items():
            for i, item in enumerate(rows):
                if item.id == row_id:
                    return number * self.batch + i
        row = self.listing.position(self._filter, self._sort_key, self._descending, row_id)
        return row if row is not None and row < self._total else None

    # -- blocks ------------------------------------------------------------
    def _block(self, number: int) -> list[ListRow]:
        rows = self._blocks.get(number)
        if rows is None and self._stale:  # positions are unreliable until the queued reload
            return []
        if rows is None:
            rows = self._read_block(number, self._total, self._blocks)
            self._blocks[number] = rows
            while len(self._blocks) > self.max_blocks:
                self._blocks.popitem(last=False)
            self._check_block(number, rows)
        else:
            self._blocks.move_to_end(number)
        return rows

    def _read_block(self, number: int, total: int, near: dict[int, list[ListRow]]) -> list[ListRow]:
        """Read block ``number``, starting from a neighbour's cursor where one is in memory."""
        start = number * self.batch
        size = min(self.batch, total - start)
        if size <= 0:
            return []
        args = (self._filter, self._sort_key, self._descending)
        rows: list[ListRow]
        if self.listing.keyset and (previous := near.get(number - 1)) and len(previous) == self.batch:
            rows = self.listing.fetch(*args, 0, size, previous[-1].cursor)
        elif self.listing.keyset and (following := near.get(number + 1)):
            rows = self.listing.fetch(*args, 0, size, before=following[0].cursor)
        elif start + size > total / 2:  # nearer the end: count from there
            rows = self.listing.fetch(*args, total - start - size, size, from_end=True)
        else:
            rows = self.listing.fetch(*args, start, size)
        self.rows_fetched += len(rows)
        return rows

    def _check_block(self, number: int, rows: list[ListRow]) -> None:
        """A short block means the data changed since the count: reload once, soon."""
        expected = min(self.batch, self._total - number * self.batch)
        if len(rows) != expected and not self._stale:
            self._stale = True
            QTimer.singleShot(0, self.reload)

    # -- Qt model interface --------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return tr_label(self.columns[section].title)
        elif orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        try:
            row = self.row_at(index.row())
        except IndexError:
            return None
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return format_value(column, row.values[index.column()])
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column.kind in ("int", "hours", "money"):
                return _RIGHT
            return _CENTER if column.kind == "bool" else _LEFT
        if role == Qt.ItemDataRole.ForegroundRole and row.archived:
            return QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        if role == Qt.ItemDataRole.BackgroundRole and row.flagged:
            return FLAG_BACKGROUND
        if role == Qt.ItemDataRole.ToolTipRole and (row.archived or row.flagged):
            return self.row_tooltip(row)
        return None

    def row_tooltip(self, row: ListRow) -> str:
        notes = []
        if row.archived:
            notes.append(self.tr("已归档"))
        if row.flagged and self.listing.flag_text:
            notes.append(tr_label(self.listing.flag_text))
        return "；".join(notes)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns) or self.columns[column].sort is None:
            return
        key = self.columns[column].key
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self._sort_key, self._descending):
            self._sort_key, self._descending = key, descending
            self.reload()

    def sort_column(self) -> int:
        for i, column in enumerate(self.columns):
            if column.key == self._sort_key:
                return i
        return -1
