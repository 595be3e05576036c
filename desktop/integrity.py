"""Is this file (or this database on a server) a sound Jinguo database? The checks behind
``jinguo check``, restore and copies.

Each problem is named in Chinese (which table, which page, which rows), so the user
knows whether to restore from a backup or to pick another file. Nothing here writes.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from peewee import Database

from models.entities import ALL_MODELS
from models.i18n import Message, msg, tr_noop
from models.references import ENTITY_LABELS
from models.schema import CORE_TABLES, SCHEMA_VERSION, VERSION_TABLE, schema_version, written_by

from .database import error_kind, has_write_ahead_log, read_only_uri, readable_as_is
from .file_safety import DATABASE_MAGIC, held_database_of

HEADER_SIZE = 100
MAX_REPORTED = 5  # integrity lines and orphan rows named one by one; the rest are counted


def table_label(name: str) -> str:
    label = ENTITY_LABELS.get(name)
    return f"{label}（{name}）" if label else name


def _header_problem(path: Path) -> Message | None:
    """A missing file, a foreign file or a cut-off one, seen from the 100-byte header.

    Not for a database this process has open: reading its bytes outside SQLite would drop
    SQLite's locks on it (see ``file_safety``); SQLite's own checks decide for such a file.
    """
    if not path.exists():
        return msg("找不到数据库文件 {path}。请检查路径。", path=path)
    if path.is_dir():
        return msg("{path} 是一个文件夹，请指定数据库文件。", path=path)
    if held_database_of(path) is not None:
        return None
    size = path.stat().st_size
    with path.open("rb") as f:
        header = f.read(HEADER_SIZE)
    if size == 0:
        return msg("数据库文件 {path} 是空的（0 字节），里面没有数据。", path=path)
    if not header.startswith(DATABASE_MAGIC):
        return msg("{path} 不是数据库文件（文件头不对），可能已损坏或选错了文件。", path=path)
    if len(header) < HEADER_SIZE:
        return msg("数据库文件 {path} 被截断了：连文件头都不完整。", path=path)
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # A program stopped in the middle of a checkpoint (power cut, killed) leaves a database
    # file whose first page already names its new size while later pages are still only in
    # the log; SQLite completes the file from the log when it is next opened. Such a file is
    # short but not damaged, so its size proves nothing, and the checks through SQLite decide.
    if page_size and pages and size < page_size * pages and not has_write_ahead_log(path):
        return msg(
            "数据库文件 {path} 被截断了：应有 {expected} 页（{expected_bytes} 字节），"
            "实际只有 {actual_bytes} 字节。",
            path=path, expected=pages, expected_bytes=page_size * pages, actual_bytes=size,
        )
    return None


def _root_pages(conn: sqlite3.Connection) -> dict[int, str]:
    try:
        return {page: name for name, page in conn.execute(
            "SELECT name, rootpage FROM sqlite_master WHERE rootpage > 0")}
    except sqlite3.DatabaseError:
        return {}


def _integrity_problems(conn: sqlite3.Connection, quick: bool = False) -> list[Message]:
    pragma = "quick_check" if quick else "integrity_check"
    lines = [row[0] for row in conn.execute(f"PRAGMA {pragma}(100)")]
    if lines == ["ok"]:
        return []
    roots = _root_pages(conn)
    named = []
    for line in lines[:MAX_REPORTED]:
        tree = re.search(r"Tree (\d+)", line)
        page = re.search(r"[Pp]age (\d+)", line)
        where = []
        if tree and int(tree.group(1)) in roots:
            where.append(f"表或索引 {table_label(roots[int(tree.group(1))])}")
        if page:
            where.append(f"第 {page.group(1)} 页")
        named.append(f"{'，'.join(where) or '数据库'}：{line}")
    more = f"（另有 {len(lines) - MAX_REPORTED} 处）" if len(lines) > MAX_REPORTED else ""
    return [msg("数据库文件已损坏（完整性检查发现 {count} 处问题{more}）：\n{details}",
                count=len(lines), more=more, details="\n".join(named))]


def _foreign_key_problems(conn: sqlite3.Connection) -> list[Message]:
    rows = conn.execute("PRAGMA foreign_key_check").fetchall()
    return _orphans([(table, rowid, parent) for table, rowid, parent, _fk in rows[:MAX_REPORTED]],
                    len(rows))


def _orphans(examples: list[tuple[str, int, str]], count: int) -> list[Message]:
    """Rows that point at records that do not exist: the first few (table, row id, table pointed
    at) named, ``count`` of them in all."""
    if not count:
        return []
    named = [f"{table_label(table)} 第 {rowid} 行引用的 {table_label(parent)} 记录不存在"
             for table, rowid, parent in examples[:MAX_REPORTED]]
    more = f"（另有 {count - MAX_REPORTED} 处）" if count > MAX_REPORTED else ""
    return [msg("数据之间的引用不完整（{count} 行{more}）：\n{details}",
                count=count, more=more, details="\n".join(named))]


_NEWER = tr_noop("{path} 由较新版本的巾帼枢纽创建（结构版本 {found}，本程序支持到 {supported}）。"
                 "请升级程序后再使用它。")
_NOT_OURS = tr_noop("{path} 是一个数据库文件，但不是巾帼枢纽的数据库。请选择正确的文件。")


def _schema_problems(conn: sqlite3.Connection, path: Path) -> list[Message]:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if version > SCHEMA_VERSION:
        return [msg(_NEWER, path=path, found=version, supported=SCHEMA_VERSION)]
    if version == 0 or not CORE_TABLES <= tables:
        return [msg(_NOT_OURS, path=path)]
    return []


def is_damage(problem: Message) -> bool:
    """Whether restoring a backup is the cure: not for a file of a newer program or another one
    (an older backup would lose what that file holds)."""
    return problem.text not in (_NEWER, _NOT_OURS, _NEWER_SERVER, _NOT_OURS_SERVER, _UNREADABLE_VALUES)


class CheckImpossible(Exception):
    """The file could not be read for a reason outside it (another program holds it, a full
    disk, a read-only place, a failing disk): nothing is known of damage, so nobody may be
    told to restore a backup. ``message`` says what is wrong and what to do."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


