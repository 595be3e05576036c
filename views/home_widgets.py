"""The home page's building blocks: cards of figures that open their lists, reminder lines,
and a grid that folds its cards into as many columns as the window has room for."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

WARNING_COLOUR = "#b3261e"
INFO_COLOUR = "#2f6f4f"
# The figure lines' look, set once on their card (a style sheet on each of 24 lines cost ~10 ms)
CARD_STYLE = ("QPushButton#figure { border: none; text-align: left; padding: 2px 4px; }"
              "QPushButton#figure:hover { background: palette(midlight); }"
              "QLabel#value { color: palette(link); }")


def _top():
    """Qt.AlignmentFlag.AlignTop, looked up once there is something to align: Qt's namespace of
    enums is not built before the window and its home page have shown (views.main_window)."""
    from PySide6.QtCore import Qt

    return Qt.AlignmentFlag.AlignTop


class FoldingGrid(QWidget):
    """Its widgets in rows of as many columns as fit ``min_width`` each (one to ``max_columns``),
    laid out again when the width changes: cards fold to fewer columns on a narrow screen."""

    def __init__(self, min_width: int, max_columns: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.min_width = min_width
        self.max_columns = max_columns
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.items: list[QWidget] = []
        self.columns = 0

    def add(self, widget: QWidget) -> QWidget:
        self.items.append(widget)
        self._fold(force=True)
        return widget

    def column_count(self) -> int:
        spacing = max(self.grid.horizontalSpacing(), 0)
        return max(1, min(self.max_columns, (self.width() + spacing) // (self.min_width + spacing)))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fold()

    def _fold(self, force: bool = False) -> None:
        columns = self.column_count()
        if columns == self.columns and not force:
            return
        for widget in self.items:
            self.grid.removeWidget(widget)
        for i, widget in enumerate(self.items):
            self.grid.addWidget(widget, i // columns, i % columns, _top())
        for column in range(max(columns, self.columns)):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        self.columns = columns


class FigureLink(QPushButton):
    """A figure as one line, its label at the left and its value at the right; clicking it
    opens the list of what it counts. Built once, shown again with each reading."""

    def __init__(self, label: str, parent: QWidget | None = None, headline: bool = False):
        from PySide6.QtCore import Qt  # built with the first figures (views.main_window)

        super().__init__(parent)
        self.setObjectName("figure")
        self.setFlat(True)  # styled by its card (CARD_STYLE)
        self.label = QLabel(label, self)
        self.value = QLabel("—", self)
        self.value.setObjectName("value")
        if headline:
            font = QFont(self.font())
            font.setPointSizeF(font.pointSizeF() * 1.6)
            self.value.setFont(font)
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 1, 4, 1)
        row.addWidget(self.label)
        row.addStretch(1)
        row.addWidget(self.value)
        for part in (self.label, self.value):
            part.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)  # as tall as sizeHint
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.target: Callable[[], None] | None = None
        self.clicked.connect(self._open)
        self.setEnabled(False)  # until there is a figure

    def show_figure(self, value: str, target: Callable[[], None], hint: str) -> None:
        self.value.setText(value)
        self.target = target
        self.setToolTip(hint)
        self.setAccessibleName(f"{self.label.text()} {value}")
        self.setEnabled(True)

    def _open(self) -> None:
        if self.target is not None:
            self.target()

    def sizeHint(self):
        return self.layout().sizeHint()


class FigureCard(QFrame):
    """A titled card of figure lines."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(CARD_STYLE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.rows = QVBoxLayout(self)
        self.rows.setContentsMargins(8, 6, 8, 6)
        self.rows.setSpacing(0)
        self.heading = QLabel(title, self)
        font = QFont(self.heading.font())
        font.setBold(True)
        self.heading.setFont(font)
        self.rows.addWidget(self.heading)
        self.links: list[FigureLink] = []

    def add(self, label: str, headline: bool = False) -> FigureLink:
        link = FigureLink(label, self, headline)
        self.rows.addWidget(link)
        self.links.append(link)
        return link


class ReminderLine(QWidget):
    """One thing to do: a coloured mark, the text, and buttons that go where it is done."""

    def __init__(self, text: str, warning: bool, parent: QWidget | None = None):
        from PySide6.QtCore import Qt  # built with the first figures (views.main_window)

        super().__init__(parent)
        self.setObjectName("reminder_warning" if warning else "reminder")
        self.warning = warning
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 2, 0, 2)
        mark = QLabel("●", self)
        mark.setStyleSheet(f"color: {WARNING_COLOUR if warning else INFO_COLOUR};")
        mark.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.text = QLabel(text, self)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(mark)
        row.addWidget(self.text, 1)
        self.row = row
        self.buttons: list[QPushButton] = []
        self.targets: list[Callable[[], None]] = []

    def add_button(self, text: str, on_click: Callable[[], None], hint: str = "") -> QPushButton:
        from PySide6.QtCore import Qt

        button = QPushButton(text, self)
        index = len(self.buttons)
        button.clicked.connect(lambda: self.targets[index]())
        if hint:
            button.setToolTip(hint)
        self.row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        self.buttons.append(button)
        self.targets.append(on_click)
        return button
