"""Writing a plan: one transaction, bulk inserts, an audit line per record, a batch that can be undone.

Rows go in with ``models.db.insert_rows`` per table and chunk: one prepared ``executemany`` on
SQLite, COPY on a server (peewee's ``insert_many`` renders every value in Python, too slow for
50 000 people);
explicit ids are allocated inside the write transaction so the batch items
and audit entries can name every record without reading it back.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import Any

from peewee import JOIN, Model, fn

from models import audit, crypto
from models.choices import MEMBERSHIP_ROLES, PERSON_ROLES
from models.db import IdSource, database, execute_many, insert_rows, now, placeholders
from models.entities import (
    Activity,
    AuditEntry,
    ImportBatch,
    ImportBatchItem,
    Membership,
    Organization,
    OrganizationServiceArea,
    OrganizationStage,
    Person,
    ServiceRecord,
    TeamAssignment,
    User,
)
from models.exclusive import exclusive_job
from models.i18n import msg
from models.organizations import OrganizationData, clean_organization
from models.permissions import require
from models.references import ENTITY_LABELS
from models.sortkey import name_columns

from ..reports.output import Job
from .columns import KIND_LABELS, remember_mapping
from .errors import SheetError
from .plan import ImportPlan, PlannedRow, hours_title, plan_import

log = logging.getLogger(__name__)

CHUNK = 2000
ATTEMPTS = 3  # writes of one import when other clerks keep changing its records
_PLAIN = frozenset({str, int, float, bool})
IMPORT_SUMMARY = "导入 #{id}："  # audit lines of an import start so (see _refuse_if_in_use)
UNDO_SUMMARY = "撤销导入 #{id}"
HOURS_NOTE = "原表只记录了服务时长，没有具体活动；由导入写入，可随导入批次一起撤销。"
# Children before parents: what undo deletes first.
DELETE_ORDER = (ServiceRecord, TeamAssignment, Membership, Activity, OrganizationStage,
                OrganizationServiceArea, Person, Organization)
AUDITED_ON_UNDO = frozenset({"person", "organization", "activity"})
MODELS_BY_TABLE = {m._meta.table_name: m for m in DELETE_ORDER}


class UndoRefused(SheetError):
    """The batch cannot be undone (already undone, or its records are in use); nothing changed."""


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _insert(model: type[Model], rows: Iterable[dict[str, Any]]) -> None:
    """Insert ``rows`` (field name → value as peewee would store it) with models.db.insert_rows
    (a prepared statement on SQLite, COPY on a server). Rows without an ``id`` (all or none of
    them) get theirs from the database.

    The rows are one stream, made as they are written: a server's COPY takes in the rows before
    while the next are made. So making a row must not query the database (ids come first)."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    key = model._meta.primary_key
    fields = [f for f in model._meta.sorted_fields if f is not key or key.name in first]
    defaults = {f.name: (f.default() if callable(f.default) else f.default) for f in fields}
    values = itemgetter(*(f.name for f in fields))
    columns = [f.column_name for f in fields]
    stream = ({**defaults, **r} for r in chain([first], rows))
    if crypto.sealed_names(model):  # ID numbers, phones, audit changes, undo snapshots
        crypto.data_key()  # unlocked before the stream starts: making a row must not query
        stream = (crypto.stored_values(model, r) for r in stream)
    insert_rows(model._meta.table_name, columns, (values(r) for r in stream))


class RecordsChanged(Exception):
    """Records the plan would update were changed by someone else after it was made."""


def _update(model: type[Model], rows: list[tuple[int, dict[str, Any], int | None]]) -> None:
    """``UPDATE`` each (id, values, version); rows changing the same columns share a statement.

    A versioned record's version is raised; with a ``version`` the row is written only if the
    record is still at it, else RecordsChanged (the caller's transaction is rolled back)."""
    versioned = "version" in model._meta.fields
    groups: dict[tuple[tuple[str, ...], bool], list[tuple]] = defaultdict(list)
    sealed = bool(crypto.sealed_names(model))
    for record_id, values, version in rows:
        if sealed:
            values = crypto.stored_values(model, values)
        keys = tuple(sorted(values))
        checked = versioned and version is not None
        groups[(keys, checked)].append(
            (*(values[k] for k in keys), record_id, *((version,) if checked else ())))
    param = database.param
    for (keys, checked), params in groups.items():
        columns = [f'"{model._meta.fields[k].column_name}" = {param}' for k in keys]
        if versioned:
            columns.append('"version" = "version" + 1')
        where = f'"id" = {param}' + (f' AND "version" = {param}' if checked else "")
        written = execute_many(
            f'UPDATE "{model._meta.table_name}" SET {", ".join(columns)} WHERE {where}', params)
        if checked and written != len(params):
            raise RecordsChanged(model)


