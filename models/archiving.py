"""Archiving and restoring any register record (projects, activities, trainings…) with a reason."""

from __future__ import annotations

from . import audit
from .entities import Archivable, User
from .errors import ValidationFailed
from .i18n import msg


def archive_record(record: Archivable, user: User | None, reason: str) -> Archivable:
    """Hide a record from the default lists while keeping it for the reports of past periods."""
    if not reason.strip():
        raise ValidationFailed({"reason": msg("请填写归档原因")})
    if record.archived:
        raise ValidationFailed({"reason": msg("该记录已归档")})
    return audit.archive(record, user, reason.strip())


def restore_record(record: Archivable, user: User | None, reason: str) -> Archivable:
    if not reason.strip():
        raise ValidationFailed({"reason": msg("请填写恢复原因")})
    if not record.archived:
        raise ValidationFailed({"reason": msg("该记录未归档")})
    return audit.restore(record, user, reason.strip())
