"""The audit trail (操作日志): who changed what and when, filtered in SQL, and each entry's
changes as old → new per field with Chinese field names and readable values."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from peewee import JOIN, ForeignKeyField, fn

from . import choices
from .entities import ALL_MODELS, AuditEntry, User
from .errors import StaleRecord
from .i18n import tr_noop
from .listing import Column, Listing, ListRow
from .references import ENTITY_LABELS
from .settings import SETTING_LABELS, setting_label
from .validators import mask_id_number

# Entities that appear in the trail without being a register of their own.
ENTITY_NAMES: dict[str, str] = {
    **ENTITY_LABELS,
    "setting": tr_noop("设置"),
    "certificate": tr_noop("志愿服务记录证明"),
    "import_batch": tr_noop("导入批次"),
    "report": tr_noop("统计报表"),
    "demo": tr_noop("演示数据"),
    "database": tr_noop("整个数据库"),
}
ACTION_NAMES: dict[str, str] = {
    **choices.AUDIT_ACTIONS.labels,
    "login": tr_noop("登录"),
    "login_failed": tr_noop("登录失败"),
    "lock": tr_noop("锁定账号"),
    "password": tr_noop("设置密码"),
    "logout": tr_noop("退出登录"),
    "import": tr_noop("导入"),
    "undo": tr_noop("撤销"),
    "print": tr_noop("打印"),
    "backup": tr_noop("备份"),
}

# Field name → Chinese label; (entity, field) where one name means different things.
FIELD_LABELS: dict[str, str] = {
    "name": tr_noop("名称"), "short_name": tr_noop("简称"), "kind": tr_noop("类型"),
    "legal_form": tr_noop("登记类型"), "credit_code": tr_noop("统一社会信用代码"),
    "supervisor": tr_noop("业务主管单位"), "region": tr_noop("所属区域"), "address": tr_noop("地址"),
    "contact_person": tr_noop("负责人"), "contact_phone": tr_noop("联系电话"),
    "founded_on": tr_noop("成立日期"), "registered_on": tr_noop("登记日期"),
    "incubation_stage": tr_noop("孵化阶段"), "stage_since": tr_noop("进入阶段日期"),
    "alliance_member": tr_noop("公益联盟成员"), "alliance_joined_on": tr_noop("加入联盟日期"),
    "group_member": tr_noop("团体会员"), "group_member_since": tr_noop("成为团体会员日期"),
    "notes": tr_noop("备注"), "archived": tr_noop("已归档"), "archived_on": tr_noop("归档日期"),
    "archived_reason": tr_noop("归档或恢复原因"), "id_number": tr_noop("公民身份号码"),
    "birth_date": tr_noop("出生日期"), "sex": tr_noop("性别"), "phone": tr_noop("联系电话"),
    "is_cadre": tr_noop("妇联干部"), "is_social_worker": tr_noop("社工"), "is_volunteer": tr_noop("志愿者"),
    "social_worker_level": tr_noop("社工等级"), "cadre_title": tr_noop("职务"),
    "workplace": tr_noop("工作单位"), "person": tr_noop("人员"), "organization": tr_noop("组织"),
    "role": tr_noop("角色"), "start_on": tr_noop("开始日期"), "end_on": tr_noop("结束日期"),
    "team": tr_noop("团队"), "description": tr_noop("说明"), "level": tr_noop("级别"),
    "capacity": tr_noop("容纳人数"), "manager": tr_noop("管理人"), "venue": tr_noop("阵地"),
    "starts_at": tr_noop("开始时间"), "ends_at": tr_noop("结束时间"), "purpose": tr_noop("用途"),
    "cancelled": tr_noop("已取消"), "source": tr_noop("来源"), "year": tr_noop("年度"),
    "batch": tr_noop("批次"), "status": tr_noop("状态"), "amount_applied": tr_noop("申请金额（元）"),
    "amount_granted": tr_noop("资助金额（元）"), "planned_served": tr_noop("计划服务人次"),
    "actual_served": tr_noop("实际服务人次"), "title": tr_noop("名称"), "held_on": tr_noop("日期"),
    "project": tr_noop("项目"), "participants": tr_noop("参与人数"), "people_served": tr_noop("服务人次"),
    "activity": tr_noop("活动"), "hours": tr_noop("时长（小时）"), "content": tr_noop("服务内容"),
    "topic": tr_noop("主题"), "trainer": tr_noop("授课人"), "training": tr_noop("培训"),
    "service_area": tr_noop("服务领域"), "service_areas": tr_noop("服务领域"), "venues": tr_noop("阵地"),
    "parent": tr_noop("上级区划"), "code": tr_noop("区划代码"), "sort_order": tr_noop("排序"),
    "active": tr_noop("启用"), "username": tr_noop("登录名"), "display_name": tr_noop("姓名"),
    "password_hash": tr_noop("密码"), "value": tr_noop("值"), "stage": tr_noop("阶段"),
    "entered_on": tr_noop("进入日期"), "note": tr_noop("说明"), "number": tr_noop("编号"),
    "period_start": tr_noop("起始日期"), "period_end": tr_noop("截止日期"),
    "issued_on": tr_noop("出具日期"), "issued_by": tr_noop("出具人"), "rows": tr_noop("行数"),
    "created": tr_noop("新建"), "updated": tr_noop("更新"), "rejected": tr_noop("有问题"),
    "certificate_override": tr_noop("无社工证书仍任社工的理由"), "reason": tr_noop("理由"),
    "merge_id": tr_noop("合并编号"), "kept": tr_noop("保留的记录"), "dropped": tr_noop("被合并的记录"),
    "moved": tr_noop("移到保留记录的内容"), "merged_into": tr_noop("已合并到"),
    "file_name": tr_noop("文件名"), "sheet": tr_noop("工作表"), "serial": tr_noop("序号"),
    # 创投轮次 (schema 11)
    "organiser": tr_noop("主办单位"), "budget": tr_noop("总预算（元）"),
    "project_cap": tr_noop("单个项目资助上限（元）"), "call_on": tr_noop("征集日期"),
    "training_on": tr_noop("培训日期"), "review_on": tr_noop("评审日期"),
    "publicity_on": tr_noop("公示日期"), "approval_on": tr_noop("立项日期"),
    "midterm_on": tr_noop("中期评估日期"), "closing_on": tr_noop("结项日期"),
    "attachments": tr_noop("附件"), "criteria": tr_noop("评分项"), "scores": tr_noop("评分"),
    "target_group": tr_noop("服务对象"), "amount_requested": tr_noop("申请金额（元）"),
    "people_planned": tr_noop("计划服务人次"), "status_on": tr_noop("状态日期"),
    "affiliation": tr_noop("工作单位"), "weight": tr_noop("权重"), "due_on": tr_noop("计划完成日期"),
    "done_on": tr_noop("完成日期"), "visited_on": tr_noop("督导日期"), "visitors": tr_noop("督导人员"),
    "findings": tr_noop("督导发现"), "score": tr_noop("评分"), "paid_on": tr_noop("拨付日期"),
    "amount": tr_noop("金额（元）"), "evaluated_on": tr_noop("评估日期"),
    "evaluators": tr_noop("评估人员"), "conclusion": tr_noop("评估结论"), "round": tr_noop("创投轮次"),
    "reviewer": tr_noop("评审专家"), "application": tr_noop("申报"), "criterion": tr_noop("评分项"),
}
ENTITY_FIELD_LABELS: dict[tuple[str, str], str] = {
    ("person", "name"): tr_noop("姓名"),
    ("organization", "name"): tr_noop("组织名称"),
    ("venue", "kind"): tr_noop("阵地类型"),
    ("training", "kind"): tr_noop("培训类型"),
    ("membership", "role"): tr_noop("组织内角色"),
    ("team_assignment", "role"): tr_noop("团队分工"),
    ("user", "role"): tr_noop("权限"),
    ("venture_round", "name"): tr_noop("轮次名称"),
    ("venture_round", "source"): tr_noop("类型"),
    ("venture_application", "title"): tr_noop("项目名称"),
    ("venture_application", "region"): tr_noop("服务地点"),
    ("venture_application", "venues"): tr_noop("服务场所"),
    ("venture_application", "team"): tr_noop("合作团队"),
    ("venture_application", "project"): tr_noop("立项项目"),
    ("venture_application", "organization"): tr_noop("申报组织"),
    ("reviewer", "name"): tr_noop("姓名"),
    ("reviewer", "person"): tr_noop("本库人员"),
    ("project_milestone", "title"): tr_noop("节点"),
}
# Coded values shown by their label.
CHOICE_FIELDS: dict[tuple[str | None, str], choices.Choices] = {
    ("organization", "kind"): choices.ORG_KINDS,
    (None, "legal_form"): choices.LEGAL_FORMS,
    (None, "incubation_stage"): choices.INCUBATION_STAGES,
    (None, "stage"): choices.INCUBATION_STAGES,
    (None, "sex"): choices.SEXES,
    (None, "social_worker_level"): choices.SOCIAL_WORKER_LEVELS,
    ("membership", "role"): choices.MEMBERSHIP_ROLES,
    ("team_assignment", "role"): choices.PERSON_ROLES,
    ("user", "role"): choices.USER_ROLES,
    ("region", "level"): choices.REGION_LEVELS,
    ("venue", "level"): choices.VENUE_LEVELS,
    ("venue", "kind"): choices.VENUE_KINDS,
    ("project", "source"): choices.PROJECT_SOURCES,
    ("project", "status"): choices.PROJECT_STATUSES,
    ("training", "kind"): choices.TRAINING_KINDS,
    ("venture_round", "source"): choices.ROUND_SOURCES,
    ("venture_application", "status"): choices.APPLICATION_STATUSES,
}
# Coded settings shown by their label (the 设置 page's choices).
SETTING_VALUE_LABELS: dict[str, dict[str, str]] = {
    "report.cycle": {"year": tr_noop("每年"), "quarter": tr_noop("每季度"), "month": tr_noop("每月")},
    "office.level": dict(choices.OFFICE_LEVELS.labels),
    "privacy.print_full_id": {"1": tr_noop("是"), "0": tr_noop("否")},
}
MODELS = {model._meta.table_name: model for model in ALL_MODELS}
HIDDEN = "******"


def entity_label(entity: str) -> str:
    return ENTITY_NAMES.get(entity, entity)


def action_label(action: str) -> str:
    return ACTION_NAMES.get(action, action)


def field_label(entity: str, field: str) -> str:
    if entity == "setting":  # a setting's key is its field
        return setting_label(field)
    if entity == "demo":  # the demo's counts per table, keyed by plural table names
        table = {"people": "person", "activities": "activity"}.get(field, field.removesuffix("s"))
        return ENTITY_NAMES.get(table, field)
    return ENTITY_FIELD_LABELS.get((entity, field)) or FIELD_LABELS.get(field) or field


@dataclass(frozen=True)
class AuditFilter:
    text: str = ""  # in the summary (the record's name, the export's file)
    username: str | None = None
    entity: str | None = None
    action: str | None = None
    date_from: dt.date | None = None  # inclusive
    date_to: dt.date | None = None  # inclusive


_operator = fn.COALESCE(fn.NULLIF(User.display_name, ""), AuditEntry.username)


class AuditListing(Listing[AuditFilter]):
    columns = (
        Column("at", tr_noop("时间"), "datetime", sort=AuditEntry.at, width=140),
        Column("user", tr_noop("操作员"), sort=AuditEntry.username, width=100),
        Column("action", tr_noop("操作"), "label", sort=AuditEntry.action, width=70),
        Column("entity", tr_noop("对象类型"), "label", sort=AuditEntry.entity, width=110),
        Column("summary", tr_noop("对象"), sort=AuditEntry.summary, width=260),
        Column("fields", tr_noop("改动的字段"), width=260),
    )
    default_sort = "at"
    default_descending = True  # newest first
    keyset = True

    def base_query(self):
        return AuditEntry.select(
            AuditEntry.id, AuditEntry.at, AuditEntry.username, _operator, AuditEntry.action,
            AuditEntry.entity, AuditEntry.summary, AuditEntry.changes,
        ).join(User, JOIN.LEFT_OUTER, on=(AuditEntry.user == User.id))

    def id_column(self):
        return AuditEntry.id

    def count(self, flt: AuditFilter) -> int:
        return self.apply_filter(AuditEntry.select(AuditEntry.id), flt).count()

    def apply_filter(self, query, flt: AuditFilter):
        typed = " ".join(flt.text.split())
        if typed:
            query = query.where(AuditEntry.summary.contains(typed))
        if flt.username:
            query = query.where(AuditEntry.username == flt.username)
        if flt.entity:
            query = query.where(AuditEntry.entity == flt.entity)
        if flt.action:
            query = query.where(AuditEntry.action == flt.action)
        if flt.date_from:
            query = query.where(AuditEntry.at >= dt.datetime.combine(flt.date_from, dt.time()))
        if flt.date_to:
            end = dt.datetime.combine(flt.date_to + dt.timedelta(days=1), dt.time())
            query = query.where(AuditEntry.at < end)
        return query

    def to_row(self, raw: tuple) -> ListRow:
        entry_id, at, _username, operator, action, entity, summary, changes = raw
        data = _changes(changes)
        if entity == "setting":
            data = _setting_changes(summary, data)
            summary = _settings_named(summary, data)
        fields = "、".join(field_label(entity, name) for name in _in_field_order(entity, data))
        values = (at, operator, action_label(action), entity_label(entity), summary, fields)
        return ListRow(entry_id, values)


def _changes(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _setting_changes(summary: str, data: dict[str, Any]) -> dict[str, Any]:
    """A setting's changes keyed by the setting. Lines written before one save became one line
    hold one setting's row (``key`` and ``value``), its key in the summary."""
    if "value" in data and set(data) <= {"key", "value"}:
        key = data["key"][1] if isinstance(data.get("key"), list) and data["key"][1] else summary
        return {key: data["value"]}
    return data