class _Writer:
    """Collects the records of one batch, their audit lines and undo items, and writes them.

    Every created or changed record gets an undo item. The audit log gets one line per
    person or organization of the sheet; what came with the row (membership, team
    role, hours) is written into that line rather than as lines of its own.
    """

    def __init__(self, batch: ImportBatch, user: User | None, job: Job | None):
        self.batch = batch
        self.user_id = user.id if user else None
        self.username = user.username if user else ""
        self.job = job
        self.stamp = str(now())  # as peewee stores a DateTimeField
        self.audit: dict[tuple[str, int], dict[str, Any]] = {}
        self.items: list[dict[str, Any]] = []

    def create(self, model: type[Model], rows: Iterable[dict[str, Any]],
               label_key: str | None = "name") -> None:
        """Insert new records (each with an ``id``); ``label_key=None``: no audit line of their own."""
        _insert(model, self._noted(model, rows, label_key))

    def _noted(self, model: type[Model], rows: Iterable[dict[str, Any]],
               label_key: str | None) -> Iterator[dict[str, Any]]:
        """Each new record as it is written, its audit line and undo item noted on the way."""
        table = model._meta.table_name
        fields = model._meta.fields
        for row in rows:
            if "created_at" in fields:
                row.setdefault("created_at", self.stamp)
                row.setdefault("updated_at", self.stamp)
            if label_key is not None:
                changes = {k: [None, v if type(v) in _PLAIN else audit.plain(v)] for k, v in row.items()
                           if k not in audit.UNAUDITED and v is not None and v != "" and v is not False}
                self._log("create", table, row["id"], changes, str(row.get(label_key) or row["id"]))
            self.items.append({"batch": self.batch.id, "entity": table, "record_id": row["id"],
                               "action": "create", "before": ""})
            yield row

    def update(self, model: type[Model], planned: list[PlannedRow], label_key: str = "name") -> None:
        table = model._meta.table_name
        rows = []
        for p in planned:
            changed = {k: v for k, v in p.values.items() if p.before.get(k) != v}
            if not changed:
                continue
            before = {k: audit.plain(p.before.get(k)) for k in changed}
            changes = {k: [before[k], audit.plain(v)] for k, v in changed.items()}
            if "name" in changed:
                changed.update(name_columns(changed["name"], person=model is Person))
            changed["updated_at"] = self.stamp
            rows.append((p.existing_id, changed, p.version))
            self._log("update", table, p.existing_id, changes, str(p.values.get(label_key) or p.existing_id))
            self.items.append({"batch": self.batch.id, "entity": table, "record_id": p.existing_id,
                               "action": "update", "before": json.dumps(before, ensure_ascii=False)})
        _update(model, rows)

    def note(self, table: str, record_id: int, key: str, value: str, summary: str) -> None:
        """Add "``key``: ``value``" (something that came with the row) to the record's audit line."""
        entry = self.audit.get((table, record_id))
        if entry is None:
            entry = self._log("update", table, record_id, {}, summary)
        entry["changes"][key] = [None, value]

    def _log(self, action: str, table: str, record_id: int, changes: dict, summary: str) -> dict[str, Any]:
        """The record's audit line; a second call for the same record adds to the first."""
        entry = self.audit.get((table, record_id))
        if entry is not None:
            entry["changes"].update(changes)
            return entry
        entry = {"at": self.stamp, "user": self.user_id, "username": self.username, "action": action,
                 "entity": table, "entity_id": record_id,
                 "summary": f"{IMPORT_SUMMARY.format(id=self.batch.id)}{summary}"[:200], "changes": changes}
        self.audit[(table, record_id)] = entry
        return entry

    def finish(self) -> None:
        _insert(AuditEntry, ({**e, "changes": json.dumps(e["changes"], ensure_ascii=False, sort_keys=True)}
                             for e in self.audit.values()))
        _insert(ImportBatchItem, self.items)


