"""Rules of upward reporting that need no files: the figures of a package checked and added up,
which packages of a period count, and each lower unit's reporting status.

A package's figures are the rows of ``jinguo export summary --format json`` (desktop/reports/
summary_json.py): ``{"indicator", "disaggregation", "value"}``. A roll-up adds up, for every
(indicator, disaggregation), the unit's own value and those of every current package of the
period that was not 退回; a figure a unit does not have counts as 0 there.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .exchange_entities import LowerUnit, ReportPackage, ReportReview
from .i18n import Message, msg
from .indicators import BY_CODE, RETIRED
from .periods import Period
from .settings import get_setting

FigureKey = tuple[str, tuple[tuple[str, str], ...]]


class FiguresError(ValueError):
    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


def parse_value(code: str, value: object) -> int | Decimal:
    kind = BY_CODE[code].kind
    if kind == "int":
        if type(value) is not int or value < 0:
            raise FiguresError(msg("指标 {code} 的数值应为非负整数，而不是 {value}", code=code, value=value))
        return value
    try:
        number = Decimal(value) if isinstance(value, str) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number < 0:
        raise FiguresError(msg("指标 {code} 的数值应为写成文字的小数，而不是 {value}", code=code,
                               value=value))
    return number


def parse_figures(rows: object) -> dict[FigureKey, int | Decimal]:
    """The figures of a package, checked: known codes, their dimensions, values of their kind."""
    if not isinstance(rows, list):
        raise FiguresError(msg("数据项不是列表"))
    figures: dict[FigureKey, int | Decimal] = {}
    for row in rows:
        if not isinstance(row, dict) or set(row) != {"indicator", "disaggregation", "value"}:
            raise FiguresError(msg("数据项格式不对：{row}", row=str(row)[:80]))
        code, where = row["indicator"], row["disaggregation"] or {}
        if code in RETIRED or code not in BY_CODE:
            raise FiguresError(msg("不认识的指标代码 {code}", code=str(code)[:40]))
        if not isinstance(where, dict) or not set(where) <= set(BY_CODE[code].dimensions) or not all(
                isinstance(v, str) for v in where.values()):
            raise FiguresError(msg("指标 {code} 的分组不对：{where}", code=code, where=str(where)[:80]))
        key = (code, tuple(sorted(where.items())))
        if key in figures:
            raise FiguresError(msg("指标 {code} {where} 出现了两次", code=code, where=where))
        figures[key] = parse_value(code, row["value"])
    return figures


def figures_rows(figures: dict[FigureKey, int | Decimal]) -> list[dict]:
    from .indicators import DIMENSIONS

    order = {key: i for i, key in enumerate(DIMENSIONS)}
    rows = []
    for (code, where), value in figures.items():
        pairs = sorted(where, key=lambda kv: order[kv[0]])
        kind = BY_CODE[code].kind
        shown = int(value) if kind == "int" else f"{Decimal(value):.2f}" if kind == "money" \
            else f"{Decimal(value):.1f}"
        rows.append({"indicator": code, "disaggregation": dict(pairs) or None, "value": shown})
    return rows


def add_up(parts: Iterable[dict[FigureKey, int | Decimal]]) -> dict[FigureKey, int | Decimal]:
    """The sum of several units' figures, key by key, in the order they first appear."""
    total: dict[FigureKey, int | Decimal] = {}
    for figures in parts:
        for key, value in figures.items():
            total[key] = total.get(key, 0) + value
    return total


@dataclass
class UnitFigures:
    unit: LowerUnit
    package: ReportPackage
    figures: dict[FigureKey, int | Decimal] = field(default_factory=dict)


def counted_packages(period: Period) -> list[UnitFigures]:
    """The current package of every lower unit for ``period`` that was not returned, by code."""
    returned = {r.unit_id for r in ReportReview.select(ReportReview.unit).where(
        (ReportReview.period == period.code) & (ReportReview.state == "returned"))}
    query = (ReportPackage.select(ReportPackage, LowerUnit).join(LowerUnit)
             .where((ReportPackage.period == period.code) & (ReportPackage.state == "current"))
             .order_by(LowerUnit.code))
    return [UnitFigures(p.unit, p, parse_figures(json.loads(p.figures)))
            for p in query if p.unit_id not in returned]


# --- 报送情况 -------------------------------------------------------------------------------

STATUS_LABELS = {"reported": "已报", "accepted": "已审核", "returned": "退回", "overdue": "逾期",
                 "missing": "未报"}


def due_date(period: Period) -> dt.date:
    """The day a period's package is due: ``report.due_days.<kind>`` (else ``report.due_days``)
    days after the period ends."""
    days = get_setting(f"report.due_days.{period.kind}") or get_setting("report.due_days") or "10"
    return period.end + dt.timedelta(days=int(days))


@dataclass
class UnitStatus:
    code: str
    name: str
    level: str
    status: str  # STATUS_LABELS
    received_at: dt.datetime | None = None
    made_at: str = ""
    sha256: str = ""
    waiting: int = 0  # packages that came after 已审核 and wait to be taken
    note: str = ""

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def reporting_status(period: Period, today: dt.date | None = None) -> list[UnitStatus]:
    today = today or dt.date.today()
    overdue = today > due_date(period)
    current = {p.unit_id: p for p in ReportPackage.select().where(
        (ReportPackage.period == period.code) & (ReportPackage.state == "current"))}
    waiting: dict[int, int] = {}
    for p in ReportPackage.select(ReportPackage.unit).where(
            (ReportPackage.period == period.code) & (ReportPackage.state == "waiting")):
        waiting[p.unit_id] = waiting.get(p.unit_id, 0) + 1
    reviews = {r.unit_id: r for r in ReportReview.select().where(ReportReview.period == period.code)}
    rows = []
    for unit in LowerUnit.select().order_by(LowerUnit.code):
        package, review = current.get(unit.id), reviews.get(unit.id)
        if package is None:
            status = "overdue" if overdue else "missing"
        else:
            status = review.state if review is not None else "reported"
        rows.append(UnitStatus(unit.code, unit.name, unit.level, status,
                               package.received_at if package else None,
                               package.made_at if package else "", package.sha256 if package else "",
                               waiting.get(unit.id, 0), review.note if review else ""))
    return rows


def not_reported(period: Period, counted: Sequence[UnitFigures]) -> list[LowerUnit]:
    have = {u.unit.id for u in counted}
    return [u for u in LowerUnit.select().order_by(LowerUnit.code) if u.id not in have]
