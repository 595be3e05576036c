"""The import history (导入记录): every batch with its counts, and 撤销此次导入."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop import importing
from desktop.backup import before_change
from desktop.context import AppContext
from desktop.reports.output import Job

if TYPE_CHECKING:
    from desktop.importing import BatchRow

HISTORY_LIMIT = 500
Index = QModelIndex | QPersistentModelIndex
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class TaskRunner(Protocol):
    """The page that runs work off the GUI thread and explains the user's errors."""

    busy: bool

    def start(self, title: str, label: str, work: Callable[[Job], Any], on_done: Callable[[Any], None],
              preview: bool = False) -> Any: ...


class RowsModel(QAbstractTableModel):
    """A read-only table over a list of objects: ``columns`` are (title, value of a row)."""

    def __init__(self, columns: list[tuple[str, Callable[[Any], Any]]], parent: QWidget | None = None):
        super().__init__(parent)
        self.columns = columns
        self.rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        value = self.columns[index.column()][1](self.rows[index.row()])
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int):
            return int(_RIGHT)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section][0]
        return None


def rows_table(model: QAbstractTableModel, parent: QWidget, name: str) -> QTableView:
    table = QTableView(parent)
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _minute(at) -> str:
    return f"{at:%Y-%m-%d %H:%M}"


class ImportHistory(QWidget):
    """The batches, newest first; undoing one runs through the page's task runner."""

    undone = Signal()

    def __init__(self, ctx: AppContext, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        kinds = {"people": self.tr("人员"), "orgs": self.tr("社会组织")}
        self.model = RowsModel([
            (self.tr("时间"), lambda b: _minute(b.at)),
            (self.tr("操作员"), lambda b: b.operator),
            (self.tr("内容"), lambda b: kinds.get(b.kind, b.kind)),
            (self.tr("文件"), lambda b: b.file_name),
            (self.tr("工作表"), lambda b: b.sheet),
            (self.tr("行数"), lambda b: b.rows),
            (self.tr("新增"), lambda b: b.created),
            (self.tr("更新"), lambda b: b.updated),
            (self.tr("拒绝"), lambda b: b.rejected),
            (self.tr("撤销"), lambda b: self.tr("已于 {at} 撤销").format(at=_minute(b.undone_at))
             if b.undone_at else ""),
        ], self)
        self.table = rows_table(self.model, self, "history")
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.undo_button = QPushButton(self.tr("撤销此次导入"), self)
        self.undo_button.setObjectName("undo")
        self.undo_button.setToolTip(self.tr("删除这次导入新增的记录，并把更新过的记录恢复为导入前的内容"))
        self.undo_button.clicked.connect(self.undo_selected)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.undo_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.model.set_rows(importing.list_batches(HISTORY_LIMIT))
        self.table.resizeColumnsToContents()
        for col in range(self.model.columnCount() - 1):  # some air between the columns
            self.table.setColumnWidth(col, max(self.table.columnWidth(col) + 16, 64))
        self._selected()

    def selected_batch(self) -> BatchRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _selected(self) -> None:
        batch = self.selected_batch()
        self.undo_button.setEnabled(batch is not None and batch.undone_at is None)

    def undo_selected(self) -> None:
        batch = self.selected_batch()
        if batch is None or batch.undone_at is not None or self.runner.busy:
            return
        question = self.tr("撤销 {at} 导入的 {file}（{sheet}）？").format(
            at=_minute(batch.at), file=batch.file_name, sheet=batch.sheet)
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("撤销此次导入"), question,
                          QMessageBox.StandardButton.Cancel, self)
        box.setInformativeText(
            self.tr("这次导入新增的 {created} 条记录将被删除，更新过的 {updated} 条恢复为导入前的内容。")
            .format(created=batch.created, updated=batch.updated))
        box.setObjectName("confirm_undo")
        go = box.addButton(self.tr("撤销此次导入"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: button is go and self._undo(batch))
        box.open()

    def _undo(self, batch: BatchRow) -> None:
        ctx, user = self.ctx, self.ctx.user

        def undo(_job: Job) -> Any:
            before_change(ctx.db, ctx.db_path, "undo")  # the state before the undo stays at hand
            return importing.undo_batch(batch.id, user)

        self.runner.start(self.tr("撤销此次导入"), self.tr("正在撤销…"), undo, self._undone)

    def _undone(self, _batch) -> None:
        self.refresh()
        self.undone.emit()
        QMessageBox.information(self, self.tr("撤销此次导入"), self.tr("已撤销。"))