def _step(job: Job | None, done: int, total: int) -> None:
    if job is not None:
        job.step(done, total)


def _people(plan: ImportPlan, w: _Writer) -> None:
    total = len(plan.new) + len(plan.updates)
    org_ids = dict(Organization.select(Organization.name, Organization.id).tuples())
    if plan.new_organizations:
        org_id = IdSource(Organization)
        rows = []
        for name in plan.new_organizations:
            values, _errors = clean_organization(OrganizationData(name=name, kind="grassroots"))
            org_ids[name] = org_id.next()
            values.update(id=org_ids[name], **name_columns(name),
                          notes=f"由导入“{plan.sheet.file_name}”新建（草根组织）")
            rows.append(values)
        w.create(Organization, rows)
    person_id = IdSource(Person)
    for p in plan.new:
        p.existing_id = person_id.next()

    def new_people() -> Iterator[dict[str, Any]]:
        for done, p in enumerate(plan.new, start=1):
            yield {**p.values, "id": p.existing_id, **name_columns(p.values["name"], person=True)}
            if done % CHUNK == 0:
                _step(w.job, done, total)

    w.create(Person, new_people())
    w.update(Person, [p for p in plan.updates if p.changed])
    _step(w.job, total, total)
    everyone = plan.new + plan.updates
    membership_id = IdSource(Membership)
    memberships = []
    for p in everyone:
        for name in p.new_memberships:
            memberships.append({"id": membership_id.next(), "person": p.existing_id,
                                "organization": org_ids[name], "role": p.membership_role,
                                "start_on": p.joined_on})
    w.create(Membership, memberships, label_key=None)
    for p in everyone:
        if p.new_memberships:
            role = MEMBERSHIP_ROLES.label(p.membership_role)
            joined = "、".join(f"{name}（{role}）" for name in p.new_memberships)
            w.note("person", p.existing_id, "membership", joined, p.values["name"])
    assignment_id = IdSource(TeamAssignment)
    assignments = []
    for p in everyone:
        for role in p.team_roles:
            assignments.append({"id": assignment_id.next(), "team": p.team_id, "person": p.existing_id,
                                "role": role, "start_on": p.joined_on})
    w.create(TeamAssignment, assignments, label_key=None)
    for p in everyone:
        if p.team_roles:
            roles = "、".join(PERSON_ROLES.label(r) for r in p.team_roles)
            w.note("person", p.existing_id, "team_roles", f"{p.team}：{roles}", p.values["name"])
    _hours(plan, w, everyone, org_ids)


def _hours(plan: ImportPlan, w: _Writer, everyone: list[PlannedRow], org_ids: dict[str, int]) -> None:
    """Imported hours have no activity of their own: one "导入的志愿服务时长" activity per
    organization (and one for people without an organization) holds them, dated ``hours_on``."""
    with_hours = [p for p in everyone if p.hours]
    if not with_hours:
        return
    by_org: dict[int | None, list[PlannedRow]] = defaultdict(list)
    for p in with_hours:
        by_org[org_ids.get(p.organization)].append(p)
    activity_id = IdSource(Activity)
    record_id = IdSource(ServiceRecord)
    activities, records = [], []
    title = hours_title(plan)
    held_on = plan.options.hours_on or dt.date.today()
    for org_id, people in by_org.items():
        activity = activity_id.next()
        activities.append({"id": activity, "title": title, "held_on": held_on, "organization": org_id,
                           "participants": len(people), "description": HOURS_NOTE})
        for p in people:
            records.append({"id": record_id.next(), "person": p.existing_id, "activity": activity,
                            "hours": p.hours, "content": "导入"})
    w.create(Activity, activities, label_key="title")
    w.create(ServiceRecord, records, label_key=None)
    for p in with_hours:
        w.note("person", p.existing_id, "service_hours", str(p.hours), p.values["name"])


