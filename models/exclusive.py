"""Jobs that must not run twice at once (an import, undoing one, a restore, later a merge).

On a server several clerks work at once: such a job holds a PostgreSQL session-level advisory
lock for its whole run, and a second one, on any PC, is refused at once, naming who holds it,
from where, since when and doing what. The holder is read from ``pg_stat_activity``: while it
holds the lock, the session's ``application_name`` says ``jinguo|job|user id|HH:MM``. The
server releases the lock by itself when the holder's connection ends (a crashed or unplugged
PC), so no stale holder is ever left behind, unlike a row in a table.

On the one-PC SQLite file the window's instance lock already keeps other windows out; an
in-process lock keeps two jobs of the same window (or of a test) apart, with the same message.

Schema migrations keep their own transaction-level lock (models.schema.SCHEMA_LOCK), which waits
rather than refuses: the second PC then finds the schema current.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .db import database, on_server
from .entities import User
from .errors import UserError
from .i18n import msg, tr_noop

JOB_LOCK = 0x4A474A42  # "JGJB": one key for every exclusive job, so that they exclude each other
APP_NAME = "jinguo"

JOB_LABELS = {
    "import": tr_noop("导入数据"),
    "undo": tr_noop("撤销导入"),
    "restore": tr_noop("从备份恢复"),
    "copy": tr_noop("复制数据库"),
    "merge": tr_noop("合并重复记录"),
}


class JobBusy(UserError):
    """Another exclusive job runs; nothing was done."""


@dataclass(frozen=True)
class Holder:
    job: str
    who: str  # the operator's name, or "" when not known
    since: str  # HH:MM
    where: str  # the client's address, or ""


_local_lock = threading.Lock()
_local_holder: Holder | None = None


def _operator_name(user_id: str) -> str:
    if not user_id.isdigit():
        return ""
    user = User.get_or_none(User.id == int(user_id))
    return user.shown_name if user is not None else ""


def holder() -> Holder | None:
    """Who holds the job lock now (None: nobody)."""
    if not on_server():
        return _local_holder
    row = database.execute_sql(
        "SELECT a.application_name, host(a.client_addr) FROM pg_locks l "
        "JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = %s "
        "AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database "
        "WHERE datname = current_database()) LIMIT 1", (JOB_LOCK,)).fetchone()
    if row is None:
        return None
    name, address = row
    parts = (name or "").split("|")
    if len(parts) == 4 and parts[0] == APP_NAME:
        return Holder(parts[1], _operator_name(parts[2]), parts[3], address or "")
    return Holder("", "", "", address or "")


def busy_message(held: Holder | None, job: str):
    """Why ``job`` cannot start now, naming who is doing what."""
    wanted = JOB_LABELS.get(job, job)
    if held is None:
        return msg("另一项操作正在进行，暂时不能{wanted}。请稍后再试。", wanted=wanted)
    doing = JOB_LABELS.get(held.job, tr_noop("一项独占的操作"))
    who = held.who + (f"（{held.where}）" if held.where else "") if held.who else held.where
    if who:
        return msg("{who}自 {since} 起正在{doing}，暂时不能{wanted}。请等对方完成后再试。",
                   who=who, since=held.since, doing=doing, wanted=wanted)
    return msg("另一台电脑自 {since} 起正在{doing}，暂时不能{wanted}。请等它完成后再试。",
               since=held.since, doing=doing, wanted=wanted)


@contextmanager
def exclusive_job(job: str, user: User | None) -> Iterator[None]:
    """Run the body as the only exclusive job on this database, or raise JobBusy at once.

    On a server the lock belongs to this thread's connection: take it in the thread that does
    the work (peewee connects once per thread)."""
    global _local_holder
    stamp = f"{dt.datetime.now():%H:%M}"
    if not on_server():
        if not _local_lock.acquire(blocking=False):
            raise JobBusy(busy_message(_local_holder, job))
        _local_holder = Holder(job, user.shown_name if user is not None else "", stamp, "")
        try:
            yield
        finally:
            _local_holder = None
            _local_lock.release()
        return
    got = database.execute_sql("SELECT pg_try_advisory_lock(%s)", (JOB_LOCK,)).fetchone()[0]
    if not got:
        raise JobBusy(busy_message(holder(), job))
    try:
        label = f"{APP_NAME}|{job}|{user.id if user is not None else ''}|{stamp}"
        database.execute_sql("SELECT set_config('application_name', %s, false)", (label,))
        yield
    finally:
        try:
            database.execute_sql("SELECT set_config('application_name', %s, false)", (APP_NAME,))
        finally:
            database.execute_sql("SELECT pg_advisory_unlock(%s)", (JOB_LOCK,))
