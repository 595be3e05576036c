"""Merging two people (or two organizations) into one, and undoing a merge exactly.

A merge keeps one record and archives the other with a pointer to it (``merged_into``); every
record that pointed at the dropped one points at the kept one. Conflicts are resolved, not lost:
two memberships of one organization (or two duties of one team) become one with the earlier
start; two attendances of one training become one; two service records of one activity become one
with the hours added. Every row the merge touches is kept, as it was before and after, in the
``MergeRecord``, and the audit trail gets one line with both records and every re-pointed
reference: an undo puts every row back exactly, refused while anything recorded later depends on
the merge (a row it wrote changed since).

Writes are conditional on the version each record was read at (models.audit's convention): a
clerk editing a record meanwhile makes the merge stop with StaleRecord-style message, never
overwrite her change.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from peewee import ForeignKeyField, IntegrityError, Model

from . import audit
from .choices import INCUBATION_STAGES, LEGAL_FORMS, ORG_KINDS, SEXES, SOCIAL_WORKER_LEVELS
from .crypto import with_hashes
from .db import database, now
from .entities import (
    ALL_MODELS,
    AuditEntry,
    ImportBatch,
    ImportBatchItem,
    MergeRecord,
    Organization,
    OrganizationStage,
    Person,
    Region,
    User,
)
from .errors import UserError, ValidationFailed
from .i18n import Message, msg, tr_noop
from .permissions import require
from .sortkey import name_columns
from .validators import InvalidValue, check_id_number, mask_id_number

MODELS = {"people": Person, "orgs": Organization}

# The fields a clerk chooses between, in the order the merge screen shows them, with their labels.
PERSON_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", tr_noop("姓名")), ("id_number", tr_noop("身份证号")), ("birth_date", tr_noop("出生日期")),
    ("sex", tr_noop("性别")), ("phone", tr_noop("联系电话")), ("region", tr_noop("所属镇（街道）")),
    ("is_cadre", tr_noop("妇工")), ("is_social_worker", tr_noop("社工")),
    ("is_volunteer", tr_noop("义工")), ("social_worker_level", tr_noop("社工等级")),
    ("cadre_title", tr_noop("妇联职务")), ("workplace", tr_noop("工作单位")), ("notes", tr_noop("备注")),
)
ORG_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", tr_noop("名称")), ("short_name", tr_noop("简称")), ("kind", tr_noop("类别")),
    ("legal_form", tr_noop("登记类型")), ("credit_code", tr_noop("统一社会信用代码")),
    ("supervisor", tr_noop("业务主管单位")), ("region", tr_noop("所属镇（街道）")),
    ("address", tr_noop("地址")),
    ("contact_person", tr_noop("联系人")), ("contact_phone", tr_noop("联系电话")),
    ("founded_on", tr_noop("成立日期")), ("registered_on", tr_noop("登记日期")),
    ("incubation_stage", tr_noop("孵化阶段")), ("stage_since", tr_noop("进入阶段日期")),
    ("alliance_member", tr_noop("公益联盟成员")), ("alliance_joined_on", tr_noop("加入联盟日期")),
    ("group_member", tr_noop("团体会员")), ("group_member_since", tr_noop("成为团体会员日期")),
    ("notes", tr_noop("备注")),
)
FIELDS = {"people": PERSON_FIELDS, "orgs": ORG_FIELDS}
# Fields shown through a vocabulary's label.
VOCABULARIES = {"sex": SEXES, "kind": ORG_KINDS, "legal_form": LEGAL_FORMS,
                "incubation_stage": INCUBATION_STAGES, "social_worker_level": SOCIAL_WORKER_LEVELS}
# Fields that go with another one by default: a registration's type and date with its credit
# code, the day a stage was entered with the stage (a person's birth date and sex follow her ID).
FOLLOWING = {"kind": "credit_code", "legal_form": "credit_code", "registered_on": "credit_code",
             "stage_since": "incubation_stage", "alliance_joined_on": "alliance_member",
             "group_member_since": "group_member"}
# Kept with the dropped organization: its own incubation history, which its stage fields describe.
STAYING = frozenset({OrganizationStage})

# Reference tables whose rows may meet a row of the kept record: (table, column) -> the other
# columns that make two rows "the same" and how they are joined.
JOINED: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("membership", "person"): (("organization",), "span"),
    ("membership", "organization"): (("person",), "span"),
    ("team_assignment", "person"): (("team", "role"), "span"),
    ("training_attendance", "person"): (("training",), "one"),
    ("service_record", "person"): (("activity",), "hours"),
    ("organization_service_area", "organization"): (("service_area",), "one"),
}

TABLE_LABELS = {
    "membership": "组织成员身份", "team_assignment": "团队分工", "service_record": "志愿服务记录",
    "training_attendance": "培训出勤", "booking": "场地预约", "venue": "活动阵地（负责人）",
    "certificate": "志愿服务证明", "project": "项目", "activity": "活动",
    "organization_service_area": "服务领域", "import_batch_item": "导入记录",
}


class MergeRefused(UserError):
    """A merge or an undo that cannot be done; ``message`` says why and what to do."""


@dataclass
class Move:
    """One row of another table that the merge changes."""

    table: str
    row_id: int
    column: str
    action: str  # repoint | join (folded into ``into``) | update (takes the joined values)
    into: int | None = None


@dataclass
class MergePlan:
    """What a merge of ``dropped`` into ``kept`` will do, before it is done (the preview)."""

    kind: str
    kept: Model
    dropped: Model
    choices: dict[str, str]  # field -> "kept" | "dropped"
    values: dict[str, Any]  # the kept record's values after the merge
    moves: list[Move] = field(default_factory=list)
    imports: int = 0  # import batches that wrote the dropped record (they stay as history)

    def moved_counts(self) -> dict[str, int]:
        """Rows that move, by table (joined ones included)."""
        counts: dict[str, int] = defaultdict(int)
        for move in self.moves:
            if move.action != "update":
                counts[move.table] += 1
        return dict(counts)

    def preview_lines(self) -> list[str]:
        """The preview in Chinese: what moves, what is joined."""
        lines = []
        joined: dict[str, int] = defaultdict(int)
        for move in self.moves:
            if move.action == "join":
                joined[move.table] += 1
        for table, n in sorted(self.moved_counts().items()):
            label = table_label(table)
            extra = f"（其中 {joined[table]} 条与保留记录的同一项合并为一条）" if joined.get(table) else ""
            lines.append(f"{label}：{n} 条改为属于保留的记录{extra}")
        if self.imports:
            lines.append(f"导入记录：{self.imports} 批导入写过被合并的记录，作为历史保留不变")
        return lines


def shown_values(kind: str, record: Model, full_ids: bool = False) -> dict[str, str]:
    """Each field of ``record`` as the merge screen shows it (vocabulary labels untranslated:
    the window passes them through its translation; an ID masked unless ``full_ids``)."""
    shown = {}
    for name in _fields(kind):
        value = record.__data__.get(name)
        if name in VOCABULARIES:
            text = VOCABULARIES[name].label(value)
        elif name == "region":
            region = Region.get_or_none(Region.id == value) if value else None
            text = region.name if region is not None else ""
        elif name == "id_number":
            text = (value if full_ids else mask_id_number(value)) if value else ""
        elif isinstance(value, bool):
            text = "是" if value else "否"
        elif isinstance(value, (dt.date, Decimal)):
            text = str(value)
        else:
            text = "" if value is None else str(value)
        shown[name] = text
    return shown


def _fields(kind: str) -> list[str]:
    return [name for name, _label in FIELDS[kind]]


def _empty(value: Any) -> bool:
    return value in (None, "", False)


def default_choices(kind: str, kept: Model, dropped: Model) -> dict[str, str]:
    """Each field from the kept record, unless it is empty there and filled in the dropped one
    (so roles add up: a volunteer who is also a cadre is both); an old 15-digit ID gives way to an
    18-digit one; what goes with a field taken from the dropped record comes with it."""
    choices = {}
    for name in _fields(kind):
        mine, theirs = kept.__data__.get(name), dropped.__data__.get(name)
        take = _empty(mine) and not _empty(theirs)
        if name == "id_number" and mine and theirs and len(mine) != 18 and len(theirs) == 18:
            take = True
        choices[name] = "dropped" if take else "kept"
    for name, leader in FOLLOWING.items():
        if name in choices and choices.get(leader) == "dropped":
            choices[name] = "dropped"
    return choices


def _merged_values(kind: str, kept: Model, dropped: Model, choices: dict[str, str]) -> dict[str, Any]:
    values = {}
    for name in _fields(kind):
        source = dropped if choices.get(name) == "dropped" else kept
        values[name] = source.__data__.get(name)
    if kind == "people" and values.get("id_number"):
        try:  # with an ID, birth date and sex come from it (as every form has it)
            resident = check_id_number(values["id_number"])
        except InvalidValue as e:
            raise ValidationFailed({"id_number": msg(
                "保留的身份证号有问题：{why}。请选择另一条记录的身份证号。", why=str(e.message))}) from None
        values.update(birth_date=resident.birth_date, sex=resident.sex)
    if kind == "people" and not values.get("is_social_worker"):
        values["social_worker_level"] = None
    return values


def _references(kind: str) -> list[tuple[type[Model], ForeignKeyField]]:
    """Every foreign key that points at a person (or organization), bar ``merged_into``."""
    target = MODELS[kind]
    found = []
    for model in ALL_MODELS:
        if model in STAYING:
            continue
        for f in model._meta.sorted_fields:
            if isinstance(f, ForeignKeyField) and f.rel_model is target and f.name != "merged_into":
                found.append((model, f))
    return found


def load(kind: str, record_id: int) -> Model:
    model = MODELS[kind]
    record = model.get_or_none(model.id == record_id)
    if record is None:
        raise MergeRefused(msg("找不到编号为 {id} 的{what}。", id=record_id, what=_what(kind)))
    return record


def _what(kind: str) -> str:
    return "人员" if kind == "people" else "社会组织"


def plan_merge(kind: str, kept_id: int, dropped_id: int, choices: dict[str, str] | None = None) -> MergePlan:
    """The preview of merging ``dropped_id`` into ``kept_id`` (``choices``: field -> kept|dropped,
    the rest as ``default_choices``); refuses what cannot be merged."""
    if kept_id == dropped_id:
        raise MergeRefused(msg("不能把一条记录与它自己合并。"))
    kept, dropped = load(kind, kept_id), load(kind, dropped_id)
    for record in (kept, dropped):
        if record.merged_into_id is not None:
            raise MergeRefused(msg("“{name}”（编号 {id}）已经合并到编号 {to}，不能再合并。",
                                   name=record.name, id=record.id, to=record.merged_into_id))
        if record.archived:
            raise MergeRefused(msg("“{name}”（编号 {id}）已归档：请先恢复它，再合并。",
                                   name=record.name, id=record.id))
    unknown = set(choices or {}) - set(_fields(kind))
    if unknown:
        raise MergeRefused(msg("没有这样的字段：{names}。可选：{known}", names="、".join(sorted(unknown)),
                               known="、".join(_fields(kind))))
    chosen = {**default_choices(kind, kept, dropped), **(choices or {})}
    plan = MergePlan(kind, kept, dropped, chosen, _merged_values(kind, kept, dropped, chosen))
    for model, fk in _references(kind):
        table = model._meta.table_name
        rows = list(model.select().where(fk == dropped_id).order_by(model._meta.primary_key))
        joined = JOINED.get((table, fk.name))
        mine: dict[tuple, Model] = {}
        if joined:
            for row in model.select().where(fk == kept_id).order_by(model._meta.primary_key):
                mine.setdefault(tuple(row.__data__.get(c) for c in joined[0]), row)
        for row in rows:
            key = tuple(row.__data__.get(c) for c in joined[0]) if joined else None
            into = mine.get(key) if joined else None
            if into is None:
                _refuse_clash(model, fk, row, kept_id)
                plan.moves.append(Move(table, row.get_id(), fk.name, "repoint"))
            else:
                plan.moves.append(Move(table, row.get_id(), fk.name, "join", into.get_id()))
    entity = "person" if kind == "people" else "organization"
    plan.imports = (ImportBatchItem.select(ImportBatchItem.batch).distinct()
                    .where((ImportBatchItem.entity == entity) & (ImportBatchItem.record_id == dropped_id))
                    .join(ImportBatch).count())
    return plan


def _unique_sets(model: type[Model]) -> list[tuple[str, ...]]:
    """The field names of each unique index of ``model``."""
    found = [tuple(names) for names, unique in model._meta.indexes if unique]
    found += [(f.name,) for f in model._meta.sorted_fields if f.unique]
    return found


def _refuse_clash(model: type[Model], fk: ForeignKeyField, row: Model, kept_id: int) -> None:
    """Refuse a merge that would give the kept record two rows a unique index allows once (two
    applications of one title to one round), when no rule joins them: the user decides which."""
    for names in _unique_sets(model):
        if fk.name not in names:
            continue
        condition = fk == kept_id
        for name in names:
            if name != fk.name:
                condition &= model._meta.fields[name] == row.__data__.get(name)
        clash = model.select().where(condition).first()
        if clash is not None:
            raise MergeRefused(msg(
                "两条记录各有一条相同的{what}（“{name}”，编号 {a} 和 {b}），合并后会重复，没有合并："
                "请先处理其中一条，再合并。", what=table_label(model._meta.table_name),
                name=audit.label(row), a=clash.get_id(), b=row.get_id()))


def table_label(table: str) -> str:
    """A table as the user knows it (the merge's own words, else the register's)."""
    from .references import ENTITY_LABELS

    return TABLE_LABELS.get(table) or ENTITY_LABELS.get(table) or table


# -- rows as they are stored ---------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """A stored value as JSON keeps it and both backends read it back as the same value (a time
    with a space, as peewee parses it)."""
    if isinstance(value, dt.datetime):
        return value.isoformat(" ")
    return audit.plain(value)


def _row(instance: Model) -> dict[str, Any]:
    """Every column of a row (id, version and timestamps included), JSON-friendly."""
    return {f.name: _plain(instance.__data__.get(f.name)) for f in instance._meta.sorted_fields}


MODELS_BY_TABLE = {m._meta.table_name: m for m in ALL_MODELS}


def _get(table: str, row_id: int) -> Model | None:
    model = MODELS_BY_TABLE[table]
    return model.get_or_none(model._meta.primary_key == row_id)


class _Tracker:
    """Every row the merge writes, as before and after, for the undo."""

    def __init__(self) -> None:
        self.before: dict[str, dict[int, dict]] = defaultdict(dict)
        self.after: dict[str, dict[int, dict]] = defaultdict(dict)
        self.deleted: dict[str, list[int]] = defaultdict(list)

    def write(self, instance: Model, changes: dict[str, Any], read_version: int | None = None) -> None:
        """Change ``instance``'s row to ``changes``, if it is still as read (its version), raising
        its version: a conditional write, as models.audit does it."""
        model = type(instance)
        table, key = model._meta.table_name, model._meta.primary_key
        self.before[table].setdefault(instance.get_id(), _row(instance))
        values = with_hashes(model, changes)  # a person's ID and phone are found by their hashes
        condition = key == instance.get_id()
        if "version" in model._meta.fields:
            read_at = read_version if read_version is not None else instance.version
            condition &= model.version == read_at
            values["version"] = read_at + 1
            if "updated_at" in model._meta.fields:
                values["updated_at"] = now()
        if model.update(**values).where(condition).execute() != 1:
            raise _stale(instance)
        for name, value in values.items():
            setattr(instance, name, value)
        self.after[table][instance.get_id()] = _row(model.get(key == instance.get_id()))

    def delete(self, instance: Model) -> None:
        model = type(instance)
        table, key = model._meta.table_name, model._meta.primary_key
        self.before[table].setdefault(instance.get_id(), _row(instance))
        self.after[table].pop(instance.get_id(), None)
        condition = key == instance.get_id()
        if "version" in model._meta.fields:
            condition &= model.version == instance.version
        if model.delete().where(condition).execute() != 1:
            raise _stale(instance)
        self.deleted[table].append(instance.get_id())


def _stale(instance: Model) -> MergeRefused:
    return MergeRefused(msg("合并时发现“{what}”（编号 {id}）刚被其他操作员修改过，没有合并。请刷新后再试。",
                            what=table_label(instance._meta.table_name),
                            id=instance.get_id()))


def _earlier(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return min(a, b) if a and b else None


def _later_end(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return None if a is None or b is None else max(a, b)


def merge(kind: str, kept_id: int, dropped_id: int, user: User | None,
          choices: dict[str, str] | None = None, versions: tuple[int, int] | None = None) -> MergeRecord:
    """Merge ``dropped_id`` into ``kept_id`` in one transaction; the MergeRecord (its id undoes it).
    ``versions``: the versions of the kept and dropped records as the clerk saw them (a change
    since then refuses the merge)."""
    require(user, "merge")
    try:
        with database.atomic():
            return _merge(kind, kept_id, dropped_id, user, choices, versions)
    except IntegrityError as e:
        raise ValidationFailed({"merge": msg(
            "所选的字段相互矛盾，没有合并（{detail}）。例如登记注册的组织须有统一社会信用代码，草根组织不能有。"
            "请调整所选字段后再试。", detail=str(e).splitlines()[0][:120])}) from None


def _merge(kind: str, kept_id: int, dropped_id: int, user: User | None,
           choices: dict[str, str] | None, versions: tuple[int, int] | None) -> MergeRecord:
    plan = plan_merge(kind, kept_id, dropped_id, choices)
    kept, dropped = plan.kept, plan.dropped
    kept_version, dropped_version = versions or (kept.version, dropped.version)
    tracker = _Tracker()
    snapshots = {"kept": audit.snapshot(kept), "dropped": audit.snapshot(dropped)}
    # The dropped record first: it gives up what must be unique (an ID, a name, a code) if the
    # kept one takes it.
    release: dict[str, Any] = {}
    for unique in ("id_number", "credit_code"):
        taken = plan.values.get(unique)
        if taken and taken == dropped.__data__.get(unique):
            release[unique] = None
    if kind == "orgs" and plan.values["name"] == dropped.name:
        release["name"] = f"{dropped.name}（已合并到编号 {kept.id}）"
        release.update(name_columns(release["name"]))
    today = dt.date.today()
    reason = f"与“{kept.name}”（编号 {kept.id}）是同一{_one(kind)}，已合并"
    tracker.write(dropped, {**release, "archived": True, "archived_on": today, "merged_into": kept.id,
                            "archived_reason": reason}, dropped_version)
    values = dict(plan.values)
    if "name" in values:
        values.update(name_columns(values["name"], person=kind == "people"))
    tracker.write(kept, values, kept_version)
    moved = []  # as the audit trail shows them
    for move in plan.moves:
        row = _get(move.table, move.row_id)
        if row is None:
            raise _stale_missing(move)
        if move.action == "repoint":
            tracker.write(row, {move.column: kept.id})
        else:
            into = _get(move.table, move.into)
            _join(tracker, (move.table, move.column), into, row)
        label = table_label(move.table)
        moved.append(f"{label} {move.row_id}" if move.action == "repoint"
                     else f"{label} {move.row_id}（并入 {move.into}）")
    summary = f"合并{_what(kind)}：“{dropped.name}”（编号 {dropped.id}）并入“{kept.name}”（编号 {kept.id}）"
    details = {"choices": plan.choices, "before": tracker.before, "after": tracker.after,
               "deleted": tracker.deleted}
    record = MergeRecord.create(kind=kind, kept_id=kept.id, dropped_id=dropped.id, user=user,
                                username=user.username if user else "", summary=summary[:200],
                                details=json.dumps(details, ensure_ascii=False, sort_keys=True))
    after = {"kept": audit.snapshot(MODELS[kind].get_by_id(kept.id)),
             "dropped": audit.snapshot(MODELS[kind].get_by_id(dropped.id))}
    audit.record(user, "merge", kept, {"merge_id": [None, record.id],
                                       "kept": [snapshots["kept"], after["kept"]],
                                       "dropped": [snapshots["dropped"], after["dropped"]],
                                       "moved": [None, moved]}, summary)
    return record


def _table(kind: str) -> str:
    return MODELS[kind]._meta.table_name


def _one(kind: str) -> str:
    return "人" if kind == "people" else "组织"


def _stale_missing(move: Move) -> MergeRefused:
    return MergeRefused(msg("合并时发现一条{what}（编号 {id}）刚被删除，没有合并。请刷新后再试。",
                            what=table_label(move.table), id=move.row_id))


def _join(tracker: _Tracker, key: tuple[str, str], into: Model, row: Model) -> None:
    """Fold ``row`` (of the dropped record) into ``into`` (the kept record's row of the same thing)."""
    how = JOINED[key][1]
    if how == "span":
        start = _earlier(into.start_on, row.start_on) or into.start_on or row.start_on
        tracker.write(into, {"start_on": start, "end_on": _later_end(into.end_on, row.end_on)})
    elif how == "hours":
        content = "；".join(t for t in (into.content, row.content) if t)
        hours = Decimal(str(into.hours)) + Decimal(str(row.hours))
        tracker.write(into, {"hours": hours, "content": content[:255]})
    elif how == "one" and into.__data__.get("organization", 0) is None and row.__data__.get("organization"):
        tracker.write(into, {"organization": row.organization_id})
    tracker.delete(row)


# -- undo ---------------------------------------------------------------------------------------

def _differences(table: str, expected: dict[int, dict]) -> tuple[str, int] | None:
    """The first row of ``table`` not as the merge left it: (table, id)."""
    for row_id, after in expected.items():
        current = _get(table, int(row_id))
        if current is None or _row(current) != after:
            return table, int(row_id)
    return None


def undo_merge(merge_id: int, user: User | None) -> MergeRecord:
    """Put every row the merge wrote back as it was, or refuse (MergeRefused) while something
    recorded since depends on the merge."""
    require(user, "merge")
    with database.atomic():
        record = MergeRecord.get_or_none(MergeRecord.id == merge_id)
        if record is None:
            raise MergeRefused(msg("找不到编号为 {id} 的合并记录。", id=merge_id))
        if record.undone_at is not None:
            raise MergeRefused(msg("这次合并已于 {at} 撤销过了。", at=f"{record.undone_at:%Y-%m-%d %H:%M}"))
        details = json.loads(record.details)
        for table, rows in details["after"].items():
            changed = _differences(table, rows)
            if changed is not None:
                raise MergeRefused(_in_the_way(record, *changed))
        for table, ids in details["deleted"].items():
            model = MODELS_BY_TABLE[table]
            if model.select().where(model._meta.primary_key.in_(ids)).exists():
                raise MergeRefused(msg("不能撤销这次合并：合并时去掉的一条{what}的编号已被新记录占用。",
                                       what=table_label(table)))
        main = _table(record.kind)
        # The kept record first: it hands back what must be unique before the dropped one takes it.
        ordered = sorted(details["before"].items(), key=lambda item: item[0] != main)
        for table, rows in ordered:
            model = MODELS_BY_TABLE[table]
            ids = sorted(rows, key=lambda i: int(i) != record.kept_id)
            for row_id in ids:
                before = rows[row_id]
                if int(row_id) in details["deleted"].get(table, []):
                    model.insert(**before).execute()
                else:
                    values = {k: v for k, v in before.items() if k != model._meta.primary_key.name}
                    condition = model._meta.primary_key == int(row_id)
                    left = details["after"].get(table, {}).get(row_id, {})
                    if "version" in left:  # a conditional write: another clerk's change meanwhile stops it
                        condition &= model.version == left["version"]
                    if model.update(**values).where(condition).execute() != 1:
                        raise MergeRefused(_in_the_way(record, table, int(row_id)))
        audit.record(user, "unmerge", MODELS[record.kind].get_by_id(record.kept_id),
                     {"merge_id": [record.id, None]}, f"撤销合并：{record.summary}"[:200])
        MergeRecord.update(undone_at=now(), undone_by=user).where(MergeRecord.id == record.id).execute()
    return MergeRecord.get_by_id(merge_id)


def _in_the_way(record: MergeRecord, table: str, row_id: int) -> Message:
    """What stops an undo, named as the user knows it: who changed it last, and when."""
    last = (AuditEntry.select().where((AuditEntry.entity == table) & (AuditEntry.entity_id == row_id)
                                      & (AuditEntry.at >= record.at))
            .order_by(AuditEntry.id.desc()).first())
    when = ""
    if last is not None and last.action != "merge":
        when = f"（{last.username or '程序'}于 {last.at:%Y-%m-%d %H:%M}）"
    current = _get(table, row_id)
    name = audit.label(current) if current is not None else str(row_id)
    if table == _table(record.kind):
        what = "保留的记录" if row_id == record.kept_id else "被合并的记录"
        return msg("不能撤销这次合并：{what}“{name}”在合并之后又被修改过{when}。"
                   "请先撤销或改回那些修改，再撤销合并。", what=what, name=name, when=when)
    return msg("不能撤销这次合并：合并时改动的一条{what}（编号 {id}）在合并之后又被修改或删除了{when}。"
               "请先改回它，再撤销合并。", what=table_label(table), id=row_id, when=when)


@dataclass(frozen=True)
class MergeRow:
    """A merge as the history list shows it."""

    id: int
    kind: str
    at: dt.datetime
    username: str
    summary: str
    undone_at: dt.datetime | None


def list_merges(kind: str | None = None, limit: int = 200) -> list[MergeRow]:
    query = MergeRecord.select().order_by(MergeRecord.id.desc()).limit(limit)
    if kind:
        query = query.where(MergeRecord.kind == kind)
    return [MergeRow(m.id, m.kind, m.at, m.username, m.summary, m.undone_at) for m in query]


def kept_of(kind: str, record_id: int) -> int:
    """The record a merged one now is (following merges of merges), or ``record_id`` itself."""
    model = MODELS[kind]
    seen = {record_id}
    current = record_id
    while True:
        row = model.select(model.merged_into).where(model.id == current).tuples().first()
        if row is None or row[0] is None or row[0] in seen:
            return current
        current = row[0]
        seen.add(current)
