"""The roll-up (汇总): this unit's own figures plus those of every counted lower package of the
period, by indicator code; a breakdown by unit whose rows add up to the total; the units that have
not reported named. Its JSON is what this unit's own package upward carries."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from models.entities import Region, User
from models.errors import ValidationFailed
from models.exchange import FigureKey, UnitFigures, add_up, counted_packages, figures_rows, not_reported
from models.exchange_entities import LowerUnit
from models.i18n import msg
from models.indicators import INDICATORS, summary_figures
from models.office import office_township
from models.periods import Period
from models.summary import Column, Section, SummaryData, compute_summary
from models.units import Unit, current_unit

from ..reports.output import ExportError, Job, atomic_output
from ..reports.recording import record_export
from ..reports.summary_json import summary_header, summary_json_text

OWN = "本单位自有记录"
COLUMNS_PER_TABLE = 7
KIND_COLUMNS = {"int": "int", "money": "money", "hours": "hours"}


def own_summary(period: Period, today: dt.date | None = None) -> SummaryData:
    try:
        return compute_summary(period, office_township(), today)
    except ValidationFailed as e:
        raise ExportError(next(iter(e.errors.values()))) from e


def own_figures(data: SummaryData) -> dict[FigureKey, int | Decimal]:
    return {(f.indicator, tuple(sorted(f.disaggregation))): f.value for f in summary_figures(data.sections)}


def area_name(unit: Unit, data: SummaryData) -> str:
    """The area the roll-up is of: the unit's name without 妇女联合会/妇联, else the summary's."""
    name = re.sub(r"(妇女联合会|妇联)$", "", unit.name)
    counties = Region.select().where(Region.level == "county").count()
    return name or (data.area_name if counties == 1 else "")


@dataclass
class Rollup:
    unit: Unit
    own: SummaryData
    own_figures: dict[FigureKey, int | Decimal]
    lower: list[UnitFigures]
    missing: list[LowerUnit]
    total: dict[FigureKey, int | Decimal]

    @property
    def area(self) -> str:
        return area_name(self.unit, self.own)


def compute_rollup(period: Period, today: dt.date | None = None) -> Rollup:
    own = own_summary(period, today)
    mine = own_figures(own)
    lower = counted_packages(period)
    total = add_up([mine, *(with_county_townships(u.figures, u.unit) for u in lower)])
    return Rollup(current_unit(), own, mine, lower, not_reported(period, lower), total)


def with_county_townships(figures: dict[FigureKey, int | Decimal],
                          unit: LowerUnit) -> dict[FigureKey, int | Decimal]:
    """A county's figures as a city adds them up: the townships in its breakdown named with the
    county ("宝应县／城关镇"), since two counties may each have a 城关镇 (and each its "县级或未填写"
    records). A township's figures are kept as they are: its county adds them under its name."""
    if unit.level != "county":
        return figures
    county = re.sub(r"(妇女联合会|妇联)$", "", unit.name) or unit.code
    named: dict[FigureKey, int | Decimal] = {}
    for (code, parts), value in figures.items():
        key = (code, tuple((d, f"{county}／{v}" if d == "township" else v) for d, v in parts))
        named[key] = named.get(key, 0) + value
    return named


def has_lower_units() -> bool:
    return LowerUnit.select().exists()


def rollup_document(r: Rollup, generated_at: dt.datetime | None = None) -> dict[str, Any]:
    """The summary JSON of the roll-up: the same header and rows as a unit's own summary, plus
    ``header.rollup`` (the units in it and those not yet reported) and ``by_unit`` (each unit's
    whole-area figures: the rows add up to the total)."""
    header = summary_header(r.own, generated_at)
    header["title"] = f"{r.area}妇女社会组织和巾帼阵地工作统计报表（汇总）"
    header["area"] = {"name": r.area, "level": r.unit.level, "code": r.unit.code}
    header["rollup"] = {
        "units": [{"code": u.unit.code, "name": u.unit.name, "level": u.unit.level,
                   "made_at": u.package.made_at, "sha256": u.package.sha256} for u in r.lower],
        "not_reported": [{"code": u.code, "name": u.name} for u in r.missing],
    }
    whole = [i.code for i in INDICATORS]
    by_unit = [{"unit": r.unit.code, "name": OWN, "values": _whole_rows(r.own_figures, whole)}]
    by_unit += [{"unit": u.unit.code, "name": u.unit.name, "values": _whole_rows(u.figures, whole)}
                for u in r.lower]
    return {"header": header, "values": figures_rows(r.total), "by_unit": by_unit}


