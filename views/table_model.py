"""A table model over a ``Listing``: rows arrive a page at a time, sorted and filtered in SQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from models.listing import Column, Listing, ListRow

from .i18n import tr_label

Index = QModelIndex | QPersistentModelIndex

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_CENTER = Qt.AlignmentFlag.AlignCenter
_FLAG_BACKGROUND = QColor(255, 236, 204)


def format_value(column: Column, value: Any) -> str:
    if value is None or value == "":
        return ""
    if column.kind == "label":
        return tr_label(value)
    if column.kind == "bool":
        return QApplication.translate("ListingModel", "是") if value else ""
    if column.kind == "money":
        return f"{Decimal(value):,.2f}"
    if column.kind == "datetime" and isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if column.kind == "date" and isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class ListingModel(QAbstractTableModel):
    """Loads ``batch`` rows at first and more as the view scrolls (canFetchMore/fetchMore)."""

    def __init__(self, listing: Listing, flt: Any, batch: int = 200, parent=None):
        super().__init__(parent)
        self.listing = listing
        self.columns = listing.columns
        self.batch = batch
        self._filter = flt
        self._sort_key = listing.default_sort
        self._descending = listing.default_descending
        self._rows: list[ListRow] = []
        self._total = 0
        self.rows_fetched = 0  # rows read from the database since creation (for tests)
        self.reload()

    # -- state -------------------------------------------------------------
    @property
    def total(self) -> int:
        """Rows matching the filter in the database (not all of them are loaded)."""
        return self._total

    @property
    def current_filter(self) -> Any:
        return self._filter

    @property
    def sort_state(self) -> tuple[str, bool]:
        return self._sort_key, self._descending

    def set_filter(self, flt: Any) -> None:
        if flt != self._filter:
            self._filter = flt
            self.reload()

    def reload(self) -> None:
        total = self.listing.count(self._filter)
        first_page = self._fetch_page(0)
        self.beginResetModel()
        self._total = total
        self._rows = []
        self._append(first_page)
        self.endResetModel()

    def row_at(self, row: int) -> ListRow:
        return self._rows[row]

    def row_of_id(self, row_id: int) -> int | None:
        for i, item in enumerate(self._rows):
            if item.id == row_id:
                return i
        return None

    def _fetch_page(self, offset: int) -> list[ListRow]:
        after = self._rows[-1].cursor if offset and self._rows else ()
        return self.listing.fetch(
            self._filter, self._sort_key, self._descending, offset, self.batch, after
        )

    def _append(self, rows: list[ListRow]) -> None:
        self._rows.extend(rows)
        self.rows_fetched += len(rows)
        if len(rows) < self.batch:  # the database has no more (it may have changed since count)
            self._total = len(self._rows)

    # -- Qt model interface --------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index) -> None:
        if not self.canFetchMore(parent):
            return
        rows = self._fetch_page(len(self._rows))
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._append(rows)
            self.endInsertRows()
        else:
            self._total = len(self._rows)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return tr_label(self.columns[section].title)
        elif orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return format_value(column, row.values[index.column()])
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column.kind in ("int", "money"):
                return _RIGHT
            return _CENTER if column.kind == "bool" else _LEFT
        if role == Qt.ItemDataRole.ForegroundRole and row.archived:
            return QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        if role == Qt.ItemDataRole.BackgroundRole and row.flagged:
            return _FLAG_BACKGROUND
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
