"""Step 3, 报表表头表尾: the header and footer every summary carries (the 设置 page's fields)."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QWidget

from desktop.context import AppContext
from models.settings import get_setting, set_settings

from ..setting_fields import REPORT_KEYS, SettingFields
from .page import GuidePage


class ReportPage(GuidePage):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, 3, self.tr("报表表头表尾"), self.tr(
            "向上级报送的统计报表有固定的表头和表尾。这里填好，导出的报表会自动带上；"
            "以后可以在“设置”页修改。"), parent)
        form = QFormLayout()
        self.fields = SettingFields(self, form, ("office.name", *REPORT_KEYS))
        self.body.addLayout(form)
        self.body.addStretch(1)

    def initializePage(self) -> None:
        self.fields.load()
        issuer = self.fields.edits["report.issuer"]
        if not issuer.text():  # the tables usually come from the unit the office reports to
            issuer.setText(get_setting("office.parent_unit"))

    def save(self) -> bool:
        values = self.fields.values()
        if values is None:
            return False
        set_settings(values, self.ctx.user)
        for key, edit in self.fields.edits.items():
            edit.setText(values[key])
        return True
