"""合并重复记录: two records side by side, a choice per field, a flip of which one is kept, and a
preview of everything that moves (models.merge does the merge; this window only gathers choices)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from models import merge as merging
from models.errors import UserError, ValidationFailed
from models.permissions import can

from .i18n import tr_label, tr_msg

KEPT, DROPPED = 0, 1


class MergeDialog(QDialog):
    """Merge ``second`` into ``first`` (or, flipped, the other way); ``record`` is the merge
    once done (its id undoes it)."""

    def __init__(self, ctx: AppContext, kind: str, first: int, second: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("merge_dialog")
        self.ctx = ctx
        self.kind = kind
        self.ids = [first, second]  # [kept, dropped]
        self.record: merging.MergeRecord | None = None
        self.full_ids = can(ctx.user, "full_ids")
        self.setWindowTitle(self.tr("合并重复记录"))

        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.flip_button = QPushButton(self.tr("对调保留与合并(&F)"), self)
        self.flip_button.setObjectName("flip")
        self.flip_button.setToolTip(self.tr("改为保留另一条记录，把这一条合并进去"))
        self.flip_button.clicked.connect(self.flip)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.flip_button)

        self.grid_host = QWidget(self)
        self.grid = QGridLayout(self.grid_host)
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(2, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.grid_host)
        self.groups: dict[str, QButtonGroup] = {}

        self.preview = QPlainTextEdit(self)
        self.preview.setObjectName("preview")
        self.preview.setReadOnly(True)
        self.preview.setMaximumHeight(120)

        self.buttons = QDialogButtonBox(self)
        self.merge_button = self.buttons.addButton(self.tr("合并"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.merge_button.setObjectName("merge")
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.do_merge)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        layout.addWidget(QLabel(self.tr("将要移动的内容："), self))
        layout.addWidget(self.preview)
        layout.addWidget(self.buttons)
        self.resize(760, 600)
        self.load()

    # -- the two records ---------------------------------------------------------------------
    def load(self, choices: dict[str, str] | None = None) -> None:
        """Show the pair as it is stored now, kept on the left; ``choices`` keep the user's."""
        try:
            plan = merging.plan_merge(self.kind, self.ids[KEPT], self.ids[DROPPED], choices)
        except (UserError, ValidationFailed) as e:
            self._refused(e)
            self.merge_button.setEnabled(False)
            return
        self.plan = plan
        self.versions = (plan.kept.version, plan.dropped.version)
        heading = self.tr("保留：{kept}（编号 {kept_id}）　合并进来后归档：{dropped}（编号 {dropped_id}）")
        self.heading.setText(heading.format(kept=plan.kept.name, kept_id=plan.kept.id,
                                            dropped=plan.dropped.name, dropped_id=plan.dropped.id))
        while self.grid.count():  # the rows of the pair shown before (flipped)
            widget = self.grid.takeAt(0).widget()
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        for group in self.groups.values():
            group.deleteLater()
        self.groups.clear()
        bold = QLabel(self.tr("保留的记录"), self.grid_host)
        other = QLabel(self.tr("被合并的记录"), self.grid_host)
        for column, label in ((1, bold), (2, other)):
            font = label.font()
            font.setBold(True)
            label.setFont(font)
            self.grid.addWidget(label, 0, column)
        kept_values = merging.shown_values(self.kind, plan.kept, self.full_ids)
        dropped_values = merging.shown_values(self.kind, plan.dropped, self.full_ids)
        for row, (name, label) in enumerate(merging.FIELDS[self.kind], start=1):
            self.grid.addWidget(QLabel(tr_label(label), self.grid_host), row, 0)
            group = QButtonGroup(self)
            for side, values in ((KEPT, kept_values), (DROPPED, dropped_values)):
                button = QRadioButton(self._shown(values[name]), self.grid_host)
                button.setObjectName(f"{name}_{'kept' if side == KEPT else 'dropped'}")
                group.addButton(button, side)
                self.grid.addWidget(button, row, 1 + side)
            differ = kept_values[name] != dropped_values[name]
            group.button(DROPPED if plan.choices[name] == "dropped" else KEPT).setChecked(True)
            for button in group.buttons():
                button.setEnabled(differ)
            self.groups[name] = group
        lines = plan.preview_lines() or [self.tr("被合并的记录没有关联的其他记录。")]
        lines.append(self.tr("被合并的记录不会删除：它被归档，并注明已合并到保留的记录。合并之后可以撤销。"))
        self.preview.setPlainText("\n".join(lines))

    def _shown(self, text: str) -> str:
        """A value as shown: vocabulary labels translated, an empty one said to be empty."""
        if not text:
            return self.tr("（空）")
        labels = {label for vocabulary in merging.VOCABULARIES.values() for _code, label in vocabulary.pairs}
        return tr_label(text) if text in labels or text in ("是", "否") else text

    def choices(self) -> dict[str, str]:
        return {name: "dropped" if group.checkedId() == DROPPED else "kept"
                for name, group in self.groups.items()}

    def flip(self) -> None:
        """Keep the other record; each field keeps the value the user chose."""
        chosen = {name: "kept" if side == "dropped" else "dropped" for name, side in self.choices().items()}
        self.ids.reverse()
        self.load(chosen)

    # -- merging ----------------------------------------------------------------------------
    def do_merge(self) -> None:
        try:
            self.record = merging.merge(self.kind, self.ids[KEPT], self.ids[DROPPED], self.ctx.user,
                                        self.choices(), self.versions)
        except (UserError, ValidationFailed) as e:
            self._refused(e)
            return
        self.accept()

    def _refused(self, error: Exception) -> None:
        text = (tr_msg(error.message) if isinstance(error, UserError)
                else "\n".join(tr_msg(m) for m in error.errors.values()))
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("合并重复记录"), text,
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("merge_refused")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
