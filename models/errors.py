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


class UserError(RuntimeError):
    """Something another clerk or job did stops this action: nothing was written; ``message``
    says what happened and what to do (the window shows it, the CLI prints it)."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


class StaleRecord(UserError):
    """A save based on an older version of a record: someone else changed (or deleted) it since
    the form was opened. Nothing was written; ``message`` names who and when, ``theirs`` holds
    the record as now stored (None when deleted) and ``mine`` the values the save wanted."""

    def __init__(self, message: Message, entity: str, record_id: int | None, read: dict,
                 theirs: dict | None, mine: dict, refused=None, current=None):
        super().__init__(message)
        self.entity = entity
        self.record_id = record_id
        self.read = read  # the record as the refused save's form had read it
        self.theirs = theirs
        self.mine = mine
        self.refused = refused  # the model instance whose save was refused
        self.current = current  # the record as stored now (None: deleted)

    def rebase(self) -> None:
        """Make the refused record's next save a deliberate overwrite of the stored version."""
        if self.refused is not None and self.current is not None:
            self.refused.__data__["version"] = self.current.version
            self.refused.__dict__.pop("_version_read_at", None)
