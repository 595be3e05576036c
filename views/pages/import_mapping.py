"""The import page's column mapping dialog: which sheet column holds which field, and where the header is."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop import importing

from ..form import ERROR_STYLE
from ..i18n import tr_label

if TYPE_CHECKING:
    from desktop.importing import Field, SheetData

HINT_STYLE = "color: palette(mid);"


def cell_text(value: Any) -> str:
    """A sheet cell as the page shows it (dates without a time of day)."""
    if value is None:
        return ""
    if hasattr(value, "hour") and not (value.hour or value.minute or value.second):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return " ".join(str(value).split())


def column_letter(index: int) -> str:
    """The letter Excel shows for the 0-based column ``index``: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_name(index: int, title: str) -> str:
    """``B 列：姓名`` — the letter the user sees in Excel, and the title."""
    letter = column_letter(index)
    return f"{letter} 列：{title}" if title else f"{letter} 列"


def row_cells(sheet: SheetData, number: int) -> tuple:
    """The cells of row ``number`` (from 1) as read."""
    return sheet.row(number)


def sample_row(sheet: SheetData, header_row: int) -> tuple:
    """The first row below the header with anything in it: the example shown beside each field."""
    for number, cells in sheet.rows:
        if number > header_row and any(cell_text(c) for c in cells):
            return cells
    return ()


def field_label(field: Field) -> str:
    return tr_label(field.label) + (" *" if field.required else "")


class ColumnMappingDialog(QDialog):
    """Each importable field → a column of the sheet or 不导入; required fields are marked with *.

    Changing the header row shows that row's titles and recognises them again; the page
    reads the sheet again with the new header row when the dialog is accepted.
    """

    def __init__(self, sheet: SheetData, mapping: dict[str, int], header_row: int,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("列对应"))
        self.sheet = sheet
        self.fields = importing.fields_of(sheet.kind)
        self.header: list[str] = []
        self.combos: dict[str, QComboBox] = {}
        self.samples: dict[str, QLabel] = {}

        intro = QLabel(self.tr("为每一项选择表中对应的列；表中没有的项选“不导入”。带 * 的为必填项。"), self)
        intro.setWordWrap(True)
        self.header_row = QSpinBox(self)
        self.header_row.setObjectName("header_row")
        self.header_row.setRange(1, max(1, sheet.last_row))
        self.header_row.setValue(header_row)
        self.header_row.setPrefix(self.tr("第 "))
        self.header_row.setSuffix(self.tr(" 行"))
        top = QFormLayout()
        top.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        top.addRow(self.tr("表头所在行"), self.header_row)

        fields = QWidget(self)
        form = QFormLayout(fields)
        for field in self.fields:
            combo = QComboBox(fields)
            combo.setObjectName(field.key)
            combo.setMinimumWidth(220)
            combo.currentIndexChanged.connect(self._changed)
            sample = QLabel(fields)
            sample.setStyleSheet(HINT_STYLE)
            sample.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            holder = QVBoxLayout()
            holder.setSpacing(0)
            holder.addWidget(combo)
            holder.addWidget(sample)
            caption = QLabel(field_label(field), fields)
            caption.setBuddy(combo)
            form.addRow(caption, holder)
            self.combos[field.key] = combo
            self.samples[field.key] = sample
        scroll = QScrollArea(self)
        scroll.setWidget(fields)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(fields.sizeHint().width() + 24)

        self.problem = QLabel(self)
        self.problem.setObjectName("problem")
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(self.sizeHint().width(), 620)

        self._fill(mapping)
        self.header_row.valueChanged.connect(self._header_row_changed)

    def _fill(self, mapping: dict[str, int]) -> None:
        number = self.header_row.value()
        self.header = [cell_text(v) for v in row_cells(self.sheet, number)]
        self.example = sample_row(self.sheet, number)
        for key, combo in self.combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self.tr("不导入"), None)
            for index, title in enumerate(self.header):
                combo.addItem(column_name(index, title), index)
            combo.setCurrentIndex(max(0, combo.findData(mapping.get(key))))
            combo.blockSignals(False)
        self._changed()

    def _header_row_changed(self, number: int) -> None:
        titles = [cell_text(v) for v in row_cells(self.sheet, number)]
        self._fill(importing.detect_mapping(self.sheet.kind, titles))

    def mapping(self) -> dict[str, int]:
        return {key: combo.currentData() for key, combo in self.combos.items()
                if combo.currentData() is not None}

    def result_header_row(self) -> int:
        return self.header_row.value()

    def _changed(self) -> None:
        mapping = self.mapping()
        for key, sample in self.samples.items():
            col = mapping.get(key)
            value = cell_text(self.example[col]) if col is not None and col < len(self.example) else ""
            sample.setText(self.tr("例：{value}").format(value=value) if value else "")
            sample.setVisible(bool(value))
        problems = []
        missing = [tr_label(f.label) for f in self.fields if f.required and f.key not in mapping]
        if missing:
            problems.append(self.tr("请为“{fields}”选择一列。").format(fields="、".join(missing)))
        used: dict[int, list[str]] = {}
        for field in self.fields:
            if field.key in mapping:
                used.setdefault(mapping[field.key], []).append(tr_label(field.label))
        for col, labels in sorted(used.items()):
            if len(labels) > 1:
                title = self.header[col] if col < len(self.header) else ""
                problems.append(self.tr("“{column}”列同时对应了{fields}，一列只能对应一项。").format(
                    column=column_name(col, title), fields="、".join(labels)))
        self.problem.setText("\n".join(problems))
        self.problem.setVisible(bool(problems))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problems)
