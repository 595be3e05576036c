"""查重合并: the pairs of people (or organizations) that may be one, with score and reasons;
不是重复, 合并…, the merges done so far with 撤销合并, and the administrator's rules."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from models import duplicates
from models import merge as merging
from models.errors import UserError, ValidationFailed
from models.permissions import can

from ..i18n import tr_label, tr_msg
from ..merge_dialog import MergeDialog
from ..tasks import Task, run_task
from .import_history import RowsModel, rows_table

KIND_TITLES = {"people": "人员", "orgs": "社会组织"}


def _find(kind: str) -> tuple[list[duplicates.Candidate], dict[int, str], int]:
    """The candidates, the names of their records, and the threshold (in a worker thread)."""
    rules = duplicates.rule_set(kind)
    found = duplicates.find(kind, rules)
    return found, duplicates.names_of(kind, (i for c in found for i in (c.first, c.second))), rules.threshold


class DuplicatesPage(QWidget):
    """The candidates of one kind and the merges; every change goes through models/ services."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.task: Task | None = None
        self.names: dict[int, str] = {}
        self.filled = False

        self.kind = QComboBox(self)
        self.kind.setObjectName("kind")
        for code, title in KIND_TITLES.items():
            self.kind.addItem(self.tr(title), code)
        self.kind.currentIndexChanged.connect(self.find)
        self.find_button = QPushButton(self.tr("重新查找"), self)
        self.find_button.setObjectName("find")
        self.find_button.clicked.connect(self.find)
        self.rules_button = QPushButton(self.tr("查重规则…"), self)
        self.rules_button.setObjectName("rules")
        self.rules_button.setToolTip(self.tr("调整各条规则的分数和列出的最低分（管理员）"))
        self.rules_button.setVisible(can(ctx.user, "settings"))
        self.rules_button.clicked.connect(self.edit_rules)
        self.status = QLabel(self)
        self.status.setObjectName("status")
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("查找"), self))
        top.addWidget(self.kind)
        top.addWidget(self.find_button)
        top.addWidget(self.status, 1)
        top.addWidget(self.rules_button)

        self.model = RowsModel([
            (self.tr("得分"), lambda c: c.score),
            (self.tr("记录一"), lambda c: self._label(c.first)),
            (self.tr("记录二"), lambda c: self._label(c.second)),
            (self.tr("理由"), lambda c: c.reasons_text(_translate)),
        ], self)
        self.table = rows_table(self.model, self, "candidates")
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.table.doubleClicked.connect(self.merge_selected)
        self.dismiss_button = QPushButton(self.tr("不是重复"), self)
        self.dismiss_button.setObjectName("dismiss")
        self.dismiss_button.setToolTip(self.tr("记住这两条记录不是同一个，以后不再列出"))
        self.dismiss_button.clicked.connect(self.dismiss_selected)
        self.merge_button = QPushButton(self.tr("合并…"), self)
        self.merge_button.setObjectName("merge")
        self.merge_button.clicked.connect(self.merge_selected)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.dismiss_button)
        actions.addWidget(self.merge_button)
        candidates = QWidget(self)
        box = QVBoxLayout(candidates)
        box.addWidget(self.table, 1)
        box.addLayout(actions)

        self.history_model = RowsModel([
            (self.tr("编号"), lambda m: m.id),
            (self.tr("时间"), lambda m: f"{m.at:%Y-%m-%d %H:%M}"),
            (self.tr("操作员"), lambda m: m.username),
            (self.tr("合并"), lambda m: m.summary),
            (self.tr("撤销"), lambda m: self.tr("已于 {at} 撤销").format(at=f"{m.undone_at:%Y-%m-%d %H:%M}")
             if m.undone_at else ""),
        ], self)
        self.history = rows_table(self.history_model, self, "merges")
        self.history.selectionModel().selectionChanged.connect(self._selected)
        self.undo_button = QPushButton(self.tr("撤销合并"), self)
        self.undo_button.setObjectName("undo")
        self.undo_button.setToolTip(self.tr("把两条记录和所有移动过的内容恢复为合并前的样子"))
        self.undo_button.clicked.connect(self.undo_selected)
        undo_row = QHBoxLayout()
        undo_row.addStretch(1)
        undo_row.addWidget(self.undo_button)
        merges = QWidget(self)
        box = QVBoxLayout(merges)
        box.addWidget(self.history, 1)
        box.addLayout(undo_row)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(candidates, self.tr("可能重复"))
        self.tabs.addTab(merges, self.tr("合并记录"))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.find()

    def is_filled(self) -> bool:
        return self.filled

    def changed_elsewhere(self) -> None:
        self.find()

    def current_kind(self) -> str:
        return self.kind.currentData()

    def _label(self, record_id: int) -> str:
        return self.tr("{name}（编号 {id}）").format(name=self.names.get(record_id, ""), id=record_id)

    # -- finding ----------------------------------------------------------------------------
    def find(self) -> None:
        if self.task is not None and self.task.running:
            return
        kind = self.current_kind()
        self.status.setText(self.tr("正在查找…"))
        self.find_button.setEnabled(False)
        self.task = run_task(self, self.tr("查重合并"), self.tr("正在查找可能重复的记录…"),
                             lambda _job: _find(kind), self._found)
        self.task.finished.connect(self._finished)

    def _finished(self) -> None:
        self.task = None
        self.find_button.setEnabled(True)

    def _found(self, result: tuple[list[duplicates.Candidate], dict[int, str], int]) -> None:
        found, self.names, threshold = result
        self.model.set_rows(found)
        self.table.resizeColumnsToContents()
        self.status.setText(self.tr("共 {n} 对可能重复（得分不低于 {threshold} 分）").format(
            n=len(found), threshold=threshold))
        self.history_model.set_rows(merging.list_merges())
        self.history.resizeColumnsToContents()
        self.filled = True
        self._selected()

    def selected(self) -> duplicates.Candidate | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def selected_merge(self) -> merging.MergeRow | None:
        rows = self.history.selectionModel().selectedRows()
        return self.history_model.rows[rows[0].row()] if rows else None

    def _selected(self) -> None:
        pair = self.selected() is not None
        self.dismiss_button.setEnabled(pair)
        self.merge_button.setEnabled(pair)
        done = self.selected_merge()
        self.undo_button.setEnabled(done is not None and done.undone_at is None)

    # -- acting on a pair -------------------------------------------------------------------
    def dismiss_selected(self) -> None:
        candidate = self.selected()
        if candidate is None:
            return
        if self._run(lambda: duplicates.dismiss(candidate.kind, candidate.first, candidate.second,
                                                self.ctx.user)):
            self.find()

    def merge_selected(self, *_args: Any) -> None:
        candidate = self.selected()
        if candidate is None:
            return
        dialog = MergeDialog(self.ctx, candidate.kind, candidate.first, candidate.second, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.find)
        dialog.open()

    def undo_selected(self) -> None:
        done = self.selected_merge()
        if done is None or done.undone_at is not None:
            return
        question = self.tr("撤销合并 {id}？").format(id=done.id)
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("撤销合并"), question,
                          QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("confirm_undo")
        box.setInformativeText(done.summary)
        go = box.addButton(self.tr("撤销合并"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: button is go and self._undo(done.id))
        box.open()

    def _undo(self, merge_id: int) -> None:
        if self._run(lambda: merging.undo_merge(merge_id, self.ctx.user)):
            self.find()

    def _run(self, action) -> bool:
        """Do ``action``; a refusal is shown (why, and what to do), and False returned."""
        try:
            action()
        except UserError as e:
            self._warn(tr_msg(e.message))
            return False
        except ValidationFailed as e:
            self._warn("\n".join(tr_msg(m) for m in e.errors.values()))
            return False
        return True

    def _warn(self, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("查重合并"), text,
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("refused")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def edit_rules(self) -> None:
        dialog = RulesDialog(self.ctx, self.current_kind(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.find)
        dialog.open()


def _translate(context: str, text: str) -> str:
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate(context, text)


class RulesDialog(QDialog):
    """查重规则: the points of each rule and the least score a pair is listed with (administrators)."""

    def __init__(self, ctx: AppContext, kind: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("rules_dialog")
        self.ctx = ctx
        self.kind = kind
        self.setWindowTitle(self.tr("查重规则（{kind}）").format(kind=self.tr(KIND_TITLES[kind])))
        rules = duplicates.rule_set(kind)
        form = QFormLayout()
        self.weights: dict[str, QSpinBox] = {}
        for rule in duplicates.RULES[kind]:
            spin = QSpinBox(self)
            spin.setObjectName(rule.code)
            spin.setRange(-100, 100)
            spin.setValue(rules.weights[rule.code])
            form.addRow(tr_label(rule.label), spin)
            self.weights[rule.code] = spin
        self.threshold = QSpinBox(self)
        self.threshold.setObjectName("threshold")
        self.threshold.setRange(1, 100)
        self.threshold.setValue(rules.threshold)
        form.addRow(self.tr("列出的最低分"), self.threshold)
        note = QLabel(self.tr("一对记录的得分是它符合的各条规则的分数之和（0 到 100）；"
                              "不低于最低分的才会列出。"), self)
        note.setWordWrap(True)
        standard = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(standard.Save | standard.Cancel, self)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def save(self) -> None:
        weights = {code: spin.value() for code, spin in self.weights.items()}
        try:
            duplicates.save_rule_set(self.kind, weights, self.threshold.value(), self.ctx.user)
        except ValidationFailed as e:
            QMessageBox.warning(self, self.windowTitle(), "\n".join(tr_msg(m) for m in e.errors.values()))
            return
        self.accept()
