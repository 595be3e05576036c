"""The preview: every row checked, matched and sorted into new / update / rejected, nothing written.

The rules are the register's own (models.people, models.organizations,
models.validators, models.rules); this module only turns sheet cells into the
forms those rules take, and adds what only an import has: IDs Excel turned
into numbers, the same person twice in one file, unknown organizations.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from peewee import fn

from models.choices import (
    INCUBATION_STAGES,
    LEGAL_FORMS,
    MEMBERSHIP_ROLES,
    ORG_KINDS,
    PERSON_ROLES,
    SOCIAL_WORKER_LEVELS,
)
from models.crypto import id_hash
from models.db import database, placeholders
from models.duplicates import PersonMatcher, org_key, upgraded_id
from models.entities import (
    Activity,
    AuditEntry,
    Membership,
    Organization,
    Person,
    Region,
    ServiceArea,
    ServiceRecord,
    Team,
    TeamAssignment,
)
from models.entities import OrganizationServiceArea as Link
from models.i18n import Message, msg
from models.merge import kept_of
from models.organizations import OrganizationData, clean_organization
from models.people import PersonData, clean_person
from models.rules import check_stage_transition
from models.validators import InvalidValue, mask_id_number, normalise_phone

from ..reports.output import Job
from .columns import field_of, not_imported_reason
from .reading import SheetData
from .rows import data_rows
from .values import (
    SCIENTIFIC,
    BadCell,
    MonthDigits,
    MonthOnly,
    is_number,
    name_text,
    parse_date,
    parse_hours,
    parse_yes_no,
    same_day,
    split_list,
    split_names,
    text,
)

PROGRESS_EVERY = 2000
# A rejected row keeps this many of its problems, the last one saying how many more there were:
# 120,000 rows of garbage (within the reading limits) must not keep a million messages.
KEPT_PROBLEMS = 4
HOURS_TITLE = "导入的志愿服务时长（{file}）"
_CHUNK = 500

PERSON_ROLE_WORDS = {
    "cadre": ("妇工", "妇联干部", "妇女干部", "妇联执委", "执委", "干部"),
    "social_worker": ("社工", "社会工作者", "社工师", "专业社工"),
    "volunteer": ("义工", "志愿者", "巾帼志愿者", "志愿服务者"),
}
MEMBERSHIP_ROLE_WORDS = {
    "leader": ("负责人", "会长", "理事长", "队长", "团长", "主任"),
    "core": ("骨干", "副会长", "副队长", "理事", "秘书长"),
    "member": ("成员", "会员", "队员", "普通成员"),
}
LEVEL_WORDS = {
    "assistant": ("助理社会工作师", "助理社工师", "初级"),
    "regular": ("社会工作师", "社工师", "中级"),
    "senior": ("高级社会工作师", "高级社工师", "高级"),
}
KIND_WORDS = {
    ("registered", "social_group"): ("社会团体", "社团"),
    ("registered", "service_org"): ("社会服务机构", "民办非企业单位", "民办非企业", "民非",
                                    "社会服务机构(民办非企业单位)"),
    ("registered", "foundation"): ("基金会",),
    ("registered", None): ("登记注册", "已登记", "已注册", "登记"),
    ("grassroots", None): ("草根组织", "草根", "备案", "已备案", "未登记", "草根组织(备案)"),
}
LEGAL_FORM_BY_CODE = {"51": "social_group", "52": "service_org", "53": "foundation"}
SEX_WORDS = {"女": "F", "男": "M", "F": "F", "M": "M"}


def _words(table: dict) -> dict[str, Any]:
    return {word: code for code, words in table.items() for word in words}


_PERSON_ROLES = _words(PERSON_ROLE_WORDS)
_MEMBERSHIP_ROLES = _words(MEMBERSHIP_ROLE_WORDS)
_LEVELS = {**_words(LEVEL_WORDS), **{label: code for code, label in SOCIAL_WORKER_LEVELS}}
_KINDS = _words(KIND_WORDS)
_STAGES = {label: code for code, label in INCUBATION_STAGES}
_LEVEL_SUFFIX = re.compile(r"^(.+?)\((.+)\)$")  # after text(): full-width brackets are halved
# A venue roster's 身份: 志愿服务 is a volunteer's; 阵地管理员 belongs to the venue, not to her roles.
VENUE_DUTIES = {"志愿服务": "volunteer", "阵地管理员": None}
DATE_FIELDS = ("birth_date", "joined_on", "founded_on", "registered_on", "alliance_joined_on",
               "group_member_since", "stage_on")
IDENTITY_FIELDS = {"people": ("name", "sex", "birth_date"), "orgs": ("name",)}
# The record's columns as the preview names them when it shows a change.
VALUE_LABELS = {
    "name": "姓名", "id_number": "身份证号", "sex": "性别", "birth_date": "出生日期", "phone": "联系电话",
    "region": "所属镇（街道）", "is_cadre": "妇工", "is_social_worker": "社工", "is_volunteer": "义工",
    "social_worker_level": "社工等级", "cadre_title": "妇联职务", "workplace": "工作单位", "notes": "备注",
    "short_name": "简称", "kind": "类型", "legal_form": "登记类型", "credit_code": "统一社会信用代码",
    "registered_on": "登记时间", "supervisor": "业务主管单位", "address": "地址", "contact_person": "负责人",
    "contact_phone": "联系电话", "founded_on": "成立时间", "alliance_member": "公益联盟成员",
    "alliance_joined_on": "加入联盟时间", "group_member": "团体会员",
    "group_member_since": "成为团体会员时间",
    "incubation_stage": "孵化阶段", "stage_since": "阶段起始", "service_areas": "服务领域",
}


@dataclass
class ImportOptions:
    update_existing: bool = True  # an existing person/organization is updated, else the row is skipped
    create_orgs: bool = False  # a person's unknown organization is registered as grassroots, else rejected
    hours_on: dt.date | None = None  # the day imported service hours are recorded on (default: today)
    # An update that changes who a record is (a name; a person's sex or birth date) is held back
    # unless allowed: True for all, or the set of row numbers the user ticked.
    allow_renames: bool | frozenset[int] = False
    # People without an ID who may be someone registered: {row: person id, or 0 for "a new person"}
    # as the user decided; ``create_possible_duplicates`` registers the undecided ones as new.
    duplicates: dict[int, int] = field(default_factory=dict)
    create_possible_duplicates: bool = False

    def renames_allowed(self, row: int) -> bool:
        return self.allow_renames is True or (bool(self.allow_renames) and row in self.allow_renames)


@dataclass(frozen=True)
class RosterSheet:
    """A roster this program printed (or one made like it): whose it is, from its title."""

    kind: str  # organization | team | venue
    target: str  # the organization's, team's or venue's name


_ROSTER_TITLES = ((re.compile(r"^(.+?)成员花名册$"), None), (re.compile(r"^(.+?)阵地人员花名册$"), "venue"))


def roster_of(sheet: SheetData) -> RosterSheet | None:
    """An organization roster (成员花名册 with 职务), a team roster (成员花名册 with 分工) or a
    venue roster (阵地人员花名册), told by the first title row above the header."""
    if sheet.kind != "people" or not sheet.caption:
        return None
    title = sheet.caption[0].replace(" ", "")
    titles = {t.replace(" ", "") for t in sheet.header}
    for pattern, kind in _ROSTER_TITLES:
        m = pattern.match(title)
        if m is None:
            continue
        if kind is None:
            kind = "organization" if "职务" in titles else "team" if "分工" in titles else None
        if kind is not None:
            return RosterSheet(kind, m.group(1))
    return None


@dataclass(frozen=True)
class IgnoredColumn:
    column: int  # 0-based
    title: str
    reason: str  # why, in Chinese

    def describe(self) -> str:
        return f"{self.title}（{self.reason}）"


@dataclass(frozen=True)
class PossibleDuplicate:
    """A row whose person may be one already registered: without an ID, the same name and nothing
    that tells them apart; or, by the rules of models.duplicates (an ID that is new, but the same
    name and birth date as someone registered without one, a homophone or variant name with the
    same birth date, the same phone with a similar name): the user decides."""

    planned: PlannedRow
    candidates: tuple  # Person records
    reasons: tuple[Message, ...] = (msg("没有身份证号，与已登记的人员同名"),)  # why she may be one

    @property
    def row(self) -> int:
        return self.planned.row

    def reason_text(self, translate=None) -> str:
        return "；".join(m.render(translate) for m in self.reasons)


@dataclass(frozen=True, slots=True)
class Problem:
    column: str  # the column title in the sheet (or the field's name when it has no column)
    reason: Message
    code: str  # a stable name for the kind of problem, e.g. id_checksum


@dataclass(frozen=True, slots=True)
class Rejection:
    row: int
    problems: tuple[Problem, ...]
    cells: tuple  # the row as read, for the rejected-rows workbook

    @property
    def column(self) -> str:
        return self.problems[0].column

    @property
    def reason(self) -> Message:
        return self.problems[0].reason

    @property
    def code(self) -> str:
        return self.problems[0].code

    def reason_text(self, translate=None) -> str:
        if len(self.problems) == 1:
            return self.reason.render(translate)
        return "；".join(f"{p.column}：{p.reason.render(translate)}" for p in self.problems)


@dataclass
class PlannedRow:
    """One valid row: the record's column values and what comes with it."""

    row: int
    values: dict[str, Any]
    existing_id: int | None = None
    version: int | None = None  # the existing record's version when planned (see apply._update)
    changed: bool = True  # for an existing record: does it change at all
    before: dict[str, Any] | None = None  # the existing record's fields, for undo
    organizations: tuple[str, ...] = ()  # people: the organizations named
    membership_role: str = "member"
    joined_on: dt.date | None = None
    new_memberships: tuple[str, ...] = ()  # people: the organizations she joins with this row
    team_id: int | None = None
    team: str = ""
    team_roles: tuple[str, ...] = ()
    hours: Decimal | None = None
    service_area_ids: tuple[int, ...] | None = None  # orgs: None = keep as is
    stage: tuple[str, dt.date, str] | None = None  # orgs: (stage, entered on, note) for a new stage

    @property
    def organization(self) -> str:
        """The first organization named (the one imported hours are recorded with)."""
        return self.organizations[0] if self.organizations else ""

    def changes(self) -> list[tuple[str, Any, Any]]:
        """``(field, stored, new)`` for each value of an existing record this row changes."""
        before = self.before or {}
        return [(k, before.get(k), v) for k, v in self.values.items() if k in before and before[k] != v]


