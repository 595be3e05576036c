"""Backups: consistent copies through SQLite's online backup API, automatic ones, and restore.

A copy is written to a temporary file beside its target, checked, and only then renamed,
so a backup is either complete and sound or absent. Automatic backups go to the
``backups`` folder of the data folder (the first start of each day, before an import,
a batch undo or a restore) and are thinned by ``expired_backups``: every backup of the
last 30 days, then the newest of each month for a year, and always the newest of all.
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
import os
import re
import shutil
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from peewee import Database

from models.i18n import msg

from . import paths
from .database import database_error_message, error_kind
from .file_safety import BACKUP_APPLICATION_ID, of_database, output_problem
from .instance_lock import InstanceLock, LockedError
from .integrity import CheckImpossible, check_database, connect_for_check
from .reports.output import ExportError
from .temporaries import remove_stale_temporaries, temp_path

log = logging.getLogger(__name__)

BACKUP_FOLDER = "backups"
SUFFIX = ".db"
KEEP_DAYS = 30
KEEP_MONTHS_DAYS = 365
LIVE_BUSY_TIMEOUT_S = 30.0  # a restore waits this long for another program's write to end
REASONS = {
    "daily": "每日自动备份",
    "manual": "手动备份",
    "import": "导入前",
    "undo": "撤销导入前",
    "restore": "恢复前",
    "damaged": "恢复前（已损坏的数据库原样保存）",
    "upgrade": "升级加密后",
}
_NAME = re.compile(r"^(?P<stem>.+)_(?P<stamp>\d{8}-\d{6})(?:-\d+)?_(?P<reason>[a-z]+)\.db$")


class BackupError(ExportError):
    """The backup or restore cannot be done; the message says why and what to do (a problem
    the user can fix, shown like an export's when it happens in a worker thread)."""


@dataclass(frozen=True)
class BackupFile:
    path: Path
    made_at: dt.datetime
    reason: str

    @property
    def reason_label(self) -> str:
        return REASONS.get(self.reason, self.reason)


def write_error(error: BaseException, path: Path) -> BackupError:
    text = str(error).lower()
    code = getattr(error, "errno", None)
    if code == errno.ENOSPC or "disk is full" in text:
        return BackupError(
            msg("磁盘空间不足，备份没有写入 {path}。请清理磁盘或换一个位置（如 U 盘）。", path=path))
    denied = code in (errno.EACCES, errno.EPERM, errno.EROFS) or "readonly" in text \
        or "unable to open" in text
    if isinstance(error, PermissionError) or denied:
        return BackupError(
            msg("无法写入 {path}：没有写入权限或该位置只读。请换一个位置保存备份。", path=path))
    if isinstance(error, FileNotFoundError | NotADirectoryError):
        return BackupError(msg("保存位置 {folder} 不存在，请选择一个存在的文件夹。", folder=path.parent))
    return BackupError(msg("备份没有写入 {path}：{reason}。请换一个位置再试。", path=path, reason=error))


def _restore_error(error: BaseException, db_path: Path) -> BackupError:
    """Why a restore could not write the database (which is then as it was)."""
    kind = error_kind(error, db_path)
    code = getattr(error, "errno", None)
    if kind == "busy":
        return BackupError(database_error_message(error, db_path))
    if kind == "full" or code == errno.ENOSPC:
        return BackupError(msg("磁盘空间不足，没有恢复，数据库 {path} 保持原样。请清理磁盘后重试。",
                               path=db_path))
    if kind == "read-only" or code in (errno.EACCES, errno.EPERM, errno.EROFS) or isinstance(
            error, PermissionError):
        return BackupError(msg(
            "无法恢复到 {path}：那里只读或没有写入权限（写保护的 U 盘、光盘、只读的文件或文件夹），"
            "数据库保持原样。请去掉只读属性或换一个可写的位置后再恢复。", path=db_path))
    return BackupError(msg("没有恢复到 {path}：{reason}。数据库保持原样，请检查存放位置后重试。",
                           path=db_path, reason=error))


def _source_connection(source: Database | sqlite3.Connection | Path) -> tuple[sqlite3.Connection, bool]:
    """The sqlite3 connection to copy from, and whether we opened it (and must close it).
    A file is opened only to read, so it can be backed up from a read-only place or a full disk."""
    if isinstance(source, sqlite3.Connection):
        return source, False
    if isinstance(source, Database):
        return source.connection(), False
    return connect_for_check(Path(source)), True


def remove_database_files(path: Path) -> None:
    """Remove ``path`` and its journals, whatever of them exists (a temporary or failed copy)."""
    for leftover in (path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal"),
                     path.with_name(path.name + "-shm")):
        try:
            leftover.unlink()
        except FileNotFoundError:
            pass
        except OSError as e:  # a read-only place: nothing was written there either
            log.warning("could not remove %s: %s", leftover, e)


_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6


def _copy_pages(source: sqlite3.Connection, dest: sqlite3.Connection) -> None:
    """SQLite's online backup, giving up when another program holds either database.

    Each step already waits the connections' busy timeout; Python's ``backup`` would then
    sleep and try again for ever (a restore onto a database another program writes hung).
    """
    def give_up_if_busy(status: int, _remaining: int, _total: int) -> None:
        if status in (_SQLITE_BUSY, _SQLITE_LOCKED):
            raise sqlite3.OperationalError("database is locked")

    source.backup(dest, progress=give_up_if_busy)


def copy_database(source: sqlite3.Connection, target: Path, application_id: int = 0) -> None:
    """Copy ``source`` into a new single file ``target`` (rollback journal, not WAL), marked
    with ``application_id`` (``BACKUP_APPLICATION_ID`` for a backup, 0 for a live database)."""
    dest = sqlite3.connect(target)
    try:
        _copy_pages(source, dest)
        dest.execute("PRAGMA journal_mode=DELETE")
        dest.execute(f"PRAGMA application_id = {int(application_id)}")
        dest.commit()
    finally:
        dest.close()


def backup_to(source: Database | sqlite3.Connection | Path, path: Path) -> Path:
    """A consistent copy of the database ``source`` as the file ``path`` (replaced if it exists).

    The online backup API reads one snapshot, so the copy is consistent even while the
    program (or another process) is writing; the copy's structure is checked before it is
    renamed into place.
    """
    path = Path(path)
    if path.is_dir():
        raise BackupError(msg("{path} 是一个文件夹，请给出备份文件名。", path=path))
    if not path.parent.is_dir():
        raise BackupError(msg("保存位置 {folder} 不存在，请选择一个存在的文件夹。", folder=path.parent))
    refused = output_problem(path, may_replace_backup=True) or _source_problem(source, path)
    if refused is not None:
        raise BackupError(refused)
    remove_stale_temporaries(path.parent, f".{path.name}.")
    tmp = temp_path(path)
    conn, owned = _source_connection(source)
    try:
        copy_database(conn, tmp, BACKUP_APPLICATION_ID)
        problems = check_database(tmp, ours=False, quick=True)
        if problems:
            raise BackupError(msg("备份后的检查没有通过，当前数据库可能已损坏：{problem}",
                                  problem=problems[0]))
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except CheckImpossible as e:
        remove_database_files(tmp)
        raise BackupError(msg("备份没有写入 {path}：{reason}", path=path, reason=e.message)) from e
    except (OSError, sqlite3.Error) as e:
        remove_database_files(tmp)
        raise write_error(e, path) from e
    except BaseException:
        remove_database_files(tmp)
        raise
    finally:
        if owned:
            conn.close()
    log.info("backup written: %s", path)
    return path


def _source_problem(source: Database | sqlite3.Connection | Path, path: Path):
    """A backup must not replace the database it copies (nor one of its companions)."""
    if isinstance(source, Path | str) and of_database(path, source):
        return msg("不能把数据库备份到它自己（或它的附属文件）{path}。请换一个文件名。", path=path)
    return None


# -- automatic backups ---------------------------------------------------------------
def backups_folder(data_dir: Path | None = None) -> Path:
    return (Path(data_dir) if data_dir else paths.data_dir()) / BACKUP_FOLDER


def backup_name(db_path: Path, made_at: dt.datetime, reason: str) -> str:
    return f"{Path(db_path).stem}_{made_at:%Y%m%d-%H%M%S}_{reason}{SUFFIX}"


def list_backups(folder: Path, db_path: Path) -> list[BackupFile]:
    """The automatic backups of the database ``db_path`` in ``folder``, oldest first."""
    found = []
    stem = Path(db_path).stem
    if not folder.is_dir():
        return found
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if not match or match["stem"] != stem:
            continue
        made_at = dt.datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S")
        found.append(BackupFile(path, made_at, match["reason"]))
    return sorted(found, key=lambda b: (b.made_at, b.path.name))


def expired_backups(made: Iterable[dt.datetime], today: dt.date) -> set[dt.datetime]:
    """Which backup times to delete: keep all of the last 30 days, the newest of each month
    of the last year, and always the newest of all (even if the program was unused for long)."""
    made = sorted(set(made))
    if not made:
        return set()
    keep = {made[-1]}
    newest_of_month: dict[tuple[int, int], dt.datetime] = {}
    for when in made:
        age = (today - when.date()).days
        if age < KEEP_DAYS:
            keep.add(when)
        elif age < KEEP_MONTHS_DAYS:
            newest_of_month[(when.year, when.month)] = when  # sorted: the last one wins
    keep.update(newest_of_month.values())
    return set(made) - keep


def prune_backups(folder: Path, db_path: Path, today: dt.date | None = None) -> list[Path]:
    backups = list_backups(folder, db_path)
    expired = expired_backups((b.made_at for b in backups), today or dt.date.today())
    removed = []
    for b in backups:
        if b.made_at in expired:
            try:
                b.path.unlink()
                removed.append(b.path)
            except OSError as e:
                log.warning("old backup %s not removed: %s", b.path, e)
    return removed


def automatic_backup(
    source: Database | sqlite3.Connection | Path, db_path: Path, reason: str,
    folder: Path | None = None, now: dt.datetime | None = None,
) -> Path:
    """A backup into the backups folder, then old ones thinned out; returns the new file."""
    folder = folder or backups_folder()
    made_at = (now or dt.datetime.now()).replace(microsecond=0)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise write_error(e, folder / "x") from e
    target = folder / backup_name(db_path, made_at, reason)
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{Path(db_path).stem}_{made_at:%Y%m%d-%H%M%S}-{n}_{reason}{SUFFIX}"
    backup_to(source, target)
    prune_backups(folder, db_path, made_at.date())
    return target


def daily_backup(
    source: Database | sqlite3.Connection | Path, db_path: Path,
    folder: Path | None = None, now: dt.datetime | None = None,
) -> Path | None:
    """The first start of a day backs the database up; later starts that day do nothing."""
    folder = folder or backups_folder()
    today = (now or dt.datetime.now()).date()
    if any(b.made_at.date() == today for b in list_backups(folder, db_path)):
        return None
    return automatic_backup(source, db_path, "daily", folder, now)


def before_change(db: Database, db_path: Path | None, reason: str) -> Path | None:
    """The hook called before an import, a batch undo or a restore. A database on a server
    (``db_path`` None) is backed up by the server's own tools, not here."""
    if db_path is None:
        log.info("no automatic backup before %s: the database is on a server", reason)
        return None
    return automatic_backup(db, db_path, reason)


# -- restore ---------------------------------------------------------------------------
def restore_from(path: Path, db_path: Path, folder: Path | None = None) -> Path | None:
    """Replace the database ``db_path`` by the backup ``path``; returns the safety backup made
    of the current database first (None when there was no current database).

    The backup is copied aside and checked first (integrity, foreign keys, a Jinguo database
    not newer than this program), so a bad file or a removed USB stick changes nothing.
    The copy then goes into the live file through the backup API, in one step.
    """
    path, db_path = Path(path), Path(db_path)
    try:
        problems = check_database(path)
    except CheckImpossible as e:
        raise BackupError(msg("不能用 {path} 恢复：{problem}", path=path, problem=e.message)) from e
    if problems:
        raise BackupError(msg("不能用 {path} 恢复：{problem}", path=path, problem=problems[0]))
    holder = InstanceLock(db_path).holder()
    if holder is not None:
        raise LockedError.for_holder(db_path, holder)
    remove_stale_temporaries(db_path.parent, f".{db_path.name}.")
    staged = temp_path(db_path, "restore")
    safety = None
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        source = connect_for_check(path)
        try:
            copy_database(source, staged)
        finally:
            source.close()
        if check_database(staged):
            raise BackupError(msg("从 {path} 读出的内容不完整（U 盘是否被拔出？）。请重试。", path=path))
        if not db_path.exists() or db_path.stat().st_size == 0:
            _replace_file(staged, db_path)
        elif check_database(db_path, ours=False):
            safety = _keep_damaged(db_path, folder or backups_folder())
            _replace_file(staged, db_path)
        else:
            safety = automatic_backup(db_path, db_path, "restore", folder)
            _replace_live(staged, db_path)
    except CheckImpossible as e:  # the current database is busy or unreadable: leave it alone
        raise BackupError(msg("没有恢复，数据库保持原样：{reason}", reason=e.message)) from e
    except (OSError, sqlite3.Error) as e:
        raise _restore_error(e, db_path) from e
    finally:
        remove_database_files(staged)
    log.info("database %s restored from %s (previous state kept as %s)", db_path, path, safety)
    return safety


def _keep_damaged(db_path: Path, folder: Path) -> Path:
    """A damaged database cannot be read through SQLite: keep its bytes as they are."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / backup_name(db_path, dt.datetime.now().replace(microsecond=0), "damaged")
    shutil.copyfile(db_path, target)
    wal = db_path.with_name(db_path.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + "-wal"))
    return target


def _replace_file(staged: Path, db_path: Path) -> None:
    """Put ``staged`` in place of a missing or damaged file (nobody has it open: the lock says so)."""
    for leftover in (db_path.with_name(db_path.name + "-wal"), db_path.with_name(db_path.name + "-shm")):
        try:
            leftover.unlink()
        except FileNotFoundError:
            pass
    os.replace(staged, db_path)


def _replace_live(staged: Path, db_path: Path) -> None:
    """Pour ``staged`` into the live file with the backup API (one write transaction; other
    connections see the new content, and a crash midway leaves the old or the new state)."""
    source = sqlite3.connect(staged)
    dest = sqlite3.connect(db_path, timeout=LIVE_BUSY_TIMEOUT_S)
    try:
        live_page = dest.execute("PRAGMA page_size").fetchone()[0]
        if source.execute("PRAGMA page_size").fetchone()[0] != live_page:
            source.execute(f"PRAGMA page_size = {int(live_page)}")
            source.execute("VACUUM")
        _copy_pages(source, dest)
    finally:
        source.close()
        dest.close()
