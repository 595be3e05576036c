"""The one write path: every create, update, archive and restore records an AuditEntry.

Pages and services never call ``Model.save()`` for user changes directly; they
call these functions, which write the row and its audit entry in one
transaction (both or neither).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypeVar

from peewee import Model, fn

from .db import database, now
from .entities import AuditEntry, User
from .errors import StaleRecord
from .i18n import msg
from .permissions import permission_for_change, require

M = TypeVar("M", bound=Model)

# Derived or bookkeeping columns: not worth an audit line. Login secrets and counters never
# enter the log (models.auth records logins and password changes as lines of their own).
UNAUDITED = frozenset({"id", "name_key", "name_pinyin", "name_initials", "created_at", "updated_at",
                       "version", "password_hash", "failed_logins", "locked_until", "last_login_at",
                       "id_hash", "phone_hash"})  # the keyed hashes follow id_number and phone

# Actions whose callers check the permission themselves (reading, printing, logging in);
# every other audited action is a change, allowed only to a role that may make it.
SELF_CHECKED = frozenset({"export", "print", "login", "login_failed", "lock", "logout", "password", "key"})


def plain(value: Any) -> Any:
    """A JSON-friendly form of a field value (dates as ISO text, Decimal as text)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Model):
        return value.get_id()
    return value


def snapshot(instance: Model) -> dict[str, Any]:
    """Field values as stored (foreign keys as their id)."""
    return {
        name: plain(instance.__data__.get(name))
        for name in instance._meta.fields
        if name not in UNAUDITED
    }


def _values(instance: Model) -> dict[str, Any]:
    return {name: instance.__data__.get(name) for name in instance._meta.fields if name not in UNAUDITED}


def entity_name(model: type[Model] | Model) -> str:
    return model._meta.table_name


def guard(user: User | None, action: str, entity: str, instance: Model | None = None) -> None:
    """Refuse (PermissionDenied) a change the user's role does not allow."""
    if action not in SELF_CHECKED:
        key = getattr(instance, "key", None) if entity == "setting" else None
        require(user, permission_for_change(entity, key))


def record(
    user: User | None,
    action: str,
    instance: Model | None,
    changes: dict[str, list[Any]] | None = None,
    summary: str = "",
    entity: str | None = None,
) -> AuditEntry:
    """One audit line; a change the user may not make raises PermissionDenied instead (callers
    write inside a transaction, so the change is rolled back with it)."""
    guard(user, action, entity or (entity_name(instance) if instance is not None else ""), instance)
    return AuditEntry.create(
        user=user,
        username=user.username if user else "",
        action=action,
        entity=entity or (entity_name(instance) if instance is not None else ""),
        entity_id=_numeric_id(instance),
        summary=summary[:200],
        changes=json.dumps(changes or {}, ensure_ascii=False, sort_keys=True),
    )


def _numeric_id(instance: Model | None) -> int | None:
    """The record's id for ``entity_id``; None for a record keyed by text (a setting: its key
    is the line's summary)."""
    key = instance.get_id() if instance is not None else None
    return key if isinstance(key, int) else None


def display_name(instance: Model) -> str:
    """The record's own name (name, title or topic), or "" for rows that have none."""
    for attr in ("name", "title", "topic"):
        value = getattr(instance, attr, None)
        if value:
            return str(value)
    return ""


def label(instance: Model) -> str:
    """A short human name for an audit line."""
    operator = getattr(instance, "display_name", "") or getattr(instance, "username", "")  # a User
    return display_name(instance) or operator or str(instance.get_id())


def create(model: type[M], user: User | None, **fields: Any) -> M:
    instance = model(**fields)
    guard(user, "create", entity_name(model), instance)
    with database.atomic():
        instance.save(force_insert=True)
        instance.__dict__["_claimed_in"] = _outer_transaction()  # touch() has nothing to raise
        after = snapshot(instance)
        changes = {k: [None, v] for k, v in after.items() if v not in (None, "", False)}
        record(user, "create", instance, changes, label(instance))
    return instance


