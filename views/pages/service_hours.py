"""Bulk entry of volunteer service hours for one activity: pick volunteers, one value for all, adjust."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from models import pickers
from models.activities import MAX_HOURS, parse_hours, service_hours, set_service_hours
from models.entities import Activity
from models.errors import ValidationFailed
from models.validators import InvalidValue

from ..form import FormDialog
from ..person_picker import PersonPicker

DEFAULT_HOURS = 2.0


class ServiceHoursDialog(FormDialog):
    """Saving replaces the activity's hours with what the table holds."""

    def __init__(self, ctx: AppContext, activity: Activity, parent: QWidget | None = None):
        super().__init__(self.tr("志愿服务时长：{title}").format(title=activity.title), parent)
        self.ctx = ctx
        self.activity = activity
        self.resize(560, 620)
        self.form.addRow(self.tr("活动"), QLabel(f"{activity.held_on.isoformat()}　{activity.title}"))

        self.picker = self.add_field(
            "picker", self.tr("查找志愿者"),
            PersonPicker(lambda text: pickers.search_people(text, volunteers_only=True)),
        )
        self.picker.picked.connect(self.add_person)
        self.members_button = QPushButton(self.tr("添加本组织/团队的志愿者"), self)
        self.members_button.setEnabled(
            activity.organization_id is not None or activity.team_id is not None
        )
        self.members_button.clicked.connect(self.add_members)
        self.members_hint = QLabel(self)
        self.members_hint.setObjectName("members_hint")
        self.members_hint.setWordWrap(True)
        self.members_hint.hide()
        members_row = QWidget(self)
        column = QVBoxLayout(members_row)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.members_button)
        column.addWidget(self.members_hint)
        self.form.addRow("", members_row)

        self.same_hours = QDoubleSpinBox(self)
        self.same_hours.setObjectName("same_hours")
        self.same_hours.setDecimals(1)
        self.same_hours.setRange(0.1, float(MAX_HOURS))
        self.same_hours.setSingleStep(0.5)
        self.same_hours.setValue(DEFAULT_HOURS)
        self.same_hours.setSuffix(self.tr(" 小时"))
        self.apply_button = QPushButton(self.tr("全部设为此时长"), self)
        self.apply_button.clicked.connect(self.apply_same_hours)
        self.remove_button = QPushButton(self.tr("移除选中"), self)
        self.remove_button.clicked.connect(self.remove_selected)
        bar = QWidget(self)
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.same_hours)
        row.addWidget(self.apply_button)
        row.addStretch(1)
        row.addWidget(self.remove_button)
        self.form.addRow(self.tr("统一时长"), bar)

        self.table = self.add_field("attendees", self.tr("已选志愿者"), QTableWidget(0, 2))
        self.table.setHorizontalHeaderLabels([self.tr("志愿者"), self.tr("时长（小时）")])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(200)
        self.total = QLabel(self)
        self.form.addRow(self.tr("合计"), self.total)
        self.table.itemChanged.connect(lambda _item: self.update_total())

        recorded = service_hours(activity)
        for pid, label in pickers.people_labels(list(recorded)):
            self.add_person(pid, label, recorded[pid])
        self.update_total()

    def person_ids(self) -> list[int]:
        return [self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(self.table.rowCount())]

    def add_person(self, person_id: int, label: str, hours: Decimal | None = None) -> None:
        """Add a row (a person already listed is left as is) with the common hours by default."""
        if person_id in self.person_ids():
            return
        name = QTableWidgetItem(label)
        name.setData(Qt.ItemDataRole.UserRole, person_id)
        name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
        value = hours if hours is not None else Decimal(str(self.same_hours.value()))
        amount = QTableWidgetItem(f"{value:.1f}")
        amount.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row = self.table.rowCount()
        self.table.blockSignals(True)  # the row is complete only once both cells are set
        self.table.insertRow(row)
        self.table.setItem(row, 0, name)
        self.table.setItem(row, 1, amount)
        self.table.blockSignals(False)
        self.update_total()

    def add_members(self) -> None:
        """Add the holder's volunteers on the day; say what happened, also when nothing did."""
        found = pickers.volunteer_members(
            self.activity.organization_id, self.activity.team_id, self.activity.held_on
        )
        listed = set(self.person_ids())
        new = [(pid, label) for pid, label in found if pid not in listed]
        for person_id, label in new:
            self.add_person(person_id, label)
        day = self.activity.held_on.isoformat()
        if not found:
            text = self.tr("本组织/团队在 {day} 没有在册的志愿者，请用上面的查找逐个添加。").format(day=day)
        elif not new:
            text = self.tr("本组织/团队的 {n} 名志愿者都已在下表中。").format(n=len(found))
        else:
            text = self.tr("已添加本组织/团队的 {n} 名志愿者。").format(n=len(new))
        self.members_hint.setText(text)
        self.members_hint.show()

    def apply_same_hours(self) -> None:
        text = f"{self.same_hours.value():.1f}"
        for row in range(self.table.rowCount()):
            self.table.item(row, 1).setText(text)

    def remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(row)
        self.update_total()

    def hours(self) -> dict[int, Decimal]:
        """The table's hours per person; a value that is not a number names the person."""
        result = {}
        for row in range(self.table.rowCount()):
            name = self.table.item(row, 0)
            try:
                result[name.data(Qt.ItemDataRole.UserRole)] = parse_hours(self.table.item(row, 1).text())
            except InvalidValue as e:
                raise ValidationFailed({"attendees": e.message}) from None
        return result

    def update_total(self) -> None:
        try:
            total = sum(self.hours().values(), Decimal(0))
        except ValidationFailed:
            self.total.setText(self.tr("（有无法识别的时长）"))
            return
        self.total.setText(
            self.tr("{n} 人，共 {hours} 小时").format(n=self.table.rowCount(), hours=f"{total:.1f}")
        )

    def submit(self) -> Activity:
        set_service_hours(self.ctx.user, self.activity, self.hours())
        return self.activity