CHECK_BUSY_TIMEOUT_S = 10.0


def connect_for_check(path: Path) -> sqlite3.Connection:
    """A connection that only reads and waits for a writer instead of failing at once; in a
    read-only place or on a full disk it reads the file as it is (see readable_as_is)."""
    conn = sqlite3.connect(path, timeout=CHECK_BUSY_TIMEOUT_S, isolation_level=None)
    try:
        conn.execute("PRAGMA schema_version").fetchone()
        return conn
    except sqlite3.DatabaseError as e:
        conn.close()
        if not readable_as_is(e, Path(path)):
            raise
    return sqlite3.connect(read_only_uri(path), uri=True, isolation_level=None)


def _environment_problem(error: sqlite3.DatabaseError, path: Path) -> Message | None:
    """The message for an error that is not the file's fault (None: it may be damage)."""
    kind = error_kind(error, path)
    if kind == "busy":
        return msg("数据库 {path} 正被其他程序长时间写入，暂时无法检查。请稍后重试。", path=path)
    if kind == "full":
        return msg("磁盘空间不足，无法检查数据库 {path}：读取它也要在旁边建一个小的临时文件。"
                   "请清理磁盘后重试。这不说明数据库已损坏。", path=path)
    if kind == "read-only":
        return msg("无法检查数据库 {path}：它所在的位置只读或没有写入权限，而旁边还有未写回的日志文件"
                   "（{path}-wal）。请把数据库连同这个文件复制到可写的位置后再检查。这不说明数据库已损坏。",
                   path=path)
    if kind == "unreachable":
        return msg("读取数据库 {path} 时磁盘出错，无法检查（U 盘或移动硬盘是否已拔出或有故障？）。"
                   "请检查存放位置，或把文件复制到别处再检查。这不说明数据库已损坏。", path=path)
    return None


