"""The Settings page (设置): the office's name and the header and footer of its upward reports."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from models.errors import ValidationFailed
from models.i18n import Message
from models.permissions import can
from models.reminders import report_schedule
from models.settings import get_setting, set_settings
from models.validators import InvalidValue, check_phone

from .. import idle_lock
from ..form import ERROR_STYLE
from ..i18n import tr_msg
from ..widgets import ChoiceCombo

PRINT_FULL_ID = "privacy.print_full_id"
IDLE_MINUTES = idle_lock.IDLE_SETTING
REPORT_CYCLE = "report.cycle"
REPORT_DUE_DAYS = "report.due_days"


class SettingsPage(QWidget):
    """Each setting is saved with an audit line; only what changed is written."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}

        office = self._group(self.tr("本单位"), (
            ("office.name", self.tr("填报单位"), self.tr("报表上的填报单位，如：青禾县妇女联合会")),
            ("office.county", self.tr("所在县（区）"), self.tr("如：青禾县")),
        ))
        report = self._group(self.tr("统计报表表头表尾"), (
            ("report.table_no", self.tr("表号"), self.tr("上级下发报表的表号")),
            ("report.issuer", self.tr("制表机关"), self.tr("通常为市妇联")),
            ("report.unit_head", self.tr("单位负责人"), ""),
            ("report.stats_head", self.tr("统计负责人"), ""),
            ("report.preparer", self.tr("填表人"), ""),
            ("report.phone", self.tr("联系电话"), self.tr("手机号或带区号的座机，如 0514-87654321")),
        ))
        self.report_cycle = ChoiceCombo(
            (("year", self.tr("每年")), ("quarter", self.tr("每季度")), ("month", self.tr("每月"))), self)
        self.report_cycle.setObjectName(REPORT_CYCLE)
        self.report_due_days = QSpinBox(self)
        self.report_due_days.setObjectName(REPORT_DUE_DAYS)
        self.report_due_days.setRange(0, 90)
        self.report_due_days.setSuffix(self.tr(" 天内"))
        self.report_due_days.setPrefix(self.tr("报告期结束后 "))
        schedule = QGroupBox(self.tr("报送时间（工作台据此提醒）"), self)
        schedule_form = QFormLayout(schedule)
        schedule_form.addRow(self.tr("报送周期"), self.report_cycle)
        schedule_form.addRow(self.tr("报送期限"), self.report_due_days)
        certificate = self._group(self.tr("志愿服务记录证明"), (
            ("certificate.prefix", self.tr("证明编号前缀"),
             self.tr("如单位简称“青妇”，编号形如 青妇志证〔2026〕0001号")),
        ))
        self.print_full_id = QCheckBox(
            self.tr("花名册和证明上打印完整身份证号（默认只显示前 6 位和后 4 位）"), self
        )
        self.print_full_id.setObjectName(PRINT_FULL_ID)
        privacy = QGroupBox(self.tr("个人信息保护"), self)
        privacy_layout = QVBoxLayout(privacy)
        privacy_layout.addWidget(self.print_full_id)
        self.idle_minutes = QSpinBox(privacy)
        self.idle_minutes.setObjectName(IDLE_MINUTES)
        self.idle_minutes.setRange(1, 240)
        self.idle_minutes.setSuffix(self.tr(" 分钟"))
        self.idle_minutes.setToolTip(self.tr("这么久没有操作，窗口就锁定，需要重新输入密码；打开的表单内容保留"))
        idle_row = QHBoxLayout()
        idle_caption = QLabel(self.tr("无操作自动锁定："), privacy)
        idle_caption.setBuddy(self.idle_minutes)
        idle_row.addWidget(idle_caption)
        idle_row.addWidget(self.idle_minutes)
        idle_row.addStretch(1)
        privacy_layout.addLayout(idle_row)

        self.save_button = QPushButton(self.tr("保存"), self)
        self.save_button.setToolTip(self.tr("保存设置（Ctrl+S）"))
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton(self.tr("还原"), self)
        self.revert_button.setToolTip(self.tr("放弃未保存的修改"))
        self.revert_button.clicked.connect(self.load)
        self.status = QLabel(self)
        self.status.setObjectName("status")
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.status, 1)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

        layout = QVBoxLayout(self)
        for group in (office, report, schedule, certificate, privacy):
            layout.addWidget(group)
        layout.addLayout(buttons)
        layout.addStretch(1)
        for edit in self.edits.values():
            edit.textEdited.connect(self.status.clear)
        self.print_full_id.toggled.connect(self.status.clear)
        self.idle_minutes.valueChanged.connect(self.status.clear)
        self.report_cycle.currentIndexChanged.connect(self.status.clear)
        self.report_due_days.valueChanged.connect(self.status.clear)
        self.load()
        if not can(ctx.user, "settings"):
            for edit in self.edits.values():
                edit.setReadOnly(True)
            for widget in (self.print_full_id, self.idle_minutes, self.report_cycle, self.report_due_days,
                           self.save_button, self.revert_button):
                widget.setEnabled(False)
            self.status.setText(self.tr("只有管理员可以修改设置。"))

    def _group(self, title: str, fields: tuple[tuple[str, str, str], ...]) -> QGroupBox:
        group = QGroupBox(title, self)
        form = QFormLayout(group)
        for key, label, hint in fields:
            edit = QLineEdit(group)
            edit.setObjectName(key)
            edit.setPlaceholderText(hint)
            error = QLabel(group)
            error.setStyleSheet(ERROR_STYLE)
            error.hide()
            holder = QVBoxLayout()
            holder.setSpacing(2)
            holder.addWidget(edit)
            holder.addWidget(error)
            caption = QLabel(label, group)
            caption.setBuddy(edit)
            form.addRow(caption, holder)
            self.edits[key] = edit
            self.errors[key] = error
        return group

    def is_filled(self) -> bool:
        return True

    def load(self) -> None:
        for key, edit in self.edits.items():
            edit.setText(get_setting(key))
            self.set_error(key, None)
        self.print_full_id.setChecked(get_setting(PRINT_FULL_ID) == "1")
        self.idle_minutes.setValue(idle_lock.idle_minutes())
        cycle, due_days = report_schedule()
        self.report_cycle.setValue(cycle)
        self.report_due_days.setValue(due_days)
        self.status.clear()

    def set_error(self, key: str, message: Message | None) -> None:
        label = self.errors[key]
        label.setText(tr_msg(message) if message is not None else "")
        label.setVisible(message is not None)

    def values(self) -> dict[str, str] | None:
        """The settings as typed, tidied; None (errors shown) when one is wrong."""
        values = {key: " ".join(edit.text().split()) for key, edit in self.edits.items()}
        phone = values["report.phone"]
        try:
            values["report.phone"] = check_phone(phone) if phone else ""
            self.set_error("report.phone", None)
        except InvalidValue as e:
            self.set_error("report.phone", e.message)
            self.edits["report.phone"].setFocus(Qt.FocusReason.OtherFocusReason)
            return None
        values[PRINT_FULL_ID] = "1" if self.print_full_id.isChecked() else "0"
        values[IDLE_MINUTES] = str(self.idle_minutes.value())
        values[REPORT_CYCLE] = self.report_cycle.value()
        values[REPORT_DUE_DAYS] = str(self.report_due_days.value())
        return values

    def save(self) -> bool:
        values = self.values()
        if values is None:
            self.status.setText(self.tr("有需要修改的地方，请看红字说明。"))
            return False
        try:
            set_settings(values, self.ctx.user)
        except ValidationFailed as e:  # the operator's role may not change settings
            self.status.setText("\n".join(tr_msg(m) for m in e.errors.values()))
            return False
        for key, edit in self.edits.items():
            edit.setText(values[key])
        self.status.setText(self.tr("已保存。"))
        return True
