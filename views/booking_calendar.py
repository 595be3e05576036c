"""A venue's bookings as a week or a month calendar (the venue detail's 预约日历 tab)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.bookings import CalendarBooking

from .widgets import ChoiceCombo

TODAY_BACKGROUND = QColor(232, 242, 255)
OTHER_MONTH = QColor(150, 150, 150)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())  # Monday, as Chinese calendars begin


class BookingCalendar(QWidget):
    """Shows ``load(first, last)``'s bookings for the week or month around a day; a double click
    on a day asks to book it (``day_activated``)."""

    day_activated = Signal(object)  # dt.date

    def __init__(self, load: Callable[[dt.date, dt.date], list[CalendarBooking]],
                 parent: QWidget | None = None, today: dt.date | None = None):
        super().__init__(parent)
        self.load = load
        self.today = today or dt.date.today()
        self.anchor = self.today
        self.days: list[dt.date] = []  # the day of each cell, row by row
        self.mode = ChoiceCombo((("week", self.tr("按周")), ("month", self.tr("按月"))), self)
        self.mode.setObjectName("calendar_mode")
        self.previous_button = QPushButton(self.tr("◀ 上一周"), self)
        self.today_button = QPushButton(self.tr("今天"), self)
        self.next_button = QPushButton(self.tr("下一周 ▶"), self)
        self.title = QLabel(self)
        self.title.setObjectName("calendar_title")
        self.grid = QTableWidget(self)
        self.grid.setObjectName("calendar")
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.setWordWrap(True)
        self.grid.verticalHeader().hide()
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.grid.setColumnCount(7)
        self.grid.setHorizontalHeaderLabels([self.tr("一"), self.tr("二"), self.tr("三"), self.tr("四"),
                                             self.tr("五"), self.tr("六"), self.tr("日")])
        self.grid.cellDoubleClicked.connect(
            lambda row, column: self.day_activated.emit(self.day_at(row, column)))
        bar = QHBoxLayout()
        for widget in (self.mode, self.previous_button, self.today_button, self.next_button):
            bar.addWidget(widget)
        bar.addWidget(self.title, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.grid, 1)
        self.mode.currentIndexChanged.connect(self.refresh)
        self.previous_button.clicked.connect(lambda: self.move(-1))
        self.next_button.clicked.connect(lambda: self.move(1))
        self.today_button.clicked.connect(lambda: self.show_day(self.today))
        self.refresh()

    def show_day(self, day: dt.date) -> None:
        self.anchor = day
        self.refresh()

    def move(self, steps: int) -> None:
        if self.mode.value() == "week":
            self.anchor += dt.timedelta(days=7 * steps)
        else:
            month = self.anchor.year * 12 + self.anchor.month - 1 + steps
            self.anchor = dt.date(month // 12, month % 12 + 1, 1)
        self.refresh()

    def span(self) -> tuple[dt.date, dt.date]:
        """The first and last day on screen: one week, or the weeks that hold the month."""
        if self.mode.value() == "week":
            first = week_start(self.anchor)
            return first, first + dt.timedelta(days=6)
        month_first = self.anchor.replace(day=1)
        next_month = (month_first + dt.timedelta(days=32)).replace(day=1)
        first = week_start(month_first)
        last = week_start(next_month - dt.timedelta(days=1)) + dt.timedelta(days=6)
        return first, last

    def refresh(self) -> None:
        week = self.mode.value() == "week"
        self.previous_button.setText(self.tr("◀ 上一周") if week else self.tr("◀ 上个月"))
        self.next_button.setText(self.tr("下一周 ▶") if week else self.tr("下个月 ▶"))
        first, last = self.span()
        if week:
            self.title.setText(
                self.tr("{first:%Y年%m月%d日} – {last:%m月%d日}").format(first=first, last=last))
        else:
            self.title.setText(self.tr("{day:%Y年%m月}").format(day=self.anchor))
        by_day: dict[dt.date, list[CalendarBooking]] = {}
        for booking in self.load(first, last):
            day = booking.starts_at.date()
            while day <= booking.ends_at.date() and day <= last:  # a booking over midnight shows on each day
                by_day.setdefault(day, []).append(booking)
                day += dt.timedelta(days=1)
        self.days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
        rows = len(self.days) // 7
        self.grid.clearContents()
        self.grid.setRowCount(rows)
        for index, day in enumerate(self.days):
            item = QTableWidgetItem(self.day_text(day, by_day.get(day, []), with_date=not week))
            item.setTextAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            item.setData(Qt.ItemDataRole.UserRole, day)
            if day == self.today:
                item.setBackground(QBrush(TODAY_BACKGROUND))
            if not week and day.month != self.anchor.month:
                item.setForeground(QBrush(OTHER_MONTH))
            self.grid.setItem(index // 7, index % 7, item)
        height = max(self.grid.viewport().height() // max(rows, 1), self.fontMetrics().height() * 3)
        for row in range(rows):
            self.grid.setRowHeight(row, height if not week else max(height, 240))

    def day_text(self, day: dt.date, bookings: list[CalendarBooking], with_date: bool) -> str:
        lines = [f"{day.day}"] if with_date else [f"{day:%m-%d}"]
        for b in bookings:
            purpose = f"（{b.purpose}）" if b.purpose else ""
            lines.append(f"{b.starts_at:%H:%M}–{b.ends_at:%H:%M} {b.holder}{purpose}")
        return "\n".join(lines)

    def day_at(self, row: int, column: int) -> dt.date:
        return self.days[row * 7 + column]

    def text_of(self, day: dt.date) -> str:
        """What the calendar shows on ``day`` ("" when not on screen)."""
        if day not in self.days:
            return ""
        index = self.days.index(day)
        item = self.grid.item(index // 7, index % 7)
        return item.text() if item is not None else ""
