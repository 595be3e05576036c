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
    merged_into = getattr(record, "merged_into_id", None)
    if merged_into is not None:  # its references moved to the kept record: only undoing brings them back
        raise ValidationFailed({"reason": msg(
            "该记录已合并到编号 {id} 的记录，不能单独恢复：请在“查重合并”页的合并记录中撤销那次合并。",
            id=merged_into)})
    return audit.restore(record, user, reason.strip())