def _orgs(plan: ImportPlan, w: _Writer) -> None:
    org_id = IdSource(Organization)
    rows = []
    for p in plan.new:
        p.existing_id = org_id.next()
        rows.append({**p.values, "id": p.existing_id, **name_columns(p.values["name"])})
    w.create(Organization, rows)
    w.update(Organization, [p for p in plan.updates if p.changed])
    stage_id = IdSource(OrganizationStage)
    stages = []
    for p in plan.new + plan.updates:
        if p.stage:
            stage, on, note = p.stage
            stages.append({"id": stage_id.next(), "organization": p.existing_id, "stage": stage,
                           "entered_on": on, "note": note, "recorded_at": w.stamp})
    w.create(OrganizationStage, stages, label_key=None)
    for p in plan.new + plan.updates:
        if p.stage:
            w.note("organization", p.existing_id, "incubation_stage_entered", str(p.stage[1]),
                   p.values.get("name", ""))
    replaced = [p for p in plan.updates if p.service_area_ids is not None]
    for chunk in _chunks([p.existing_id for p in replaced], 500):
        OrganizationServiceArea.delete().where(OrganizationServiceArea.organization.in_(chunk)).execute()
    for p in replaced:
        before = {"service_areas": p.before.get("service_areas", [])}
        after = sorted(p.service_area_ids)
        w._log("update", "organization", p.existing_id, {"service_areas": [before["service_areas"], after]},
               p.values.get("name", ""))
        w.items.append({"batch": w.batch.id, "entity": "organization_service_area",
                        "record_id": p.existing_id, "action": "update", "before": json.dumps(before)})
    link_id = IdSource(OrganizationServiceArea)
    links = []
    for p in plan.new + replaced:
        for area in p.service_area_ids or ():
            links.append({"id": link_id.next(), "organization": p.existing_id, "service_area": area})
    _insert(OrganizationServiceArea, links)
    w.items.extend({"batch": w.batch.id, "entity": "organization_service_area", "record_id": link["id"],
                    "action": "create", "before": ""} for link in links)
    _step(w.job, len(plan.new) + len(plan.updates), len(plan.new) + len(plan.updates))


def apply_import(plan: ImportPlan, user: User | None, job: Job | None = None) -> ImportBatch:
    """Write every valid row of ``plan`` in one transaction (all or nothing) and record the batch.

    If anything was written since the plan was made, the rows are checked again first.
    Rejected rows are not imported; a caller that wants all-or-nothing over the whole
    file checks ``plan.rejected`` before calling this.
    """
    require(user, "import")
    with exclusive_job("import", user):  # JobBusy: another import, undo or restore runs
        for _attempt in range(ATTEMPTS):
            try:
                return _write_plan(plan, user, job)
            except RecordsChanged:
                # Another clerk saved one of the records between the check and the write (the
                # write is all or nothing, so nothing of this try remains): check the rows again.
                log.info("records changed while importing; planning again")
                plan = plan_import(plan.sheet, plan.mapping, plan.options)
    raise SheetError(msg("其他操作员正在频繁修改这些记录，导入没有写入任何数据。请稍后再导入。"))


def _write_plan(plan: ImportPlan, user: User | None, job: Job | None) -> ImportBatch:
    with database.atomic():
        if (AuditEntry.select(fn.MAX(AuditEntry.id)).scalar() or 0) != plan.audit_mark:
            plan = plan_import(plan.sheet, plan.mapping, plan.options)
        batch = ImportBatch.create(
            kind=plan.kind, file_name=plan.sheet.file_name[:255], sheet=plan.sheet.sheet, user=user,
            rows=plan.rows, created=plan.created, updated=plan.updated, rejected=len(plan.rejected),
        )
        writer = _Writer(batch, user, job)
        (_people if plan.kind == "people" else _orgs)(plan, writer)
        writer.finish()
        if job is not None:
            job.step(plan.created + plan.updated, plan.created + plan.updated)  # the last chance to cancel
        remember_mapping(plan.kind, plan.sheet.header, plan.mapping, user)
        audit.record(user, "create", batch, {"rows": [None, plan.rows], "created": [None, plan.created],
                                             "updated": [None, plan.updated]},
                     f"导入{KIND_LABELS[plan.kind]}：{plan.sheet.file_name}")
    return batch


# -- history and undo -------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchRow:
    id: int
    at: dt.datetime
    kind: str
    file_name: str
    sheet: str
    operator: str  # User.shown_name
    rows: int
    created: int
    updated: int
    rejected: int
    undone_at: dt.datetime | None


