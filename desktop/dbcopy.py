"""A whole Jinguo database copied between SQLite files and PostgreSQL servers, either way:
``jinguo db copy``, the portable backup of a server's database, a restore onto a server.

The source is read in one snapshot; the target is written in one transaction, table by table in
foreign-key order (``ALL_MODELS``), ids kept, and checked before it commits (row counts equal, the
checks of ``jinguo check``): a copy is whole, or the target is as it was. The fast path of each
backend lives here: COPY on PostgreSQL, ``executemany`` on SQLite.

``copy_rows`` works on two open databases without binding the models to either (a window's
worker thread may use it); ``copy_database`` opens a target by its location, as every command
opens a database.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import peewee
from peewee import AutoField, Database, Model, PostgresqlDatabase

from models import audit, crypto
from models.db import database
from models.entities import ALL_MODELS, AuditEntry, KeyWrap, ServiceArea, Setting, User
from models.exclusive import JobBusy, exclusive_job
from models.i18n import Message, msg
from models.schema import DEFAULT_SERVICE_AREAS, SCHEMA_VERSION, schema_version

from .backup import remove_database_files
from .database import (
    BATCH_BUSY_TIMEOUT_MS,
    DatabaseOpenError,
    OfficeDatabase,
    bound_database_path,
    cannot_write,
    connect_server,
    database_error_message,
    open_database,
    read_only_uri,
    without_password,
)
from .instance_lock import InstanceLock, LockedError
from .integrity import check_database, connection_problems, server_problems, table_label
from .paths import is_server_url
from .temporaries import temp_path

log = logging.getLogger(__name__)

CHUNK = 5000  # rows read and written at a time

# (table, rows copied so far, rows to copy in all); it may raise to stop the copy (a Cancel button).
Progress = Callable[[str, int, int], None]


class CopyError(RuntimeError):
    """The copy was not made; the target is as it was. ``message`` says why and what to do."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


@dataclass
class CopyReport:
    source: str
    target: str
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows copied
    seconds: float = 0.0

    @property
    def tables(self) -> int:
        return len(self.rows)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def location_of(db: Database) -> str:
    """The database as it is shown to the user: the file, or the server URL without password."""
    path = getattr(db, "file_path", None)
    return str(path) if path is not None else getattr(db, "location", str(db.database))


def _on_server(db: Database) -> bool:
    return isinstance(db, PostgresqlDatabase)


def _columns(model: type[Model]) -> str:
    return ", ".join(f'"{f.column_name}"' for f in model._meta.sorted_fields)


def _table(model: type[Model]) -> str:
    return model._meta.table_name


def _driver_errors() -> tuple[type[BaseException], ...]:
    """What a driver raises outside peewee's own calls (COPY, executemany on a raw cursor)."""
    try:
        import psycopg
    except ImportError:
        return (peewee.DatabaseError, sqlite3.Error)
    return (peewee.DatabaseError, sqlite3.Error, psycopg.Error)


# -- reading the source -------------------------------------------------------------------
@contextmanager
def snapshot(db: Database) -> Iterator[None]:
    """Every read inside sees the database at one moment, while others go on writing (a SQLite
    read transaction; on a server a repeatable-read, read-only one). Nothing is written."""
    conn = db.connection()
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY" if _on_server(db) else "BEGIN")
    try:
        yield
    finally:
        conn.rollback()  # both drivers end the transaction begun above, or do nothing if it ended


def _count(db: Database, model: type[Model]) -> int:
    return db.execute_sql(f'SELECT COUNT(*) FROM "{_table(model)}"').fetchone()[0]


def _read(db: Database, model: type[Model]) -> Iterator[list[tuple]]:
    """The rows of ``model``'s table in id order, CHUNK at a time (a server-side cursor on a
    server, so a large table is never held whole)."""
    key = model._meta.primary_key.column_name
    query = f'SELECT {_columns(model)} FROM "{_table(model)}" ORDER BY "{key}"'
    conn = db.connection()
    cursor = conn.cursor(name=f"jinguo_copy_{_table(model)}") if _on_server(db) else conn.cursor()
    try:
        cursor.execute(query)
        while chunk := cursor.fetchmany(CHUNK):
            yield chunk
    finally:
        cursor.close()


# -- writing the target -------------------------------------------------------------------
def _write_sqlite(db: Database, model: type[Model], chunks: Iterator[list[tuple]], step) -> None:
    """sqlite3 stores what a server gives (dates, Decimal, bool) as peewee would: peewee
    registers its adapters."""
    names = model._meta.sorted_fields
    sql = f'INSERT INTO "{_table(model)}" ({_columns(model)}) VALUES ({", ".join("?" * len(names))})'
    conn = db.connection()
    for chunk in chunks:
        conn.executemany(sql, chunk)
        step(len(chunk))