def update(instance: M, user: User | None, action: str = "update", **fields: Any) -> M:
    """Apply ``fields``; records only the fields whose value really changed.

    A versioned record (models.db.TimestampedModel) is written only if it is still at the version
    ``instance`` was read at: otherwise another clerk (or window) changed it meanwhile, and
    StaleRecord says who and when, writing nothing."""
    guard(user, action, entity_name(instance), instance)
    stored, dirty = dict(instance.__data__), set(instance._dirty)
    model = type(instance)
    key = model._meta.primary_key
    versioned = "version" in model._meta.fields and instance.get_id() is not None
    # Inside a caller's transaction this save may still be rolled back after it returns (a later
    # write fails): the version the record was read at is kept, so that saving again then is
    # not taken for someone else's change (see _claim_version).
    enclosed = database.in_transaction()
    try:
        with database.atomic():
            # Compared with the stored row, not with the object: an earlier save of this object
            # may have been rolled back by an enclosing transaction after it changed the object.
            stored_row = model.get_or_none(key == instance.get_id())
            before = _values(stored_row if stored_row is not None else instance)
            for name, value in fields.items():
                setattr(instance, name, value)
            after = _values(instance)
            # Compared as values (Decimal("5") == Decimal("5.00")), recorded as plain text.
            changes = {k: [plain(before[k]), plain(after[k])] for k in after if before[k] != after[k]}
            if changes:
                if versioned:
                    read_at = _claim_version(instance, stored, fields, dict(stored))
                    instance.version = read_at + 1
                    instance.__dict__["_claimed_in"] = _outer_transaction()
                    if enclosed:
                        instance.__dict__.setdefault("_version_read_at", read_at)
                    else:
                        instance.__dict__.pop("_version_read_at", None)
                if "updated_at" in instance._meta.fields:
                    instance.updated_at = now()
                instance.save()
                record(user, action, instance, changes, label(instance))
    except BaseException:
        # Rolled back (a locked file, a full disk, a newer version): the record in memory is as
        # it was, so saving the same input once more really writes it.
        instance.__data__.clear()
        instance.__data__.update(stored)
        instance._dirty = dirty
        raise
    return instance


def _outer_transaction() -> object | None:
    """The outermost transaction of this thread's connection (one save), or None."""
    transactions = database._state.transactions  # peewee keeps them per thread
    return transactions[0] if transactions else None


def touch(instance: M) -> M:
    """Rows that belong to ``instance`` changed (an organization's service areas, a project's
    venues, a training's attendance, an activity's hours): a change of the record itself, so it
    is refused (StaleRecord) when based on an older version, and raises the version. Call it in
    the transaction that writes those rows."""
    model = type(instance)
    if "version" not in model._meta.fields or instance.get_id() is None:
        return instance
    if database.in_transaction() and instance.__dict__.get("_claimed_in") is _outer_transaction():
        return instance  # the same save created it, or already claimed and raised its version
    enclosed = database.in_transaction()
    as_read = dict(instance.__data__)
    with database.atomic():
        read_at = _claim_version(instance, as_read, {}, as_read)
        stamp = now()
        changes = {model.version: read_at + 1}
        if "updated_at" in model._meta.fields:
            changes[model.updated_at] = stamp
            instance.updated_at = stamp
        model.update(changes).where(model._meta.primary_key == instance.get_id()).execute()
    instance.version = read_at + 1
    if enclosed:
        instance.__dict__.setdefault("_version_read_at", read_at)
        instance.__dict__["_claimed_in"] = _outer_transaction()
    return instance


def _claim_version(instance: Model, read: dict[str, Any], fields: dict[str, Any],
                   as_read: dict[str, Any]) -> int:
    """Lock the stored row for this transaction if it is still at the version ``instance`` was
    read at (``read``), else raise StaleRecord; the version claimed. A conditional write: it takes
    the row's lock on PostgreSQL (a second clerk's save waits, then finds the new version) and
    the write lock on SQLite, so that no other change can come between this check and the save.

    A save of this object inside a caller's transaction that was rolled back left the object one
    version ahead of the row: the version it was read at before that save is tried as well."""
    model = type(instance)
    key = model._meta.primary_key
    candidates = [read.get("version") or 1]
    earlier = instance.__dict__.get("_version_read_at")
    if earlier is not None and earlier != candidates[0]:
        candidates.append(earlier)
    for based_on in candidates:
        claimed = (model.update(version=model.version)
                   .where((key == instance.get_id()) & (model.version == based_on)).execute())
        if claimed:
            return based_on
    raise stale_record(instance, fields, as_read)


