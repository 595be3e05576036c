"""A read-only detail view: a header and tabs of small tables (what refers to a record)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from models.permissions import can

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return QCoreApplication.translate("DetailDialog", "是" if value else "否")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def disable_without_permission(user, guarded: Iterable[tuple[QWidget, str]]) -> None:
    """Disable each widget whose action the user's role does not allow."""
    for widget, permission in guarded:
        if not can(user, permission):
            widget.setEnabled(False)
            widget.setToolTip(QCoreApplication.translate("DetailDialog", "当前角色不能进行此操作"))


class DetailDialog(QDialog):
    """Pages fill it with ``set_header`` and ``add_table``; the tables are small lists
    (a record's members, projects…), so they are plain QTableWidgets."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._guarded: list[tuple[QWidget, str]] = []
        self.setWindowTitle(title)
        self.header = QLabel(self)
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.tabs = QTabWidget(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)
        self.actions_row = QHBoxLayout()
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(self.actions_row)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        self.resize(860, 560)

    def set_header(self, html: str) -> None:
        self.header.setText(html)

    def add_button(self, text: str, slot, layout: QHBoxLayout | None = None,
                   permission: str | None = None) -> QPushButton:
        """A button above the tables; with ``permission`` (e.g. "edit") it is disabled for a
        role without it (the services refuse too; this only saves a pointless click)."""
        button = QPushButton(text, self)
        button.clicked.connect(slot)
        (layout or self.actions_row).addWidget(button)
        if permission is not None:
            self._guarded.append((button, permission))
        return button

    def showEvent(self, event: QShowEvent) -> None:
        ctx = getattr(self, "ctx", None)
        if ctx is not None:
            disable_without_permission(ctx.user, self._guarded)
        super().showEvent(event)

    def add_table(
        self, title: str, headers: Sequence[str], rows: Iterable[Sequence[object]]
    ) -> QTableWidget:
        table = QTableWidget(self)
        table.setObjectName(title)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.horizontalHeader().setStretchLastSection(True)
        self.fill_table(table, headers, rows)
        page = QWidget(self)
        column = QVBoxLayout(page)
        column.addWidget(table)
        self.tabs.addTab(page, title)
        return table

    @staticmethod
    def fill_table(table: QTableWidget, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        rows = list(rows)
        table.clear()
        table.setColumnCount(len(headers))
        table.setHorizontalHeaderLabels(list(headers))
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(cell_text(value))
                if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                    item.setTextAlignment(_RIGHT)
                table.setItem(r, c, item)
        table.resizeColumnsToContents()

    @staticmethod
    def table_texts(table: QTableWidget) -> list[list[str]]:
        """What the table shows, row by row (for tests and copying)."""
        return [
            [table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
            for r in range(table.rowCount())
        ]