@dataclass
class ImportPlan:
    sheet: SheetData
    kind: str
    mapping: dict[str, int]
    options: ImportOptions
    rows: int = 0  # data rows considered (blank, total and signature rows not counted)
    new: list[PlannedRow] = field(default_factory=list)
    updates: list[PlannedRow] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)  # rows that match a record and change nothing
    skipped: list[int] = field(default_factory=list)  # rows of existing records, left as they are
    rejected: list[Rejection] = field(default_factory=list)
    new_organizations: list[str] = field(default_factory=list)  # people: created as grassroots
    audit_mark: int = 0  # the last audit entry when planned: a later one means the data changed
    renames: list[PlannedRow] = field(default_factory=list)  # updates held back: they change who it is
    possible_duplicates: list[PossibleDuplicate] = field(default_factory=list)  # held back: who is it?
    ignored: list[IgnoredColumn] = field(default_factory=list)  # header columns not imported
    roster: RosterSheet | None = None
    months: dict[str, MonthDigits] = field(default_factory=dict)  # date columns: how months were typed

    @property
    def created(self) -> int:
        return len(self.new)

    @property
    def updated(self) -> int:
        return len(self.updates)

    def summary(self) -> dict[str, Any]:
        """What the CLI's ``--json`` prints."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "rejected": list(self.rejected_summary()),
            **self.held_summary(),
            "notices": [str(n) for n in self.sheet.notices],
        }

    def held_summary(self) -> dict[str, Any]:
        """What the plan holds back or leaves out, for ``summary()``: renames, possible duplicates,
        ignored and guessed columns, the sheet's kind."""
        header = self.sheet.header
        regions = region_names() if self.renames else {}
        return {
            "unchanged": len(self.unchanged),
            "renames": [{"row": p.row, "changes": [
                {"field": VALUE_LABELS.get(k, k), "old": shown_value(k, old, regions),
                 "new": shown_value(k, new, regions)} for k, old, new in p.changes()]}
                for p in self.renames],
            "possible_duplicates": [{"row": d.row, "name": d.planned.values.get("name", ""),
                                     "reason": d.reason_text(),
                                     "candidates": [candidate_text(c) for c in d.candidates]}
                                    for d in self.possible_duplicates],
            "ignored_columns": [c.describe() for c in self.ignored],
            "guessed_columns": [{"column": header[col] if col < len(header) else "",
                                 "field": field_of(self.kind, key).label}
                                for key, col in self.sheet.guessed.items() if self.mapping.get(key) == col],
            "roster": ({"kind": self.roster.kind, "target": self.roster.target} if self.roster else None),
        }

    def rejected_summary(self) -> Iterator[dict[str, Any]]:
        """The rejected rows as ``summary()`` lists them, one at a time (the CLI streams them)."""
        for r in self.rejected:
            yield {"row": r.row, "column": r.column, "reason": r.reason_text()}