def _write_server(db: Database, model: type[Model], chunks: Iterator[list[tuple]], step) -> None:
    """COPY in text form: the server reads SQLite's text dates, 0/1 booleans and numbers as
    their columns' types."""
    with db.connection().cursor() as cursor:
        with cursor.copy(f'COPY "{_table(model)}" ({_columns(model)}) FROM STDIN') as copy:
            for chunk in chunks:
                for row in chunk:
                    copy.write_row(row)
                step(len(chunk))


def _server_to_server(source: Database, target: Database, model: type[Model], step) -> None:
    """The rows pass as the server wrote them (text COPY out, straight into COPY in)."""
    key = model._meta.primary_key.column_name
    columns = _columns(model)
    with source.connection().cursor() as out_cursor, target.connection().cursor() as in_cursor:
        with out_cursor.copy(f'COPY (SELECT {columns} FROM "{_table(model)}" ORDER BY "{key}") '
                             "TO STDOUT") as out_copy, \
                in_cursor.copy(f'COPY "{_table(model)}" ({columns}) FROM STDIN') as in_copy:
            pending = 0
            for data in out_copy:
                in_copy.write(data)
                pending += bytes(data).count(b"\n")  # one line a row: text COPY escapes newlines
                if pending >= CHUNK:
                    step(pending)
                    pending = 0
            step(pending)


def _copy_table(source: Database, target: Database, model: type[Model], step) -> None:
    if _on_server(source) and _on_server(target):
        _server_to_server(source, target, model, step)
        return
    write = _write_server if _on_server(target) else _write_sqlite
    with closing(_read(source, model)) as chunks:  # its cursor closed at once, also on a failure
        write(target, model, chunks, step)


def _reset_sequences(db: Database) -> None:
    """Ids were written as they were: each sequence goes past its table's largest id, so the
    next row a clerk saves (or IdSource hands out) gets a new one."""
    for model in ALL_MODELS:
        key = model._meta.primary_key
        if isinstance(key, AutoField):
            table = _table(model)
            db.execute_sql(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                f'COALESCE((SELECT MAX("{key.column_name}") FROM "{table}"), 0) + 1, false)',
                (f'"{table}"', key.column_name))


# -- the target must be new -----------------------------------------------------------------
def target_contents_problem(db: Database) -> Message | None:
    """Why ``db`` cannot take a copy (None: it holds nothing but what a new database starts with,
    the default service areas, a passwordless administrator and its data key in the clear, which
    the copy replaces)."""
    tables = set(db.get_tables())  # an older, empty file lacks the newer tables
    for model in ALL_MODELS:
        rows = _count(db, model) if _table(model) in tables else 0
        if not rows:
            continue
        if model is User and rows == 1 and not db.execute_sql(
                'SELECT password_hash FROM "user"').fetchone()[0]:
            continue
        if model is KeyWrap and {kind for (kind,) in db.execute_sql(
                'SELECT kind FROM "key_wrap"')} == {"open"}:
            continue  # a new database's own key, which the copy replaces with the source's
        if model is ServiceArea and {name for (name,) in db.execute_sql(
                'SELECT name FROM "service_area"')} <= set(DEFAULT_SERVICE_AREAS):
            continue
        return msg("目标数据库 {target} 里已经有数据（{table} {rows} 行）。复制只写入新的、空的数据库："
                   "请换一个新的文件名，或在服务器上新建一个空的数据库后再复制。",
                   target=location_of(db), table=table_label(_table(model)), rows=rows)
    return None


def holds_records(db: Database) -> bool:
    """Whether ``db`` holds the office's records (people, organizations, anything registered),
    not only what a new database starts with, its operators, settings and their audit lines."""
    bookkeeping = {User, ServiceArea, Setting, AuditEntry}
    tables = set(db.get_tables())
    return any(_table(m) in tables and db.execute_sql(f'SELECT 1 FROM "{_table(m)}" LIMIT 1').fetchone()
               for m in ALL_MODELS if m not in bookkeeping)


