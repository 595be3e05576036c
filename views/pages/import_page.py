"""The Import page (导入): people or organizations from the office's Excel/CSV sheets, and their history.

The steps follow desktop.importing: read the sheet, show the header and the column
mapping (correctable in a dialog), plan with the chosen options, preview the counts and
the rejected rows, then apply in one transaction. Reading, planning, applying and undoing
run in a worker thread with a progress dialog; a file the user must fix or convert
(``SheetError``) is explained in a message box.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QSettings, QStandardPaths, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QComboBox,
    QDateEdit,
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
        self.hours_on = QDateEdit(QDate.currentDate(), group)
        self.hours_on.setObjectName("hours_on")
        self.hours_on.setCalendarPopup(True)
        self.hours_on.setDisplayFormat("yyyy-MM-dd")
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
                             ("rejected", self.tr("拒绝"))):
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
        self.rejected_label = QLabel(self.tr("有错误、不会导入的行："), group)
        self.rejected_model = RowsModel([
            (self.tr("行号"), lambda r: r.row),
            (self.tr("列"), lambda r: r.column),
            (self.tr("原因"), lambda r: r.reason_text(QApplication.translate)),
        ], self)
        self.rejected_table = rows_table(self.rejected_model, group, "rejected")
        self.rejected_table.setColumnWidth(0, 60)
        self.rejected_table.setColumnWidth(1, 140)
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
        layout.addWidget(self.rejected_label)
        layout.addWidget(self.rejected_table, 1)
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
                                       hours_on=self.hours_on.date().toPython())

    # -- choosing the file, the sheet and the mapping ----------------------------------------
    def choose_file(self) -> None:
        folder = self.settings.value(FOLDER_KEY) or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        path = ask_open_file(self, self.tr("选择要导入的文件"), str(folder),
                             self.tr("表格文件 (*.xlsx *.xlsm *.xls *.et *.ods *.csv);;所有文件 (*)"))
        if path is None:
            return
        self.settings.setValue(FOLDER_KEY, str(path.parent))
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
            item = QTableWidgetItem(tr_label(field.label) if field else self.tr("不导入"))
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
        counts = {"new": 0, "updated": 0, "unchanged": 0, "skipped": 0, "rejected": 0}
        if plan is not None:
            counts = {"new": plan.created, "updated": plan.updated, "unchanged": len(plan.unchanged),
                      "skipped": len(plan.skipped), "rejected": len(plan.rejected)}
        for key, label in self.count_labels.items():
            label.setText(f"{counts[key]:,}")
            label.setStyleSheet(ERROR_STYLE if key == "rejected" and counts[key] else "")
        self.rejected_model.set_rows(plan.rejected if plan is not None else [])
        self.save_rejected_button.setEnabled(bool(counts["rejected"]))
        self.import_button.setEnabled(bool(counts["new"] or counts["updated"]))
        self.summary.setText(self._summary_text(plan))

    def _summary_text(self, plan: ImportPlan | None) -> str:
        if plan is None:
            return self.tr("选择要导入的 Excel 工作簿（.xlsx、.xls）、WPS 或 OpenDocument 表格（.et、.ods）"
                           "或 CSV 文件，这里会显示将新增、更新哪些记录，"
                           "以及哪些行有错误、为什么。在导入之前不会改动任何数据。")
        parts = [tr_msg(notice) for notice in plan.sheet.notices]
        parts.append(self.tr("工作表“{sheet}”表头以下共 {rows} 行数据（空行、合计行和签名行不计）。").format(
            sheet=plan.sheet.sheet, rows=plan.rows))
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
        plan = dataclasses.replace(plan, options=dataclasses.replace(
            plan.options, hours_on=self.hours_on.date().toPython()))
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