_VALUE_CHOICES = {"kind": ORG_KINDS, "legal_form": LEGAL_FORMS, "incubation_stage": INCUBATION_STAGES,
                  "social_worker_level": SOCIAL_WORKER_LEVELS}


def shown_value(key: str, value: Any, regions: dict[int, str] | None = None) -> str:
    """A stored value as the preview shows it: 女, 是, 2021-03-05, 初创期, the township's name."""
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    if key == "sex":
        return {"F": "女", "M": "男"}.get(value, str(value))
    if key == "region" and regions is not None:
        return regions.get(value, str(value))
    if key == "id_number":
        return mask_id_number(value)
    choices = _VALUE_CHOICES.get(key)
    if choices is not None and value in choices:
        return choices.label(value)
    if key == "service_areas" and isinstance(value, list | tuple):
        return "、".join(str(v) for v in value) or "（空）"
    return str(value)


def region_names() -> dict[int, str]:
    return dict(Region.select(Region.id, Region.name).tuples())


def describe_changes(planned: PlannedRow, regions: dict[int, str] | None = None) -> list[str]:
    """What importing ``planned`` does to the registered record, one line per change: ``联系电话：
    13800000000 → 13911112222``, ``加入组织：阳光协会（成员）``, ``补记服务时长：7.5 小时``."""
    if regions is None:
        regions = region_names()
    lines = [f"{VALUE_LABELS.get(k, k)}：{shown_value(k, old, regions)} → {shown_value(k, new, regions)}"
             for k, old, new in planned.changes()]
    if planned.service_area_ids is not None and planned.before and "service_areas" in planned.before:
        lines.append("服务领域：改为表中所列")
    if planned.new_memberships:
        role = MEMBERSHIP_ROLES.label(planned.membership_role)
        lines.append("加入组织：" + "、".join(f"{n}（{role}）" for n in planned.new_memberships))
    if planned.team_roles:
        roles = "、".join(PERSON_ROLES.label(r) for r in planned.team_roles)
        lines.append(f"加入团队：{planned.team}（{roles}）")
    if planned.hours:
        lines.append(f"记录服务时长：{planned.hours} 小时")
    if planned.stage:
        lines.append(f"孵化阶段：{INCUBATION_STAGES.label(planned.stage[0])}（{planned.stage[1].isoformat()}）")
    return lines


def candidate_text(person: Person) -> str:
    """A registered person as the user can tell her apart: name, birth, phone, masked ID."""
    parts = [person.name]
    if person.birth_date:
        parts.append(f"{person.birth_date:%Y-%m-%d}")
    if person.phone:
        parts.append(person.phone)
    if person.id_number:
        parts.append(mask_id_number(person.id_number))
    return "，".join(parts) + f"（编号 {person.id}）"


class _Row:
    """Cells of one row by field, and the problems found in it.

    A mapped cell without a value to import (an Excel error, a formula saved without its result)
    is the row's problem in that column; the checks then see it as blank and say nothing more of it.
    """

    __slots__ = ("bad", "cells", "mapping", "plan", "problems")

    def __init__(self, plan: ImportPlan, cells: tuple):
        self.plan = plan
        self.mapping = plan.mapping
        self.cells = cells
        self.problems: list[Problem] = []
        self.bad: set[str] = set()
        if BadCell in map(type, cells):  # rare; checked in C for every row
            for key, col in self.mapping.items():
                cell = cells[col] if col < len(cells) else None
                if isinstance(cell, BadCell):
                    self.problems.append(Problem(self.column(key), cell.reason(), cell.code))
                    self.bad.add(key)
            self.cells = tuple(None if isinstance(v, BadCell) else v for v in cells)

    def raw(self, key: str) -> Any:
        col = self.mapping.get(key)
        if col is None or col >= len(self.cells):
            return None
        return self.cells[col]

    def column(self, key: str) -> str:
        col = self.mapping.get(key)
        header = self.plan.sheet.header
        if col is not None and col < len(header) and header[col]:
            return header[col]
        return field_of(self.plan.kind, key).label

    def problem(self, key: str, reason: Message, code: str | None = None) -> None:
        if key in self.bad:
            return
        self.problems.append(Problem(self.column(key), reason, code or f"{key}_invalid"))

    def parse(self, key: str, parser, *args) -> Any:
        try:
            return parser(self.raw(key), *args)
        except InvalidValue as e:
            self.problem(key, e.message, e.code or _code(key, e.message))
            return None


def _rejection(number: int, problems: list[Problem], cells: tuple) -> Rejection:
    if len(problems) > KEPT_PROBLEMS:
        more = len(problems) - KEPT_PROBLEMS + 1
        problems = [*problems[:KEPT_PROBLEMS - 1],
                    Problem("其他", msg("另有 {n} 处问题", n=more), "more_problems")]
    return Rejection(number, tuple(problems), cells)


# Messages of the shared validators that deserve their own code (what expected.json speaks of).
_CODES = {
    "请填写姓名": "name_missing",
    "请填写组织名称": "name_missing",
    "身份证号校验位不正确，请核对是否抄错": "id_checksum",
    "统一社会信用代码校验位不正确，请核对是否抄错": "credit_code_checksum",
    "服务时长不能为负数": "hours_negative",
}
_FIELD_CODES = {"phone": "phone_invalid", "contact_phone": "phone_invalid"}


def _code(key: str, message: Message) -> str:
    return _CODES.get(message.text) or _FIELD_CODES.get(key) or f"{key}_invalid"


