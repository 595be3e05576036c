"""Step 2, 辖区: the office's county (or township) from the official table, and its townships
(and villages) as regions with their codes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from desktop.context import AppContext
from desktop.divisions import DivisionTable
from models.office import adopt_area, office
from models.region_import import RegionImportResult

from .area_picker import AreaPicker
from .page import GuidePage


class AreaPage(GuidePage):
    def __init__(self, ctx: AppContext, table: DivisionTable, parent: QWidget | None = None):
        super().__init__(ctx, 2, self.tr("辖区的行政区划"), self.tr(
            "选择本单位所在的县（区）；乡镇（街道）妇联再选本乡镇（街道），市妇联选到本市。选中的"
            "县（区）、乡镇（街道）和村（社区）连同官方区划代码导入“行政区划”，登记社会组织和人员时就可以选择。"),
            parent)
        self.picker = AreaPicker(self, table)
        self.body.addWidget(self.picker, 1)
        self.imported: RegionImportResult | None = None

    def initializePage(self) -> None:
        guide = self.wizard()
        level = guide.office_page.level() if guide is not None else (office().level or "county")
        self.picker.set_level(level)
        code = guide.office_page.code.text().strip() if guide is not None else office().code
        if code and self.picker.chosen_code() != code:
            self.picker.select_code(code)

    def save(self) -> bool:
        rows = self.picker.rows()
        if not rows:
            self.show_error(self.tr("还没有选好辖区。请选择，或点“跳过这一步”以后再设置。"))
            return False
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.imported = adopt_area(rows, self.picker.chosen_code(), self.picker.level, self.ctx.user,
                                       self.picker.area_name())
        finally:
            QGuiApplication.restoreOverrideCursor()
        return True