def check_database(path: Path, *, ours: bool = True, quick: bool = False) -> list[Message]:
    """Every problem found in the file at ``path`` (an empty list: the file is sound).

    With ``ours`` the file must also be a Jinguo database this program can open. ``quick``
    checks the file's structure only (no index contents, no references): enough for a copy
    SQLite itself just wrote, and several times faster on a large register. CheckImpossible:
    the file could not be read for a reason that is not the file's (busy, full disk, read-only).
    """
    path = Path(path)
    problem = _header_problem(path)
    if problem is not None:
        return [problem]
    try:
        conn = connect_for_check(path)
    except sqlite3.DatabaseError as e:
        impossible = _environment_problem(e, path)
        if impossible is not None:
            raise CheckImpossible(impossible) from e
        return [_unreadable(path, e)]
    except sqlite3.Error as e:
        return [msg("无法打开数据库文件 {path}：{reason}。请检查文件权限。", path=path, reason=e)]
    try:
        return connection_problems(conn, path, ours=ours, quick=quick)
    except sqlite3.DatabaseError as e:
        impossible = _environment_problem(e, path)
        if impossible is not None:
            raise CheckImpossible(impossible) from e
        return [_unreadable(path, e)]
    finally:
        conn.close()


def connection_problems(conn: sqlite3.Connection, path: Path, *, ours: bool = True,
                        quick: bool = False) -> list[Message]:
    """The checks of ``check_database`` on an open connection, as it sees the database (a copy
    checks what it wrote before it commits)."""
    problems = _integrity_problems(conn, quick)
    if not problems and not quick:
        problems = _foreign_key_problems(conn)
        if ours:
            problems += _schema_problems(conn, path)
    return problems


def _unreadable(path: Path, error: sqlite3.DatabaseError) -> Message:
    """SQLite gave up on the whole check: read table by table to name the damaged ones."""
    try:
        conn = connect_for_check(path)
    except sqlite3.DatabaseError:  # not even its first page can be read
        return msg("数据库文件 {path} 已损坏，无法读取（{reason}）。", path=path, reason=error)
    try:
        try:
            tables = conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
        except sqlite3.DatabaseError:
            return msg("数据库文件 {path} 已损坏：连记录表结构的部分（sqlite_master）"
                       "也无法读取（{reason}）。", path=path, reason=error)
        damaged = []
        for (name,) in tables:
            try:
                for _row in conn.execute(f'SELECT * FROM "{name}"'):
                    pass
            except sqlite3.DatabaseError:
                damaged.append(table_label(name))
    finally:
        conn.close()
    if not damaged:
        return msg("数据库文件 {path} 已损坏（{reason}），索引或空闲页受损。", path=path, reason=error)
    return msg("数据库文件 {path} 已损坏（{reason}）：无法读出这些表的数据：{tables}。",
               path=path, reason=error, tables="、".join(damaged))


# -- a database on a server ------------------------------------------------------------
_NEWER_SERVER = tr_noop("服务器数据库 {path} 由较新版本的巾帼枢纽写入（结构版本 {found}，本程序支持到 "
                        "{supported}）。{needed}")
_NOT_OURS_SERVER = tr_noop("服务器数据库 {path} 里没有巾帼枢纽的数据（它是空的，或属于别的程序）。"
                           "请核对数据库名。")


