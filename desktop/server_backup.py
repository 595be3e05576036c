"""Backups of a database on a server, and restoring one onto it, with the portable backup file.

A server's backup is the same kind of file as a PC's (a SQLite database marked as a backup),
so ``jinguo restore`` puts it on a PC, and a PC's backup can be restored onto the server. The
server's IT staff keep their own backups too (pg_dump); these are the office's.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sqlite3
from pathlib import Path

from peewee import Database, SchemaManager

from models import crypto
from models.db import database
from models.entities import ALL_MODELS, User
from models.exclusive import exclusive_job
from models.i18n import msg
from models.schema import SCHEMA_VERSION, SchemaError, ensure_schema

from .backup import (
    BackupError,
    backup_name,
    backups_folder,
    prune_backups,
    remove_database_files,
    write_error,
)
from .backup import copy_database as copy_pages
from .database import PRAGMAS, OfficeDatabase
from .dbcopy import CopyError, CopyReport, Progress, copy_rows, location_of
from .file_safety import BACKUP_APPLICATION_ID, output_problem
from .integrity import CheckImpossible, check_database, connect_for_check
from .temporaries import remove_stale_temporaries, temp_path

log = logging.getLogger(__name__)

# A backup file is written once and renamed: no write-ahead log, no waiting for a sync per
# transaction (the file is synced before it is renamed).
_BACKUP_PRAGMAS = {**PRAGMAS, "journal_mode": "delete", "synchronous": "off"}


def server_stem(db: Database) -> str:
    """The name the server's automatic backups go by in the backups folder (``jinguo@10.1.2.3``),
    apart from those of a file called ``jinguo.db`` on this PC."""
    params = getattr(db, "connect_params", {})
    host = str(params.get("host") or "localhost")
    port = str(params.get("port") or "5432")
    name = f"{db.database}@{host}" + ("" if port == "5432" else f"-{port}")
    return re.sub(r"[^\w.@-]", "-", name)


def _new_backup_file(path: Path) -> OfficeDatabase:
    """An empty database file with this program's schema, made without binding the models to it
    (a window's worker thread writes it while the window goes on reading the server)."""
    db = OfficeDatabase(str(path), pragmas=_BACKUP_PRAGMAS)
    db.connect()
    with db.atomic():
        for model in ALL_MODELS:
            SchemaManager(model, database=db).create_all(safe=False)
    db.execute_sql(f"PRAGMA user_version = {int(SCHEMA_VERSION)}")
    db.execute_sql(f"PRAGMA application_id = {int(BACKUP_APPLICATION_ID)}")
    return db


def check_backup_output(path: Path) -> None:
    """BackupError if a backup cannot be written at ``path`` (asked before anything is read)."""
    path = Path(path)
    if path.is_dir():
        raise BackupError(msg("{path} 是一个文件夹，请给出备份文件名。", path=path))
    if not path.parent.is_dir():
        raise BackupError(msg("保存位置 {folder} 不存在，请选择一个存在的文件夹。", folder=path.parent))
    refused = output_problem(path, may_replace_backup=True)
    if refused is not None:
        raise BackupError(refused)


def backup_server_to(db: Database, path: Path, progress: Progress | None = None) -> CopyReport:
    """The portable backup file of the server's database ``db`` at ``path`` (replacing an earlier
    backup, never a database): one snapshot of the server, written under a temporary name,
    checked (row counts, references) and renamed into place."""
    path = Path(path)
    check_backup_output(path)
    remove_stale_temporaries(path.parent, f".{path.name}.")
    tmp = temp_path(path)
    try:
        target = _new_backup_file(tmp)
        try:
            report = copy_rows(db, target, progress, target_name=str(path))
        finally:
            target.close()
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except CopyError as e:
        raise BackupError(msg("没有备份：{reason}", reason=e.message)) from e
    except (OSError, sqlite3.Error) as e:
        raise write_error(e, path) from e
    finally:
        remove_database_files(tmp)  # nothing once renamed
    log.info("backup of %s written: %s", report.source, path)
    return report


def automatic_server_backup(db: Database, reason: str, folder: Path | None = None) -> Path:
    """A backup of the server's database into the backups folder (before a restore), then old
    ones of it thinned out as a file's are."""
    folder = folder or backups_folder()
    stem = Path(f"{server_stem(db)}.db")
    made_at = dt.datetime.now().replace(microsecond=0)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise write_error(e, folder / "x") from e
    remove_stale_temporaries(folder, f".{stem.stem}")
    target = folder / backup_name(stem, made_at, reason)
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{stem.stem}_{made_at:%Y%m%d-%H%M%S}-{n}_{reason}.db"
    backup_server_to(db, target)
    prune_backups(folder, stem, made_at.date())
    return target


# -- restore ---------------------------------------------------------------------------------
def stage_backup(path: Path, folder: Path | None = None) -> Path:
    """A checked copy of the backup ``path`` at this program's schema version, to be restored
    onto a server (the caller removes it): the file is checked as a restore onto a PC checks it,
    copied aside (a USB stick may be pulled meanwhile), and an older one upgraded. Upgrading binds
    the models to the copy for a moment; they are bound to what they were afterwards."""
    path = Path(path)
    try:
        problems = check_database(path)
    except CheckImpossible as e:
        raise BackupError(msg("不能用 {path} 恢复：{problem}", path=path, problem=e.message)) from e
    if problems:
        raise BackupError(msg("不能用 {path} 恢复：{problem}", path=path, problem=problems[0]))
    folder = folder or backups_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise write_error(e, folder / "x") from e
    remove_stale_temporaries(folder, f".{path.name}.")
    staged = temp_path(folder / path.name, "restore")
    try:
        source = connect_for_check(path)
        try:
            copy_pages(source, staged)
        finally:
            source.close()
        if check_database(staged):
            raise BackupError(msg("从 {path} 读出的内容不完整（U 盘是否被拔出？）。请重试。", path=path))
        _upgrade(staged)
    except CheckImpossible as e:
        remove_database_files(staged)
        raise BackupError(msg("不能用 {path} 恢复：{problem}", path=path, problem=e.message)) from e
    except (OSError, sqlite3.Error) as e:
        remove_database_files(staged)
        raise write_error(e, staged) from e
    except BaseException:
        remove_database_files(staged)
        raise
    return staged


def _upgrade(staged: Path) -> None:
    db = OfficeDatabase(str(staged), pragmas=_BACKUP_PRAGMAS)
    db.connect()
    previous = database.obj
    try:
        # An older backup gets a data key of its own when upgraded: the server's stays held.
        with crypto.key_kept():
            if db.execute_sql("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                database.initialize(db)  # the migrations are written with the models
                ensure_schema(db, None)
    except SchemaError as e:
        raise BackupError(e.message) from e
    finally:
        db.close()
        database.initialize(previous)


def restore_server(staged: Path, db: Database, progress: Progress | None = None,
                   folder: Path | None = None, user: User | None = None) -> tuple[CopyReport, Path]:
    """Replace every row of the server's database ``db`` (the one the models are bound to) by
    those of ``staged`` (from ``stage_backup``), in one transaction, as ``user``'s exclusive job:
    no import or other restore meanwhile (JobBusy). The server's current contents are first saved
    as a backup file in the backups folder; returns the copy's report and that file."""
    with exclusive_job("restore", user):
        safety = automatic_server_backup(db, "restore", folder)
        source = OfficeDatabase(str(staged), pragmas=_BACKUP_PRAGMAS)
        source.connect()
        try:
            report = copy_rows(source, db, progress, replace=True)
        except CopyError as e:
            raise BackupError(msg("没有恢复：{reason}", reason=e.message)) from e
        finally:
            source.close()
    log.info("server database %s restored from a backup (previous state kept as %s)",
             location_of(db), safety)
    return report, safety


def restore_server_from(path: Path, db: Database, progress: Progress | None = None,
                        folder: Path | None = None, user: User | None = None) -> tuple[CopyReport, Path]:
    """``jinguo restore --db postgresql://… FILE``: ``stage_backup`` then ``restore_server``."""
    staged = stage_backup(path, folder)
    try:
        return restore_server(staged, db, progress, folder, user)
    finally:
        remove_database_files(staged)
