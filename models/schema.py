"""Schema version and migrations, run when a database is opened.

The version lives in SQLite's ``PRAGMA user_version``. A new file gets the
current schema at once; an older one is backed up next to itself and brought
forward one step at a time, each step in its own transaction.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path

from peewee import Database

from .entities import (
    ALL_MODELS,
    AuditEntry,
    Certificate,
    ImportBatch,
    ImportBatchItem,
    Person,
    ServiceArea,
    User,
)
from .i18n import Message, msg

log = logging.getLogger(__name__)

SCHEMA_VERSION = 5

# Tables every version of the schema has: a file without them is not ours.
CORE_TABLES = frozenset({"organization", "person", "audit_entry"})

# MIGRATIONS[n] brings a database from version n - 1 to version n.
Migration = Callable[[Database], None]


def _v2_certificates_imports(db: Database) -> None:
    """The certificate register, import batches (for undo), and the People list's index."""
    db.create_tables([Certificate, ImportBatch, ImportBatchItem])
    Person._schema.create_indexes(safe=True)


def _v3_login_lockout(db: Database) -> None:
    """Logins: wrong-password count, lockout end and last login of each user.

    Plain ALTER TABLE: peewee's migrator would rebuild the user table for a NOT NULL
    column, and the audit log's foreign keys point at it.
    """
    db.execute_sql('ALTER TABLE "user" ADD COLUMN "failed_logins" INTEGER NOT NULL DEFAULT 0')
    db.execute_sql('ALTER TABLE "user" ADD COLUMN "locked_until" DATETIME')
    db.execute_sql('ALTER TABLE "user" ADD COLUMN "last_login_at" DATETIME')


def _v4_people_list_index(db: Database) -> None:
    """The People list's index also covers what its search and filters read (see Person)."""
    db.execute_sql("DROP INDEX IF EXISTS person_archived_name_key")
    Person._schema.create_indexes(safe=True)


def _v5_audit_operator_index(db: Database) -> None:
    """The audit trail's operator and action filters, and their lists of choices, read an index."""
    AuditEntry._schema.create_indexes(safe=True)


MIGRATIONS: Mapping[int, Migration] = {
    2: _v2_certificates_imports, 3: _v3_login_lockout, 4: _v4_people_list_index,
    5: _v5_audit_operator_index,
}

DEFAULT_SERVICE_AREAS = (
    "青少年服务",
    "家庭教育",
    "爱心助困",
    "助老服务",
    "心理健康",
    "妇女维权",
    "婚姻家庭",
    "就业创业",
)


class SchemaError(RuntimeError):
    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


def schema_version(db: Database) -> int:
    return db.execute_sql("PRAGMA user_version").fetchone()[0]


def _set_version(db: Database, version: int) -> None:
    db.execute_sql(f"PRAGMA user_version = {int(version)}")


def _is_empty(db: Database) -> bool:
    return not db.get_tables()


def create_schema(db: Database, version: int = SCHEMA_VERSION) -> None:
    with db.atomic():
        db.create_tables(ALL_MODELS)
        ServiceArea.insert_many(
            [{"name": name, "sort_order": i} for i, name in enumerate(DEFAULT_SERVICE_AREAS)]
        ).execute()
        User.create(username="admin", display_name="管理员", role="admin")
        _set_version(db, version)


def backup_file(db: Database, path: Path, from_version: int) -> Path:
    """Copy the live database (consistently, through SQLite's backup API) before changing it."""
    target = path.with_name(f"{path.stem}.v{from_version}.bak{path.suffix}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.stem}.v{from_version}.bak{n}{path.suffix}")
    # Written under a hidden name carrying this process's id (the convention of
    # desktop/temporaries.py, which removes such files left by a killed process) and renamed
    # when complete: a kill midway never leaves a broken copy where the README sends users.
    partial = target.with_name(f".{target.name}.~{os.getpid()}.tmp")
    dest = sqlite3.connect(partial)
    try:
        db.connection().backup(dest)
        dest.execute("PRAGMA journal_mode=DELETE")
    except BaseException:
        dest.close()
        partial.unlink(missing_ok=True)
        raise
    dest.close()
    with partial.open("rb+") as f:
        os.fsync(f.fileno())
    os.replace(partial, target)
    return target


def ensure_schema(
    db: Database,
    path: Path | None,
    migrations: Mapping[int, Migration] = MIGRATIONS,
    target: int = SCHEMA_VERSION,
) -> Path | None:
    """Create or migrate; returns the backup made before migrating, if any."""
    if _is_empty(db):
        create_schema(db, target)
        return None
    version = schema_version(db)
    if version > target:
        raise SchemaError(
            msg(
                "这个数据库由较新版本的巾帼枢纽创建（结构版本 {found}，本程序支持到 {supported}）。"
                "请升级程序后再打开。",
                found=version,
                supported=target,
            )
        )
    if version == 0 or not CORE_TABLES <= set(db.get_tables()):
        raise SchemaError(msg("这个文件不是巾帼枢纽的数据库，请选择正确的数据文件。"))
    if version == target:
        return None
    backup = backup_file(db, path, version) if path else None
    log.info("migrating schema %s -> %s (backup: %s)", version, target, backup)
    for step in range(version + 1, target + 1):
        with db.atomic():
            migrations[step](db)
            _set_version(db, step)
    return backup
