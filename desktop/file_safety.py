"""Which files this process must never open, overwrite or read as input: its own open databases.

On Linux (and macOS) a process's POSIX locks on a file are ALL released when the process
closes ANY descriptor of that file, even one opened for a moment to read a few bytes
(SQLite's "How To Corrupt An SQLite Database File", section 2.2). SQLite keeps its locks on
the database and its ``-shm`` file for as long as a connection is open; another process that
then sees no lock believes it is the last user, checkpoints and deletes the ``-wal`` file
under the running program. So while the program has a database open, nothing in its process
may open that file (or its ``-wal``/``-shm``) except SQLite: no header sniffing, no size
check that reads, no export written over it, no import reading it.

``hold``/``release`` keep the register of open databases (``desktop.database`` calls them);
``output_problem`` and ``input_problem`` are asked before a file is written or read. Both
look only at names and ``stat`` results for held files, which open nothing.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from models.i18n import Message, msg

DATABASE_MAGIC = b"SQLite format 3\x00"
_WAL_MAGICS = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")
_JOURNAL_MAGIC = b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7"
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal", ".lock")
# Backups carry this application id (PRAGMA application_id, header offset 68) so that
# ``jinguo backup -o`` may replace an earlier backup but never a live database.
BACKUP_APPLICATION_ID = 0x4A47424B  # "JGBK"

_lock = threading.Lock()
_held: dict[Path, int] = {}  # resolved path -> how many times it is open in this process


def _resolved(path: Path | str) -> Path:
    return Path(os.path.abspath(Path(path).expanduser()))


def hold(path: Path | str) -> None:
    """Register a database this process now has open through SQLite."""
    key = _resolved(path)
    with _lock:
        _held[key] = _held.get(key, 0) + 1


def release(path: Path | str) -> None:
    key = _resolved(path)
    with _lock:
        count = _held.get(key, 0) - 1
        if count > 0:
            _held[key] = count
        else:
            _held.pop(key, None)


def open_connections(path: Path | str) -> int:
    """How many SQLite connections of this process have ``path`` open."""
    with _lock:
        return _held.get(_resolved(path), 0)


def held_databases() -> list[Path]:
    with _lock:
        return list(_held)


def _family(db: Path) -> list[Path]:
    return [db, *(db.with_name(db.name + suffix) for suffix in COMPANION_SUFFIXES)]


def _same(a: Path, b: Path) -> bool:
    """Whether two paths name one file, by name or (for existing files) by device and inode;
    ``stat`` opens nothing, so this is safe on a held database."""
    if a == b:
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def of_database(path: Path | str, db: Path | str) -> bool:
    """Whether ``path`` is the database ``db`` or one of its companions (-wal, -shm, -journal, .lock)."""
    candidate = _resolved(path)
    return any(_same(candidate, member) for member in _family(_resolved(db)))


def held_database_of(path: Path | str) -> Path | None:
    """The open database that ``path`` is (or is a companion of)."""
    return next((db for db in held_databases() if of_database(path, db)), None)


def sqlite_kind(path: Path) -> str | None:
    """What an existing file is, from its first bytes: "database", "backup" (a Jinguo backup),
    "journal" (a -wal or rollback journal) or None. Never call this on a held database."""
    try:
        with open(path, "rb") as f:
            head = f.read(100)
    except OSError:
        return None
    if head.startswith(DATABASE_MAGIC):
        is_backup = len(head) >= 72 and int.from_bytes(head[68:72], "big") == BACKUP_APPLICATION_ID
        return "backup" if is_backup else "database"
    if head[:4] in _WAL_MAGICS or head.startswith(_JOURNAL_MAGIC):
        return "journal"
    return None


def output_problem(path: Path | str, *, may_replace_backup: bool = False) -> Message | None:
    """Why the program must not write ``path`` (None: it may).

    Refused: the database this program has open and its companions, and any existing file
    that is a database or a database's journal (an export written over a database destroys
    it). ``may_replace_backup`` lets a backup replace an earlier Jinguo backup.
    """
    path = Path(path)
    if held_database_of(path) is not None:
        return msg("{path} 是巾帼枢纽正在使用的数据库（或它的附属文件），不能写入或覆盖。"
                   "请换一个文件名或位置。", path=path)
    suffix = next((s for s in COMPANION_SUFFIXES if path.name.lower().endswith(s)), None)
    if suffix is not None:
        base = path.with_name(path.name[:-len(suffix)])
        if base.is_file() and (held_database_of(base) is not None or sqlite_kind(base) is not None):
            return msg("{path} 是数据库 {base} 的附属文件，覆盖它会损坏数据库。请换一个文件名。",
                       path=path, base=base.name)
    if not path.is_file():
        return None
    kind = sqlite_kind(path)
    if kind is None or (kind == "backup" and may_replace_backup):
        return None
    return msg("{path} 是一个数据库文件（可能是巾帼枢纽的数据库或备份），不能覆盖它。"
               "请换一个文件名；确实不再需要它时，请先自行删除或改名。", path=path)


def input_problem(path: Path | str) -> Message | None:
    """Why the program must not read ``path`` (to import, or to restore from) (None: it may)."""
    if held_database_of(path) is not None:
        return msg("{path} 是巾帼枢纽正在使用的数据库（或它的附属文件），不能在这里打开它。"
                   "请选择其他文件。", path=Path(path))
    return None