def _number_text(value: Any) -> str:
    """A phone typed into a number cell: 13812345678.0 → ``13812345678``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return text(value)


def _id_number(row: _Row, key: str = "id_number") -> str:
    raw = row.raw(key)
    if is_number(raw) or SCIENTIFIC.match(text(raw)):
        row.problem(key, msg(
            "身份证号被 Excel 存成了数字（{shown}），末几位已经丢失，无法使用。"
            "请把这一列设为“文本”格式，按原始资料重新填写后再导入", shown=text(raw),
        ), "id_stored_as_number")
        return ""
    return text(raw).replace(" ", "")


def _roles(row: _Row) -> tuple[set[str], str | None]:
    """(person roles, membership role) named in the role cell."""
    person: set[str] = set()
    membership = None
    for word in split_list(row.raw("role")):
        if word in _PERSON_ROLES:
            person.add(_PERSON_ROLES[word])
        elif word in _MEMBERSHIP_ROLES:
            membership = _MEMBERSHIP_ROLES[word]
        else:
            row.problem("role", msg(
                "角色“{word}”无法识别，可填：妇工、社工、义工（志愿者）、负责人、骨干、成员", word=word))
    return person, membership


def _check_errors(row: _Row, errors: dict[str, Message], keys: dict[str, str]) -> None:
    for name, message in errors.items():
        key = keys.get(name, name)
        row.problem(key, message, _code(key, message))


def hours_title(plan: ImportPlan) -> str:
    """The activity that holds a file's imported hours (one file's hours are not recorded twice)."""
    return HOURS_TITLE.format(file=plan.sheet.file_name)[:100]


def _chunks(items: list, size: int = _CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _progress(job: Job | None, done: int, total: int) -> None:
    if job is not None and done % PROGRESS_EVERY == 0:
        job.step(done, total)


# -- people -----------------------------------------------------------------------------------


class _PeoplePlanner:
    def __init__(self, plan: ImportPlan, rows: list):
        self.plan = plan
        self.today = today = dt.date.today()
        self.roster = plan.roster
        ids, names, all_names, phones = set(), set(), set(), set()
        id_col, name_col = plan.mapping.get("id_number"), plan.mapping.get("name")
        phone_col = plan.mapping.get("phone")
        for _, cells in rows:
            raw = cells[id_col] if id_col is not None and id_col < len(cells) else None
            number = text(raw).replace(" ", "").upper() if isinstance(raw, str) else ""
            number = upgraded_id(number) or number  # an old 15-digit number: the 18-digit one it became
            if name_col is not None and name_col < len(cells):
                all_names.add(name_text(cells[name_col]))
            if phone_col is not None and phone_col < len(cells):
                phones.add(normalise_phone(_number_text(cells[phone_col])))
            if number and "*" not in number:
                ids.add(number)
            elif name_col is not None and name_col < len(cells):
                names.add(name_text(cells[name_col]))  # matched by name: no ID, or a masked one
        self.existing: dict[str, Person] = {}
        found = []  # plain SQL: peewee expressions for 50 000 IDs cost more than the queries
        # The ID numbers are stored encrypted: they are looked up by their keyed hashes.
        for chunk in _chunks(sorted({id_hash(i) for i in ids if i})):
            sql = f"SELECT id FROM person WHERE id_hash IN ({placeholders(len(chunk))})"
            found.extend(pid for (pid,) in database.execute_sql(sql, chunk))
        merged: dict[str, int] = {}  # a number of a record merged into another: that one is meant
        for chunk in _chunks(found):
            for person in Person.select().where(Person.id.in_(chunk)):
                if person.merged_into_id is None:
                    self.existing[person.id_number] = person
                else:
                    merged[person.id_number] = kept_of("people", person.id)
        for number, kept_id in merged.items():
            kept = Person.get_or_none(Person.id == kept_id)
            if kept is not None:
                self.existing[number] = kept
        # People the sheet names without a (full) ID: matched by name and what else agrees.
        self.by_name: dict[str, list[Person]] = defaultdict(list)
        for chunk in _chunks(sorted(n for n in names if n)):
            for person in (Person.select().where(Person.name.in_(chunk) & Person.merged_into.is_null())
                           .order_by(Person.id)):
                self.by_name[person.name].append(person)
        # Whom each row may be by the rules of finding duplicates (homophones, variants, phones).
        self.matcher = PersonMatcher(all_names, phones)
        self.orgs = dict(Organization.select(Organization.name, Organization.id).tuples())
        self.teams = dict(Team.select(Team.name, Team.id).tuples())
        self.townships = _townships()
        self.seen: dict[str, int] = {}  # ID number -> first row
        self.seen_no_id: dict[tuple, int] = {}  # (name, phone or birth) -> first row, for people without ID
        self.new_orgs: dict[str, int] = {}
        self.memberships: set[tuple[int, int]] = set()
        self.org_ids_of: dict[int, set[int]] = defaultdict(set)
        self.assignments = set()
        self.hours_imported: set[int] = set()
        self.hours_recorded: dict[int, Decimal] = {}
        known = {p.id for p in self.existing.values()} | {p.id for ps in self.by_name.values() for p in ps}
        for chunk in _chunks(sorted(known)):
            active = Membership.select(Membership.person, Membership.organization).where(
                Membership.person.in_(chunk)
                & (Membership.end_on.is_null() | (Membership.end_on >= today)))
            for person_id, org_id in active.tuples():
                self.memberships.add((person_id, org_id))
                self.org_ids_of[person_id].add(org_id)
            assigned = TeamAssignment.select(TeamAssignment.person, TeamAssignment.team,
                                             TeamAssignment.role).where(
                TeamAssignment.person.in_(chunk)
                & (TeamAssignment.end_on.is_null() | (TeamAssignment.end_on >= today)))
            self.assignments.update(assigned.tuples())
            if "hours" in plan.mapping:
                imported = (ServiceRecord.select(ServiceRecord.person).join(Activity)
                            .where(ServiceRecord.person.in_(chunk) & (Activity.title == hours_title(plan))))
                self.hours_imported.update(p for (p,) in imported.tuples())
            if "hours_total" in plan.mapping:
                totals = (ServiceRecord.select(ServiceRecord.person, fn.SUM(ServiceRecord.hours))
                          .where(ServiceRecord.person.in_(chunk)).group_by(ServiceRecord.person))
                self.hours_recorded.update((p, Decimal(str(h or 0))) for p, h in totals.tuples())

    # -- the cells ---------------------------------------------------------------------------
    def _duties(self, row: _Row) -> tuple[set[str], str | None, str | None, list[str]]:
        """(person roles, membership role, social worker level, federation posts) named in the
        role cell and the 职务 cell, as the sheet's kind reads them."""
        person: set[str] = set()
        membership = level = None
        posts: list[str] = []
        venue = self.roster is not None and self.roster.kind == "venue"
        for word in split_list(row.raw("role")):
            word, word_level = _with_level(word)
            if venue and word in VENUE_DUTIES:  # a venue roster's 身份: what she does at the venue
                if VENUE_DUTIES[word]:
                    person.add(VENUE_DUTIES[word])
            elif word in _PERSON_ROLES:
                person.add(_PERSON_ROLES[word])
                level = _LEVELS.get(word_level or "", level)
            elif word in _MEMBERSHIP_ROLES:
                membership = _MEMBERSHIP_ROLES[word]
            else:
                row.problem("role", msg(
                    "角色“{word}”无法识别，可填：妇工、社工、义工（志愿者）、负责人、骨干、成员", word=word))
        roster = self.roster.kind if self.roster else None
        for word in split_names(row.raw("duty")):
            word, word_level = _with_level(word)
            if word in _MEMBERSHIP_ROLES and roster != "team":
                membership = _MEMBERSHIP_ROLES[word]
            elif word in _PERSON_ROLES and roster != "organization":
                person.add(_PERSON_ROLES[word])
                level = _LEVELS.get(word_level or "", level)
                if _PERSON_ROLES[word] == "cadre" and word not in PERSON_ROLE_WORDS["cadre"][:2]:
                    posts.append(word)  # 妇联执委 is a cadre, and her post
            elif roster == "organization":
                row.problem("duty", msg("职务“{word}”无法识别：组织花名册的职务可填负责人、骨干、成员",
                                        word=word))
            elif roster == "team":
                row.problem("duty", msg("分工“{word}”无法识别：团队花名册的分工可填妇工、社工、义工",
                                        word=word))
            else:
                posts.append(word)  # a post such as 妇联兼职副主席
        return person, membership, level, posts

    def _organizations(self, row: _Row) -> list[str]:
        roster = self.roster
        if roster is not None and roster.kind == "organization" and "organization" not in row.mapping:
            return [self.roster.target]
        names = split_names(row.raw("organization"))
        for name in names:
            if name in self.orgs or name in self.new_orgs:
                continue
            if self.plan.options.create_orgs:
                if len(name) > 100:
                    row.problem("organization", msg("组织名称过长（最多 {n} 字）", n=100))
            else:
                row.problem("organization", msg(
                    "组织“{name}”尚未登记：请先在“社会组织”中登记，或导入时选择“自动新建为草根组织”",
                    name=name), "organization_unknown")
        return names

    def _team(self, row: _Row) -> str:
        if self.roster is not None and self.roster.kind == "team" and "team" not in row.mapping:
            return self.roster.target
        return text(row.raw("team"))

    def _masked(self, row: _Row, masked: str, name: str) -> Person | None:
        """The registered person a masked ID (as this program's exports show it) stands for."""
        same = [p for p in self.by_name.get(name, ())
                if p.id_number and mask_id_number(p.id_number) == masked]
        if len(same) == 1:
            return same[0]
        row.problem("id_number", msg(
            "身份证号 {shown} 是本程序导出时遮蔽了的号码（中间是 *），这样的号码不能导入{why}："
            "请由可查看完整身份证号的账号导出含完整号码的名单，或删去这一列后再导入",
            shown=masked, why="（也没有找到姓名和遮蔽号码都相同的已登记人员）" if not same else
            "（有不止一位姓名和遮蔽号码都相同的已登记人员）"), "id_masked")
        return None

    def _by_name(self, row: _Row, values: dict, org_names: list[str]) -> tuple[Person | None, list[Person]]:
        """Without an ID: (the person this row is, certain) or (None, the people it may be)."""
        name, phone, birth, region = values["name"], values["phone"], values["birth_date"], values["region"]
        candidates = self.by_name.get(name, [])
        if not candidates:
            return None, []
        if phone:
            same_phone = [p for p in candidates if p.phone == phone]
            if len(same_phone) == 1:
                return same_phone[0], []
            if same_phone:
                return None, same_phone
        org_ids = {self.orgs[n] for n in org_names if n in self.orgs}
        viable, agreeing = [], []
        for person in candidates:
            if (phone and person.phone and person.phone != phone) or (
                    birth and person.birth_date and not same_day(birth, person.birth_date)) or (
                    region and person.region_id and person.region_id != region):
                continue  # a different phone, birth date or township: someone else of the same name
            viable.append(person)
            if (same_day(birth, person.birth_date) or (region and person.region_id == region)
                    or (org_ids & self.org_ids_of.get(person.id, set()))):
                agreeing.append(person)
        if len(viable) == 1 and agreeing:
            return viable[0], []
        return None, viable

    # -- one row -----------------------------------------------------------------------------
    def row(self, number: int, cells: tuple) -> None:
        plan = self.plan
        row = _Row(plan, cells)
        id_number = _id_number(row)
        id_number = upgraded_id(id_number) or id_number  # an old 15-digit number, as it is now
        masked = id_number if "*" in id_number else ""
        person_roles, membership_role, level, posts = self._duties(row)
        level_text = text(row.raw("social_worker_level"))
        if level_text:
            level = _LEVELS.get(level_text)
            if level is None:
                row.problem("social_worker_level", msg(
                    "社工等级“{value}”无法识别，可填：助理社会工作师、社会工作师、高级社会工作师",
                    value=level_text))
        if level:
            person_roles.add("social_worker")
        post = text(row.raw("cadre_title"))
        cadre_title = "、".join([*posts, post] if post else posts)
        if cadre_title:
            person_roles.add("cadre")  # only a federation cadre holds a federation post
        joined_on = row.parse("joined_on", parse_date, False, plan.months.get("joined_on"),
                              plan.sheet.shown_text)
        if joined_on is not None and joined_on > self.today:
            row.problem("joined_on", msg("日期不能晚于今天"))
        hours = row.parse("hours", parse_hours)
        hours_total = row.parse("hours_total", parse_hours)
        name = name_text(row.raw("name"))
        region = _township(row, self.townships)
        data = PersonData(
            name=name, id_number="" if masked else id_number, phone=_number_text(row.raw("phone")),
            region_id=region, is_cadre="cadre" in person_roles,
            is_social_worker="social_worker" in person_roles, is_volunteer="volunteer" in person_roles,
            social_worker_level=level, cadre_title=cadre_title, workplace=text(row.raw("workplace")),
            notes=text(row.raw("notes")),
        )
        existing = None
        if masked:
            existing = self._masked(row, masked, name)
        elif id_number.upper() in self.existing:
            existing = self.existing[id_number.upper()]
        if existing is not None:
            data = self._merged(existing, data)
        values, errors = clean_person(data)
        _check_errors(row, errors, {"region_id": "township"})
        if values["id_number"] is None and not masked and "id_number" not in errors:
            self._typed_sex_and_birth(row, values)
        birth = values["birth_date"]
        if joined_on is not None and birth is not None and joined_on < birth:
            row.problem("joined_on", msg("加入时间 {joined} 早于出生日期 {birth}：请核对",
                                         joined=joined_on.isoformat(), birth=birth.isoformat()),
                        "date_implausible")
        org_names = self._organizations(row)
        team_name = self._team(row)
        team_id = None
        team_roles = tuple(r for r in PERSON_ROLES.codes() if r in person_roles)
        if team_name:
            team_id = self.teams.get(team_name)
            if team_id is None:
                row.problem("team", msg("团队“{name}”尚未登记：请先在“三工联动团队”中建立该团队",
                                        name=team_name), "team_unknown")
            elif not team_roles:
                row.problem("role", msg("加入团队须写明角色：妇工、社工或义工"), "role_missing")
        candidates: list[Person] = []
        reason: tuple[tuple[Message, ...], ...] = ()  # why the row may be someone registered (rules)
        if values["id_number"]:
            first = self.seen.get(values["id_number"])
            if first is not None:
                row.problem("id_number", msg(
                    "与第 {first} 行是同一人（身份证号 {number} 相同），同一人只能出现一次：请合并为一行",
                    first=first, number=mask_id_number(values["id_number"])), "duplicate_in_file")
            else:
                self.seen[values["id_number"]] = number
            if existing is None and not row.problems:  # a new number: may she be registered without it?
                probable, reason = self._probable(values)
                existing, candidates = self._decided(number, probable)
                if existing is not None:
                    values, errors = clean_person(self._merged(existing, data))
                    _check_errors(row, errors, {"region_id": "township"})
        elif existing is None and not masked and not row.problems:
            key = (values["name"], values["phone"] or values["birth_date"])
            first = self.seen_no_id.get(key) if key[1] else None
            if first is not None:
                what = "电话" if values["phone"] else "出生日期"
                row.problem("name", msg(
                    "与第 {first} 行是同一人（没有身份证号，姓名和{what}相同）：请合并为一行",
                    first=first, what=what), "duplicate_in_file")
            elif key[1]:
                self.seen_no_id[key] = number
            existing, candidates = self._by_name(row, values, org_names)
            if existing is None and not candidates:
                candidates, reason = self._probable(values)
            existing, candidates = self._decided(number, candidates, existing)
            if existing is not None:
                typed_sex, typed_birth = values["sex"], values["birth_date"]
                values, errors = clean_person(self._merged(existing, data))
                if values["id_number"] is None:  # without an ID: as typed, else as registered
                    values["sex"] = typed_sex or existing.sex
                    values["birth_date"] = typed_birth or existing.birth_date
                    if same_day(typed_birth, existing.birth_date):  # 1983.10 of a 1983-10-15
                        values["birth_date"] = existing.birth_date
                _check_errors(row, errors, {"region_id": "township"})
        if team_id is not None and "social_worker" in team_roles and not values["social_worker_level"]:
            row.problem("social_worker_level", msg(
                "作为社工加入团队须有社工证书等级：请在“社工等级”列填写助理社会工作师、社会工作师或"
                "高级社会工作师"), "social_worker_uncertified")
        if row.problems:
            plan.rejected.append(_rejection(number, row.problems, cells))
            return
        for name_ in org_names:
            if name_ not in self.orgs and name_ not in self.new_orgs:
                self.new_orgs[name_] = number
                plan.new_organizations.append(name_)
        if existing is not None and hours_total is not None:
            hours_total -= self.hours_recorded.get(existing.id, Decimal(0))  # only what is missing
        if isinstance(values["birth_date"], MonthOnly):  # stored as the plain date it stands for
            b = values["birth_date"]
            values["birth_date"] = dt.date(b.year, b.month, b.day)
        planned = PlannedRow(number, values, organizations=tuple(org_names),
                             membership_role=membership_role or "member", joined_on=joined_on,
                             team_id=team_id, team=team_name, team_roles=team_roles if team_id else (),
                             hours=(hours or Decimal(0)) + max(hours_total or Decimal(0), Decimal(0)) or None)
        if candidates:
            plan.possible_duplicates.append(PossibleDuplicate(planned, tuple(candidates), *reason))
            return
        if existing is None:
            planned.new_memberships = planned.organizations
            plan.new.append(planned)
            return
        if not plan.options.update_existing:
            plan.skipped.append(number)
            return
        planned.existing_id = existing.id
        planned.version = existing.version
        planned.before = {k: existing.__data__.get(k) for k in values}
        org_ids = {n: self.orgs.get(n) for n in org_names}
        planned.new_memberships = tuple(n for n in org_names
                                        if (existing.id, org_ids[n]) not in self.memberships)
        planned.team_roles = tuple(r for r in team_roles if team_id and (existing.id, team_id, r)
                                   not in self.assignments) if team_id else ()
        planned.changed = any(planned.before[k] != v for k, v in values.items())
        if hours and existing.id in self.hours_imported:
            planned.hours = (planned.hours or Decimal(0)) - hours or None  # this file's hours are recorded
        if not (planned.changed or planned.new_memberships or planned.team_roles or planned.hours):
            plan.unchanged.append(number)
        elif _renamed(planned, ("name", "sex", "birth_date")) and not plan.options.renames_allowed(number):
            plan.renames.append(planned)
        else:
            plan.updates.append(planned)

    def _probable(self, values: dict) -> tuple[list[Person], tuple[tuple[Message, ...], ...]]:
        """The registered people the row probably is, by the rules of models.duplicates, and the
        reasons of the likeliest (empty when nobody is)."""
        birth = values["birth_date"]
        found = self.matcher.matches(values["name"], values["id_number"] or "",
                                     None if isinstance(birth, MonthOnly) else birth, values["sex"],
                                     values["phone"], values["region"])
        ids = [c.first for c in found]
        people = {p.id: p for p in Person.select().where(Person.id.in_(ids))} if ids else {}
        reason = (found[0].reasons,) if found else ()
        return [people[i] for i in ids if i in people], reason

    def _decided(self, number: int, candidates: list[Person],
                 existing: Person | None = None) -> tuple[Person | None, list[Person]]:
        """What the user decided about a row that may be someone registered: who she is, or new."""
        decided = self.plan.options.duplicates.get(number)
        if candidates and decided is not None:  # the user said who she is: someone, or new
            return next((p for p in candidates if p.id == decided), None), []
        if candidates and self.plan.options.create_possible_duplicates:
            return existing, []
        return existing, candidates

    @staticmethod
    def _merged(existing: Person, data: PersonData) -> PersonData:
        """The sheet's values over the stored ones: a blank cell keeps what is there, roles add up;
        an ID the register did not have comes in."""
        merged = PersonData.from_person(existing)
        merged.name = data.name
        if data.id_number and not merged.id_number:
            merged.id_number = data.id_number
        for key in ("phone", "cadre_title", "workplace", "notes"):
            if getattr(data, key):
                setattr(merged, key, getattr(data, key))
        if data.region_id is not None:
            merged.region_id = data.region_id
        merged.is_cadre |= data.is_cadre
        merged.is_volunteer |= data.is_volunteer
        merged.is_social_worker |= data.is_social_worker
        if data.social_worker_level:
            merged.social_worker_level = data.social_worker_level
        return merged

    def _typed_sex_and_birth(self, row: _Row, values: dict) -> None:
        """Without an ID, the sex and birth date columns are all there is (with one, the ID decides)."""
        sex_text = text(row.raw("sex"))
        if sex_text:
            values["sex"] = SEX_WORDS.get(sex_text)
            if values["sex"] is None:
                row.problem("sex", msg("性别应填“男”或“女”"))
        birth = row.parse("birth_date", parse_date, True, self.plan.months.get("birth_date"),
                          self.plan.sheet.shown_text)
        if birth is not None and birth > dt.date.today():
            row.problem("birth_date", msg("出生日期不能晚于今天"), "date_implausible")
        values["birth_date"] = birth


