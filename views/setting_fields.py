"""Text settings as labelled fields, each with its error below: the 设置 page and the setup guide
show the same fields (the same keys, labels and checks) from here."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from models.i18n import Message
from models.settings import get_setting
from models.validators import InvalidValue, check_phone

from .form import ERROR_STYLE
from .i18n import tr_msg


def _tr(text: str) -> str:
    return QCoreApplication.translate("settings", text)


def field_text(key: str) -> tuple[str, str]:
    """The label and the hint (placeholder) of a text setting."""
    texts = {
        "office.name": (_tr("填报单位"), _tr("本单位名称，报表上的填报单位，如：青禾县妇女联合会")),
        "office.county": (_tr("所在县（区）"), _tr("如：青禾县")),
        "office.code": (_tr("区划代码"), _tr("县级 6 位，乡镇级 9 位，如：321023")),
        "office.parent_unit": (_tr("上级单位"), _tr("本单位向谁报送，如：扬州市妇女联合会")),
        "report.table_no": (_tr("表号"), _tr("上级下发报表的表号")),
        "report.issuer": (_tr("制表机关"), _tr("通常为市妇联")),
        "report.unit_head": (_tr("单位负责人"), ""),
        "report.stats_head": (_tr("统计负责人"), ""),
        "report.preparer": (_tr("填表人"), ""),
        "report.phone": (_tr("联系电话"), _tr("手机号或带区号的座机，如 0514-87654321")),
        "certificate.prefix": (_tr("证明编号前缀"),
                               _tr("如单位简称“青妇”，编号形如 青妇志证〔2026〕0001号")),
    }
    return texts[key]


REPORT_KEYS = ("report.table_no", "report.issuer", "report.unit_head", "report.stats_head",
               "report.preparer", "report.phone")


class SettingFields:
    """One line edit per key (named after its key, for tests and shortcuts), added to form
    layouts of ``owner`` with ``add_rows``."""

    def __init__(self, owner: QWidget, form: QFormLayout | None = None, keys: tuple[str, ...] = ()):
        self.owner = owner
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        if form is not None:
            self.add_rows(form, keys)

    def add_rows(self, form: QFormLayout, keys: tuple[str, ...]) -> None:
        owner = self.owner
        for key in keys:
            label, hint = field_text(key)
            edit = QLineEdit(owner)
            edit.setObjectName(key)
            edit.setPlaceholderText(hint)
            error = QLabel(owner)
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            holder = QVBoxLayout()
            holder.setSpacing(2)
            holder.addWidget(edit)
            holder.addWidget(error)
            caption = QLabel(label, owner)
            caption.setBuddy(edit)
            form.addRow(caption, holder)
            self.edits[key] = edit
            self.errors[key] = error

    def load(self) -> None:
        for key, edit in self.edits.items():
            edit.setText(get_setting(key))
            self.set_error(key, None)

    def set_error(self, key: str, message: Message | None) -> None:
        label = self.errors[key]
        label.setText(tr_msg(message) if message is not None else "")
        label.setVisible(message is not None)

    def values(self) -> dict[str, str] | None:
        """The settings as typed, tidied; None (the error shown, the field focused) when one is
        wrong."""
        values = {key: " ".join(edit.text().split()) for key, edit in self.edits.items()}
        phone = values.get("report.phone")
        if phone is not None:
            try:
                values["report.phone"] = check_phone(phone) if phone else ""
                self.set_error("report.phone", None)
            except InvalidValue as e:
                self.set_error("report.phone", e.message)
                self.edits["report.phone"].setFocus(Qt.FocusReason.OtherFocusReason)
                return None
        return values