def server_problems(db: Database) -> list[Message]:
    """Every problem of the Jinguo database on a server, as the caller's transaction sees it (an
    empty list: sound). The server keeps its pages whole itself; what is checked is what the
    program relies on: a schema of this program's (not newer), every table of it, and no row
    pointing at a record that does not exist (possible once a constraint was dropped or the
    server told to skip them)."""
    where = getattr(db, "location", db.database)
    tables = set(db.get_tables())
    version = schema_version(db) if VERSION_TABLE in tables else 0
    if version > SCHEMA_VERSION:
        program = written_by(db)
        needed = f"请安装巾帼枢纽 {program} 或更新的版本后再检查。" if program else "请升级程序后再检查。"
        return [msg(_NEWER_SERVER, path=where, found=version, supported=SCHEMA_VERSION, needed=needed)]
    if version == 0 or not CORE_TABLES <= tables:
        return [msg(_NOT_OURS_SERVER, path=where)]
    missing = [table_label(m._meta.table_name) for m in ALL_MODELS if m._meta.table_name not in tables]
    problems = []
    if missing and version == SCHEMA_VERSION:  # an older schema gets its new tables when next opened
        problems.append(msg("服务器数据库 {path} 缺少这些表：{tables}。", path=where,
                            tables="、".join(missing)))
    return problems + _orphans(*_server_orphans(db))


def _server_orphans(db: Database) -> tuple[list[tuple[str, int, str]], int]:
    """The rows pointing at missing records, by every foreign key of the models whose columns
    the database has: the first few of them, and how many in all."""
    columns = set(db.execute_sql(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema()").fetchall())
    examples: list[tuple[str, int, str]] = []
    count = 0
    for model in ALL_MODELS:
        table = model._meta.table_name
        key = model._meta.primary_key.column_name
        for field in model._meta.refs:
            parent = field.rel_model._meta.table_name
            if (table, field.column_name) not in columns or (parent, field.rel_field.column_name) \
                    not in columns:
                continue
            rows = db.execute_sql(
                f'SELECT c."{key}", count(*) OVER () FROM "{table}" c WHERE c."{field.column_name}" '
                f'IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "{parent}" p '
                f'WHERE p."{field.rel_field.column_name}" = c."{field.column_name}") '
                f'ORDER BY c."{key}" LIMIT {MAX_REPORTED}').fetchall()
            if rows:
                count += rows[0][1]
                examples += [(table, rowid, parent) for rowid, _n in rows]
    return examples, count


# -- encrypted values (models.crypto) ---------------------------------------------------------
_UNREADABLE_VALUES = tr_noop(
    "有 {count} 项加密的个人信息无法解开{more}：\n{details}\n数据库文件本身完好，这些值已被改动，或不是用这个"
    "数据库的密钥加密的；请从备份中查看这些记录的原值并重新录入。")
PARTIAL_CHECK = tr_noop(
    "加密的个人信息（身份证号、电话、操作记录的内容等）未检查：完整检查需要登录（--user 用户名）"
    "或密钥文件（--key-file 文件）。")


def sealed_value_problems(db: Database) -> list[Message]:
    """Every encrypted value of the bound, unlocked database that does not decrypt, named by
    table, column and row id: a value, not the file, is damaged (crypto.Locked if not unlocked)."""
    from models import crypto
    from models.schema import ENCRYPTED_COLUMNS

    crypto.data_key()  # Locked now rather than a value at a time
    tables = set(db.get_tables())
    failed: list[str] = []
    count = 0
    for table, names in ENCRYPTED_COLUMNS:
        if table not in tables:
            continue
        for name in names:
            cursor = db.execute_sql(f'SELECT "id", "{name}" FROM "{table}" '
                                   f'WHERE substr("{name}", 1, {len(crypto.PREFIX)}) = \'{crypto.PREFIX}\'')
            for row_id, value in cursor:
                try:
                    crypto.decrypt(value, f"{table}.{name}")
                except crypto.KeyProblem:
                    count += 1
                    if len(failed) < MAX_REPORTED:
                        failed.append(f"{table_label(table)} 第 {row_id} 行的 {name}")
    if not count:
        return []
    more = f"（另有 {count - MAX_REPORTED} 项）" if count > MAX_REPORTED else ""
    return [msg(_UNREADABLE_VALUES, count=count, more=more, details="\n".join(failed))]