def list_batches(limit: int | None = None) -> list[BatchRow]:
    """The import history, newest first."""
    query = (ImportBatch.select(ImportBatch, User)
             .join(User, JOIN.LEFT_OUTER, on=(ImportBatch.user == User.id))
             .order_by(ImportBatch.id.desc()))
    if limit:
        query = query.limit(limit)
    return [BatchRow(b.id, b.created_at, b.kind, b.file_name, b.sheet,
                     b.user.shown_name if b.user_id else "",
                     b.rows, b.created, b.updated, b.rejected, b.undone_at)
            for b in query]


def _marker(batch: ImportBatch) -> int:
    """The audit entry written last by the batch: anything later on its records came after it."""
    entry = (AuditEntry.select(AuditEntry.id)
             .where((AuditEntry.entity == "import_batch") & (AuditEntry.entity_id == batch.id))
             .order_by(AuditEntry.id).first())
    return entry.id if entry else 0


def _rows_in(sql: str, ids: list[int], params: tuple = ()) -> Iterable[tuple]:
    """Run the query ``sql`` (``{p}`` marks a placeholder, ``{ids}`` the placeholder list) over
    ``ids`` in chunks; plain SQL, as building peewee expressions for 50 000 ids costs more than
    the queries."""
    for chunk in _chunks(ids, 500):
        yield from database.execute_sql(_in_sql(sql, len(chunk)), (*params, *chunk))


def _delete_in(sql: str, ids: list[int]) -> None:
    """Run the DELETE ``sql`` (``{ids}`` as in ``_rows_in``) over ``ids`` in chunks."""
    for chunk in _chunks(ids, 500):
        database.execute_sql(_in_sql(sql, len(chunk)), chunk)


def _in_sql(sql: str, n: int) -> str:
    return sql.format(ids=placeholders(n), p=database.param)


def _refuse_if_in_use(batch: ImportBatch, created: dict[str, list[int]],
                      touched: dict[str, set[int]]) -> None:
    marker = _marker(batch)
    for table, ids in touched.items():
        # a later import that is still in force must be undone first
        sql = ("SELECT b.id, b.file_name FROM import_batch_item i JOIN import_batch b ON b.id = i.batch_id"
               " WHERE b.id > {p} AND b.undone_at IS NULL AND i.entity = {p} AND i.record_id IN ({ids})"
               " LIMIT 1")
        for later_id, file_name in _rows_in(sql, sorted(ids), (batch.id, table)):
            raise UndoRefused(msg(
                "不能撤销：之后的第 {later} 批导入（{file}）又修改了这批导入的记录。请先撤销那一批。",
                later=later_id, file=file_name))
        # an edit by hand (imports and their undoing excepted: they are checked above)
        sql = ("SELECT summary FROM audit_entry WHERE entity = {p} AND id > {p}"
               " AND summary NOT LIKE {p} AND summary NOT LIKE {p} AND entity_id IN ({ids}) LIMIT 1")
        for (summary,) in _rows_in(sql, sorted(ids), (table, marker, "导入 #%", "撤销导入 #%")):
            raise UndoRefused(msg(
                "不能撤销：本批导入的{what}“{name}”在导入后又被修改过。请先处理这些修改，或逐条修改记录。",
                what=ENTITY_LABELS.get(table, table), name=summary))
    created_sets = {table: set(ids) for table, ids in created.items()}
    for table, ids in created.items():
        model = MODELS_BY_TABLE[table]
        for field, referrer in model._meta.backrefs.items():
            own = created_sets.get(referrer._meta.table_name, set())
            key, other = referrer._meta.primary_key.column_name, referrer._meta.table_name
            sql = f'SELECT "{key}" FROM "{other}" WHERE "{field.column_name}" IN ({{ids}})'
            refs = [r for (r,) in _rows_in(sql, ids) if r not in own]
            if refs:
                raise UndoRefused(msg(
                    "不能撤销：本批导入的{what}已被其他记录引用（{other} {n} 条）。"
                    "请先删除或修改这些记录。",
                    what=ENTITY_LABELS.get(table, table),
                    other=ENTITY_LABELS.get(referrer._meta.table_name, referrer.__name__), n=len(refs)))


