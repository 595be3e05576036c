"""Translating text that comes from models/ (Messages and vocabulary labels)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from models.i18n import CONTEXT, Message


def tr_msg(message: Message) -> str:
    return message.render(QCoreApplication.translate)


def tr_label(text: str) -> str:
    """A vocabulary label or column title written in models/ (context "models")."""
    return QCoreApplication.translate(CONTEXT, text) if text else ""
