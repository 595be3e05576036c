"""查找 (Ctrl+K): one box that finds any organization, person, team, venue or project and
opens it, wherever the clerk is in the window."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.global_search import Found, find_records
from models.pickers import people_details

SEARCH_DELAY_MS = 200
KIND_ROLE = Qt.ItemDataRole.UserRole + 1


class GlobalSearchDialog(QDialog):
    """Type a name (characters, pinyin, initials), a whole ID number or phone, or a credit code's
    first characters; Enter or a double click opens the highlighted record (``chosen(kind, id)``)."""

    chosen = Signal(str, int)

    def __init__(self, parent: QWidget | None = None, find: Callable[[str], list[Found]] = find_records):
        super().__init__(parent)
        self.setWindowTitle(self.tr("查找"))
        self._find = find
        self.query = QLineEdit(self)
        self.query.setObjectName("global_search")
        self.query.setClearButtonEnabled(True)
        self.query.setPlaceholderText(
            self.tr("组织、人员、团队、阵地、项目：输入名称、拼音或首字母，完整的身份证号、电话，或信用代码开头"))
        self.results = QListWidget(self)
        self.results.setObjectName("global_results")
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.hint)
        self.resize(560, 420)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.run_search)
        self.query.textChanged.connect(self._debounce.start)
        self.query.installEventFilter(self)
        self.results.itemActivated.connect(self._open)
        self.hint.setText(self.tr("输入后按回车打开第一条；上下键选择。"))

    def kind_label(self, kind: str) -> str:
        return {"organization": self.tr("组织"), "person": self.tr("人员"), "team": self.tr("团队"),
                "venue": self.tr("阵地"), "project": self.tr("项目")}[kind]

    def run_search(self) -> None:
        self._debounce.stop()
        self.results.clear()
        found = self._find(self.query.text())
        details = people_details([f.id for f in found if f.kind == "person"])
        for record in found:
            parts = [f"{self.kind_label(record.kind)}　{record.name}"]
            if record.detail:
                parts.append(record.detail)
            person = details.get(record.id) if record.kind == "person" else None
            if person is not None:
                if person.birth_year:
                    parts.append(self.tr("{year}年生").format(year=person.birth_year))
                parts += [p for p in (person.township, *person.organizations[:1]) if p]
            if record.archived:
                parts.append(self.tr("（已归档）"))
            item = QListWidgetItem("　".join(parts), self.results)
            item.setData(Qt.ItemDataRole.UserRole, record.id)
            item.setData(KIND_ROLE, record.kind)
        if found:
            self.results.setCurrentRow(0)
            self.hint.setText(self.tr("回车打开选中的一条；上下键选择。"))
        elif self.query.text().strip():
            self.hint.setText(self.tr(
                "没有找到“{text}”。可以输入名称中的字、全拼或拼音首字母（如 bcy 找白彩月），"
                "完整的身份证号或电话，或统一社会信用代码的开头。").format(text=self.query.text().strip()))
        else:
            self.hint.clear()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """In the box, Enter opens the highlighted record (searching first if still typing);
        Up and Down move through the results."""
        if watched is self.query and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._debounce.isActive() or self.results.count() == 0:
                    self.run_search()
                item = self.results.currentItem()
                if item is not None:
                    self._open(item)
                return True
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.results.count():
                step = 1 if key == Qt.Key.Key_Down else -1
                row = min(max(self.results.currentRow() + step, 0), self.results.count() - 1)
                self.results.setCurrentRow(row)
                return True
        return super().eventFilter(watched, event)

    def _open(self, item: QListWidgetItem) -> None:
        self.chosen.emit(item.data(KIND_ROLE), item.data(Qt.ItemDataRole.UserRole))
        self.accept()