def target_problem(target: Path | str) -> Message | None:
    """Why ``target`` (a file or a server URL) cannot take a copy, found without creating or
    changing anything (None: it is new, or empty, or may be opened and found empty)."""
    if is_server_url(target):
        try:
            db = connect_server(str(target))
        except DatabaseOpenError as e:
            return e.message
        try:
            tables = set(db.get_tables())
            if not tables:
                return None
            if not {_table(m) for m in ALL_MODELS} <= tables:
                return msg("服务器数据库 {target} 里已有别的表，不是空的巾帼枢纽数据库。"
                           "请在服务器上新建一个空的数据库后再复制。", target=db.location)
            return _version_problem(db, "目标数据库", newer_only=True) or target_contents_problem(db)
        finally:
            db.close()
    path = Path(target).expanduser().resolve()
    if path.is_dir():
        return msg("{path} 是一个文件夹，请指定数据库文件。", path=path)
    if not path.exists() or path.stat().st_size == 0:
        return None if path.parent.is_dir() else msg("保存位置 {folder} 不存在，请选择一个存在的文件夹。",
                                                       folder=path.parent)
    problems = check_database(path)
    if problems:
        return problems[0]
    db = OfficeDatabase(read_only_uri(path), uri=True, file_path=path)
    try:
        db.connect()
        return _version_problem(db, "目标数据库", newer_only=True) or target_contents_problem(db)
    finally:
        db.close()


def _clear(db: Database) -> None:
    tables = [_table(m) for m in ALL_MODELS]
    if _on_server(db):
        db.execute_sql("TRUNCATE " + ", ".join(f'"{t}"' for t in tables))
        return
    for table in reversed(tables):
        db.execute_sql(f'DELETE FROM "{table}"')


def _verify(source_rows: dict[str, int], target: Database) -> list[Message]:
    """What the written copy gets wrong, seen inside its transaction: a table whose row count
    differs, or anything ``jinguo check`` would report."""
    problems = []
    for model in ALL_MODELS:
        written = _count(target, model)
        if written != source_rows[_table(model)]:
            problems.append(msg("{table}：应有 {expected} 行，复制后有 {written} 行。",
                                table=table_label(_table(model)), expected=source_rows[_table(model)],
                                written=written))
    if problems:
        return problems
    if _on_server(target):
        return server_problems(target)
    return connection_problems(target.connection(), Path(location_of(target)))


def _version_problem(db: Database, role: str, newer_only: bool = False) -> Message | None:
    version = schema_version(db)
    if version == SCHEMA_VERSION or (newer_only and version < SCHEMA_VERSION):
        return None
    if version > SCHEMA_VERSION:
        return msg("{role} {where} 由较新版本的巾帼枢纽写入（结构版本 {found}，本程序支持到 {supported}）。"
                   "请先升级程序。", role=role, where=location_of(db), found=version,
                   supported=SCHEMA_VERSION)
    return msg("{role} {where} 的结构版本是 {found}，应为 {supported}："
               "请先用本程序打开它一次（会自动升级）。", role=role, where=location_of(db), found=version,
               supported=SCHEMA_VERSION)


# -- the copy ---------------------------------------------------------------------------------
def copy_rows(source: Database, target: Database, progress: Progress | None = None, *,
              replace: bool = False, target_name: str | None = None) -> CopyReport:
    """Copy every row of ``source`` into ``target`` (both open, at this program's schema version).

    ``target`` must hold no data of its own (``target_contents_problem``) unless ``replace``: then
    its rows are deleted first (a restore). The caller keeps imports and other restores out of a
    server target meanwhile (``models.exclusive``). One transaction on the target, committed only after
    the row counts and the checks passed; ``progress`` may raise to stop, and a stop or any error
    leaves the target as it was (CopyError, or the exception ``progress`` raised).
    ``target_name``: the target as messages name it (a file written under a temporary name).
    """
    started = time.perf_counter()
    report = CopyReport(location_of(source), target_name or location_of(target))
    for db, role in ((source, "源数据库"), (target, "目标数据库")):
        problem = _version_problem(db, role)
        if problem is not None:
            raise CopyError(problem)
    current = ""
    try:
        with snapshot(source):
            counts = {_table(m): _count(source, m) for m in ALL_MODELS}
            total = sum(counts.values())
            done = 0
            with target.atomic():
                if not replace:
                    problem = target_contents_problem(target)
                    if problem is not None:
                        raise CopyError(problem)
                if not _on_server(target):
                    target.execute_sql("PRAGMA defer_foreign_keys = ON")  # rows of a table in any order
                _clear(target)
                for model in ALL_MODELS:
                    current = _table(model)

                    def step(rows: int, table: str = current) -> None:
                        nonlocal done
                        done += rows
                        if progress is not None:
                            progress(table, done, total)

                    _copy_table(source, target, model, step)
                    report.rows[current] = counts[current]
                current = ""
                if _on_server(target):
                    _reset_sequences(target)
                problems = _verify(counts, target)
                if problems:
                    raise CopyError(msg("复制后的核对没有通过，没有复制，{target} 保持原样：\n{problems}",
                                        target=report.target,
                                        problems="\n".join(str(p) for p in problems)))
    except _driver_errors() as e:
        raise CopyError(_failure_message(e, report.target, current)) from e
    report.seconds = time.perf_counter() - started
    log.info("copied %s rows from %s to %s in %.1f s", report.total_rows, report.source,
             report.target, report.seconds)
    return report


