"""What every step of the setup guide shares: a numbered title, a line for errors, and saving
on 下一步 unless the step is skipped."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget, QWizardPage

from desktop.context import AppContext
from models.errors import ValidationFailed
from models.i18n import Message

from ..form import ERROR_STYLE
from ..i18n import tr_msg

STEPS = 5


class GuidePage(QWizardPage):
    """A step: ``body`` holds its fields; ``save()`` writes them through the models' services
    (False, with the reason shown, keeps the guide on this step)."""

    def __init__(self, ctx: AppContext, number: int, title: str, subtitle: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        heading = self.tr("第 {n} 步（共 {total} 步）　{title}")
        self.setTitle(heading.format(n=number, total=STEPS, title=title))
        self.setSubTitle(subtitle)
        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.body = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.addLayout(self.body, 1)
        layout.addWidget(self.error)

    def save(self) -> bool:
        return True

    def show_error(self, message: Message | str | None) -> None:
        text = tr_msg(message) if isinstance(message, Message) else message
        self.error.setText(text or "")
        self.error.setVisible(bool(text))

    def show_errors(self, error: ValidationFailed) -> None:
        self.show_error("\n".join(tr_msg(m) for m in error.errors.values()))

    def validatePage(self) -> bool:
        """下一步 saves this step; 跳过这一步 leaves it as it was."""
        if getattr(self.wizard(), "skipping", False):
            self.show_error(None)
            return True
        try:
            saved = self.save()
        except ValidationFailed as e:
            self.show_errors(e)
            return False
        if saved:
            self.show_error(None)
        return saved