def _whole_rows(figures: dict[FigureKey, int | Decimal], codes: list[str]) -> list[dict]:
    return figures_rows({(c, ()): figures.get((c, ()), 0) for c in codes})


def rollup_summary_data(r: Rollup) -> SummaryData:
    """The roll-up laid out as summary tables (for Excel and PDF): one row per unit, one column per
    whole-area indicator, the total row the rolled-up figure."""
    rows_of = [(OWN, r.own_figures), *((f"{u.unit.name}（{u.unit.code}）", u.figures) for u in r.lower)]
    sections = []
    for n, start in enumerate(range(0, len(INDICATORS), COLUMNS_PER_TABLE)):
        chunk = INDICATORS[start:start + COLUMNS_PER_TABLE]
        columns = [Column("单位", "text", 22)] + [
            Column(f"{i.title}（{i.unit}）", KIND_COLUMNS[i.kind], 12, i.code) for i in chunk]
        rows = [(label, *(figures.get((i.code, ()), 0) for i in chunk)) for label, figures in rows_of]
        total = ("合计", *(r.total.get((i.code, ()), 0) for i in chunk))
        sections.append(Section(f"rollup{n}", f"分单位汇总（{n + 1}）", columns, rows, total,
                                keys=[{} for _ in rows]))
    missing = "、".join(f"{u.name}（{u.code}）" for u in r.missing) or "无"
    sections[0].note = f"尚未报送的单位：{missing}。"
    sections[-1].note = (f"合计 = 本单位自有记录 + 已接收的 {len(r.lower)} 个下级单位数据包；"
                         "按分组的明细见 JSON 格式的汇总或上报数据包。")
    return SummaryData(r.own.period, None, r.area, r.own.as_of, sections)


def export_rollup(path: Path, period: Period, fmt: str, job: Job | None = None,
                  user: User | None = None, today: dt.date | None = None) -> Path:
    """Write the roll-up of ``period`` as xlsx, pdf or json; all or nothing, as every export."""
    from ..reports.summary import FORMATS, _write_pdf, _write_xlsx, official_header

    if fmt not in FORMATS:
        raise ExportError(msg("不支持的格式“{fmt}”：统计报表可导出为 xlsx、pdf 或 json。", fmt=fmt))
    if not current_unit().is_set:
        raise ExportError(msg("尚未设置本单位：请先用 jinguo unit set 或在“设置”中填写本单位。"))
    day = today or dt.date.today()
    r = compute_rollup(period, day)
    with atomic_output(Path(path)) as tmp:
        if fmt == "json":
            tmp.write_text(rollup_json_text(rollup_document(r)), encoding="utf-8")
        else:
            data = rollup_summary_data(r)
            header = official_header(data, day)
            if fmt == "xlsx":
                _write_xlsx(tmp, data, header, [], job)
            else:
                _write_pdf(tmp, data, header, job, [])
        record_export(user, None, entity="report",
                      summary=f"导出汇总统计报表：{r.area}，{period.label}，{len(r.lower)} 个下级单位，"
                              f"{fmt}，{Path(path).name}")
    return Path(path)


def rollup_json_text(document: dict[str, Any]) -> str:
    text = summary_json_text(document)
    if "by_unit" not in document:
        return text
    import json

    by_unit = ",\n".join(f"  {json.dumps(u, ensure_ascii=False)}" for u in document["by_unit"])
    return text.rstrip()[:-1].rstrip() + f',\n "by_unit": [\n{by_unit}\n ]\n}}\n'