def _failure_message(error: BaseException, target: str, table: str) -> Message:
    text = str(error).strip()
    if "lock timeout" in text or "could not obtain lock" in text:
        return msg("目标数据库 {target} 正被其他人使用，等候之后仍未空出，没有复制，它保持原样。"
                   "请让其他人关闭巾帼枢纽后重试。", target=target)
    known = None if is_server_url(target) else database_error_message(error, target)
    reason = str(known) if known is not None else (text.splitlines()[0] if text else type(error).__name__)
    if table:
        return msg("复制{table}时出错，没有复制，{target} 保持原样：{reason}",
                   table=table_label(table), target=target, reason=reason)
    return msg("没有复制，{target} 保持原样：{reason}", target=target, reason=reason)


def copy_database(source: Database, target: Path | str, progress: Progress | None = None) -> CopyReport:
    """Copy the open database ``source`` to ``target``, a SQLite file or a ``postgresql://`` URL
    (``jinguo db copy``), opened as every command opens a database: created with the current
    schema, or an older empty one migrated. A new file is written under a temporary name and
    renamed when complete. The models are bound to ``source`` again afterwards.
    """
    same = location_of(source)
    if is_server_url(target):
        if without_password(str(target)) == same:
            raise CopyError(msg("源数据库和目标数据库是同一个：{where}。", where=same))
        return _copy_into(source, str(target), progress, None)
    path = Path(target).expanduser().resolve()
    if str(path) == same:
        raise CopyError(msg("源数据库和目标数据库是同一个：{where}。", where=same))
    if path.is_dir():
        raise CopyError(msg("{path} 是一个文件夹，请指定数据库文件。", path=path))
    if path.exists() and path.stat().st_size > 0:
        holder = InstanceLock(path).holder()
        if holder is not None:
            raise CopyError(LockedError.for_holder(path, holder).message)
        return _copy_into(source, path, progress, None)
    if not path.parent.is_dir():
        raise CopyError(msg("保存位置 {folder} 不存在，请选择一个存在的文件夹。", folder=path.parent))
    tmp = temp_path(path, "copy")
    try:
        report = _copy_into(source, tmp, progress, str(path))
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        raise CopyError(msg("无法写入 {path}：{reason}。请换一个位置。", path=path,
                            reason=e.strerror or e)) from e
    finally:
        remove_database_files(tmp)  # nothing once renamed; the unfinished copy otherwise
    return report


def _copy_into(source: Database, target: Path | str, progress: Progress | None,
               name: str | None) -> CopyReport:
    """The target opened (and bound, for its exclusive-job lock) for the copy's duration."""
    with crypto.key_kept():  # creating the target makes a data key of its own, dropped by the copy
        try:
            db = open_database(target, BATCH_BUSY_TIMEOUT_MS)
        except DatabaseOpenError as e:
            database.initialize(source)
            raise CopyError(e.message) from e
        try:
            with exclusive_job("copy", None):  # no import or restore on the target meanwhile
                return copy_rows(source, db, progress, target_name=name)
        except JobBusy as e:
            raise CopyError(e.message) from e
        finally:
            db.close()
            database.initialize(source)


def record_copy(user: User | None, summary: str) -> Message | None:
    """The audit line of a whole database leaving its database (a copy, a server's backup): an
    export of personal data, so it is written, in the database the models are bound to, before
    anything leaves, or nothing leaves. Returns why it could not be written (None: written)."""
    try:
        with database.atomic():
            audit.record(user, "export", None, entity="database", summary=summary)
    except peewee.DatabaseError as e:
        path = bound_database_path() or location_of(database.obj)
        if not cannot_write(e, path):
            raise
        log.warning("export line not written: %s", e)
        return msg("复制整个数据库是个人信息的导出，要先记入数据库的操作记录，而现在无法写入数据库。{reason}",
                   reason=database_error_message(e, path))
    return None
