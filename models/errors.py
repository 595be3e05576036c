"""Errors a user can fix, carrying Chinese messages per field."""

from __future__ import annotations

from .i18n import Message


class ValidationFailed(ValueError):
    """Input was refused; ``errors`` maps each field name to what is wrong with it."""

    def __init__(self, errors: dict[str, Message]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