def _townships() -> dict[str, int]:
    return dict(Region.select(Region.name, Region.id).where(Region.level == "township").tuples())


def _township(row: _Row, townships: dict[str, int]) -> int | None:
    """The township (镇/街道) named in the row's 所属镇（街道） cell."""
    name = text(row.raw("township"))
    if not name:
        return None
    region = townships.get(name)
    if region is None:
        row.problem("township", msg(
            "镇（街道）“{name}”不在区划中：请先在“设置”的区划中添加，或改用已有的：{known}",
            name=name, known="、".join(list(townships)[:12])), "township_unknown")
    return region


def _with_level(word: str) -> tuple[str, str | None]:
    """``社工（社会工作师）`` as a team roster writes it → (社工, 社会工作师)."""
    m = _LEVEL_SUFFIX.match(word)
    return (m.group(1), m.group(2)) if m else (word, None)


def _renamed(planned: PlannedRow, keys: tuple[str, ...]) -> bool:
    """Does the update change who the record is (a name, a sex, a birth date that was known)?"""
    before = planned.before or {}
    return any(k in planned.values and before.get(k) not in (None, "") and before.get(k) != planned.values[k]
               for k in keys)


# -- organizations ----------------------------------------------------------------------------


_ORG_ERROR_KEYS = {"legal_form": "kind", "region_id": "township", "initial_stage_on": "stage"}
# Legacy sheets mark alliance members and group members without the date they joined:
# the register asks the form for that date, the import takes the mark and leaves the date open.
_LEGACY_OPTIONAL = {"alliance_joined_on", "group_member_since"}


