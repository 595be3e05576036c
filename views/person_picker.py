"""Picking people from a register of thousands: a search box showing a limited list of matches.

The picker only finds people; what is kept for each picked person (hours, organization)
belongs to the dialog that uses it, which listens to ``picked``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.pickers import PERSON_SEARCH_LIMIT, PersonDetails, people_details

from .form import TRANSIENT

SEARCH_DELAY_MS = 80  # as the lists' (views.list_page); the search takes 10-40 ms
LABEL_ROLE = Qt.ItemDataRole.UserRole + 1  # the label ``picked`` hands on (name and masked ID)

Search = Callable[[str], list[tuple[int, str]]]


class PersonPicker(QWidget):
    """``search(text)`` returns at most PERSON_SEARCH_LIMIT (id, label) matches; a double click,
    Enter or the 添加所选 button emits ``picked(id, label)`` for each selected match.

    ``single``: the picker chooses one person, and the highlighted match is the choice (what
    the dialog shows as chosen is what it saves); Enter, a double click or 选定所选 confirm it
    and the dialog moves on to its next field (``confirmed``)."""

    picked = Signal(int, str)
    confirmed = Signal(int, str)

    def __init__(self, search: Search, parent: QWidget | None = None, placeholder: str = "",
                 single: bool = False):
        super().__init__(parent)
        self.setProperty(TRANSIENT, True)  # the search text is no data of the form
        self._search = search
        self.single = single
        self.query = QLineEdit(self)
        self.query.setObjectName("person_search")
        self.query.setClearButtonEnabled(True)
        self.query.setPlaceholderText(
            placeholder or self.tr("输入姓名、拼音或首字母（如 bcy），或完整的身份证号、电话查找"))
        self.matches = QListWidget(self)
        self.matches.setObjectName("person_matches")
        self.matches.setSelectionMode(QListWidget.SelectionMode.SingleSelection if single
                                      else QListWidget.SelectionMode.ExtendedSelection)
        self.matches.setMaximumHeight(140)
        self.hint = QLabel(self)
        self.hint.hide()
        self.add_button = QPushButton(self.tr("选定所选") if single else self.tr("添加所选"), self)
        self.add_button.setObjectName("add_person")

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.run_search)
        self.query.textChanged.connect(self._debounce.start)
        self.query.installEventFilter(self)  # Enter picks here, never the dialog's default button
        self.matches.itemDoubleClicked.connect(self.pick_item)
        self.add_button.clicked.connect(self.pick_selected)
        if single:
            self.matches.currentItemChanged.connect(
                lambda item, _previous: item is not None and self._emit_picked(item))

        row = QHBoxLayout()
        row.addWidget(self.query, 1)
        row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.matches)
        layout.addWidget(self.hint)

    def run_search(self) -> None:
        self._debounce.stop()
        self.matches.clear()
        found = self._search(self.query.text())
        details = people_details([person_id for person_id, _label in found])
        for person_id, label in found:
            item = QListWidgetItem(self.shown(label, details.get(person_id)), self.matches)
            item.setData(Qt.ItemDataRole.UserRole, person_id)
            item.setData(LABEL_ROLE, label)
        if found:
            self.matches.setCurrentRow(0)
        if len(found) >= PERSON_SEARCH_LIMIT:
            self.hint.setText(self.tr("只显示前 {n} 个，请输入更多字缩小范围").format(n=PERSON_SEARCH_LIMIT))
        elif self.query.text().strip() and not found:
            self.hint.setText(self.tr("没有找到"))
        else:
            self.hint.clear()
        self.hint.setVisible(bool(self.hint.text()))

    def shown(self, label: str, details: PersonDetails | None) -> str:
        """A match as listed: the label, then birth year, township and organizations, so that
        three 张桂 are told apart without reading ID digits."""
        parts = [label]
        if details is not None:
            if details.birth_year:
                parts.append(self.tr("{year}年生").format(year=details.birth_year))
            if details.township:
                parts.append(details.township)
            if details.organizations:
                first, n = details.organizations[0], len(details.organizations)
                parts.append(first if n == 1 else self.tr("{name}等{n}个组织").format(name=first, n=n))
        return "　".join(parts)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.query
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self._enter()
            return True
        return super().eventFilter(watched, event)

    def _enter(self) -> None:
        """Enter searches at once; a second Enter on the same text adds the highlighted match."""
        if self._debounce.isActive() or self.matches.count() == 0:
            self.run_search()
        else:
            self.pick_selected()

    def pick_selected(self) -> None:
        items = self.matches.selectedItems() or (
            [self.matches.currentItem()] if self.matches.currentItem() else []
        )
        for item in items:
            self.pick_item(item)

    def pick_item(self, item: QListWidgetItem) -> None:
        self._emit_picked(item)
        if self.single:
            self.confirmed.emit(item.data(Qt.ItemDataRole.UserRole), item.data(LABEL_ROLE))

    def _emit_picked(self, item: QListWidgetItem) -> None:
        self.picked.emit(item.data(Qt.ItemDataRole.UserRole), item.data(LABEL_ROLE))
