"""The indicator codes of the periodic summary: the one table that names them.

Every figure of the summary (统计报表) is an indicator, optionally broken down by one or more
dimensions, such as ``org.count`` with ``{"stage": "初创期"}``. The JSON export and the report
packages sent upward carry these codes, and the receiving office adds up what its townships and
counties send by them, so a code keeps its meaning for ever:

- a new figure gets a new code (and a new dimension key, if it needs one);
- a figure that is dropped has its code moved to ``RETIRED``, never reused for something else;
- a figure whose meaning changes (counted differently) is a new code, and the old one retires.

``tests/models/test_indicators.py`` pins every code ever issued, so a code cannot disappear or
come back silently. ``python tools/make_indicator_doc.py`` writes the table below as
``docs/indicators.md`` (``indicators_markdown``; a test checks that the file is up to date).

Values: counts are integers; ``money`` (yuan, to the fen) and ``hours`` (to a tenth) are exact
decimals, written in JSON as strings (``"12500.65"``, ``"27.5"``) so that no reader turns them
into binary floating point. Dimension values are the Chinese labels the summary prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from .i18n import tr_noop

if TYPE_CHECKING:
    from .summary import Section

KINDS = ("int", "money", "hours")


@dataclass(frozen=True)
class Indicator:
    code: str
    title: str  # Chinese, as the summary's column calls it
    unit: str  # Chinese unit (个、人、人次、元、小时 …)
    kind: str = "int"  # int | money | hours
    dimensions: tuple[str, ...] = ()  # the breakdowns the summary gives, beyond the whole
    note: str = ""  # how it is counted, where the title does not say


INDICATORS: tuple[Indicator, ...] = (
    Indicator("org.count", tr_noop("社会组织数（期末）"), tr_noop("个"),
              dimensions=("org_kind", "legal_form", "stage", "service_area", "township"),
              note=tr_noop("期末已成立且未归档的组织；按服务领域分时一个组织在每个领域各计一次")),
    Indicator("org.incubating.count", tr_noop("在孵组织数（期末）"), tr_noop("个"),
              dimensions=("org_kind", "legal_form", "township"),
              note=tr_noop("期末处于萌芽期、初创期或发展期")),
    Indicator("org.incubating_overdue.count", tr_noop("在孵超过12个月的组织数"), tr_noop("个"),
              dimensions=("org_kind", "legal_form")),
    Indicator("org.incubation_started.count", tr_noop("本期新入孵组织数"), tr_noop("个"),
              dimensions=("org_kind", "legal_form", "township"),
              note=tr_noop("本期首次进入孵化阶段")),
    Indicator("org.stage_entered.count", tr_noop("本期进入孵化阶段的组织数"), tr_noop("个"),
              dimensions=("stage", "org_kind", "legal_form", "township"),
              note=tr_noop("“本期出壳”即阶段为出壳的这一指标")),
    Indicator("org.alliance_member.count", tr_noop("公益联盟成员数（期末）"), tr_noop("个"),
              dimensions=("org_kind", "legal_form", "township")),
    Indicator("org.alliance_joined.count", tr_noop("本期新入盟组织数"), tr_noop("个"),
              dimensions=("org_kind", "legal_form")),
    Indicator("org.group_member.count", tr_noop("团体会员数（期末）"), tr_noop("个"),
              dimensions=("org_kind", "legal_form")),
    Indicator("project.count", tr_noop("本期在实施项目数"), tr_noop("个"),
              dimensions=("source", "township"),
              note=tr_noop("状态为立项、实施中、结项或终止且跨及本期的项目")),
    Indicator("project.amount_granted", tr_noop("立项金额"), tr_noop("元"), "money",
              dimensions=("source", "township")),
    Indicator("project.people_served", tr_noop("项目服务人次"), tr_noop("人次"),
              dimensions=("source", "township")),
    Indicator("venture.application.count", tr_noop("创投申报数"), tr_noop("个"),
              dimensions=("source",),
              note=tr_noop("征集日期（未填则为其年度1月1日）在本期的公益创投、微创投轮次收到的申报；"
                           "按申报的服务地点（未填则为申报组织所在地）计入镇（街道）")),
    Indicator("venture.application.amount_requested", tr_noop("创投申请金额"), tr_noop("元"), "money",
              dimensions=("source",)),
    Indicator("venture.winner.count", tr_noop("创投入选项目数"), tr_noop("个"),
              dimensions=("source",), note=tr_noop("同一批申报中入选或已立项的")),
    Indicator("venture.winner.amount_granted", tr_noop("创投资助金额"), tr_noop("元"), "money",
              dimensions=("source",)),
    Indicator("team.count", tr_noop("三工联动团队数（期末）"), tr_noop("个"),
              dimensions=("completeness", "township")),
    Indicator("team.member.count", tr_noop("团队在岗成员数（按团队计）"), tr_noop("人"),
              dimensions=("role", "completeness"),
              note=tr_noop("一人在两个团队各计一次")),
    Indicator("team.with_social_worker.count", tr_noop("有社工的团队数（期末）"), tr_noop("个"),
              dimensions=("completeness",)),
    Indicator("venue.count", tr_noop("活动阵地数（期末）"), tr_noop("个"),
              dimensions=("venue_level", "venue_kind", "township")),
    Indicator("activity.at_venue.count", tr_noop("在活动阵地举办的活动次数"), tr_noop("次"),
              dimensions=("venue_level", "township")),
    Indicator("activity.at_venue.people_served", tr_noop("在活动阵地举办的活动的服务人次"),
              tr_noop("人次"), dimensions=("venue_level", "township")),
    Indicator("person.volunteer.count", tr_noop("注册志愿者人数（期末）"), tr_noop("人"),
              dimensions=("sex", "township")),
    Indicator("activity.volunteer.count", tr_noop("本期参与志愿服务人数"), tr_noop("人"),
              dimensions=("sex",)),
    Indicator("activity.service_record.count", tr_noop("志愿服务人次"), tr_noop("人次"),
              dimensions=("sex",)),
    Indicator("activity.volunteer_hours", tr_noop("志愿服务时长"), tr_noop("小时"), "hours",
              dimensions=("sex", "township"),
              note=tr_noop("按活动日期计入报告期，按服务者所在地区计入镇（街道）")),
    Indicator("training.count", tr_noop("培训督导场次"), tr_noop("场"),
              dimensions=("training_kind", "township")),
    Indicator("training.attendance.count", tr_noop("参训人次"), tr_noop("人次"),
              dimensions=("training_kind", "township")),
    Indicator("training.hours", tr_noop("培训督导时长"), tr_noop("小时"), "hours",
              dimensions=("training_kind",)),
)

# Codes once issued and no longer produced: never to be given to another figure.
RETIRED: frozenset[str] = frozenset()

# Dimension keys and what their values are (the summary's Chinese labels).
DIMENSIONS: dict[str, str] = {
    "township": tr_noop("镇（街道）名称；县级或未填写地区的记录为“县级或未填写镇（街道）”；"
                        "市级汇总中前加所属县（市、区），如“宝应县／安宜镇”"),
    "org_kind": tr_noop("组织类别：登记注册、草根组织（备案）"),
    "legal_form": tr_noop("登记形式：社会团体、社会服务机构（民办非企业单位）、基金会、未填写登记形式"),
    "stage": tr_noop("孵化阶段：萌芽期、初创期、发展期、出壳、未纳入孵化"),
    "service_area": tr_noop("服务领域名称（本单位的服务领域表），或“未填写服务领域”"),
    "source": tr_noop("项目来源：公益创投、政府购买服务、微创投、妇联自有、其他"),
    "completeness": tr_noop("团队是否齐全：齐全、不齐全"),
    "role": tr_noop("团队分工：妇工、社工、义工"),
    "venue_level": tr_noop("阵地级别：市级、镇级、村级、未填写级别"),
    "venue_kind": tr_noop("阵地类型：妇女儿童之家、妇女微家、妇女儿童活动中心、其他"),
    "sex": tr_noop("性别：女、男、未填写"),
    "training_kind": tr_noop("类型：培训、督导、交流、其他"),
}

BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}


def indicator(code: str) -> Indicator:
    """The indicator of ``code``; a KeyError names a code missing from the table (a bug)."""
    return BY_CODE[code]


@dataclass(frozen=True)
class Figure:
    """One figure: an indicator, the breakdown it is of (dimension, label pairs in the order of
    ``DIMENSIONS``; empty for the whole area) and its value (int, or Decimal for money and hours)."""

    indicator: str
    disaggregation: tuple[tuple[str, str], ...]
    value: int | Decimal


_DIMENSION_ORDER = {key: i for i, key in enumerate(DIMENSIONS)}


def summary_figures(sections: Iterable[Section]) -> list[Figure]:
    """Every figure the summary's tables show, once each, in the order they first appear.

    A figure shown in two tables (the county's total organizations: by kind, by stage, by
    service area and by township) is listed once; the tables agree by construction, and a
    disagreement is a bug in the summary (ValueError), never a choice between two numbers.
    """
    seen: dict[tuple[str, tuple[tuple[str, str], ...]], Figure] = {}
    for section in sections:
        lines = list(zip(section.rows, section.keys, strict=True))
        if section.total is not None:
            lines.append((section.total, {}))
        for row, key in lines:
            for column, value in zip(section.columns[1:], row[1:], strict=True):
                if not column.indicator:
                    raise ValueError(f"column {column.title!r} of {section.key!r} has no indicator")
                where = {**key, **dict(column.where)}
                unknown = set(where) - set(indicator(column.indicator).dimensions)
                if unknown:
                    raise ValueError(f"{column.indicator} is not broken down by {sorted(unknown)}")
                pairs = tuple(sorted(where.items(), key=lambda kv: _DIMENSION_ORDER[kv[0]]))
                found = seen.get((column.indicator, pairs))
                if found is None:
                    seen[(column.indicator, pairs)] = Figure(column.indicator, pairs, value)
                elif found.value != value:
                    raise ValueError(f"{column.indicator} {dict(pairs)}: {found.value} and {value} "
                                     f"in {section.key!r}")
    return list(seen.values())


def indicators_markdown() -> str:
    """docs/indicators.md: the codes, dimensions and retired codes, for offices and programs
    that read the JSON export or a report package."""
    lines = [
        "# 统计指标代码 (indicator codes)",
        "",
        "Generated from `models/indicators.py` by `python tools/make_indicator_doc.py`; do not edit.",
        "",
        "Each figure of the periodic summary (`jinguo export summary --format json`) is one row",
        '`{"indicator": CODE, "disaggregation": {DIMENSION: LABEL, …} or null, "value": …}`.',
        "A code keeps its meaning for ever: a dropped figure's code is retired, never reused.",
        "Counts are JSON integers; money (元, to the fen) and hours (小时, to a tenth) are exact",
        'decimals written as strings (`"12500.65"`, `"27.5"`). `null` is the whole area.',
        "",
        "## Indicators",
        "",
        "| code | 指标 | 单位 | value | broken down by | 说明 |",
        "|---|---|---|---|---|---|",
    ]
    for i in INDICATORS:
        dimensions = ", ".join(f"`{d}`" for d in i.dimensions)
        value = {"int": "integer", "money": "decimal string, 2 places",
                 "hours": "decimal string, 1 place"}[i.kind]
        lines.append(f"| `{i.code}` | {i.title} | {i.unit} | {value} | {dimensions} | {i.note} |")
    lines += ["", "## Dimensions", "", "| key | 取值 |", "|---|---|"]
    lines += [f"| `{key}` | {meaning} |" for key, meaning in DIMENSIONS.items()]
    lines += ["", "## Retired codes", "", "Never to be used again for another figure.", ""]
    lines += [f"- `{code}`" for code in sorted(RETIRED)] or ["(none yet)"]
    return "\n".join(lines) + "\n"
