"""Step 1, 本单位: the office's name (填报单位), its level, its division code and the unit it
reports to. A code found in the division table names the area and suggests the two names."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from desktop.divisions import Division, DivisionTable, table_code
from models.errors import ValidationFailed
from models.office import OfficeData, office, save_office

from ..form import ERROR_STYLE
from ..i18n import tr_msg
from ..setting_fields import field_text
from .page import GuidePage

OK_STYLE = "color: #1e7b34;"
NOTE_STYLE = "color: #555;"
FEDERATION = "妇女联合会"
# City-level names that are not a city (the counties of a municipality or of a province directly)
NOT_A_CITY = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


def suggested_names(lineage: list[Division]) -> tuple[str, str]:
    """The office's name and its 上级单位's, as federations are usually called, for the area
    ``lineage`` (province … county or township)."""
    own = lineage[-1]
    above = lineage[-2] if len(lineage) > 2 else lineage[0]
    if above.level == "city" and above.name in NOT_A_CITY:
        above = lineage[0]
    return own.name + FEDERATION, above.name + FEDERATION


class OfficePage(GuidePage):
    def __init__(self, ctx: AppContext, table: DivisionTable, parent: QWidget | None = None):
        super().__init__(ctx, 1, self.tr("本单位"), self.tr(
            "本单位的名称会印在花名册、统计报表和证明上（填报单位）。"
            "区划代码用来在下一步找到本单位的辖区。"), parent)
        self.table = table
        self.errors: dict[str, QLabel] = {}
        self._suggested: dict[QLineEdit, str] = {}
        form = QFormLayout()
        self.name = self._edit(form, "name", "office.name")
        self.county_level = QRadioButton(self.tr("县（市、区）妇联"), self)
        self.county_level.setObjectName("county_level")
        self.township_level = QRadioButton(self.tr("乡镇（街道）妇联"), self)
        self.township_level.setObjectName("township_level")
        self.city_level = QRadioButton(self.tr("市妇联"), self)
        self.city_level.setObjectName("city_level")
        self.city_level.setToolTip(self.tr("市妇联主要汇总各县（市、区）报来的上报数据包"))
        self.levels = QButtonGroup(self)
        self.radios = {"county": self.county_level, "township": self.township_level,
                       "city": self.city_level}
        for radio in self.radios.values():
            self.levels.addButton(radio)
        self.county_level.setChecked(True)
        level_row = QHBoxLayout()
        for radio in self.radios.values():
            level_row.addWidget(radio)
        level_row.addStretch(1)
        form.addRow(self.tr("级别"), level_row)
        self.code = self._edit(form, "code", "office.code")
        self.code.setMaxLength(9)
        self.code_note = QLabel(self)
        self.code_note.setObjectName("code_note")
        self.code_note.setWordWrap(True)
        form.addRow("", self.code_note)
        self.parent_unit = self._edit(form, "parent_unit", "office.parent_unit")
        self.body.addLayout(form)
        self.body.addStretch(1)
        self.code.textChanged.connect(self._code_changed)
        self.levels.buttonToggled.connect(lambda *_: self._code_changed())

    def _edit(self, form: QFormLayout, key: str, setting: str) -> QLineEdit:
        label, hint = field_text(setting)
        if setting == "office.name":
            label = self.tr("单位名称（填报单位）")
        edit = QLineEdit(self)
        edit.setObjectName(setting)
        edit.setPlaceholderText(hint)
        error = QLabel(self)
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(edit)
        column.addWidget(error)
        form.addRow(label, column)
        self.errors[key] = error
        return edit

    def initializePage(self) -> None:
        data = office()
        self.name.setText(data.name)
        self.radios.get(data.level, self.county_level).setChecked(True)
        self.code.setText(data.code)
        self.parent_unit.setText(data.parent_unit)
        self._code_changed()

    def level(self) -> str:
        return next(level for level, radio in self.radios.items() if radio.isChecked())

    def _code_changed(self) -> None:
        code = self.code.text().strip()
        lineage = self.table.lineage(table_code(code)) if len(code) in (6, 9) else []
        if not code:
            self.code_note.setText(self.tr("不知道代码也可以不填，下一步从列表中选择辖区。"))
            self.code_note.setStyleSheet(NOTE_STYLE)
            return
        if not lineage:
            self.code_note.setText(self.tr("区划代码表（{year} 年）中没有这个代码，请核对。")
                                   .format(year=self.table.edition) if len(code) in (6, 9) else "")
            self.code_note.setStyleSheet(NOTE_STYLE)
            return
        self.code_note.setText(" ".join(d.name for d in lineage))
        self.code_note.setStyleSheet(OK_STYLE)
        if lineage[-1].level != self.level():
            return  # the note shows where; the level check on saving says what is wrong
        name, above = suggested_names(lineage)
        self._suggest(self.name, name)
        self._suggest(self.parent_unit, above)

    def _suggest(self, edit: QLineEdit, text: str) -> None:
        """Fill an empty field, or replace an earlier suggestion nobody has changed since."""
        if not edit.text() or edit.text() == self._suggested.get(edit):
            edit.setText(text)
            self._suggested[edit] = text

    def save(self) -> bool:
        for label in self.errors.values():
            label.hide()
        data = OfficeData(name=self.name.text(), level=self.level(), code=self.code.text(),
                          parent_unit=self.parent_unit.text())
        try:
            save_office(data, self.ctx.user)
        except ValidationFailed as e:
            for key, message in e.errors.items():
                label = self.errors.get(key)
                if label is None:
                    self.show_error(message)
                    continue
                label.setText(tr_msg(message))
                label.show()
            return False
        return True