class _OrgPlanner:
    def __init__(self, plan: ImportPlan):
        self.plan = plan
        self.by_code: dict[str, Organization] = {}
        self.by_name: dict[str, Organization] = {}
        self.by_key: dict[str, Organization] = {}  # the name as models.duplicates compares it
        organizations = {org.id: org for org in Organization.select()}
        for org in organizations.values():
            kept = organizations.get(kept_of("orgs", org.id)) if org.merged_into_id else org
            self.by_name[org.name] = kept  # a merged organization's name and code: the one kept
            if org.credit_code:
                self.by_code[org.credit_code] = kept
            if not org.merged_into_id:
                self.by_key.setdefault(org_key(org.name), org)
        self.areas = dict(ServiceArea.select(ServiceArea.name, ServiceArea.id).tuples())
        self.townships = _townships()
        # Where each place lies: a village's township (an organization may be registered in a village).
        self.township_of = {rid: parent if level == "village" else rid for rid, level, parent in
                            Region.select(Region.id, Region.level, Region.parent).tuples()}
        self.seen_names: dict[str, int] = {}
        self.seen_codes: dict[str, int] = {}
        self.today = dt.date.today()

    def _kind(self, row: _Row, code: str) -> tuple[str, str | None]:
        kind_text = text(row.raw("kind"))
        if kind_text:
            found = _KINDS.get(kind_text.replace(" ", ""))
            if found is None:
                row.problem("kind", msg(
                    "类型“{value}”无法识别，可填：社会团体、民办非企业单位（社会服务机构）、基金会、草根组织",
                    value=kind_text))
                return "grassroots", None
            kind, legal_form = found
        else:
            kind, legal_form = ("registered", None) if code else ("grassroots", None)
        if kind == "registered" and legal_form is None:
            legal_form = LEGAL_FORM_BY_CODE.get(code.upper()[:2])
        return kind, legal_form

    def row(self, number: int, cells: tuple) -> None:
        plan = self.plan
        row = _Row(plan, cells)
        code_raw = row.raw("credit_code")
        code = text(code_raw).replace(" ", "")
        if is_number(code_raw) or SCIENTIFIC.match(code):
            row.problem("credit_code", msg(
                "统一社会信用代码被 Excel 存成了数字，已经损坏：请设为“文本”格式后重新填写"),
                "credit_code_stored_as_number")
            code = ""
        kind, legal_form = self._kind(row, code)
        dates = {key: row.parse(key, parse_date, False, plan.months.get(key), plan.sheet.shown_text)
                 for key in ("founded_on", "registered_on", "alliance_joined_on", "group_member_since",
                             "stage_on")}
        region = _township(row, self.townships)
        alliance = row.parse("alliance_member", parse_yes_no)
        group = row.parse("group_member", parse_yes_no)
        area_ids = None  # a blank cell keeps an existing organization's areas
        area_names = split_list(row.raw("service_areas"))
        if area_names:
            area_ids = []
            for name in area_names:
                if name in self.areas:
                    area_ids.append(self.areas[name])
                else:
                    row.problem("service_areas", msg(
                        "服务领域“{name}”不在服务领域列表中：请先在设置中添加，或改用已有的：{known}",
                        name=name, known="、".join(self.areas)), "service_area_unknown")
        stage_text = text(row.raw("stage"))
        stage = None
        if stage_text:
            stage = _STAGES.get(stage_text)
            if stage is None:
                row.problem("stage", msg("孵化阶段“{value}”无法识别，可填：{known}", value=stage_text,
                                         known="、".join(_STAGES)))
        data = OrganizationData(
            name=text(row.raw("name")), short_name=text(row.raw("short_name")), kind=kind,
            legal_form=legal_form, credit_code=code, supervisor=text(row.raw("supervisor")),
            address=text(row.raw("address")), contact_person=name_text(row.raw("contact_person")),
            contact_phone=_number_text(row.raw("contact_phone")),
            founded_on=dates["founded_on"], registered_on=dates["registered_on"],
            alliance_member=bool(alliance), alliance_joined_on=dates["alliance_joined_on"],
            group_member=bool(group), group_member_since=dates["group_member_since"],
            notes=text(row.raw("notes")), region_id=region,
        )
        values, errors = clean_organization(data)
        for key in _LEGACY_OPTIONAL:
            if getattr(data, key) is None:
                errors.pop(key, None)
        _check_errors(row, errors, _ORG_ERROR_KEYS)
        name, code = values["name"], values["credit_code"]
        existing = self.by_code.get(code) if code else None
        if existing is None and name in self.by_name:
            existing = self.by_name[name]
            if code and existing.credit_code and existing.credit_code != code:
                row.problem("credit_code", msg(
                    "已有同名组织“{name}”，但其统一社会信用代码是 {other}：请核对", name=name,
                    other=existing.credit_code), "credit_code_conflict")
        if existing is None and name:  # the same name but for width, brackets, （筹）, spaces:
            existing = self.by_key.get(org_key(name))  # held as a rename, for the user to decide
        if existing is not None and region is not None and self.township_of.get(existing.region_id) == region:
            values["region"] = existing.region_id  # a village of that township: as registered
        if existing is not None and name in self.by_name and self.by_name[name].id != existing.id:
            row.problem("name", msg("名称与已有组织“{name}”重复", name=name), "name_taken")
        for key, seen, value in (("name", self.seen_names, name), ("credit_code", self.seen_codes, code)):
            if value and value in seen:
                row.problem(key, msg("与第 {first} 行是同一组织（{label}相同）：请合并为一行",
                                     first=seen[value], label=field_of("orgs", key).label),
                            "duplicate_in_file")
        if row.problems:
            plan.rejected.append(_rejection(number, row.problems, cells))
            return
        self.seen_names[name] = number
        if code:
            self.seen_codes[code] = number
        planned = PlannedRow(number, values,
                             service_area_ids=tuple(area_ids) if area_ids is not None else None)
        if stage is not None and (existing is None or existing.incubation_stage is None):
            on = dates["stage_on"] or self.today
            note = "导入" if dates["stage_on"] else "导入（原表未写进入该阶段的日期，记为导入当天）"
            problem = check_stage_transition(None, None, stage, on, note)
            if problem:
                row.problem("stage", problem)
                plan.rejected.append(_rejection(number, row.problems, cells))
                return
            planned.stage = (stage, on, note)
            planned.values.update(incubation_stage=stage, stage_since=on)
        if existing is None:
            plan.new.append(planned)
            return
        if not plan.options.update_existing:
            plan.skipped.append(number)
            return
        self._as_update(planned, existing, bool(text(row.raw("kind")) or code))

    def _as_update(self, planned: PlannedRow, existing: Organization, kind_given: bool) -> None:
        """Blank optional cells keep the stored value; the row changes only what it fills in."""
        values = {}
        for key, value in planned.values.items():
            if value in (None, "", False) and key not in ("kind", "credit_code", "legal_form"):
                continue
            values[key] = value
        if not kind_given:  # neither a type nor a code in the row: the stored type stays
            for key in ("kind", "credit_code", "legal_form", "registered_on"):
                values.pop(key, None)
        elif values.get("kind") == existing.kind == "registered" and values.get("legal_form") is None:
            values.pop("legal_form", None)  # 登记注册 without the form (as the list shows it): as stored
        planned.values = values
        planned.existing_id = existing.id
        planned.version = existing.version
        planned.before = {k: existing.__data__.get(k) for k in values}
        if planned.service_area_ids is not None:
            links = Link.select(Link.service_area).where(Link.organization == existing.id)
            current_areas = tuple(sorted(a for (a,) in links.tuples()))
            if current_areas == tuple(sorted(planned.service_area_ids)):
                planned.service_area_ids = None
            else:
                planned.before["service_areas"] = list(current_areas)
        planned.changed = any(planned.before[k] != v for k, v in values.items())
        if not (planned.changed or planned.service_area_ids is not None or planned.stage):
            self.plan.unchanged.append(planned.row)
        elif (_renamed(planned, IDENTITY_FIELDS["orgs"])
              and not self.plan.options.renames_allowed(planned.row)):
            self.plan.renames.append(planned)
        else:
            self.plan.updates.append(planned)


