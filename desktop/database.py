"""Opening the database file: pragmas, schema creation or migration, clear errors."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import traceback
from pathlib import Path

from peewee import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    PostgresqlDatabase,
    SqliteDatabase,
    _savepoint,
)

from models.db import database, load_server_driver
from models.i18n import Message, msg
from models.schema import (
    CORE_TABLES,
    ENCRYPTION_VERSION,
    SCHEMA_VERSION,
    SchemaError,
    UpgradeUnchecked,
    ensure_schema,
    schema_version,
    written_by,
)

from . import file_safety, server_passwords
from .paths import is_server_url

log = logging.getLogger(__name__)

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": 5000,
    "cache_size": -64000,
}
# Commands run unattended (an import, an export in a scheduled task): waiting half a minute for
# the window's save or a backup to finish beats failing; the window keeps the short wait above.
BATCH_BUSY_TIMEOUT_MS = 30_000
# Less free space than this next to a database that SQLite cannot open or write: the disk is full
# (SQLite then reports "disk I/O error" or "unable to open" rather than "disk is full").
NEARLY_FULL_BYTES = 1 << 20


class OfficeDatabase(SqliteDatabase):
    """SQLite as the program uses it: write transactions that wait for each other.

    Every ``atomic()`` begins IMMEDIATE, taking the write lock at once and waiting up to the
    busy timeout for another writer. A plain (deferred) BEGIN reads first and asks for the
    write lock later; SQLite refuses that upgrade at once, without waiting ("database is
    locked"), whenever another program writes meanwhile. Savepoints (nested atomics) are
    inside the outer transaction and unchanged.

    A full disk (and some I/O errors) make SQLite roll the whole transaction back itself; the
    rollback that follows then finds no transaction and would replace the real error ("cannot
    rollback - no transaction is active"), so it is skipped.
    """

    # What opening had to tell the user once (an upgrade that removed clear backups, or kept a
    # clear copy because the upgraded file did not check); None mostly.
    upgrade_notice: Message | None = None

    def __init__(self, database: str, file_path: Path | None = None, **kwargs) -> None:
        kwargs.setdefault("lock_type", "IMMEDIATE")
        super().__init__(database, **kwargs)
        self.file_path = Path(file_path or database)  # ``database`` may be a URI

    def rollback(self) -> None:
        if not self.is_closed() and not self.connection().in_transaction:
            return
        super().rollback()

    def savepoint(self) -> _Savepoint:
        return _Savepoint(self)

    # Every open connection is registered in ``file_safety``: while one is open, nothing else in
    # this process may open the file (doing so would drop SQLite's locks on it, on Linux).
    def _connect(self):
        conn = super()._connect()
        file_safety.hold(self.file_path)
        return conn

    def _close(self, conn) -> None:
        try:
            super()._close(conn)
        finally:
            file_safety.release(self.file_path)


class _Savepoint(_savepoint):
    def rollback(self, begin: bool = True) -> None:
        if not begin and not self.db.connection().in_transaction:
            return  # SQLite already rolled everything back; the outer transaction says why
        super().rollback(begin)


CONNECT_TIMEOUT_S = 10


def without_password(url: str) -> str:
    """The URL as it may be shown and logged: any password in it replaced by ``***``."""
    try:
        from psycopg.conninfo import conninfo_to_dict
    except ImportError:
        return url.split("@")[-1] if "@" in url else url
    try:
        params = conninfo_to_dict(url)
    except Exception:  # a malformed URL is shown as its host part only
        return url.split("@")[-1]
    if "password" in params:
        params["password"] = "***"
    user = params.get("user", "")
    host = params.get("host", "localhost")
    port = params.get("port", "5432")
    return f"postgresql://{user + '@' if user else ''}{host}:{port}/{params.get('dbname', '')}"


class ServerDatabase(PostgresqlDatabase):
    """A PostgreSQL database on the office's server, reached with psycopg (3).

    ``file_path`` is None: nothing here is a file beside the program (no locks file, no backups
    next to it); ``location`` is the URL without its password, for messages and the log.
    """

    file_path = None

    def __init__(self, url: str, lock_timeout_ms: int | None = None, **kwargs) -> None:
        load_server_driver()
        from psycopg.conninfo import conninfo_to_dict

        params = conninfo_to_dict(url)
        # the one just typed, the URL's own, else one typed earlier in this run or the keyring's
        password = (kwargs.pop("password", None) or params.get("password")
                    or server_passwords.password_for(url))
        if password:
            params["password"] = password
        name = params.pop("dbname", None) or params.get("user") or "postgres"
        params.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
        params.setdefault("application_name", "jinguo")
        # A write waits for another clerk's as long as SQLite's busy timeout would, then says so.
        wait = PRAGMAS["busy_timeout"] if lock_timeout_ms is None else lock_timeout_ms
        params["options"] = f"{params.get('options', '')} -c lock_timeout={int(wait)}".strip()
        super().__init__(name, **params, **kwargs)
        self.location = without_password(url)


class DatabaseOpenError(RuntimeError):
    """The file cannot be used; the message tells the user what to do. ``kind``: for a server,
    what went wrong (see ``server_error_kind``; the window asks again for a refused password)."""

    def __init__(self, message: Message, kind: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.kind = kind


def server_database(url: str, lock_timeout_ms: int | None = None,
                    password: str | None = None) -> ServerDatabase:
    """``ServerDatabase(url)``, not yet connected; a missing psycopg or a malformed URL is a
    ``DatabaseOpenError``. ``password``: one just typed (else see ``server_passwords``)."""
    extra = {"password": password} if password else {}
    try:
        return ServerDatabase(url, lock_timeout_ms, **extra)
    except ImportError as e:
        raise DatabaseOpenError(msg(
            "这个安装没有连接 PostgreSQL 数据库服务器所需的组件（psycopg）。"
            "请安装带服务器支持的版本（pip install \"jinguo-hub[postgres]\"）。"), "setup") from e
    except Exception as e:  # psycopg's ProgrammingError for a malformed URL
        raise DatabaseOpenError(msg("数据库服务器地址“{url}”写得不对：应写成 "
                                    "postgresql://用户名@服务器:5432/数据库名。",
                                    url=without_password(url)), "address") from e


def connect_server(url: str, lock_timeout_ms: int | None = None) -> ServerDatabase:
    """A connection to the PostgreSQL database ``url`` as it is: no schema made or migrated, the
    models not bound (a check that only reads, the other end of a copy). A server that cannot be
    reached, a refused login or a missing database is a ``DatabaseOpenError`` saying what to do."""
    db = server_database(url, lock_timeout_ms)
    try:
        db.connect(reuse_if_open=True)
    except (OperationalError, InterfaceError, DatabaseError) as e:
        db.close()
        log.warning("cannot open %s: %s", db.location, e)
        raise DatabaseOpenError(server_error_message(e, db.location), server_error_kind(e)) from e
    return db


def open_server(url: str, lock_timeout_ms: int | None = None) -> ServerDatabase:
    """Connect to the PostgreSQL database ``url`` (creating or migrating its schema) and bind the
    models to it; errors as ``connect_server``'s."""
    db = connect_server(url, lock_timeout_ms)
    try:
        database.initialize(db)
        ensure_schema(db, None)
    except SchemaError as e:
        db.close()
        raise DatabaseOpenError(e.message, "schema") from e
    except (OperationalError, InterfaceError, DatabaseError) as e:
        db.close()
        log.warning("cannot open %s: %s", db.location, e)
        raise DatabaseOpenError(server_error_message(e, db.location), server_error_kind(e)) from e
    return db


def check_server(url: str, password: str | None = None) -> Message:
    """Connect once as opening would, without binding the models or changing anything (the
    connection dialog's 测试连接): what the program will find there, or a ``DatabaseOpenError``."""
    db = server_database(url, password=password)
    try:
        db.connect()
        tables = set(db.get_tables())
        version = schema_version(db)
        program = written_by(db)
    except (OperationalError, InterfaceError, DatabaseError) as e:
        log.info("connection test of %s failed: %s", db.location, e)
        raise DatabaseOpenError(server_error_message(e, db.location), server_error_kind(e)) from e
    finally:
        db.close()
    if not tables:
        return msg("连接成功。这个数据库还是空的：连接后程序会在其中建好数据表，再请您设置管理员账户。")
    if version > SCHEMA_VERSION:
        raise DatabaseOpenError(msg(
            "连接成功，但服务器 {where} 上的数据库由较新版本的巾帼枢纽（{program}）使用，"
            "本程序不能打开它。请先安装新版本。", where=db.location, program=program or "?"), "schema")
    if version == 0 or not CORE_TABLES <= tables:
        raise DatabaseOpenError(msg(
            "连接成功，但服务器 {where} 上的这个数据库里是别的数据，不是巾帼枢纽的数据库。"
            "请让管理员为巾帼枢纽另建一个空的数据库。", where=db.location), "schema")
    return msg("连接成功：服务器上的这个数据库中已有巾帼枢纽的数据。")


def server_error_kind(error: BaseException) -> str:
    """password (refused: a wrong password or user name), no-password (the server wants one and
    none was given), missing-database, permission, or unreachable."""
    text = str(error).lower()
    if "password authentication failed" in text or ('role "' in text and "does not exist" in text):
        return "password"
    if "no password supplied" in text:
        return "no-password"
    if "does not exist" in text and "database" in text:
        return "missing-database"
    if "permission denied" in text:
        return "permission"
    return "unreachable"


def server_error_message(error: BaseException, location: str) -> Message:
    """What the user can do about a server that refused or could not be reached."""
    kind = server_error_kind(error)
    if kind == "password":
        return msg("数据库服务器 {where} 拒绝了登录：用户名或密码不正确。请核对后重试。", where=location)
    if kind == "no-password":
        return msg("数据库服务器 {where} 要求输入密码。请在窗口中连接一次并输入密码（可以勾选“记住密码”），"
                   "或设置环境变量 PGPASSWORD。", where=location)
    if kind == "missing-database":
        return msg("服务器 {where} 上没有这个数据库。请核对数据库名，或让管理员先建好数据库"
                   "（见说明书“使用数据库服务器”）。", where=location)
    if kind == "permission":
        return msg("数据库服务器 {where} 上的这个用户没有所需的权限。请让管理员按说明书授予权限。",
                   where=location)
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return msg("无法连接数据库服务器 {where}：请确认服务器已开启、网络通畅，地址和端口正确。（{reason}）",
               where=location, reason=reason)


def open_database(path: Path | str, busy_timeout_ms: int | None = None,
                  read_only_fallback: bool = False) -> OfficeDatabase | ServerDatabase:
    """Open (creating if needed) the database at ``path`` and bind the models to it.

    ``path`` may be a ``postgresql://`` URL: the server's database (see ``open_server``).

    ``busy_timeout_ms``: how long a write waits for another program's (default: the window's).
    ``read_only_fallback``: a database SQLite cannot open in a read-only place or on a full disk
    is opened to read only (commands that only read must work there; writes then fail and say so).
    """
    if is_server_url(path):
        return open_server(str(path), busy_timeout_ms)
    path = Path(path).expanduser().resolve()
    if path.is_dir():
        raise DatabaseOpenError(msg("{path} 是一个文件夹，请指定数据库文件。", path=path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DatabaseOpenError(
            msg("无法创建文件夹 {folder}：{reason}。请换一个位置。", folder=path.parent, reason=e.strerror)
        ) from e
    pragmas = PRAGMAS if busy_timeout_ms is None else {**PRAGMAS, "busy_timeout": busy_timeout_ms}
    try:
        return _open(OfficeDatabase(str(path), pragmas=pragmas, check_same_thread=False), path)
    except DatabaseOpenError as e:
        if not (read_only_fallback and e.__cause__ is not None and readable_as_is(e.__cause__, path)):
            raise
    log.warning("%s opened read-only: it cannot be opened for writing where it is", path)
    return _open(OfficeDatabase(read_only_uri(path), uri=True, pragmas=pragmas, check_same_thread=False,
                                file_path=path), path)


def _open(db: OfficeDatabase, path: Path) -> OfficeDatabase:
    notice: Message | None = None
    try:
        db.connect(reuse_if_open=True)
        database.initialize(db)
        before = schema_version(db) if db.get_tables() else SCHEMA_VERSION
        try:
            backup = ensure_schema(db, path)
        except UpgradeUnchecked as e:  # migrated and usable; the clear copy is kept and said
            backup, notice = e.backup, e.message
        else:
            if before < ENCRYPTION_VERSION:
                notice = replace_clear_backups(db, path)
    except SchemaError as e:
        db.close()
        raise DatabaseOpenError(e.message) from e
    except (DatabaseError, sqlite3.DatabaseError) as e:
        # peewee re-raises sqlite3 errors as its own DatabaseError family (not sqlite3's);
        # sqlite3's own come from the backup API used before migrating.
        db.close()
        _release_statements(e)
        log.warning("cannot open %s: %s", path, e)
        raise DatabaseOpenError(database_error_message(e, path) or msg(
            "无法打开数据库 {path}：{reason}。请检查文件和文件夹的读写权限。", path=path, reason=e)) from e
    if backup:
        log.info("database upgraded; the previous version was saved as %s", backup)
    db.upgrade_notice = notice
    return db


def _schema_of_file(path: Path) -> int | None:
    """The schema version in a SQLite file's header (None when it cannot be read)."""
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return con.execute("PRAGMA user_version").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return None


def replace_clear_backups(db: OfficeDatabase, path: Path) -> Message | None:
    """After a database was upgraded to encrypted storage (and checked): its automatic backups
    made before (schema older than ENCRYPTION_VERSION) hold ID numbers and phones in clear.
    A fresh (encrypted, checked) automatic backup is made first, then the clear ones are
    removed, and the user is told once (the returned message).

    Removed rather than upgraded one by one: restoring one would bring back the clear values this
    upgrade removes, and upgrading each old backup would take minutes at this start. What is lost
    is the choice of going back to a state from before the upgrade; the fresh backup holds all
    of today's data. A backup whose header cannot be read is left alone (it is not known to be ours)."""
    from .backup import BackupError, automatic_backup, backups_folder, list_backups

    folder = backups_folder()
    clear = [b.path for b in list_backups(folder, path)
             if (version := _schema_of_file(b.path)) is not None and version < ENCRYPTION_VERSION]
    if not clear:
        return None
    try:
        fresh = automatic_backup(db, path, "upgrade", folder)
    except BackupError as e:
        log.warning("no backup after upgrading (%s): %d clear backups kept", e.message, len(clear))
        return msg("数据库已升级，身份证号、电话等个人信息已加密保存。但没能做新的加密备份（{reason}），"
                   "所以备份文件夹 {folder} 中升级前的 {n} 个备份仍保留，其中的个人信息未加密："
                   "请解决上述问题后在“备份”中做一次备份，再删除这些旧备份。",
                   reason=e.message, folder=folder, n=len(clear))
    kept = []
    for old in clear:
        try:
            old.unlink()
        except OSError as e:
            log.warning("clear backup %s not removed: %s", old, e)
            kept.append(old)
    log.info("upgraded: %d clear automatic backups removed, new encrypted backup %s",
             len(clear) - len(kept), fresh)
    if kept:
        return msg("数据库已升级，身份证号、电话等个人信息已加密保存，并做了新的加密备份 {fresh}。"
                   "升级前的备份中有 {n} 个无法删除（其中个人信息未加密）：请关闭占用它们的程序后，"
                   "到备份文件夹 {folder} 手动删除。", fresh=fresh.name, n=len(kept), folder=folder)
    return msg("数据库已升级，身份证号、电话等个人信息已加密保存。升级前的 {n} 个自动备份（未加密）已删除，"
               "换成了一个加密的新备份 {fresh}。", n=len(clear), fresh=fresh.name)


def _release_statements(error: BaseException) -> None:
    """Let go of the statement a failed connection left behind. SQLite closes a connection only
    once its last statement is finalised, and a statement kept alive by the error's traceback
    would keep the file open (a USB stick that cannot be removed, a folder that cannot be unmounted)."""
    for link in _chain(error):
        if link.__traceback__ is not None:
            traceback.clear_frames(link.__traceback__)


def read_only_uri(path: Path) -> str:
    """The file read as it is: no shared-memory file beside it, no locks (see readable_as_is)."""
    return f"{Path(path).resolve().as_uri()}?mode=ro&immutable=1"


def readable_as_is(error: BaseException, path: Path) -> bool:
    """Whether the database SQLite could not open (``error``) may be read without its locks.

    Even reading a WAL database needs a shared-memory file beside it, which cannot be made in
    a read-only place or on a full disk. Nobody can be writing there unless a log with content
    lies beside the file (a program that has it open); only without one is it safe to read the
    file as it is.
    """
    return (path.is_file() and error_kind(error, path) in ("full", "read-only")
            and not has_write_ahead_log(path))


def has_write_ahead_log(path: Path) -> bool:
    """Whether a write-ahead log with content lies beside the database file."""
    try:
        return path.with_name(path.name + "-wal").stat().st_size > 0
    except OSError:
        return False


def bound_database_path() -> Path | None:
    """The file the models are bound to (for messages about errors met while working)."""
    db = database.obj
    return getattr(db, "file_path", None)


def cannot_write(error: BaseException, path: Path | str) -> bool:
    """Whether ``error`` says the database cannot take a write just now (another program holds
    it, a read-only file or place, a full disk), not that anything is wrong with the data."""
    return error_kind(error, path) in ("busy", "full", "read-only")


def error_kind(error: BaseException, path: Path | str) -> str | None:
    """busy, full, read-only, damaged or unreachable (a failing or removed disk); None: a bug.

    The real cause may be an exception another one interrupted (a failed rollback, say).
    """
    for link in _chain(error):
        kind = _kind(link, path)
        if kind is not None:
            return kind
    return None


def _chain(error: BaseException | None) -> list[BaseException]:
    chain: list[BaseException] = []
    while error is not None and len(chain) < 20:
        chain.append(error)
        error = error.__cause__ or error.__context__
    return chain


def disk_nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < NEARLY_FULL_BYTES
    except OSError:
        return False


def _kind(error: BaseException, path: Path | str) -> str | None:
    if not isinstance(error, (DatabaseError, sqlite3.DatabaseError)):
        return None
    text = str(error).lower()
    folder = Path(path).parent
    cannot_reach = "disk i/o error" in text or "unable to open" in text
    read_only = "readonly" in text or "read-only" in text
    if "locked" in text or "busy" in text:
        return "busy"
    # A full disk also shows as a file SQLite could not open, or opened only to read.
    if "disk is full" in text or ((cannot_reach or read_only) and disk_nearly_full(folder)):
        return "full"
    if read_only or ("unable to open" in text and folder.is_dir() and not os.access(folder, os.W_OK)):
        return "read-only"
    if "not a database" in text or "malformed" in text:
        return "damaged"
    return "unreachable" if cannot_reach else None


def database_error_message(error: BaseException, path: Path | str) -> Message | None:
    """What the user can do about a database error that is not a bug (None: it is one).

    Used when opening the file and for errors raised later by a write (another
    program holding the file, a full disk, a read-only file, a damaged page).
    """
    kind = error_kind(error, path)
    return None if kind is None else _MESSAGES[kind](path)


_MESSAGES = {
    "busy": lambda path: msg(
        "数据库 {path} 正被其他程序使用（另一个巾帼枢纽窗口、正在进行的导入，或备份、同步软件），"
        "等候之后仍未空出，刚才的操作没有保存。请等它完成或关闭它后重试。", path=path),
    "full": lambda path: msg(
        "磁盘空间不足，刚才的操作没有保存，数据库 {path} 保持原样。请清理磁盘后重试。", path=path),
    "read-only": lambda path: msg(
        "数据库 {path} 是只读的（文件属性只读、在光盘或写保护的 U 盘上，或没有写入权限），"
        "刚才的操作没有保存。请把文件复制到可写的位置，或去掉只读属性后重新打开。", path=path),
    "damaged": lambda path: msg(
        "{path} 不是巾帼枢纽的数据库或已损坏，请选择正确的文件或从备份恢复"
        "（文件菜单 › 从备份恢复，或 jinguo check 检查）。", path=path),
    "unreachable": lambda path: msg(
        "读写数据库 {path} 时出错（磁盘或 U 盘是否已拔出？）。请检查存放位置后重新打开程序。", path=path),
}
