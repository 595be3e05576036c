"""Opening the database file: pragmas, schema creation or migration, clear errors."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

from peewee import DatabaseError, SqliteDatabase

from models.db import database
from models.i18n import Message, msg
from models.schema import SchemaError, ensure_schema

from . import file_safety

log = logging.getLogger(__name__)

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": 5000,
    "cache_size": -64000,
}


class JinguoDatabase(SqliteDatabase):
    """SQLite with every open connection registered in ``file_safety``: while one is open, nothing
    else in this process may open the file (doing so would drop SQLite's locks on Linux)."""

    def _connect(self):
        conn = super()._connect()
        file_safety.hold(self.database)
        return conn

    def _close(self, conn) -> None:
        try:
            super()._close(conn)
        finally:
            file_safety.release(self.database)


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
    db = JinguoDatabase(str(path), pragmas=PRAGMAS, check_same_thread=False)
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
        raise DatabaseOpenError(database_error_message(e, path) or msg(
            "无法打开数据库 {path}：{reason}。请检查文件和文件夹的读写权限。", path=path, reason=e)) from e
    if backup:
        log.info("database upgraded; the previous version was saved as %s", backup)
    return db


def database_error_message(error: BaseException, path: Path | str) -> Message | None:
    """What the user can do about a database error that is not a bug (None: it is one).

    Used when opening the file and for errors raised later by a write (another
    program holding the file, a full disk, a read-only file, a damaged page).
    """
    # SQLite rolls back by itself on a full disk; peewee's own rollback then fails with
    # "no transaction is active" and the real cause is the exception it interrupted.
    chain = []
    while error is not None and len(chain) < 20:
        chain.append(error)
        error = error.__cause__ or error.__context__
    for link in chain:
        message = _message_for(link, path)
        if message is not None:
            return message
    return None


def _message_for(error: BaseException, path: Path | str) -> Message | None:
    if not isinstance(error, (DatabaseError, sqlite3.DatabaseError)):
        return None
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        return msg("数据库 {path} 正被其他程序使用（例如另一个巾帼枢纽窗口或备份软件），刚才的操作没有保存。"
                   "请关闭其他程序后重试。", path=path)
    if "disk is full" in text:
        return msg("磁盘空间不足，刚才的操作没有保存，数据库 {path} 保持原样。请清理磁盘后重试。", path=path)
    folder = Path(path).parent
    unwritable = "unable to open" in text and folder.is_dir() and not os.access(folder, os.W_OK)
    if "readonly" in text or "read-only" in text or unwritable:
        return msg("数据库 {path} 是只读的（文件属性只读、在光盘或写保护的 U 盘上，或没有写入权限），"
                   "刚才的操作没有保存。请把文件复制到可写的位置，或去掉只读属性后重新打开。", path=path)
    if "not a database" in text or "malformed" in text:
        return msg("{path} 不是巾帼枢纽的数据库或已损坏，请选择正确的文件或从备份恢复"
                   "（文件菜单 › 从备份恢复，或 jinguo check 检查）。", path=path)
    if "disk i/o error" in text or "unable to open" in text:
        return msg("读写数据库 {path} 时出错（磁盘或 U 盘是否已拔出？）。请检查存放位置后重新打开程序。",
                   path=path)
    return None
