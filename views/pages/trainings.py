"""The Trainings page: training, supervision (督导) and exchange sessions and who attended."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from desktop.context import AppContext
from models import pickers
from models.choices import TRAINING_KINDS
from models.entities import Training
from models.related import attendees_of
from models.training_listing import TrainingFilter, TrainingListing
from models.trainings import (
    TrainingData,
    attendees,
    default_organization,
    save_training,
    training_years,
)

from ..archiving import ArchivingListPage
from ..entry_widgets import DateField
from ..form import FormDialog
from ..list_page import ListPage
from ..person_picker import PersonPicker
from ..record_detail import RecordDetail
from ..search_combo import SearchCombo
from ..widgets import ChoiceCombo


class TrainingForm(FormDialog):
    def __init__(self, ctx: AppContext, training: Training | None = None, parent: QWidget | None = None):
        super().__init__("", parent)
        self.setWindowTitle(
            self.tr("新建培训") if training is None
            else self.tr("编辑培训：{topic}").format(topic=training.topic)
        )
        self.ctx = ctx
        self.training = training
        self.resize(620, 760)
        data = TrainingData.from_training(training) if training else TrainingData(held_on=dt.date.today())
        present = attendees(training) if training else []

        self.topic = self.add_field("topic", self.tr("主题"), QLineEdit(), required=True)
        self.held_on = self.add_field("held_on", self.tr("日期"), DateField(), required=True)
        self.kind = self.add_field("kind", self.tr("类型"), ChoiceCombo.of(TRAINING_KINDS), required=True)
        self.trainer = self.add_field("trainer", self.tr("讲师"), QLineEdit())
        self.venue = self.add_field(
            "venue_id", self.tr("阵地"), SearchCombo(pickers.venues(data.venue_id), blank=self.tr("（无）"))
        )
        self.hours = self.add_field("hours", self.tr("学时（小时）"), QLineEdit())
        self.hours.setPlaceholderText(self.tr("如 3 或 1.5，可不填"))

        # One list of organizations shared by every attendee's combo box (there may be thousands).
        self.organizations = QStandardItemModel(self)
        blank = QStandardItem(self.tr("（无）"))
        self.organizations.appendRow(blank)
        for org_id, name in pickers.organizations(*(org for _pid, _label, org in present)):
            item = QStandardItem(name)
            item.setData(org_id, Qt.ItemDataRole.UserRole)
            self.organizations.appendRow(item)

        self.picker = self.add_field("picker", self.tr("添加参加人员"), PersonPicker(pickers.search_people))
        self.picker.picked.connect(self.add_person)
        self.table = self.add_field("attendees", self.tr("参加人员"), QTableWidget(0, 2))
        self.table.setHorizontalHeaderLabels([self.tr("姓名"), self.tr("来自组织")])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setMinimumHeight(200)
        self.remove_button = QPushButton(self.tr("移除选中"), self)
        self.remove_button.clicked.connect(self.remove_selected)
        self.form.addRow("", self.remove_button)

        self.topic.setText(data.topic)
        self.held_on.setValue(data.held_on)
        self.kind.setValue(data.kind)
        self.trainer.setText(data.trainer)
        self.venue.setValue(data.venue_id)
        self.hours.setText(data.hours)
        for person_id, label, org_id in present:
            self.add_row(person_id, label, org_id)
        self.topic.setFocus()

    def person_ids(self) -> list[int]:
        return [self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(self.table.rowCount())]

    def organization_box(self, row: int) -> SearchCombo:
        return self.table.cellWidget(row, 1)

    def add_person(self, person_id: int, label: str) -> None:
        """A newly picked person comes from her one active organization, when she has exactly one."""
        self.add_row(person_id, label, default_organization(person_id, self.held_on.value()))

    def add_row(self, person_id: int, label: str, org_id: int | None) -> None:
        if person_id in self.person_ids():
            return
        row = self.table.rowCount()
        self.table.insertRow(row)
        name = QTableWidgetItem(label)
        name.setData(Qt.ItemDataRole.UserRole, person_id)
        self.table.setItem(row, 0, name)
        box = SearchCombo()
        box.setModel(self.organizations)
        box.setValue(org_id)
        self.table.setCellWidget(row, 1, box)

    def remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(row)

    def gather(self) -> TrainingData:
        return TrainingData(
            topic=self.topic.text(), held_on=self.held_on.value(), kind=self.kind.value(),
            trainer=self.trainer.text(), venue_id=self.venue.value(), hours=self.hours.text(),
            attendees={pid: self.organization_box(r).value() for r, pid in enumerate(self.person_ids())},
        )

    def submit(self) -> Training:
        return save_training(self.gather(), self.ctx.user, self.training)


class TrainingDetail(RecordDetail):
    """A training: basic information and who attended, from which organization."""

    def __init__(self, page: ListPage, training: Training):
        super().__init__(page, training, self.tr("培训详情：{topic}").format(topic=training.topic))
        self.attendees_table = self.add_table(
            self.tr("参加人员"), [self.tr("姓名"), self.tr("身份证号"), self.tr("来自组织")], [])
        self.finish()

    def refresh_related(self) -> None:
        rows = attendees_of(self.record)
        self.fill_table(self.attendees_table, self._headers(self.attendees_table), rows)
        self.tabs.setTabText(self.tabs.indexOf(self.attendees_table.parentWidget()),
                             self.tr("参加人员（{n} 人）").format(n=len(rows)))


class TrainingsPage(ArchivingListPage):
    page_key = "trainings"
    entity = Training

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, TrainingListing(), parent)

    def search_placeholder(self) -> str:
        return self.tr("搜索主题、讲师或阵地（Ctrl+F）")

    def setup_filters(self) -> None:
        all_ = self.tr("全部")
        self.kind_filter = self.add_filter(self.tr("类型"), ChoiceCombo.of(TRAINING_KINDS, blank=all_))
        self.year_filter = self.add_filter(
            self.tr("年度"), ChoiceCombo(((y, str(y)) for y in training_years()), blank=all_)
        )
        self.archived_filter = self.add_filter(
            self.tr("归档"),
            ChoiceCombo(((False, self.tr("在册")), (True, self.tr("已归档")), (None, all_))),
        )

    def current_filter(self) -> TrainingFilter:
        return TrainingFilter(
            text=self.search.text(), kind=self.kind_filter.value(), year=self.year_filter.value(),
            archived=self.archived_filter.value(),
        )

    def make_form(self, record: Training | None) -> TrainingForm:
        return TrainingForm(self.ctx, record, parent=self)

    def make_detail(self, record: Training) -> TrainingDetail:
        return TrainingDetail(self, record)
