"""User-visible text produced below the UI.

models/ may not import Qt, yet its messages must pass through Qt's translation
functions. Texts are written in Chinese (the source language of the product),
marked with ``tr_noop`` so they can be extracted, and carried as ``Message``
objects: the UI translates them with ``QCoreApplication.translate(CONTEXT, ...)``,
the CLI prints ``str(message)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CONTEXT = "models"


def tr_noop(text: str) -> str:
    """Mark ``text`` for translation without translating it (QT_TRANSLATE_NOOP)."""
    return text


@dataclass(frozen=True)
class Message:
    text: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, translate=None) -> str:
        text = translate(CONTEXT, self.text) if translate else self.text
        return text.format(**self.params) if self.params else text

    def __str__(self) -> str:
        return self.render()


def msg(text: str, **params: Any) -> Message:
    return Message(tr_noop(text), params)
