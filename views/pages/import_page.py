"""The Import page (导入): people or organizations from the office's Excel/CSV sheets, and their history.

The steps follow desktop.importing: read the sheet, show the header and the column
mapping (correctable in a dialog), plan with the chosen options, preview the counts and
the rejected rows, then apply in one transaction. Reading, planning, applying and undoing
run in a worker thread with a progress dialog; a file the user must fix or convert
(``SheetError``) is explained in a message box.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, QStandardPaths, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop import importing
from desktop.backup import before_change
from desktop.context import AppContext
from desktop.reports.output import Job

from ..entry_widgets import DateField
from ..file_dialogs import ask_open_file
from ..form import ERROR_STYLE
from ..i18n import tr_label, tr_msg
from ..tasks import Task, ask_save_path, file_stem, offer_to_open, run_task
from ..widgets import ChoiceCombo
from .import_history import ImportHistory, RowsModel, rows_table
from .import_mapping import ColumnMappingDialog, cell_text, column_letter

if TYPE_CHECKING:
    from desktop.importing import ImportPlan, SheetData

FOLDER_KEY = "import/folder"
UPDATES_SHOWN = 2000  # updates listed with their changes (a 50,000-row update shows its first ones)
_UNMAPPED = QColor(128, 128, 128)


@dataclasses.dataclass(frozen=True)
class _Refused:
    """A ``SheetError`` raised in the worker, handed back as a result to be explained."""

    error: Exception


def _guarded(work: Callable[[Job], Any]) -> Callable[[Job], Any]:
    def run(job: Job) -> Any:
        try:
            return work(job)
        except importing.SheetError as error:
            return _Refused(error)
    return run


class ImportPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.settings = QSettings(str(ctx.ui_settings_path), QSettings.Format.IniFormat)
        self.sheet: SheetData | None = None
        self.mapping: dict[str, int] = {}
        self.plan: ImportPlan | None = None
        # The user's decisions on rows the plan holds back: renames to apply (row numbers), and who
        # a possible duplicate is ({row: person id, 0 = a new person}). Kept until another file is read.
        self.allowed_renames: set[int] = set()
        self.duplicate_choices: dict[int, int] = {}
        self.tasks: set[Task] = set()
        self._generation = 0  # of the latest read or plan: older results are dropped

        self.tabs = QTabWidget(self)
        importer = QWidget(self.tabs)
        layout = QVBoxLayout(importer)
        layout.addLayout(self._build_source(importer))
        layout.addWidget(self._build_mapping(importer))
        layout.addWidget(self._build_options(importer))
        layout.addWidget(self._build_preview(importer), 1)
        self.tabs.addTab(importer, self.tr("导入数据"))
        self.history = ImportHistory(ctx, self, self.tabs)
        self.history.undone.connect(self._replan)
        self.tabs.addTab(self.history, self.tr("导入记录"))
        self.tabs.currentChanged.connect(lambda index: index == 1 and self.history.refresh())
        QVBoxLayout(self).addWidget(self.tabs)

        self._kind_changed_ui()
        self._show_sheet()
        self._show_plan()

    # -- building ----------------------------------------------------------------------------
    def _build_source(self, parent: QWidget) -> QHBoxLayout:
        self.kind = ChoiceCombo([("people", self.tr("人员")), ("orgs", self.tr("社会组织"))], parent)
        self.kind.setObjectName("kind")
        self.kind.currentIndexChanged.connect(self._kind_chosen)
        self.choose_button = QPushButton(self.tr("选择文件…"), parent)
        self.choose_button.setObjectName("choose_file")
        self.choose_button.setToolTip(self.tr("Excel 工作簿（.xlsx、旧版 .xls）、WPS 表格（.et）、"
                                              "OpenDocument 表格（.ods）或 CSV 文件"))
        self.choose_button.clicked.connect(self.choose_file)
        self.file_label = QLabel(self.tr("未选择文件"), parent)
        self.file_label.setObjectName("file")
        self.sheet_combo = QComboBox(parent)
        self.sheet_combo.setObjectName("sheet")
        self.sheet_combo.setMinimumWidth(140)
        self.sheet_combo.activated.connect(self._sheet_chosen)
        self.template_button = QPushButton(self.tr("保存空白模板…"), parent)
        self.template_button.setObjectName("save_template")
        self.template_button.clicked.connect(self.save_template)

        row = QHBoxLayout()
        kind_label = QLabel(self.tr("导入："), parent)
        kind_label.setBuddy(self.kind)
        row.addWidget(kind_label)
        row.addWidget(self.kind)
        row.addSpacing(12)
        row.addWidget(self.choose_button)
        row.addWidget(self.file_label, 1)
        sheet_label = QLabel(self.tr("工作表："), parent)
        sheet_label.setBuddy(self.sheet_combo)
        row.addWidget(sheet_label)
        row.addWidget(self.sheet_combo)
        row.addSpacing(12)
        row.addWidget(self.template_button)
        return row

    def _build_mapping(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(self.tr("表头与列对应"), parent)
        self.mapping_table = QTableWidget(2, 0, group)
        self.mapping_table.setObjectName("mapping")
        self.mapping_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.mapping_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.mapping_table.setWordWrap(False)
        self.mapping_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.mapping_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.mapping_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.mapping_table.cellDoubleClicked.connect(lambda *_: self.edit_mapping())
        self._fit_mapping_height()
        self.mapping_hint = QLabel(group)
        self.mapping_hint.setObjectName("mapping_hint")
        self.mapping_hint.setWordWrap(True)
        self.mapping_button = QPushButton(self.tr("修改列对应…"), group)
        self.mapping_button.setObjectName("edit_mapping")
        self.mapping_button.clicked.connect(self.edit_mapping)
        below = QHBoxLayout()
        below.addWidget(self.mapping_hint, 1)
        below.addWidget(self.mapping_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(group)
        layout.addWidget(self.mapping_table)
        layout.addLayout(below)
        return group

    def _fit_mapping_height(self) -> None:
        """Exactly the two rows and the scroll bar: the page keeps its room for the preview."""
        table = self.mapping_table
        header = max(table.horizontalHeader().sizeHint().height(), self.fontMetrics().height() + 8)
        table.setFixedHeight(header + table.verticalHeader().length()
                             + table.horizontalScrollBar().sizeHint().height() + 2 * table.frameWidth())

    def _build_options(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(self.tr("选项"), parent)
        self.update_existing = QRadioButton(self.tr("按表中内容更新"), group)
        self.update_existing.setObjectName("update_existing")
        self.skip_existing = QRadioButton(self.tr("保持不变（跳过这些行）"), group)
        self.skip_existing.setObjectName("skip_existing")
        self.create_orgs = QRadioButton(self.tr("自动新建为草根组织"), group)
        self.create_orgs.setObjectName("create_orgs")
        self.reject_orgs = QRadioButton(self.tr("该行不导入"), group)
        self.reject_orgs.setObjectName("reject_orgs")
        self.hours_on = DateField(group, value=dt.date.today())
        self.hours_on.setObjectName("hours_on")
        self.hours_on.setToolTip(self.tr("原表只记录了时长、没有具体活动：时长记在这一天的“导入的志愿服务时长”活动中"))

        self.options_form = QFormLayout(group)
        self.options_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.existing_label = QLabel(group)
        form = self.options_form
        form.addRow(self.existing_label, self._pair(group, self.update_existing, self.skip_existing))
        form.addRow(self.tr("未登记的所属组织："), self._pair(group, self.create_orgs, self.reject_orgs))
        self.options_form.addRow(self.tr("服务时长记在："), self.hours_on)
        self.update_existing.setChecked(True)  # once each pair is in its own group
        self.reject_orgs.setChecked(True)
        for button in (self.update_existing, self.create_orgs):
            button.toggled.connect(self._replan)
        return group

    def _pair(self, parent: QWidget, first: QRadioButton, second: QRadioButton) -> QWidget:
        holder = QWidget(parent)
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        buttons = QButtonGroup(holder)
        for button in (first, second):
            buttons.addButton(button)
            row.addWidget(button)
        row.addStretch(1)
        return holder

    def _build_preview(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(self.tr("预览"), parent)
        self.summary = QLabel(group)
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        counts = QHBoxLayout()
        self.count_labels: dict[str, QLabel] = {}
        for key, caption in (("new", self.tr("新增")), ("updated", self.tr("更新")),
                             ("unchanged", self.tr("未变")), ("skipped", self.tr("跳过")),
                             ("held", self.tr("待确认")), ("rejected", self.tr("拒绝"))):
            box = QFrame(group)
            box.setFrameShape(QFrame.Shape.StyledPanel)
            number = QLabel("0", box)
            number.setObjectName(f"count_{key}")
            number.setAlignment(Qt.AlignmentFlag.AlignCenter)
            font = number.font()
            font.setPointSizeF(font.pointSizeF() * 1.6)
            font.setBold(True)
            number.setFont(font)
            title = QLabel(caption, box)
            title.setAlignment(Qt.AlignmentFlag.AlignCenter)
            inner = QVBoxLayout(box)
            inner.setSpacing(0)
            inner.addWidget(number)
            inner.addWidget(title)
            box.setMinimumWidth(90)
            counts.addWidget(box)
            self.count_labels[key] = number
        counts.addStretch(1)
        self.details = QTabWidget(group)
        self.details.setObjectName("details")
        self.rejected_model = RowsModel([
            (self.tr("行号"), lambda r: r.row),
            (self.tr("列"), lambda r: r.column),
            (self.tr("原因"), lambda r: r.reason_text(QApplication.translate)),
        ], self)
        self.rejected_table = rows_table(self.rejected_model, self.details, "rejected")
        self.rejected_table.setColumnWidth(0, 60)
        self.rejected_table.setColumnWidth(1, 140)
        self.details.addTab(self.rejected_table, "")
        self.updates_model = RowsModel([
            (self.tr("行号"), lambda r: r[0]),
            (self.tr("记录"), lambda r: r[1]),
            (self.tr("将改动的内容"), lambda r: r[2]),
        ], self)
        self.updates_table = rows_table(self.updates_model, self.details, "updates")
        self.updates_table.setColumnWidth(0, 60)
        self.updates_table.setColumnWidth(1, 160)
        self.details.addTab(self.updates_table, "")
        self.held_table = QTableWidget(0, 3, self.details)
        self.held_table.setObjectName("held")
        self.held_table.setHorizontalHeaderLabels([self.tr("行号"), self.tr("需要确认的内容"),
                                                   self.tr("怎样处理")])
        self.held_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.held_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.held_table.verticalHeader().hide()
        self.held_table.verticalHeader().setDefaultSectionSize(QComboBox().sizeHint().height() + 4)
        self.held_table.setWordWrap(False)
        self.held_table.setColumnWidth(0, 60)
        self.held_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.held_table.setColumnWidth(2, 300)
        self.details.addTab(self.held_table, "")
        self.save_rejected_button = QPushButton(self.tr("保存被拒绝的行…"), group)
        self.save_rejected_button.setObjectName("save_rejected")
        self.save_rejected_button.setToolTip(
            self.tr("保存为 Excel 工作簿，带“未导入原因”列：改正后可再次导入"))
        self.save_rejected_button.clicked.connect(self.save_rejected)
        self.import_button = QPushButton(self.tr("导入"), group)
        self.import_button.setObjectName("import")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.start_import)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_rejected_button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        layout = QVBoxLayout(group)
        layout.addLayout(counts)
        layout.addWidget(self.summary)
        layout.addWidget(self.details, 1)
        layout.addLayout(buttons)
        return group

    def is_filled(self) -> bool:
        return True

    # -- background work -------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return bool(self.tasks)

    def start(self, title: str, label: str, work: Callable[[Job], Any],
              on_done: Callable[[Any], None], preview: bool = False) -> Task:
        """Run ``work`` off the GUI thread; a ``SheetError`` is explained, a preview superseded by
        a newer one is dropped."""
        if preview:
            self._generation += 1
        generation = self._generation

        def done(result: Any) -> None:
            if preview and generation != self._generation:
                return
            if isinstance(result, _Refused):
                QMessageBox.warning(self, title, tr_msg(result.error.message))
                self._show_sheet()
                return
            on_done(result)

        task = run_task(self, title, label, _guarded(work), done)
        # Reading a workbook reports no progress: start the dialog's clock now, so that it
        # appears (busy) after its delay instead of waiting for a first progress report.
        task.dialog.setValue(0)
        self.tasks.add(task)
        task.finished.connect(lambda: self.tasks.discard(task))
        return task

    def options(self) -> importing.ImportOptions:
        return importing.ImportOptions(update_existing=self.update_existing.isChecked(),
                                       create_orgs=self.create_orgs.isChecked(),
                                       hours_on=self.hours_on.value() or dt.date.today(),
                                       allow_renames=frozenset(self.allowed_renames),
                                       duplicates=dict(self.duplicate_choices))

    # -- choosing the file, the sheet and the mapping ----------------------------------------
    def choose_file(self) -> None:
        folder = self.settings.value(FOLDER_KEY) or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        path = ask_open_file(self, self.tr("选择要导入的文件"), str(folder),
                             self.tr("表格文件 (*.xlsx *.xlsm *.xls *.et *.ods *.csv);;所有文件 (*)"))
        if path is None:
            return
        self.settings.setValue(FOLDER_KEY, str(path.parent))
        self.allowed_renames.clear()
        self.duplicate_choices.clear()
        self.read(path, self.kind.value())

    def read(self, path: Path, kind: str, sheet: str | None = None, header_row: int | None = None,
             mapping: dict[str, int] | None = None) -> Task:
        """Read the sheet and plan it; the page shows the file only once it was read."""
        options = self.options()

        def work(job: Job) -> tuple[SheetData, ImportPlan]:
            data = importing.read_sheet(path, kind, sheet=sheet, header_row=header_row, job=job)
            job.step(0, 0)
            return data, importing.plan_import(data, mapping, options, job)

        return self.start(self.tr("导入"), self.tr("正在读取 {name}…").format(name=path.name), work,
                          self._read_done, preview=True)

    def _read_done(self, result: tuple[SheetData, ImportPlan]) -> None:
        self.sheet, self.plan = result
        self.mapping = dict(self.plan.mapping)
        self._show_sheet()
        self._show_plan()
        guessed = {key: col for key, col in self.sheet.guessed.items() if self.mapping.get(key) == col}
        if guessed:
            self._ask_about_guesses(guessed)

    def _ask_about_guesses(self, guessed: dict[str, int]) -> None:
        """Columns whose titles only resemble a field's: the user says whether they are meant so."""
        sheet = self.sheet
        labels = {f.key: tr_label(f.label) for f in importing.fields_of(sheet.kind)}
        lines = [self.tr("“{column}”列作为“{field}”").format(column=sheet.header[col], field=labels[key])
                 for key, col in guessed.items()]
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("导入"),
                          self.tr("有的列名与可导入的项不完全一样，按列名猜测：\n{lines}\n\n按这样导入吗？").format(
                              lines="\n".join(lines)), QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("confirm_guesses")
        keep = box.addButton(self.tr("按猜测导入"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("这些列不导入"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        generation = self._generation

        def answered(button) -> None:
            if button is keep or generation != self._generation or self.sheet is not sheet:
                return
            mapping = {k: c for k, c in self.mapping.items() if guessed.get(k) != c}
            self._mapping_chosen(sheet.header_row, mapping)

        box.buttonClicked.connect(answered)
        self.guess_box = box
        box.open()

    def _kind_chosen(self) -> None:
        self._kind_changed_ui()
        if self.sheet is not None:
            self.read(self.sheet.path, self.kind.value())

    def _sheet_chosen(self) -> None:
        name = self.sheet_combo.currentText()
        if self.sheet is not None and name != self.sheet.sheet:
            self.read(self.sheet.path, self.sheet.kind, sheet=name)

    def edit_mapping(self) -> None:
        if self.sheet is None or self.busy:
            return
        dialog = ColumnMappingDialog(self.sheet, self.mapping, self.sheet.header_row, self)
        dialog.setObjectName("mapping_dialog")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._mapping_chosen(dialog.result_header_row(), dialog.mapping()))
        self.mapping_dialog = dialog
        dialog.open()

    def _mapping_chosen(self, header_row: int, mapping: dict[str, int]) -> None:
        sheet = self.sheet
        if header_row != sheet.header_row:
            self.read(sheet.path, sheet.kind, sheet=sheet.sheet, header_row=header_row, mapping=mapping)
        elif mapping != self.mapping:
            self.mapping = mapping
            self._show_sheet()
            self._replan()

    def _replan(self) -> None:
        if self.sheet is None:
            return
        sheet, mapping, options = self.sheet, dict(self.mapping), self.options()
        self.start(self.tr("导入"), self.tr("正在检查各行…"),
                   lambda job: importing.plan_import(sheet, mapping, options, job),
                   self._planned, preview=True)

    def _planned(self, plan: ImportPlan) -> None:
        self.plan = plan
        self._show_plan()

    # -- showing the state -----------------------------------------------------------------
    def _kind_changed_ui(self) -> None:
        people = self.kind.value() == "people"
        self.existing_label.setText(self.tr("已登记的人员：") if people else self.tr("已登记的组织："))
        self.options_form.setRowVisible(1, people)
        self.options_form.setRowVisible(2, people)
        self.template_button.setToolTip(self.tr("保存一个空白的{kind}导入模板（.xlsx），身份证号、电话列为文本格式")
                                        .format(kind=self.kind.currentText()))

    def _show_sheet(self) -> None:
        """The widgets as the state is (also after a failed read: back to what was shown)."""
        sheet = self.sheet
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        if sheet is not None:
            self.kind.blockSignals(True)
            self.kind.setValue(sheet.kind)
            self.kind.blockSignals(False)
            self._kind_changed_ui()
            self.sheet_combo.addItems(sheet.sheet_names)
            self.sheet_combo.setCurrentText(sheet.sheet)
            self.file_label.setText(sheet.file_name)
            self.file_label.setToolTip(str(sheet.path))
        self.sheet_combo.setEnabled(sheet is not None and len(sheet.sheet_names) > 1)
        self.sheet_combo.blockSignals(False)
        self.mapping_button.setEnabled(sheet is not None)
        self._show_mapping()

    def _show_mapping(self) -> None:
        table, sheet = self.mapping_table, self.sheet
        header = sheet.header if sheet is not None else []
        table.setColumnCount(len(header))
        table.setVerticalHeaderLabels([self.tr("第 {n} 行（表头）").format(n=sheet.header_row) if sheet else
                                       self.tr("表头"), self.tr("导入为")])
        if sheet is None:
            self.mapping_hint.setText(self.tr("先选择要导入的文件。"))
            return
        fields = {col: f for f in importing.fields_of(sheet.kind) for key, col in self.mapping.items()
                  if f.key == key}
        table.setHorizontalHeaderLabels([column_letter(i) for i in range(len(header))])
        for col, title in enumerate(header):
            table.setItem(0, col, QTableWidgetItem(cell_text(title)))
            field = fields.get(col)
            guessed = field is not None and sheet.guessed.get(field.key) == col
            label = tr_label(field.label) if field else self.tr("不导入")
            item = QTableWidgetItem(self.tr("{field}（猜测）").format(field=label) if guessed else label)
            if guessed:
                item.setToolTip(self.tr("按列名猜测的对应：不对的话请点“修改列对应…”"))
            if field is None:
                item.setForeground(_UNMAPPED)
            else:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            table.setItem(1, col, item)
        table.resizeColumnsToContents()
        self._fit_mapping_height()
        missing = [tr_label(f.label) for f in importing.fields_of(sheet.kind)
                   if f.required and f.key not in self.mapping]
        if missing:
            hint = self.tr("缺少必填的“{fields}”列：请点“修改列对应…”选择。").format(
                fields="、".join(missing))
        elif sheet.mapping_remembered and self.mapping == sheet.mapping:
            hint = self.tr("列对应沿用了上次导入相同表头时的设置。不对的话请点“修改列对应…”。")
        else:
            hint = self.tr("列按列名自动对应。不对的话请点“修改列对应…”；"
                           "表头不在第 {n} 行也可以在那里修改。").format(n=sheet.header_row)
        self.mapping_hint.setText(hint)

    def _show_plan(self) -> None:
        plan = self.plan
        counts = {"new": 0, "updated": 0, "unchanged": 0, "skipped": 0, "held": 0, "rejected": 0}
        if plan is not None:
            counts = {"new": plan.created, "updated": plan.updated, "unchanged": len(plan.unchanged),
                      "skipped": len(plan.skipped), "held": len(plan.renames) + len(plan.possible_duplicates),
                      "rejected": len(plan.rejected)}
        for key, label in self.count_labels.items():
            label.setText(f"{counts[key]:,}")
            label.setStyleSheet(ERROR_STYLE if key in ("rejected", "held") and counts[key] else "")
        self.rejected_model.set_rows(plan.rejected if plan is not None else [])
        self._show_updates(plan)
        self._show_held(plan)
        self.details.setTabText(0, self.tr("有错误的行（{n}）").format(n=counts["rejected"]))
        self.details.setTabText(1, self.tr("将更新的记录（{n}）").format(n=counts["updated"]))
        self.details.setTabText(2, self.tr("待确认（{n}）").format(n=counts["held"]))
        if counts["held"] and not counts["rejected"]:
            self.details.setCurrentIndex(2)
        elif counts["updated"] and not counts["rejected"]:
            self.details.setCurrentIndex(1)
        self.save_rejected_button.setEnabled(bool(counts["rejected"]))
        self.import_button.setEnabled(bool(counts["new"] or counts["updated"]))
        self.summary.setText(self._summary_text(plan))

    def _show_updates(self, plan: ImportPlan | None) -> None:
        """Every update as what it changes, old → new (shown for the first rows of a big import)."""
        rows = []
        if plan is not None:
            regions = importing.region_names()
            for planned in plan.updates[:UPDATES_SHOWN]:
                rows.append((planned.row, planned.values.get("name") or self._stored_name(planned),
                             "；".join(importing.describe_changes(planned, regions))))
        self.updates_model.set_rows(rows)

    @staticmethod
    def _stored_name(planned) -> str:
        return (planned.before or {}).get("name") or ""

    def _show_held(self, plan: ImportPlan | None) -> None:
        """Renames and possible duplicates, each with a choice; a choice plans again."""
        table = self.held_table
        table.setRowCount(0)
        if plan is None:
            return
        regions = importing.region_names() if plan.renames else {}
        for planned in plan.renames:
            what = self.tr("修改已登记记录的身份信息：{changes}").format(
                changes="；".join(importing.describe_changes(planned, regions)))
            self._held_row(planned.row, what, [(self.tr("不修改（这一行不导入）"), None),
                                               (self.tr("按表中内容修改"), "rename")],
                           "rename" if planned.row in self.allowed_renames else None)
        for duplicate in plan.possible_duplicates:
            name = duplicate.planned.values.get("name", "")
            what = self.tr("{name}：可能与已登记的人员重复（{reason}）").format(
                name=name, reason=duplicate.reason_text(QApplication.translate))
            choices = [(self.tr("暂不导入"), None), (self.tr("登记为新的人员"), 0)]
            choices += [(self.tr("是已登记的 {who}").format(who=importing.candidate_text(person)), person.id)
                        for person in duplicate.candidates]
            self._held_row(duplicate.row, what, choices, self.duplicate_choices.get(duplicate.row))

    def _held_row(self, row: int, what: str, choices: list[tuple[str, Any]], current: Any) -> None:
        table = self.held_table
        at = table.rowCount()
        table.insertRow(at)
        number = QTableWidgetItem(str(row))
        number.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        table.setItem(at, 0, number)
        item = QTableWidgetItem(what)
        item.setToolTip(what)
        table.setItem(at, 1, item)
        combo = QComboBox(table)
        combo.setObjectName(f"held_{row}")
        for label, value in choices:
            combo.addItem(label, value)
        combo.setCurrentIndex(max(0, combo.findData(current)) if current is not None else 0)
        combo.currentIndexChanged.connect(
            lambda _i, row=row, combo=combo: self._held_chosen(row, combo.currentData()))
        table.setCellWidget(at, 2, combo)

    def _held_chosen(self, row: int, value: Any) -> None:
        if value == "rename":
            self.allowed_renames.add(row)
        elif value is None:
            self.allowed_renames.discard(row)
            self.duplicate_choices.pop(row, None)
        else:
            self.duplicate_choices[row] = value
        self._replan()

    def _summary_text(self, plan: ImportPlan | None) -> str:
        if plan is None:
            return self.tr("选择要导入的 Excel 工作簿（.xlsx、.xls）、WPS 或 OpenDocument 表格（.et、.ods）"
                           "或 CSV 文件，这里会显示将新增、更新哪些记录，"
                           "以及哪些行有错误、为什么。在导入之前不会改动任何数据。")
        parts = [tr_msg(notice) for notice in plan.sheet.notices]
        if plan.roster is not None:
            what = {"organization": self.tr("组织"), "team": self.tr("团队"),
                    "venue": self.tr("活动阵地")}[plan.roster.kind]
            parts.append(self.tr("这是{what}“{target}”的花名册，按花名册导入。").format(
                what=what, target=plan.roster.target))
        parts.append(self.tr("工作表“{sheet}”表头以下共 {rows} 行数据（空行、合计行和签名行不计）。").format(
            sheet=plan.sheet.sheet, rows=plan.rows))
        if plan.ignored:
            parts.append(self.tr("不导入的列：{columns}。如要导入，请点“修改列对应…”。").format(
                columns="；".join(c.describe() for c in plan.ignored)))
        if plan.renames or plan.possible_duplicates:
            parts.append(self.tr("有 {n} 行待确认：请在下方“待确认”中选择怎样处理，未确认的行不导入。")
                         .format(n=len(plan.renames) + len(plan.possible_duplicates)))
        if plan.new_organizations:
            names = "、".join(plan.new_organizations[:5]) + ("等" if len(plan.new_organizations) > 5 else "")
            parts.append(self.tr("将新建 {n} 个草根组织：{names}。").format(n=len(plan.new_organizations),
                                                                           names=names))
        if not (plan.created or plan.updated):
            if plan.rows and len(plan.rejected) == plan.rows:
                parts.append(self.tr("每一行都有错误，没有可导入的行：请按下表的原因修改后再导入。"))
            else:
                parts.append(self.tr("没有需要新增或更新的记录。"))
        elif plan.rejected:
            parts.append(self.tr("有错误的行不会导入，可以“保存被拒绝的行…”改正后再导入。"))
        return "".join(parts)

    # -- saving files ------------------------------------------------------------------------
    def save_rejected(self) -> None:
        plan = self.plan
        if plan is None or not plan.rejected or self.busy:
            return
        title = self.tr("保存被拒绝的行")
        name = file_stem(self.tr("{name}_未导入的行").format(name=plan.sheet.path.stem))
        path = ask_save_path(self, self.settings, title, name, ".xlsx")
        if path is None:
            return
        user = self.ctx.user
        self.start(title, self.tr("正在保存…"), lambda job: importing.save_rejected(plan, path, user),
                   lambda _path: offer_to_open(self, path, title))

    def save_template(self) -> None:
        kind = self.kind.value()
        title = self.tr("保存空白模板")
        name = self.tr("{kind}导入模板").format(kind=self.kind.currentText())
        path = ask_save_path(self, self.settings, title, name, ".xlsx")
        if path is None:
            return
        self.start(title, self.tr("正在保存…"), lambda job: importing.save_template(kind, path),
                   lambda _path: offer_to_open(self, path, title))

    # -- importing ---------------------------------------------------------------------------
    def start_import(self) -> None:
        plan = self.plan
        if plan is None or self.busy or not (plan.created or plan.updated):
            return
        if plan.rejected:
            box = QMessageBox(QMessageBox.Icon.Warning, self.tr("导入"),
                              self.tr("{n} 行有错误，将只导入其余 {m} 行。").format(
                                  n=len(plan.rejected), m=plan.rows - len(plan.rejected)),
                              QMessageBox.StandardButton.Cancel, self)
            box.setInformativeText(self.tr("有错误的行可以先“保存被拒绝的行…”，改正后再导入。"))
            box.setObjectName("confirm_import")
            go = box.addButton(self.tr("导入其余的行"), QMessageBox.ButtonRole.AcceptRole)
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.buttonClicked.connect(lambda button: button is go and self._apply(plan))
            box.open()
        else:
            self._apply(plan)

    def _apply(self, plan: ImportPlan) -> None:
        hours_on = self.hours_on.value()
        if hours_on is None:  # blank or unreadable: the day is asked for, never guessed
            problem = self.hours_on.entry_error()
            text = self.tr("请填写服务时长记在哪一天。") if problem is None else tr_msg(problem)
            QMessageBox.warning(self, self.tr("导入"), text)
            self.hours_on.setFocus()
            return
        plan = dataclasses.replace(plan, options=dataclasses.replace(plan.options, hours_on=hours_on))
        ctx, user = self.ctx, self.ctx.user

        def apply(job: Job) -> Any:
            before_change(ctx.db, ctx.db_path, "import")  # the state before the import stays at hand
            return importing.apply_import(plan, user, job)

        self.start(self.tr("导入"), self.tr("正在导入 {name}…").format(name=plan.sheet.file_name),
                   apply, self._imported)

    def _imported(self, batch) -> None:
        self.history.refresh()
        self._replan()
        QMessageBox.information(self, self.tr("导入"), self.tr(
            "已导入 {file}：新增 {created} 条，更新 {updated} 条；有错误未导入 {rejected} 行。\n"
            "如需撤销，可在“导入记录”中撤销这次导入。").format(
                file=batch.file_name, created=batch.created, updated=batch.updated, rejected=batch.rejected))
