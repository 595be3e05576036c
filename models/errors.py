"""Errors a user can fix, carrying Chinese messages per field."""

from __future__ import annotations

from .i18n import Message, msg

MAX_TITLE = 100


class ValidationFailed(ValueError):
    """Input was refused; ``errors`` maps each field name to what is wrong with it."""

    def __init__(self, errors: dict[str, Message]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def clean_title(raw: str, label: str, key: str, errors: dict[str, Message]) -> str:
    """A required name or title: whitespace collapsed, at most MAX_TITLE characters."""
    text = " ".join(raw.split())
    if not text:
        errors[key] = msg("请填写{label}", label=label)
    elif len(text) > MAX_TITLE:
        errors[key] = msg("{label}过长（最多 {n} 字）", label=label, n=MAX_TITLE)
    return text
