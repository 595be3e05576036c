"""Choosing an area from the official division table: province → city → county (→ township),
then which of its townships, and whether their villages too, become Region rows."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from desktop.divisions import Division, DivisionTable, division_table, office_code, table_code
from models.errors import ValidationFailed
from models.region_import import OfficialRegion, RegionImportResult, import_official_regions

from ..i18n import tr_msg
from ..search_combo import SearchCombo
from ..widgets import ChoiceCombo

NOTE_STYLE = "color: #555;"


class AreaPicker(QWidget):
    """``level`` "county": a county and the townships ticked in its list; "township": one
    township of a county; "city": a city and the counties ticked in its list (each with its
    townships). ``changed`` follows every choice."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, table: DivisionTable | None = None):
        super().__init__(parent)
        self.table = table or division_table()
        self.level = "county"
        self.code = QLineEdit(self)
        self.code.setObjectName("division_code")
        self.code.setPlaceholderText(self.tr("知道区划代码可直接输入，如 321023"))
        self.code.setMaxLength(12)
        self.code.textEdited.connect(self._code_typed)
        self.province = self._combo("province")
        self.city = self._combo("city")
        self.county = self._combo("county")
        self.township = self._combo("township")
        self.province.currentIndexChanged.connect(lambda _i: self._fill(self.city, self.province))
        self.city.currentIndexChanged.connect(self._city_chosen)
        self.county.currentIndexChanged.connect(self._county_chosen)
        self.township.currentIndexChanged.connect(lambda _i: self._update())

        self.townships = QListWidget(self)
        self.townships.setObjectName("townships")
        self.townships.itemChanged.connect(lambda _item: self._update())
        self.all_button = QPushButton(self.tr("全选"), self)
        self.all_button.clicked.connect(lambda: self._tick_all(True))
        self.none_button = QPushButton(self.tr("全不选"), self)
        self.none_button.clicked.connect(lambda: self._tick_all(False))
        self.villages = QCheckBox(self)
        self.villages.setObjectName("villages")
        self.villages.setChecked(True)
        self.villages.toggled.connect(lambda _on: self._update())
        self.summary = QLabel(self)
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        source = QLabel(self.tr("区划数据：国家统计局 {year} 年统计用区划代码，随程序提供，无需联网。"
                                "已有的行政区划会保留，同名或同代码的不会重复导入。")
                        .format(year=self.table.edition), self)
        source.setWordWrap(True)
        source.setStyleSheet(NOTE_STYLE)

        form = QFormLayout()
        form.addRow(self.tr("区划代码"), self.code)
        form.addRow(self.tr("省（自治区、直辖市）"), self.province)
        form.addRow(self.tr("市（地区、州、盟）"), self.city)
        self.county_caption = QLabel(self.tr("县（市、区、旗）"), self)
        form.addRow(self.county_caption, self.county)
        self.township_caption = QLabel(self.tr("乡镇（街道）"), self)
        form.addRow(self.township_caption, self.township)
        self.form = form
        ticks = QHBoxLayout()
        self.list_caption = QLabel(self.tr("导入哪些乡镇（街道）："), self)
        ticks.addWidget(self.list_caption, 1)
        ticks.addWidget(self.all_button)
        ticks.addWidget(self.none_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(ticks)
        layout.addWidget(self.townships, 1)
        layout.addWidget(self.villages)
        layout.addWidget(self.summary)
        layout.addWidget(source)
        layout.addStretch(0)  # takes the list's room while the list is hidden (one township)
        self._typing = False
        self._fill_items(self.province, self.table.provinces())
        self.set_level("county")

    def _combo(self, name: str) -> ChoiceCombo:
        combo = SearchCombo(parent=self, blank=self.tr("（请选择）"))  # 浦东新区 by pdxq, 青岛 by qd
        combo.setObjectName(name)
        combo.setMinimumWidth(240)
        return combo

    # -- filling ---------------------------------------------------------------------------------
    def _fill_items(self, combo: ChoiceCombo, divisions: list[Division]) -> None:
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for division in divisions:
            combo.addItem(division.name, division.code)
        combo.setCurrentIndex(0)
        combo.blockSignals(False)

    def _fill(self, combo: ChoiceCombo, above: ChoiceCombo) -> None:
        code = above.value()
        self._fill_items(combo, self.table.children(code) if code else [])
        if combo is self.city:
            self._fill(self.county, self.city)
        elif combo is self.county:
            self._county_chosen()

    def _city_chosen(self, _index: int = 0) -> None:
        self._fill(self.county, self.city)
        if self.level == "city":
            self._fill_list()

    def _county_chosen(self, _index: int = 0) -> None:
        code = self.county.value()
        self._fill_items(self.township, self.table.children(code) if code else [])
        if self.level != "city":
            self._fill_list()

    def _fill_list(self) -> None:
        """The list to tick: the county's townships, or (a city) the city's counties."""
        code = self.city.value() if self.level == "city" else self.county.value()
        below = self.table.children(code) if code else []
        self.townships.blockSignals(True)
        self.townships.clear()
        for division in below:
            item = QListWidgetItem(f"{division.name}　{office_code(division)}", self.townships)
            item.setData(Qt.ItemDataRole.UserRole, division.code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
        self.townships.blockSignals(False)
        self._update()

    def _tick_all(self, on: bool) -> None:
        self.townships.blockSignals(True)
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        for row in range(self.townships.count()):
            self.townships.item(row).setCheckState(state)
        self.townships.blockSignals(False)
        self._update()

    # -- choosing ------------------------------------------------------------------------------
    def set_level(self, level: str) -> None:
        """"county" (the county and its townships), "township" (one township) or "city" (the
        city and its counties)."""
        changed = level != self.level and "city" in (level, self.level)
        self.level = level
        township = level == "township"
        self.form.setRowVisible(self.township_caption, township)
        self.form.setRowVisible(self.county_caption, level != "city")
        for widget in (self.list_caption, self.townships, self.all_button, self.none_button):
            widget.setVisible(not township)
        self.list_caption.setText(self.tr("导入哪些县（市、区）：") if level == "city"
                                  else self.tr("导入哪些乡镇（街道）："))
        if changed:
            self._fill_list()
        self._update()

    def select_code(self, code: str) -> bool:
        """Choose the division of ``code`` (a city's, a county's or a township's); False if
        unknown."""
        lineage = self.table.lineage(table_code(code))
        if not lineage or lineage[-1].level not in ("city", "county", "township"):
            return False
        for combo, division in zip((self.province, self.city, self.county, self.township), lineage):
            combo.setValue(division.code)  # each change fills the next combo
        return True

    def _code_typed(self, text: str) -> None:
        if len(text.strip()) in (6, 9):
            self._typing = True  # the combos follow the code, not the other way round
            try:
                self.select_code(text)
            finally:
                self._typing = False

    def chosen_code(self) -> str | None:
        """The office's area: the county's code, the township's (level "township") or the
        city's six digits (level "city")."""
        if self.level == "city":
            return self.city.value() + "00" if self.city.value() else None
        return self.township.value() if self.level == "township" else self.county.value()

    def area_name(self) -> str:
        combo = self.city if self.level == "city" else self.county
        return combo.currentText() if combo.value() else ""

    def _ticked(self) -> list[str]:
        return [self.townships.item(row).data(Qt.ItemDataRole.UserRole)
                for row in range(self.townships.count())
                if self.townships.item(row).checkState() == Qt.CheckState.Checked]

    def chosen_townships(self) -> list[str]:
        if self.level == "township":
            return [self.township.value()] if self.township.value() else []
        if self.level == "city":
            return [t.code for county in self._ticked() for t in self.table.children(county)]
        return self._ticked()

    def rows(self) -> list[OfficialRegion]:
        """The Region rows to import; [] when no county (or township, or city) is chosen yet."""
        if self.chosen_code() is None:
            return []
        if self.level == "city":
            return [row for county in self._ticked()
                    for row in self.table.official_regions(county, None, self.villages.isChecked())]
        return self.table.official_regions(self.county.value(), self.chosen_townships(),
                                           self.villages.isChecked())

    def _update(self) -> None:
        if not self._typing:
            self.code.setText(self.chosen_code() or "")
        townships = self.chosen_townships()
        villages = sum(len(self.table.children(code)) for code in townships)
        if self.level == "city":
            self._update_city(len(townships), villages)
            return
        one = self.level == "township"
        self.villages.setText((self.tr("同时导入本乡镇（街道）的村（社区），共 {n} 个") if one else
                               self.tr("同时导入这些乡镇（街道）的村（社区），共 {n} 个")).format(n=villages))
        county = self.county.currentText() if self.county.value() else ""
        chosen_villages = villages if self.villages.isChecked() else 0
        if not county or (one and not townships):
            self.summary.setText(self.tr("请选择乡镇（街道）所在的县（区）和乡镇（街道）。") if one
                                 else self.tr("请选择县（区）。"))
        elif one:
            self.summary.setText(self.tr("将导入：{county}、{town}，{villages} 个村（社区）。").format(
                county=county, town=self.township.currentText(), villages=chosen_villages))
        else:
            text = self.tr("将导入：{county}，{towns} 个乡镇（街道），{villages} 个村（社区）。")
            self.summary.setText(text.format(county=county, towns=len(townships), villages=chosen_villages))
        self.changed.emit()

    def _update_city(self, towns: int, villages: int) -> None:
        self.villages.setText(self.tr("同时导入这些县（市、区）的村（社区），共 {n} 个").format(n=villages))
        if not self.city.value():
            self.summary.setText(self.tr("请选择市（地区、州、盟）。"))
        else:
            text = self.tr("将导入：{city}的 {counties} 个县（市、区），{towns} 个乡镇（街道），"
                           "{villages} 个村（社区）。")
            chosen_villages = villages if self.villages.isChecked() else 0
            self.summary.setText(text.format(city=self.city.currentText(), counties=len(self._ticked()),
                                             towns=towns, villages=chosen_villages))
        self.changed.emit()


class DivisionImportDialog(QDialog):
    """行政区划 ▸ 从区划代码表导入…: a county's (or one township's) regions with their codes."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.result_value: RegionImportResult | None = None
        self.setWindowTitle(self.tr("从区划代码表导入行政区划"))
        self.whole_county = QRadioButton(self.tr("整个县（区）"), self)
        self.whole_county.setChecked(True)
        self.one_township = QRadioButton(self.tr("一个乡镇（街道）"), self)
        self.one_township.toggled.connect(
            lambda on: self.picker.set_level("township" if on else "county"))
        self.picker = AreaPicker(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("导入"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.import_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.picker.changed.connect(lambda: self.import_button.setEnabled(bool(self.picker.rows())))
        scope = QHBoxLayout()
        scope.addWidget(QLabel(self.tr("导入范围："), self))
        scope.addWidget(self.whole_county)
        scope.addWidget(self.one_township)
        scope.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(scope)
        layout.addWidget(self.picker, 1)
        layout.addWidget(self.buttons)
        self.import_button.setEnabled(False)
        self.resize(620, 600)

    def accept(self) -> None:
        rows = self.picker.rows()
        if not rows:
            return
        try:
            self.result_value = import_official_regions(rows, self.ctx.user)
        except ValidationFailed as e:
            QMessageBox.warning(self, self.windowTitle(), "\n".join(tr_msg(m) for m in e.errors.values()))
            return
        super().accept()


def import_summary(result: RegionImportResult) -> str:
    text = QCoreApplication.translate("setup", "新增 {created} 个，补上区划代码 {coded} 个，已有 {kept} 个。")
    return text.format(created=result.created, coded=result.coded, kept=result.kept)
