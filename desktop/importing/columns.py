"""Which sheet column holds which field: header names and their common variants.

A mapping is plain data, ``{field: column index (0-based)}``, so the window can
show and correct it; a corrected mapping is remembered (in the Setting table)
for sheets whose header row is the same.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from models.entities import Setting, User
from models.settings import set_setting

from .values import text

KINDS = ("people", "orgs")
KIND_LABELS = {"people": "人员", "orgs": "社会组织"}


@dataclass(frozen=True)
class Field:
    key: str
    label: str  # the column title in the blank template and in messages
    aliases: tuple[str, ...] = ()
    required: bool = False
    kind: str = "text"  # text | date | number: how the template formats the column


TOWNSHIP_ALIASES = ("所在镇（街道）", "镇（街道）", "所属镇街", "所在镇街", "镇街", "所属乡镇", "所在乡镇",
                    "乡镇（街道）", "乡镇街道", "所属街道", "所在街道")

PEOPLE_FIELDS: tuple[Field, ...] = (
    Field("name", "姓名", ("名字", "人员姓名", "志愿者姓名"), required=True),
    Field("id_number", "身份证号", ("身份证号码", "公民身份号码", "身份证", "证件号码", "身份证件号码",
                                 "公民身份证号码", "身份证号码(18位)")),
    Field("sex", "性别"),
    Field("birth_date", "出生日期", ("出生年月", "生日", "出生年月日"), kind="date"),
    Field("phone", "联系电话", ("手机", "手机号", "手机号码", "联系方式", "电话", "电话号码")),
    Field("township", "所属镇（街道）", TOWNSHIP_ALIASES),
    Field("organization", "所属组织", ("单位", "组织", "所在组织", "所属社会组织", "所在单位", "组织名称")),
    Field("team", "所属团队", ("团队", "三工联动团队", "所在团队")),
    Field("role", "角色", ("身份", "人员类别", "类别", "人员身份")),
    # 职务 as rosters and legacy sheets use it: a role in the organization (负责人/骨干/成员),
    # a team duty (妇工/社工/义工), or else a federation post; 妇联职务 is only the last.
    Field("duty", "职务", ("职位", "分工", "组织职务", "在组织中的职务")),
    Field("joined_on", "加入时间", ("加入日期", "入会时间", "注册时间", "加入组织时间"), kind="date"),
    Field("hours", "服务时长", ("时长", "志愿服务时长", "服务小时数", "服务时数", "本次服务时长"),
          kind="number"),
    # A running total (the volunteers roster's column): only what is missing from the recorded
    # total is recorded, so importing the same total again adds nothing.
    Field("hours_total", "累计服务时长", ("累计时长", "服务时长合计", "总服务时长", "志愿服务总时长",
                                      "累计志愿服务时长", "志愿服务时长合计", "累计志愿时长", "服务总时长"),
          kind="number"),
    Field("social_worker_level", "社工等级", ("证书等级", "社工证书等级", "职业水平等级")),
    Field("cadre_title", "妇联职务", ("妇联任职", "在妇联职务")),
    Field("workplace", "工作单位", ("工作单位及职务",)),
    Field("notes", "备注", ("说明",)),
)

ORG_FIELDS: tuple[Field, ...] = (
    Field("name", "组织名称", ("名称", "社会组织名称", "单位名称", "组织全称"), required=True),
    Field("short_name", "简称"),
    Field("kind", "类型", ("组织类型", "登记类型", "性质", "组织性质", "类别")),
    Field("credit_code", "统一社会信用代码", ("信用代码", "社会信用代码", "统一信用代码")),
    Field("supervisor", "业务主管单位", ("主管单位",)),
    Field("address", "地址", ("住所", "办公地址", "活动地址")),
    Field("contact_person", "负责人", ("联系人", "法定代表人", "负责人姓名")),
    Field("contact_phone", "联系电话", ("电话", "手机", "联系方式", "负责人电话")),
    Field("founded_on", "成立时间", ("成立日期",), kind="date"),
    Field("registered_on", "登记时间", ("登记日期", "注册日期", "登记注册时间"), kind="date"),
    Field("stage", "孵化阶段", ("阶段",)),
    Field("stage_on", "进入阶段时间", ("阶段起始", "阶段起始日期", "阶段日期", "进入阶段日期", "阶段开始时间",
                                     "阶段开始日期"), kind="date"),
    Field("township", "所属镇（街道）", TOWNSHIP_ALIASES),
    Field("service_areas", "服务领域", ("服务类别", "服务方向")),
    Field("alliance_member", "是否公益联盟成员", ("公益联盟成员", "联盟成员", "是否联盟成员")),
    Field("alliance_joined_on", "加入联盟时间", ("入盟时间", "加入公益联盟时间"), kind="date"),
    Field("group_member", "是否团体会员", ("团体会员",)),
    Field("group_member_since", "成为团体会员时间", ("入会时间",), kind="date"),
    Field("notes", "备注", ("说明",)),
)

FIELDS: dict[str, tuple[Field, ...]] = {"people": PEOPLE_FIELDS, "orgs": ORG_FIELDS}

# Columns that are recognised as part of a header but carry nothing to import.
IGNORED_TITLES = frozenset({"序号", "编号", "序", "No", "NO", "No."})
# Columns the program's own exports write that an import does not take, and why.
NOT_IMPORTED = {
    "更新时间": "由程序在每次修改时记录",
    "导出时间": "由程序记录",
}
# A window figure (the venue roster's 近12个月服务时长) is not a person's total.
_WINDOW_FIGURE = re.compile(r"^近\d+个?月")

_BRACKETS = re.compile(r"[（(【\[].*?[）)】\]]")
_DECORATION = re.compile(r"[\s*＊:：]")

MAPPING_SETTING = "import.mapping.{kind}.{digest}"


def fields_of(kind: str) -> tuple[Field, ...]:
    return FIELDS[kind]


def field_of(kind: str, key: str) -> Field:
    return next(f for f in FIELDS[kind] if f.key == key)


def title_key(value: Any) -> str:
    """A header cell reduced to what identifies it: ``姓 名*`` → ``姓名``, ``时长（小时）`` → ``时长``."""
    raw = text(value)
    return _DECORATION.sub("", _BRACKETS.sub("", raw)) or _DECORATION.sub("", raw)


def _lookup(kind: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for f in FIELDS[kind]:
        for name in (f.label, *f.aliases):
            table.setdefault(title_key(name), f.key)
    return table


_LOOKUPS = {kind: _lookup(kind) for kind in KINDS}


def field_for_title(kind: str, value: Any) -> str | None:
    return _LOOKUPS[kind].get(title_key(value))


def not_imported_reason(title: str) -> str | None:
    """Why a column the program itself writes is not imported (None: not one of those)."""
    key = title_key(title)
    if key in IGNORED_TITLES:
        return "只是行的编号"
    if key in NOT_IMPORTED:
        return NOT_IMPORTED[key]
    if _WINDOW_FIGURE.match(key):
        return "是某一时段的统计数，不是累计数"
    return None


def guess_field(kind: str, title: str, taken: set[str] | frozenset[str] = frozenset()) -> str | None:
    """The field a header that is not a known title most likely means: the one with the longest
    name (of two characters or more) contained in the title, or containing it (``志愿服务时长合计``
    → 累计服务时长, ``时长数`` → 服务时长). None when nothing fits or the field is taken."""
    key = title_key(title)
    if len(key) < 2 or key in _LOOKUPS[kind] or not_imported_reason(title) is not None:
        return None
    best, best_len = None, 1
    for name, field in _LOOKUPS[kind].items():
        if field in taken or len(name) < 2:
            continue
        if name in key or (len(key) >= 2 and key in name):
            score = len(name) if name in key else len(key)
            if score > best_len:
                best, best_len = field, score
    return best


def header_score(kind: str, row: tuple) -> int:
    """How many cells of ``row`` are known column titles (0 when the required field is missing)."""
    keys = [title_key(v) for v in row if v is not None]
    fields = {_LOOKUPS[kind][k] for k in keys if k in _LOOKUPS[kind]}
    if not any(f.key in fields for f in FIELDS[kind] if f.required):
        return 0
    return len(fields) + sum(1 for k in keys if k in IGNORED_TITLES)


def detect_mapping(kind: str, header: list[str]) -> dict[str, int]:
    """``{field: column}`` for the titles recognised in ``header`` (the first column wins a tie)."""
    mapping: dict[str, int] = {}
    for col, title in enumerate(header):
        key = field_for_title(kind, title)
        if key is not None and key not in mapping:
            mapping[key] = col
    return mapping


def guess_mapping(kind: str, header: list[str], mapping: dict[str, int]) -> dict[str, int]:
    """``{field: column}`` guessed for the columns ``mapping`` leaves out (see ``guess_field``)."""
    taken = set(mapping)
    mapped = set(mapping.values())
    guesses: dict[str, int] = {}
    for col, title in enumerate(header):
        if col in mapped or not title:
            continue
        key = guess_field(kind, title, taken)
        if key is not None:
            guesses[key] = col
            taken.add(key)
    return guesses


def field_by_name(kind: str, name: str) -> str | None:
    """A field named by its key, its label or a variant (``--map "表头=字段"``)."""
    name = name.strip()
    if any(f.key == name for f in FIELDS[kind]):
        return name
    return field_for_title(kind, name)


def header_digest(kind: str, header: list[str]) -> str:
    joined = "\x1f".join(title_key(t) for t in header)
    return hashlib.sha1(f"{kind}\x1e{joined}".encode()).hexdigest()[:16]


def remembered_mapping(kind: str, header: list[str]) -> dict[str, int] | None:
    """The mapping last used for a sheet with exactly this header row, if any (and still valid)."""
    key = MAPPING_SETTING.format(kind=kind, digest=header_digest(kind, header))
    row = Setting.get_or_none(Setting.key == key)
    if row is None:
        return None
    try:
        stored = json.loads(row.value)
    except ValueError:
        return None
    known = {f.key for f in FIELDS[kind]}
    if not isinstance(stored, dict):
        return None
    mapping = {k: v for k, v in stored.items() if k in known and isinstance(v, int) and 0 <= v < len(header)}
    return mapping or None


def remember_mapping(kind: str, header: list[str], mapping: dict[str, int], user: User | None) -> None:
    key = MAPPING_SETTING.format(kind=kind, digest=header_digest(kind, header))
    set_setting(key, json.dumps(dict(sorted(mapping.items())), ensure_ascii=False), user)