def _settings_named(summary: str, data: dict[str, Any]) -> str:
    return "、".join(setting_label(key) for key in _in_field_order("setting", data)) or setting_label(summary)


def entry_summary(entry: AuditEntry) -> str:
    """What the entry is about, as the list shows it (settings by their Chinese names)."""
    if entry.entity == "setting":
        return _settings_named(entry.summary, _setting_changes(entry.summary, _changes(entry.changes)))
    return entry.summary


def _in_field_order(entity: str, names) -> list[str]:
    """Field names in the order the record declares them (as its form shows them)."""
    model = MODELS.get(entity)
    order = list(model._meta.fields) if model is not None else []
    if entity == "setting":
        order = list(SETTING_LABELS)
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))


def _distinct(column: str) -> list[str]:
    """The distinct non-empty values of an indexed audit column, in one index probe per value
    (a "loose index scan") instead of reading every entry of a trail that grows for years."""
    assert column in ("username", "entity", "action")  # a fixed name, never user input
    sql = (f"WITH RECURSIVE v(x) AS (SELECT MIN({column}) FROM audit_entry WHERE {column} > '' "
           f"UNION ALL SELECT (SELECT MIN({column}) FROM audit_entry WHERE {column} > v.x) "
           f"FROM v WHERE v.x IS NOT NULL) SELECT x FROM v WHERE x IS NOT NULL")
    return [row[0] for row in AuditEntry._meta.database.execute_sql(sql)]