# -- the entry point --------------------------------------------------------------------------


def _ignored_columns(header: list[str], mapping: dict[str, int]) -> list[IgnoredColumn]:
    """Every titled column the mapping leaves out, with why."""
    mapped = set(mapping.values())
    ignored = []
    for col, title in enumerate(header):
        if col in mapped or not title:
            continue
        reason = not_imported_reason(title) or "列名无法识别，没有对应到任何一项"
        ignored.append(IgnoredColumn(col, title, reason))
    return ignored


def plan_import(sheet: SheetData, mapping: dict[str, int] | None = None,
                options: ImportOptions | None = None, job: Job | None = None) -> ImportPlan:
    """Check and match every data row of ``sheet``; writes nothing."""
    mapping = dict(sheet.mapping if mapping is None else mapping)
    plan = ImportPlan(sheet=sheet, kind=sheet.kind, mapping=mapping, options=options or ImportOptions())
    plan.audit_mark = AuditEntry.select(fn.MAX(AuditEntry.id)).scalar() or 0
    plan.roster = roster_of(sheet)
    plan.ignored = _ignored_columns(sheet.header, mapping)
    rows = list(data_rows(sheet.rows, sheet.header_row, mapping))
    plan.rows = len(rows)
    for key in DATE_FIELDS:
        col = mapping.get(key)
        if col is not None:
            plan.months[key] = MonthDigits.of((cells[col] for _, cells in rows if col < len(cells)),
                                              sheet.shown_text)
    planner = _PeoplePlanner(plan, rows) if sheet.kind == "people" else _OrgPlanner(plan)
    total = len(rows)
    for done, (number, cells) in enumerate(rows, start=1):
        planner.row(number, cells)
        _progress(job, done, total)
    return plan
