"""The audit line of an export: written before the file is put in place, or no file.

Exports carry personal data, and the office must be able to say who exported what. A file
whose line cannot be written (the database busy, read-only or on a full disk) is therefore
not made; the user is told why and what to do.
"""

from __future__ import annotations

from peewee import DatabaseError, Model

from models import audit
from models.db import database
from models.entities import User
from models.i18n import msg

from ..database import bound_database_path, cannot_write, database_error_message
from .output import ExportError


def record_export(user: User | None, instance: Model | None, summary: str, entity: str | None = None) -> None:
    """Call inside ``atomic_output``: an ExportError here removes the unfinished file."""
    try:
        with database.atomic():
            audit.record(user, "export", instance, entity=entity, summary=summary)
    except DatabaseError as e:
        path = bound_database_path() or ""
        if not cannot_write(e, path):
            raise
        raise ExportError(msg("没有导出：每次导出都要记入数据库的操作记录，而现在无法写入数据库。{reason}",
                              reason=database_error_message(e, path))) from e
