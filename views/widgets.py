"""Small input widgets shared by every form and filter bar.

Qt's namespace of enums is imported where it is used: the home page's area box (a ChoiceCombo)
is built before the window shows, which does not wait for it (views.main_window)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QKeySequence, QValidator
from PySide6.QtWidgets import QComboBox, QListWidget, QListWidgetItem, QSpinBox, QWidget

from models.choices import Choices

from .i18n import tr_label


def set_shortcut(target: QObject, keys: QKeySequence) -> None:
    """``target.setShortcut(keys)`` for an action or a button, without building Qt's namespace of
    enums (~20 ms, see views.main_window): PySide6's ``setShortcut`` tries a ``Qt.Key`` overload
    first, which builds it; the ``shortcut`` property takes the sequence as it is."""
    if not target.setProperty("shortcut", keys):
        raise TypeError(f"{type(target).__name__} has no shortcut")


class OptionalCountBox(QSpinBox):
    """A count that may be left blank ("未填", below zero); ``count()`` is an int or None."""

    def __init__(self, parent: QWidget | None = None, maximum: int = 1_000_000):
        super().__init__(parent)
        self.setRange(-1, maximum)
        self.setSpecialValueText(self.tr("未填"))
        self.setGroupSeparatorShown(True)
        self.setValue(-1)

    def count(self) -> int | None:
        return None if self.value() < 0 else self.value()

    def validate(self, text: str, pos: int) -> object:
        """Blank text is a count left blank, not half-typed input put back to the old count."""
        if not text.strip():
            return QValidator.State.Acceptable, text, pos
        return super().validate(text, pos)

    def valueFromText(self, text: str) -> int:
        return -1 if not text.strip() else super().valueFromText(text)

    def setCount(self, value: int | None) -> None:
        self.setValue(-1 if value is None else value)


class ChoiceCombo(QComboBox):
    """A combo box over (value, label) pairs; ``value()`` returns the selected value."""

    def __init__(
        self,
        items: Iterable[tuple[Any, str]] = (),
        parent: QWidget | None = None,
        blank: str | None = None,
    ):
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        if blank is not None:
            self.addItem(blank, None)
        for value, label in items:
            self.addItem(label, value)

    @classmethod
    def of(cls, choices: Choices, parent: QWidget | None = None, blank: str | None = None):
        return cls(((code, tr_label(label)) for code, label in choices), parent, blank)

    def value(self) -> Any:
        return self.currentData()

    def setValue(self, value: Any) -> None:
        index = self.findData(value)
        self.setCurrentIndex(max(index, 0))


class CheckList(QListWidget):
    """A list of checkable items (e.g. service areas); ``values()`` gives the checked ones."""

    def __init__(self, items: Iterable[tuple[Any, str]], parent: QWidget | None = None):
        from PySide6.QtCore import Qt

        super().__init__(parent)
        for value, label in items:
            item = QListWidgetItem(label, self)
            item.setData(Qt.ItemDataRole.UserRole, value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.setMaximumHeight(self.sizeHintForRow(0) * min(self.count(), 5) + 8)

    def values(self) -> list[Any]:
        from PySide6.QtCore import Qt

        return [
            self.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.count())
            if self.item(i).checkState() == Qt.CheckState.Checked
        ]

    def setValues(self, values: Iterable[Any]) -> None:
        from PySide6.QtCore import Qt

        wanted = set(values)
        for i in range(self.count()):
            item = self.item(i)
            checked = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