def _restore(entity: str, befores: dict[int, dict[str, Any]], stamp: dt.datetime,
             base: dict[str, Any]) -> list[dict[str, Any]]:
    """Put the records of ``entity`` back to their state before the import; their audit lines.

    The current rows are read 500 at a time and written with one prepared statement per set
    of columns: per-record peewee queries cost about 1 ms each, a minute for 50 000 records.
    """
    ids = sorted(befores)
    if entity == "organization_service_area":  # the organization's whole set of service areas
        _delete_in("DELETE FROM organization_service_area WHERE organization_id IN ({ids})", ids)
        OrganizationServiceArea.insert_many(
            [{"organization": i, "service_area": a} for i in ids for a in befores[i]["service_areas"]]
        ).execute()
        return []
    model = MODELS_BY_TABLE[entity]
    fields = model._meta.fields
    current: dict[int, dict[str, Any]] = {}
    versions: dict[int, int] = {}  # as read here: a change by hand meanwhile stops the undo
    for chunk in _chunks(ids, 500):
        for instance in model.select().where(model._meta.primary_key.in_(chunk)):
            current[instance.get_id()] = audit.snapshot(instance)
            versions[instance.get_id()] = getattr(instance, "version", None)
    rows, entries = [], []
    for record_id in ids:
        before = befores[record_id]
        values = dict(before)
        if "name" in values:
            values.update(name_columns(values["name"], person=model is Person))
        values["updated_at"] = stamp
        rows.append((record_id, {k: fields[k].db_value(v) for k, v in values.items()},
                     versions.get(record_id)))
        now_values = current.get(record_id, {})
        changes = {k: [now_values.get(k), v] for k, v in before.items()}
        entries.append({**base, "action": "update", "entity": entity, "entity_id": record_id,
                        "changes": json.dumps(changes, ensure_ascii=False, sort_keys=True)})
    _update(model, rows)
    return entries


def undo_batch(batch_id: int, user: User | None) -> ImportBatch:
    """Undo a whole import: delete what it created, put back what it changed (audited), or refuse."""
    require(user, "import")
    with exclusive_job("undo", user), database.atomic():
        batch = ImportBatch.get_or_none(ImportBatch.id == batch_id)
        if batch is None:
            raise UndoRefused(msg("找不到第 {id} 批导入记录。", id=batch_id))
        if batch.undone_at is not None:
            raise UndoRefused(msg("这批导入已于 {at} 撤销过了。", at=batch.undone_at))
        created: dict[str, list[int]] = defaultdict(list)
        updated: list[tuple[str, int, str]] = []  # (entity, record id, before)
        items = database.execute_sql(
            "SELECT entity, record_id, action, before FROM import_batch_item"
            f" WHERE batch_id = {database.param} ORDER BY id", (batch.id,))
        for entity, record_id, action, before in items:
            before = crypto.unseal(before, "import_batch_item.before")
            if action == "create":
                created[entity].append(record_id)
            else:
                updated.append((entity, record_id, before))
        touched = {t: set(ids) for t, ids in created.items() if t in ("person", "organization")}
        for entity, record_id, _before in updated:
            if entity in ("person", "organization"):
                touched.setdefault(entity, set()).add(record_id)
        _refuse_if_in_use(batch, created, touched)
        stamp = now()
        entries = []
        base = {"at": stamp, "user": user.id if user else None, "username": user.username if user else ""}
        for model in DELETE_ORDER:
            table = model._meta.table_name
            ids = created.get(table, [])
            _delete_in(f'DELETE FROM "{table}" WHERE id IN ({{ids}})', ids)
            if table in AUDITED_ON_UNDO:  # as on import: one line per person, organization, activity
                entries.extend({**base, "action": "delete", "entity": table, "entity_id": i,
                                "summary": UNDO_SUMMARY.format(id=batch.id), "changes": "{}"} for i in ids)
        restore: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
        for entity, record_id, before_json in updated:
            before = restore[entity].setdefault(record_id, {})
            for key, value in json.loads(before_json).items():  # the earliest state wins
                before.setdefault(key, value)
        undo_base = {**base, "summary": UNDO_SUMMARY.format(id=batch.id)}
        try:
            for entity, befores in restore.items():
                entries.extend(_restore(entity, befores, stamp, undo_base))
        except RecordsChanged:
            raise UndoRefused(msg("不能撤销：这批导入修改过的记录刚刚又被其他操作员修改了。"
                                  "请稍后再试；如仍不行，请逐条修改记录。")) from None
        _insert(AuditEntry, entries)
        audit.update(batch, user, undone_at=stamp, undone_by=user)
    return batch
