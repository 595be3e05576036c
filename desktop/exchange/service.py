"""What an office does with report packages besides receiving them: make its own package (its own
summary, or its roll-up when units report to it), and review a lower unit's period (已审核 / 退回)
with the signed receipt sent back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from models import audit
from models.db import database, now
from models.entities import User
from models.exchange_entities import LowerUnit, ReportPackage, ReportReview
from models.i18n import msg
from models.periods import Period
from models.schema import program_version
from models.units import current_unit, ensure_key

from ..reports.output import ExportError, atomic_output
from ..reports.recording import record_export
from ..reports.summary_json import summary_document
from .package import RECEIPT_SUFFIX, SUFFIX, build_package, build_receipt, register_rows
from .rollup import compute_rollup, has_lower_units, own_summary, rollup_document


def package_file_name(period: Period) -> str:
    """``青禾县妇女联合会_2025Q3.jgrpt``: the sender and the period, as the receiver checks."""
    unit = current_unit()
    safe = "".join(c for c in unit.name if c not in '\\/:*?"<>|').strip() or unit.code
    return f"{safe}_{period.code}{SUFFIX}"


def export_package(path: Path, period: Period, with_register: bool = False,
                   user: User | None = None, today: dt.date | None = None) -> tuple[Path, dict]:
    """Write this unit's signed package of ``period``: its roll-up when units report to it."""
    unit = current_unit()
    if not unit.is_set:
        raise ExportError(msg("尚未设置本单位：请先用 jinguo unit set 设置本单位的名称、区划代码和级别。"))
    if unit.level != "city" and not unit.parent_code:
        raise ExportError(msg("尚未填写上级单位的区划代码：请用 jinguo unit set … --parent-code 代码 补上。"))
    if has_lower_units():
        document = rollup_document(compute_rollup(period, today))
    else:
        document = summary_document(own_summary(period, today))
        document["header"]["area"] = {"name": document["header"]["area"]["name"], "level": unit.level,
                                      "code": unit.code}
    key = ensure_key()  # a unit set on the 设置 page gets its key when it first sends
    register = register_rows() if with_register else None
    data = build_package(unit, key, period.code, document, register, program_version())
    path = Path(path)
    if path.is_dir():
        path = path / package_file_name(period)
    elif path.suffix.lower() != SUFFIX:  # the upper unit's folder import looks for .jgrpt files
        path = path.with_name(path.name + SUFFIX)
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)
        record_export(user, None, entity="report",
                      summary=f"导出上报数据包：{unit.name}，{period.label}"
                              f"{'，含社会组织名录' if with_register else ''}，{path.name}")
    return path, document


def find_unit(code: str) -> LowerUnit:
    unit = LowerUnit.get_or_none(LowerUnit.code == code.strip())
    if unit is None:
        raise ExportError(msg("没有代码为 {code} 的下级单位（用 jinguo exchange units 查看）。", code=code))
    return unit


def _current(unit: LowerUnit, period: Period) -> ReportPackage | None:
    return ReportPackage.get_or_none((ReportPackage.unit == unit) & (ReportPackage.period == period.code)
                                     & (ReportPackage.state == "current"))


def accept(unit: LowerUnit, period: Period, user: User | None, take_waiting: bool = False) -> ReportPackage:
    """已审核: the current package (with ``take_waiting``, the newest waiting one first replaces it
    and is then the one accepted)."""
    with database.atomic():
        if take_waiting:
            waiting = (ReportPackage.select().where((ReportPackage.unit == unit)
                       & (ReportPackage.period == period.code) & (ReportPackage.state == "waiting"))
                       .order_by(ReportPackage.made_at.desc()).first())
            if waiting is None:
                raise ExportError(msg("{name} {p} 没有等待接受的数据包。", name=unit.name, p=period.label))
            (ReportPackage.update(state="replaced").where((ReportPackage.unit == unit)
             & (ReportPackage.period == period.code) & (ReportPackage.state.in_(("current", "waiting")))
             & (ReportPackage.id != waiting.id)).execute())
            waiting.state = "current"
            waiting.save()
        package = _current(unit, period)
        if package is None:
            raise ExportError(msg("{name} 还没有报送 {p} 的数据包，无法审核。", name=unit.name,
                                  p=period.label))
        _review(unit, period, "accepted", "", package, user)
    return package


def send_back(unit: LowerUnit, period: Period, note: str, user: User | None) -> None:
    """退回 with a note: the period no longer counts in the roll-up until a new package comes."""
    if not note.strip():
        raise ExportError(msg("退回时请写明原因（--note），对方导入回执后会看到。"))
    package = _current(unit, period)
    if package is None:
        raise ExportError(msg("{name} 还没有报送 {p} 的数据包，无法退回。", name=unit.name, p=period.label))
    with database.atomic():
        _review(unit, period, "returned", note.strip(), package, user)


def _review(unit: LowerUnit, period: Period, state: str, note: str, package: ReportPackage,
            user: User | None) -> None:
    ReportReview.delete().where((ReportReview.unit == unit) & (ReportReview.period == period.code)).execute()
    ReportReview.create(unit=unit, period=period.code, state=state, note=note, package=package,
                        reviewed_at=now(), reviewed_by=user.id if user is not None else None)
    audit.record(user, "update", None, entity="report",
                 summary=f"{'审核' if state == 'accepted' else '退回'}{unit.name}{period.label}的上报数据包"
                         f"{'：' + note if note else ''}")


def write_receipt(path: Path, unit: LowerUnit, period: Period, user: User | None) -> Path:
    """The signed receipt for the lower unit: 收到 / 已审核 / 退回 (with the note)."""
    me, key = current_unit(), ensure_key()
    package = _current(unit, period)
    if package is None:
        raise ExportError(msg("{name} 还没有报送 {p} 的数据包，无法出具回执。", name=unit.name,
                              p=period.label))
    review = ReportReview.get_or_none((ReportReview.unit == unit) & (ReportReview.period == period.code))
    state = review.state if review is not None else "received"
    data = build_receipt(me, key, {
        "unit_code": unit.code, "unit_name": unit.name, "period": period.code, "state": state,
        "note": review.note if review is not None else "", "package_sha256": package.sha256,
        "package_made_at": package.made_at,
        "made_at": dt.datetime.now().astimezone().isoformat(timespec="microseconds")})
    path = Path(path)
    if path.suffix.lower() != RECEIPT_SUFFIX:  # what the lower unit's import takes as a receipt
        path = path.with_name(path.name + RECEIPT_SUFFIX)
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)
        record_export(user, None, entity="report",
                      summary=f"出具回执：{unit.name}，{period.label}，{path.name}")
    return path
