"""The Settings page (设置): the office itself, the header and footer of its upward reports, privacy."""

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
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from models.choices import OFFICE_LEVELS
from models.errors import ValidationFailed
from models.i18n import Message
from models.office import check_office_code
from models.permissions import can
from models.reminders import report_schedule
from models.settings import get_setting, set_settings

from .. import idle_lock
from ..i18n import tr_msg
from ..setting_fields import REPORT_KEYS, SettingFields
from ..widgets import ChoiceCombo

PRINT_FULL_ID = "privacy.print_full_id"
IDLE_MINUTES = idle_lock.IDLE_SETTING
OFFICE_LEVEL = "office.level"
REPORT_CYCLE = "report.cycle"
REPORT_DUE_DAYS = "report.due_days"


class SettingsPage(QWidget):
    """Each setting is saved with an audit line; only what changed is written."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        body = QWidget(self)
        office = QGroupBox(self.tr("本单位"), body)
        office_form = QFormLayout(office)
        self.office_fields = SettingFields(office, office_form, ("office.name",))
        self.office_level = ChoiceCombo.of(OFFICE_LEVELS, office, blank=self.tr("（未选择）"))
        self.office_level.setObjectName(OFFICE_LEVEL)
        office_form.addRow(self.tr("级别"), self.office_level)
        self.office_fields.add_rows(office_form, ("office.code", "office.parent_unit", "office.county"))
        self.guide_button = QPushButton(self.tr("本单位设置向导…"), office)
        self.guide_button.setObjectName("setup_guide")
        self.guide_button.setToolTip(self.tr("一步步设置本单位、辖区的行政区划、报表表头和服务领域"))
        self.guide_button.clicked.connect(self.open_guide)
        guide_row = QHBoxLayout()
        guide_row.addWidget(self.guide_button)
        guide_row.addStretch(1)
        office_form.addRow("", guide_row)
        report_box, report = self._group(self.tr("统计报表表头表尾"), REPORT_KEYS, body)
        schedule = QGroupBox(self.tr("报送时间（工作台据此提醒）"), body)
        schedule_form = QFormLayout(schedule)
        self.report_cycle = ChoiceCombo(
            (("year", self.tr("每年")), ("quarter", self.tr("每季度")), ("month", self.tr("每月"))), schedule)
        self.report_cycle.setObjectName(REPORT_CYCLE)
        self.report_due_days = QSpinBox(schedule)
        self.report_due_days.setObjectName(REPORT_DUE_DAYS)
        self.report_due_days.setRange(0, 90)
        self.report_due_days.setPrefix(self.tr("报告期结束后 "))
        self.report_due_days.setSuffix(self.tr(" 天内"))
        schedule_form.addRow(self.tr("报送周期"), self.report_cycle)
        schedule_form.addRow(self.tr("报送期限"), self.report_due_days)
        # An upper unit's deadlines for its lower units' packages (上报 page: 逾期 after them).
        self.lower_due_days: dict[str, QSpinBox] = {}
        for kind, label in (("year", self.tr("下级年报期限")), ("quarter", self.tr("下级季报期限")),
                            ("month", self.tr("下级月报期限"))):
            box = QSpinBox(schedule)
            box.setObjectName(f"{REPORT_DUE_DAYS}.{kind}")
            box.setRange(-1, 90)
            box.setSpecialValueText(self.tr("同本单位报送期限"))  # -1: not set
            box.setPrefix(self.tr("报告期结束后 "))
            box.setSuffix(self.tr(" 天内"))
            box.setToolTip(self.tr("县级、市级单位用：下级单位这类报告期的数据包在此之后未报，上报页标为“逾期”"))
            schedule_form.addRow(label, box)
            self.lower_due_days[kind] = box
        certificate_box, certificate = self._group(self.tr("志愿服务记录证明"), ("certificate.prefix",), body)
        self.fields = (self.office_fields, report, certificate)
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        for fields in self.fields:
            self.edits.update(fields.edits)
            self.errors.update(fields.errors)
        self.print_full_id = QCheckBox(
            self.tr("花名册和证明上打印完整身份证号（默认只显示前 6 位和后 4 位）"), body
        )
        self.print_full_id.setObjectName(PRINT_FULL_ID)
        privacy = QGroupBox(self.tr("个人信息保护"), body)
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

        groups = QVBoxLayout(body)
        for group in (office, report_box, schedule, certificate_box, privacy):
            groups.addWidget(group)
        groups.addStretch(1)
        scroll = QScrollArea(self)  # a 1024×768 screen shows the buttons below all the same
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        for edit in self.edits.values():
            edit.textEdited.connect(self.status.clear)
        self.office_level.currentIndexChanged.connect(self.status.clear)
        self.print_full_id.toggled.connect(self.status.clear)
        self.idle_minutes.valueChanged.connect(self.status.clear)
        self.report_cycle.currentIndexChanged.connect(self.status.clear)
        self.report_due_days.valueChanged.connect(self.status.clear)
        for box in self.lower_due_days.values():
            box.valueChanged.connect(self.status.clear)
        self.load()
        if not can(ctx.user, "settings"):
            for edit in self.edits.values():
                edit.setReadOnly(True)
            for widget in (self.office_level, self.print_full_id, self.idle_minutes, self.report_cycle,
                           self.report_due_days, *self.lower_due_days.values(), self.save_button,
                           self.revert_button, self.guide_button):
                widget.setEnabled(False)
            self.status.setText(self.tr("只有管理员可以修改设置。"))

    def _group(self, title: str, keys: tuple[str, ...], parent: QWidget) -> tuple[QGroupBox, SettingFields]:
        group = QGroupBox(title, parent)
        return group, SettingFields(group, QFormLayout(group), keys)

    def is_filled(self) -> bool:
        return True

    def load(self) -> None:
        for fields in self.fields:
            fields.load()
        self.office_level.setValue(get_setting(OFFICE_LEVEL) or None)
        self.print_full_id.setChecked(get_setting(PRINT_FULL_ID) == "1")
        self.idle_minutes.setValue(idle_lock.idle_minutes())
        cycle, due_days = report_schedule()
        self.report_cycle.setValue(cycle)
        self.report_due_days.setValue(due_days)
        for kind, box in self.lower_due_days.items():
            stored = get_setting(f"{REPORT_DUE_DAYS}.{kind}")
            box.setValue(int(stored) if stored.isdigit() else -1)
        self.status.clear()

    def set_error(self, key: str, message: Message | None) -> None:
        for fields in self.fields:
            if key in fields.errors:
                fields.set_error(key, message)

    def values(self) -> dict[str, str] | None:
        """The settings as typed, tidied; None (errors shown) when one is wrong."""
        values: dict[str, str] = {}
        for fields in self.fields:
            typed = fields.values()
            if typed is None:
                return None
            values.update(typed)
        values[OFFICE_LEVEL] = self.office_level.value() or ""
        code = values["office.code"].replace(" ", "")
        problem = check_office_code(code, values[OFFICE_LEVEL]) if code else None
        self.set_error("office.code", problem)
        if problem is not None:
            self.edits["office.code"].setFocus(Qt.FocusReason.OtherFocusReason)
            return None
        values["office.code"] = code
        values[PRINT_FULL_ID] = "1" if self.print_full_id.isChecked() else "0"
        values[IDLE_MINUTES] = str(self.idle_minutes.value())
        values[REPORT_CYCLE] = self.report_cycle.value()
        values[REPORT_DUE_DAYS] = str(self.report_due_days.value())
        for kind, box in self.lower_due_days.items():
            values[f"{REPORT_DUE_DAYS}.{kind}"] = str(box.value()) if box.value() >= 0 else ""
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

    def open_guide(self) -> None:
        """The setup guide over the window; the page shows what it saved once it closes."""
        from ..setup.guide import open_setup_guide

        guide = open_setup_guide(self.window(), self.ctx)
        guide.finished.connect(self.load)
