"""A read-only detail view: a header and tabs of small tables (what refers to a record)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, Qt
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


class DetailDialog(QDialog):
    """Pages fill it with ``set_header`` and ``add_table``; the tables are small lists
    (a record's members, projects…), so they are plain QTableWidgets."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
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

    def add_button(self, text: str, slot, layout: QHBoxLayout | None = None) -> QPushButton:
        button = QPushButton(text, self)
        button.clicked.connect(slot)
        (layout or self.actions_row).addWidget(button)
        return button

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