def operators() -> list[tuple[str, str]]:
    """(username, name shown) of everyone who appears in the trail, for the filter."""
    names = {u.username: u.shown_name for u in User.select(User.username, User.display_name)}
    return sorted(((u, names.get(u, u)) for u in _distinct("username")), key=lambda p: p[1])


def entities() -> list[tuple[str, str]]:
    """(entity, Chinese name) of the kinds of records present in the trail."""
    return sorted(((e, entity_label(e)) for e in _distinct("entity")), key=lambda p: p[1])


def actions() -> list[tuple[str, str]]:
    order = list(ACTION_NAMES)
    return sorted(((a, action_label(a)) for a in _distinct("action")),
                  key=lambda p: (order.index(p[0]) if p[0] in order else len(order), p[0]))


def value_text(entity: str, field: str, value: Any, full_ids: bool = False) -> str:
    """A stored value as people read it: a label for a code, a name for a reference."""
    if value is None or value == "":
        return ""
    if field == "password_hash":
        return HIDDEN
    if field == "id_number" and isinstance(value, str) and not full_ids:
        return mask_id_number(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if entity == "setting" and field in SETTING_VALUE_LABELS:
        return SETTING_VALUE_LABELS[field].get(str(value), str(value))
    vocabulary = CHOICE_FIELDS.get((entity, field)) or CHOICE_FIELDS.get((None, field))
    if vocabulary is not None and isinstance(value, str):
        return vocabulary.label(value) or value
    model = MODELS.get(entity)
    target = model._meta.fields.get(field) if model is not None else None
    if isinstance(target, ForeignKeyField) and isinstance(value, int):
        from .audit import label

        referred = target.rel_model.get_or_none(target.rel_model.id == value)
        return label(referred) if referred is not None else f"#{value}"
    if isinstance(value, dict):  # a record as it was (a merge's snapshot): its fields, IDs masked
        return "；".join(f"{field_label(entity, k)}：{value_text(entity, k, v, full_ids)}"
                        for k, v in value.items() if v not in (None, "", False))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


def entry_changes(entry: AuditEntry, full_ids: bool = False) -> list[FieldChange]:
    """The entry's changes, one per field, in the order of the record's fields."""
    data = _changes(entry.changes)
    if entry.entity == "setting":
        data = _setting_changes(entry.summary, data)
    result = []
    for name in _in_field_order(entry.entity, data):
        pair = data[name]
        old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        result.append(FieldChange(
            name, field_label(entry.entity, name),
            value_text(entry.entity, name, old, full_ids), value_text(entry.entity, name, new, full_ids),
        ))
    return result


@dataclass(frozen=True)
class ConflictRow:
    """One field of a refused save: as the form read it, as stored now, as the form would save it."""

    field: str
    label: str
    read: str
    theirs: str
    mine: str

    @property
    def they_changed(self) -> bool:
        return self.theirs != self.read

    @property
    def i_changed(self) -> bool:
        return self.mine != self.read


def conflict_rows(error: StaleRecord, full_ids: bool = False) -> list[ConflictRow]:
    """The fields where the stored record and the refused input differ, or which the other
    clerk changed, in the order of the record's fields."""
    theirs = error.theirs or {}
    names = [n for n in error.mine if n in theirs or n in error.read]
    names += [n for n in theirs if n not in error.mine and theirs.get(n) != error.read.get(n)]
    rows = []
    for name in _in_field_order(error.entity, names):
        read = error.read.get(name)
        mine = error.mine.get(name, read)
        stored = theirs.get(name)
        if stored == mine and stored == read:
            continue
        text = [value_text(error.entity, name, v, full_ids) for v in (read, stored, mine)]
        if text[1] == text[2] and text[1] == text[0]:
            continue  # differ only in form (5 and 5.00)
        rows.append(ConflictRow(name, field_label(error.entity, name), *text))
    return rows
