"""Opening the database file: pragmas, schema creation or migration, clear errors."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from peewee import DatabaseError, SqliteDatabase

from models.db import database
from models.i18n import Message, msg
from models.schema import SchemaError, ensure_schema

log = logging.getLogger(__name__)

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": 5000,
    "cache_size": -64000,
}


class DatabaseOpenError(RuntimeError):
    """The file cannot be used; the message tells the user what to do."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


def open_database(path: Path) -> SqliteDatabase:
    """Open (creating if needed) the database at ``path`` and bind the models to it."""
    path = Path(path).expanduser().resolve()
    if path.is_dir():
        raise DatabaseOpenError(msg("{path} 是一个文件夹，请指定数据库文件。", path=path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DatabaseOpenError(
            msg("无法创建文件夹 {folder}：{reason}。请换一个位置。", folder=path.parent, reason=e.strerror)
        ) from e
    db = SqliteDatabase(str(path), pragmas=PRAGMAS, check_same_thread=False)
    try:
        db.connect(reuse_if_open=True)
        database.initialize(db)
        backup = ensure_schema(db, path)
    except SchemaError as e:
        db.close()
        raise DatabaseOpenError(e.message) from e
    except (DatabaseError, sqlite3.DatabaseError) as e:
        # peewee re-raises sqlite3 errors as its own DatabaseError family (not sqlite3's);
        # sqlite3's own come from the backup API used before migrating.
        db.close()
        log.warning("cannot open %s: %s", path, e)
        text = str(e).lower()
        if "locked" in text or "busy" in text:
            raise DatabaseOpenError(
                msg("数据库 {path} 正被其他程序使用，请关闭后重试。", path=path)
            ) from e
        if "not a database" in text or "malformed" in text:
            raise DatabaseOpenError(
                msg("{path} 不是巾帼枢纽的数据库或已损坏，请选择正确的文件或从备份恢复。", path=path)
            ) from e
        raise DatabaseOpenError(
            msg("无法打开数据库 {path}：{reason}。请检查文件和文件夹的读写权限。", path=path, reason=e)
        ) from e
    if backup:
        log.info("database upgraded; the previous version was saved as %s", backup)
    return db
