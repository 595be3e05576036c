"""Text fields for dates, times and amounts that read what people type.

A spin-box date edit keeps its sections and drops what does not fit them (select all, type
2027-05-01 and the year stayed), so these are line edits read by models.entry_parse: the text
is kept as typed until it is left, then shown in the one standard form, or, when it cannot be
read, left as it is with ``entry_error()`` saying why (FormDialog shows it under the field and
refuses to save). ``value()`` is None both for blank and for unreadable text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QLineEdit, QWidget

from models.entry_parse import DATE_EXAMPLE, format_amount, parse_amount, parse_date, parse_time
from models.i18n import Message
from models.validators import InvalidValue

from .i18n import tr_msg

INVALID_STYLE = "QLineEdit { border: 1px solid #c0392b; }"


class ParsedLineEdit(QLineEdit):
    """A line edit whose text is read by ``parse`` and shown again by ``show`` when left;
    ``valueChanged`` tells when what it means changed (set, or typed and left)."""

    valueChanged = Signal(object)

    def __init__(self, parse: Callable[[str], Any], show: Callable[[Any], str],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._parse = parse
        self._show = show
        self._last: Any = None
        self.editingFinished.connect(self.tidy)
        self.textChanged.connect(lambda _text: self._mark(None))

    def entry_error(self) -> Message | None:
        """Why the text cannot be read, or None (blank text is no error here)."""
        try:
            self._parse(self.text())
        except InvalidValue as e:
            return e.message
        return None

    def value(self) -> Any:
        try:
            return self._parse(self.text())
        except InvalidValue:
            return None

    def setValue(self, value: Any) -> None:
        self.setText("" if value is None else self._show(value))
        self._announce(value)

    def _announce(self, value: Any) -> None:
        if value != self._last:
            self._last = value
            self.valueChanged.emit(value)

    def tidy(self) -> None:
        """Show what was read in the standard form; unreadable text stays, marked."""
        try:
            value = self._parse(self.text())
        except InvalidValue as e:
            self._mark(e.message)
            return
        shown = "" if value is None else self._show(value)
        if shown != self.text():
            self.setText(shown)
        self._announce(value)

    def _mark(self, error: Message | None) -> None:
        self.setStyleSheet(INVALID_STYLE if error is not None else "")
        self.setToolTip(tr_msg(error) if error is not None else "")


class DateField(ParsedLineEdit):
    """A date typed as 2025-1-5, 2025/1/5, 2025.1.5, 20250105 or 2025年1月5日, or picked from the
    calendar button; blank means no date."""

    def __init__(self, parent: QWidget | None = None, value: dt.date | None = None):
        from PySide6.QtWidgets import QStyle  # its type takes ~7 ms to set up: not at start-up

        super().__init__(parse_date, dt.date.isoformat, parent)
        self.setPlaceholderText(self.tr("如 {example}").format(example=DATE_EXAMPLE))
        self.setClearButtonEnabled(True)
        icon = QIcon.fromTheme("x-office-calendar",
                               self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView))
        self.calendar_action = QAction(icon, self.tr("从日历中选"), self)
        self.calendar_action.setObjectName("pick_date")
        self.calendar_action.triggered.connect(self.show_calendar)
        self.addAction(self.calendar_action, QLineEdit.ActionPosition.TrailingPosition)
        self.setValue(value)

    def show_calendar(self) -> None:
        from PySide6.QtWidgets import QCalendarWidget, QMenu, QWidgetAction

        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # a new calendar each time
        calendar = QCalendarWidget(menu)
        calendar.setGridVisible(True)
        day = self.value()
        if day is not None:
            calendar.setSelectedDate(QDate(day.year, day.month, day.day))
        action = QWidgetAction(menu)
        action.setDefaultWidget(calendar)
        menu.addAction(action)

        def picked(date: QDate) -> None:
            self.setValue(date.toPython())
            self.editingFinished.emit()
            menu.close()

        calendar.clicked.connect(picked)
        calendar.activated.connect(picked)
        self.calendar = calendar  # tests and keyboard users reach it while it is open
        menu.popup(self.mapToGlobal(QPoint(0, self.height())))


class TimeField(ParsedLineEdit):
    """A time of day typed as 10:00, 1000, 10点 or 下午3点半."""

    def __init__(self, parent: QWidget | None = None, value: dt.time | None = None):
        super().__init__(parse_time, lambda t: t.strftime("%H:%M"), parent)
        self.setPlaceholderText(self.tr("如 09:30"))
        self.setValue(value)


class AmountField(ParsedLineEdit):
    """Yuan typed as 35,600.50, ￥35,600.50, 12万 or 1.2万元; shown as 35,600.50."""

    def __init__(self, parent: QWidget | None = None, value: Decimal | None = None,
                 parse: Callable[[str], Decimal | None] = parse_amount):
        super().__init__(parse, format_amount, parent)
        self.setPlaceholderText(self.tr("如 35,600.50 或 12万"))
        self.setValue(value)
