"""The 上报 page: this unit and its key's fingerprint, the lower units' 报送情况 for a period, and
the actions on report packages — import files or a folder (with a preview), 审核 / 退回 / 回执,
and this unit's own package. The work is done by desktop/exchange (the same as ``jinguo exchange``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from desktop.exchange.receive import InputError, Verdict, apply_import, plan_import
from desktop.reports.output import ExportError
from models.exchange import due_date, reporting_status
from models.periods import Period
from models.permissions import can
from models.units import current_unit, fingerprint, level_label, signing_key

from ..file_dialogs import ask_save_file, safe_dialog
from ..i18n import tr_msg
from .reports import PeriodPicker

PACKAGE_FILTER = "上报数据包或回执 (*.jgrpt *.jgrcpt)"


def _table(parent: QWidget, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))


class ImportPreview(QDialog):
    """What importing the chosen files would do, file by file; 导入 keeps the acceptable ones.
    Packages from a unit or key not yet trusted are refused until the user says the fingerprint
    was checked by phone (then the plan is made again, trusting them)."""

    def __init__(self, paths: list[Path], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("导入上报数据包"))
        self.paths = paths
        self.trust_new = False
        self.take_older = False
        self.verdicts: list[Verdict] = []
        layout = QVBoxLayout(self)
        self.table = _table(self, [self.tr("文件"), self.tr("单位"), self.tr("报告期"), self.tr("结果"),
                                   self.tr("说明")])
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        layout.addWidget(self.table, 1)
        self.trust = QCheckBox(self.tr("已打电话与对方核对上表中的密钥指纹，一致：接受新的单位或新的密钥"),
                               self)
        self.trust.toggled.connect(self._trust_toggled)
        layout.addWidget(self.trust)
        self.older = QCheckBox(self.tr("用上表中较旧的数据包替换已导入的较新的"), self)
        self.older.toggled.connect(self._older_toggled)
        layout.addWidget(self.older)
        self.buttons = QDialogButtonBox(self)
        self.import_button = self.buttons.addButton(self.tr("导入"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(900, 420)
        self.replan()

    def replan(self) -> None:
        self.verdicts = plan_import(self.paths, self.trust_new, self.take_older)
        _fill(self.table, [(v.path.name, f"{v.unit_name}（{v.unit_code}）" if v.unit_code else "",
                            v.period, v.label, v.reason or (self.tr("指纹 ") + v.fingerprint if v.new_unit
                                                            or v.new_key else ""))
                           for v in self.verdicts])
        untrusted = any((v.new_unit or v.new_key) for v in self.verdicts)
        self.trust.setVisible(untrusted or self.trust_new)
        self.older.setVisible(self.take_older or any(
            v.status == "refused" and "更旧" in v.reason for v in self.verdicts))
        self.import_button.setEnabled(any(v.status in ("new", "replace", "waiting") for v in self.verdicts))

    def _trust_toggled(self, on: bool) -> None:
        self.trust_new = on
        self.replan()

    def _older_toggled(self, on: bool) -> None:
        self.take_older = on
        self.replan()


class ExchangePage(QWidget):
    """下级单位 and 报送情况 of a period, with the package actions."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        self.unit_line = QLabel(self)
        self.unit_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.unit_line)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("报告期"), self))
        self.period_picker = PeriodPicker(self)
        top.addWidget(self.period_picker)
        self.due_line = QLabel(self)
        top.addWidget(self.due_line, 1)
        layout.addLayout(top)
        for combo in (self.period_picker.kind, self.period_picker.quarter, self.period_picker.month):
            combo.currentIndexChanged.connect(self.reload)
        self.period_picker.year.valueChanged.connect(self.reload)
        self.table = _table(self, [self.tr("区划代码"), self.tr("单位"), self.tr("级别"), self.tr("报送情况"),
                                   self.tr("收到时间"), self.tr("密钥指纹"), self.tr("说明")])
        layout.addWidget(self.table, 1)
        self.receipts_line = QLabel(self)  # what the upper unit said of this unit's own package
        self.receipts_line.setWordWrap(True)
        layout.addWidget(self.receipts_line)
        buttons = QHBoxLayout()
        may_import = can(ctx.user, "import")
        may_export = can(ctx.user, "export")
        self.actions: dict[str, QPushButton] = {}
        for key, text, slot, allowed in (
            ("import_files", self.tr("导入数据包…"), self.choose_files, may_import),
            ("import_folder", self.tr("导入文件夹…"), self.choose_folder, may_import),
            ("accept", self.tr("审核通过"), self.accept_selected, may_import),
            ("return", self.tr("退回…"), self.return_selected, may_import),
            ("receipt", self.tr("出具回执…"), self.receipt_selected, may_export),
            ("export", self.tr("导出本单位数据包…"), self.export_own, may_export),
            ("rollup", self.tr("导出汇总报表…"), self.export_rollup, may_export),
        ):
            button = QPushButton(text, self)
            button.setObjectName(key)
            button.clicked.connect(slot)
            button.setEnabled(allowed)
            buttons.addWidget(button)
            self.actions[key] = button
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.may_import, self.may_export = may_import, may_export
        self.table.itemSelectionChanged.connect(self.update_actions)
        self.with_register = QCheckBox(self.tr("导出时附社会组织名录（不含个人信息）"), self)
        layout.addWidget(self.with_register)
        self.reload()

    def period(self) -> Period:
        return self.period_picker.period()

    def reload(self) -> None:
        unit, key = current_unit(), signing_key()
        if unit.is_set:
            line = self.tr("本单位：{name}（{level}，区划代码 {code}）　密钥指纹：{fp}")
            self.unit_line.setText(line.format(
                name=unit.name, level=level_label(unit.level), code=unit.code,
                fp=fingerprint(key.public_key) if key else "-"))
        else:
            self.unit_line.setText(self.tr("尚未设置本单位：请在“设置”中填写本单位，或用 jinguo unit set。"))
        period = self.period()
        self.due_line.setText(self.tr("报送截止：{day}").format(day=due_date(period).isoformat()))
        from models.exchange_entities import LowerUnit

        prints = {u.code: u.fingerprint for u in LowerUnit.select(LowerUnit.code, LowerUnit.fingerprint)}
        self.rows = reporting_status(period)
        _fill(self.table, [
            (r.code, r.name, level_label(r.level),
             r.label + (self.tr("（另有 {n} 个待接受）").format(n=r.waiting) if r.waiting else ""),
             f"{r.received_at:%Y-%m-%d %H:%M}" if r.received_at else "", prints.get(r.code, ""), r.note)
            for r in self.rows])
        self.receipts_line.setText(self._receipts_text(period))
        self.update_actions()

    def _receipts_text(self, period: Period) -> str:
        from models.exchange_entities import ReceivedReceipt

        states = {"received": self.tr("已收到"), "accepted": self.tr("已审核"), "returned": self.tr("退回")}
        lines = [self.tr("上级回执：{name} {state}{note}（{when}）").format(
                     name=r.sender_name, state=states[r.state], note=f"：{r.note}" if r.note else "",
                     when=r.made_at[:16].replace("T", " "))
                 for r in ReceivedReceipt.select().where(ReceivedReceipt.period == period.code)
                 .order_by(ReceivedReceipt.made_at)]
        return "\n".join(lines)

    def update_actions(self) -> None:
        """审核 / 退回 / 回执 act on the selected unit's period."""
        chosen = bool(self.table.selectedItems())
        for key, allowed in (("accept", self.may_import), ("return", self.may_import),
                             ("receipt", self.may_export)):
            self.actions[key].setEnabled(allowed and chosen)

    def changed_elsewhere(self) -> None:
        self.reload()

    # -- importing ------------------------------------------------------------------------
    def _ask_paths(self, directory: bool) -> list[Path]:
        filters = "" if directory else self.tr(PACKAGE_FILTER)
        dialog = safe_dialog(self, self.tr("导入上报数据包"), "", filters, QFileDialog.AcceptMode.AcceptOpen)
        mode = QFileDialog.FileMode.Directory if directory else QFileDialog.FileMode.ExistingFiles
        dialog.setFileMode(mode)
        if dialog.exec() != QFileDialog.DialogCode.Accepted:
            return []
        return [Path(p) for p in dialog.selectedFiles() if p]

    def choose_files(self) -> None:
        self.import_paths(self._ask_paths(False))

    def choose_folder(self) -> None:
        self.import_paths(self._ask_paths(True))

    def import_paths(self, paths: list[Path]) -> int:
        """Preview, then import what the user accepts; returns how many packages were kept."""
        if not paths:
            return 0
        try:
            preview = ImportPreview(paths, self)
        except InputError as e:
            QMessageBox.warning(self, self.tr("导入上报数据包"), tr_msg(e.message))
            return 0
        if preview.exec() != QDialog.DialogCode.Accepted:
            return 0
        done = apply_import(preview.verdicts, self.ctx.user)
        self.reload()
        return done

    # -- review ---------------------------------------------------------------------------
    def _selected(self):
        from desktop.exchange.service import find_unit

        row = self.table.currentRow()
        if row < 0 or row >= len(self.rows):
            QMessageBox.information(self, self.tr("上报"), self.tr("请先在表中选择一个下级单位。"))
            return None
        return find_unit(self.rows[row].code)

    def _run(self, title: str, action) -> object | None:
        try:
            result = action()
        except ExportError as e:
            QMessageBox.warning(self, title, tr_msg(e.message))
            return None
        self.reload()
        return result

    def accept_selected(self) -> None:
        from desktop.exchange.service import accept

        unit = self._selected()
        if unit is None:
            return
        row = self.rows[self.table.currentRow()]
        take = False
        if row.waiting:
            take = QMessageBox.question(self, self.tr("审核通过"), self.tr(
                "{name} 在审核后又报送了新的数据包。接受新的数据包并审核通过它吗？").format(name=unit.name)
            ) == QMessageBox.StandardButton.Yes
        self._run(self.tr("审核通过"), lambda: accept(unit, self.period(), self.ctx.user, take))

    def return_selected(self) -> None:
        from desktop.exchange.service import send_back

        unit = self._selected()
        if unit is None:
            return
        note, ok = QInputDialog.getMultiLineText(self, self.tr("退回"),
                                                 self.tr("退回原因（对方导入回执后会看到）："))
        if ok:
            self._run(self.tr("退回"), lambda: send_back(unit, self.period(), note, self.ctx.user))

    def receipt_selected(self) -> None:
        from desktop.exchange.service import write_receipt

        unit = self._selected()
        if unit is None:
            return
        name = f"{unit.name}_{self.period().code}_回执.jgrcpt"
        path = ask_save_file(self, self.tr("出具回执"), name, self.tr("回执 (*.jgrcpt)"), ".jgrcpt")
        if path is not None:
            self._run(self.tr("出具回执"), lambda: write_receipt(path, unit, self.period(), self.ctx.user))

    def export_rollup(self) -> None:
        """The roll-up of the period as Excel or PDF (by the suffix chosen)."""
        from desktop.exchange.rollup import export_rollup

        period = self.period()
        path = ask_save_file(self, self.tr("导出汇总报表"), f"汇总统计报表_{period.code}.xlsx",
                             self.tr("Excel 工作簿 (*.xlsx);;PDF 文件 (*.pdf)"))
        if path is None:
            return
        fmt = "pdf" if path.suffix.lower() == ".pdf" else "xlsx"
        path = path if path.suffix.lower() in (".pdf", ".xlsx") else path.with_name(path.name + ".xlsx")
        done = self._run(self.tr("导出汇总报表"), lambda: export_rollup(path, period, fmt,
                                                                     user=self.ctx.user))
        if done is not None:
            QMessageBox.information(self, self.tr("导出汇总报表"),
                                    self.tr("已导出：{path}").format(path=done))

    def export_own(self) -> None:
        from desktop.exchange.service import export_package, package_file_name

        period = self.period()
        path = ask_save_file(self, self.tr("导出本单位数据包"), package_file_name(period),
                             self.tr("上报数据包 (*.jgrpt)"), ".jgrpt")
        if path is None:
            return
        done = self._run(self.tr("导出本单位数据包"), lambda: export_package(
            path, period, self.with_register.isChecked(), self.ctx.user))
        if done is not None:
            QMessageBox.information(self, self.tr("导出本单位数据包"),
                                    self.tr("已导出：{path}").format(path=done[0]))