def stale_record(instance: Model, fields: dict[str, Any], as_read: dict[str, Any],
                 deleting: bool = False) -> StaleRecord:
    """What a refused save tells the user: who changed the record last, and when."""
    model = type(instance)
    entity = entity_name(model)
    current = model.get_or_none(model._meta.primary_key == instance.get_id())
    last = (AuditEntry.select().where((AuditEntry.entity == entity)
                                      & (AuditEntry.entity_id == instance.get_id()))
            .order_by(AuditEntry.id.desc()).first())
    who = ""
    if last is not None:
        operator = User.get_or_none(User.id == last.user_id) if last.user_id else None
        who = operator.shown_name if operator is not None else last.username
    name = display_name(instance) or str(instance.get_id())
    at = f"{last.at:%Y-%m-%d %H:%M}" if last is not None and last.at is not None else ""
    if current is None:
        message = (msg("“{name}”已被{who}于 {at} 删除，您的修改没有保存。", name=name, who=who, at=at)
                   if who and at else msg("“{name}”已被删除，您的修改没有保存。", name=name))
    elif deleting:
        message = (msg("“{name}”刚被{who}于 {at} 修改过，没有删除。请看过最新的内容后再决定是否删除。",
                       name=name, who=who, at=at) if who and at else
                   msg("“{name}”刚被修改过，没有删除。请看过最新的内容后再决定是否删除。", name=name))
    elif who and at:
        message = msg("在您打开“{name}”之后，{who}于 {at} 修改了它。您的修改没有保存，"
                      "您填写的内容仍保留着：可以先比较双方的内容，再决定保留哪一份。",
                      name=name, who=who, at=at)
    else:  # changed by a bulk path without an audit line of its own
        message = msg("在您打开“{name}”之后，它已被修改。您的修改没有保存，"
                      "您填写的内容仍保留着：可以先比较双方的内容，再决定保留哪一份。", name=name)
    mine = {k: plain(v) for k, v in fields.items() if k not in UNAUDITED}
    theirs = snapshot(current) if current is not None else None
    read = {name: plain(value) for name, value in as_read.items() if name not in UNAUDITED}
    return StaleRecord(message, entity, instance.get_id(), read, theirs, mine, instance, current)


def create_many(model: type[Model], user: User | None, rows: Sequence[dict[str, Any]],
                labels: Sequence[str], batch: int = 100) -> None:
    """Create ``rows`` (field values with their ids set, see models.db.IdSource) in bulk, each with
    the audit line ``create`` writes: for reference data that comes by the thousand (the official
    division table), where a save per row would take seconds. Call it in a transaction."""
    entity = entity_name(model)
    guard(user, "create", entity)
    stamp = now()
    entries = []
    for row, label in zip(rows, labels, strict=True):
        after = snapshot(model(**row))
        changes = {k: [None, v] for k, v in after.items() if v not in (None, "", False)}
        entries.append({"at": stamp, "user": user, "username": user.username if user else "",
                        "action": "create", "entity": entity, "entity_id": row["id"],
                        "summary": label[:200], "changes": json.dumps(changes, ensure_ascii=False,
                                                                      sort_keys=True)})
    timestamps = {name: stamp for name in ("created_at", "updated_at") if name in model._meta.fields}
    with database.atomic():
        for start in range(0, len(rows), batch):
            model.insert_many([{**timestamps, **row} for row in rows[start:start + batch]]).execute()
        for start in range(0, len(entries), batch):
            AuditEntry.insert_many(entries[start:start + batch]).execute()


def save(model: type[M], user: User | None, existing: M | None, **fields: Any) -> M:
    """Create a ``model`` row, or update ``existing`` when editing."""
    if existing is None:
        return create(model, user, **fields)
    return update(existing, user, **fields)


def archive(instance: M, user: User | None, reason: str, on: dt.date | None = None) -> M:
    return update(
        instance, user, "archive",
        archived=True, archived_reason=reason, archived_on=on or dt.date.today(),
    )


def restore(instance: M, user: User | None, reason: str) -> M:
    return update(instance, user, "restore", archived=False, archived_reason=reason, archived_on=None)


def latest_change() -> int:
    """The newest audit line's id: it grows with every change anyone makes (every write goes
    through models.audit), so a window polls it to learn that another clerk changed something.
    One probe of the primary key's index. (Here, not in audit_listing: the main window asks it
    before it shows, and the listing's module is not needed then.)"""
    return AuditEntry.select(fn.MAX(AuditEntry.id)).scalar() or 0
