"""Rosters (花名册) as PDF or Excel: title, reporting unit, date, numbered rows, signature lines.

The rows come from ``models.rosters`` (stroke order by default, pinyin as the alternative,
ID numbers masked unless allowed). Every export is written to the audit trail: a roster is
personal data leaving the program.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from models.entities import Organization, Region, Team, User, Venue
from models.i18n import msg
from models.rosters import (
    KINDS,
    ORDERS,
    Roster,
    RosterError,
    build_roster,
    find_organization,
    find_team,
    find_township,
    find_venue,
)
from models.settings import get_setting

from . import pdf
from .output import ExportError, Job, atomic_output
from .recording import record_export
from .xlsx import SheetWriter, XlsxColumn, discard_workbook, new_workbook, save_workbook

FORMATS = ("xlsx", "pdf")
SIGNATURE_LABELS = ("填表人：", "审核人：", "日期：")
ORDER_LABELS = {"strokes": "按姓氏笔画排序", "pinyin": "按姓名拼音排序"}


def resolve_target(kind: str, name: str) -> int:
    """The id of the organization / team / venue / township named ``name`` (for the CLI)."""
    finders = {"organization": find_organization, "team": find_team, "venue": find_venue,
               "volunteers": find_township}
    try:
        return finders[kind](name)
    except RosterError as e:
        raise ExportError(e.message) from e


def _columns(roster: Roster) -> list[tuple[str, str, float, str]]:
    """(title, xlsx kind, relative width, PDF alignment) of each column."""
    columns = [("序号", "int", 5, "center"), ("姓名", "text", 10, "left"), ("性别", "text", 5, "center"),
               ("出生年月", "text", 9, "center"), ("身份证号", "text", 17, "center"),
               ("联系电话", "text", 12, "center"),
               (roster.duty_title, "text", 8 if roster.with_organizations else 18, "left")]
    if roster.with_organizations:
        columns.append(("所在组织", "text", 28, "left"))
    if roster.hours_title:
        columns.append((roster.hours_title, "float", 10, "right"))
    return columns


def _values(roster: Roster) -> list[list]:
    rows = []
    for i, r in enumerate(roster.rows, start=1):
        values = [i, r.name, r.sex, r.birth, r.id_number, r.phone, r.duty]
        if roster.with_organizations:
            values.append(r.organizations)
        if roster.hours_title:
            values.append(r.hours)
        rows.append(values)
    return rows


def _subtitle(roster: Roster, today: dt.date) -> tuple[str, str, str]:
    unit = get_setting("office.name") or "（未设置填报单位）"
    date = f"日期：{today.year}年{today.month}月{today.day}日"
    return f"填报单位：{unit}", f"共 {len(roster.rows)} 人", date


def _write_xlsx(tmp: Path, roster: Roster, order: str, today: dt.date, job: Job | None) -> None:
    columns = [XlsxColumn(title, kind, 6 if title == "序号" else width * 1.2)
               for title, kind, width, _align in _columns(roster)]
    unit, count, date = _subtitle(roster, today)
    heading = [roster.title, f"{unit}    {date}    {count}（{ORDER_LABELS[order]}）"]
    wb = new_workbook()
    try:
        sheet = SheetWriter(wb, "花名册", columns, heading, landscape=len(columns) > 7)
        rows = _values(roster)
        for i, values in enumerate(rows):
            if job is not None and i % 1000 == 0:
                job.step(i, len(rows))
            sheet.append(values)
        if job is not None:
            job.step(len(rows), len(rows))
        sheet.finish()
        sheet.append_plain([])
        labels = SIGNATURE_LABELS
        sheet.append_plain(["", labels[0], "", "", labels[1], "", f"{labels[2]}    年  月  日"])
        # The signature lines are printed too.
        last_row = len(heading) + 1 + sheet.rows + 2
        sheet.ws.print_area = f"A1:{get_column_letter(len(columns))}{last_row}"
        save_workbook(wb, tmp)
    except BaseException:
        discard_workbook(wb)
        raise


def _signature_block(width: float) -> KeepTogether:
    """填表人 ____  审核人 ____  日期 ____年__月__日, with lines to sign on (plain strings keep
    their spaces)."""
    cells = []
    for label, line in zip(SIGNATURE_LABELS, ("", "", "年      月      日")):
        cells += [label, line]
    label_w = 18 * mm
    line_w = width / 3 - label_w - 6 * mm
    table = Table([cells], colWidths=[label_w, line_w, label_w, line_w, label_w, line_w + 18 * mm],
                  rowHeights=[12 * mm])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), pdf.SANS), ("FONTSIZE", (0, 0), (-1, -1), 10.5),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
        *[("LINEBELOW", (i, 0), (i, 0), 0.5, colors.black) for i in (1, 3, 5)],
    ]))
    return KeepTogether([Spacer(1, 8 * mm), table])


def _write_pdf(tmp: Path, roster: Roster, order: str, today: dt.date, job: Job | None) -> None:
    columns = _columns(roster)
    pagesize = pdf.page_size(len(columns))
    width = pdf.content_width(pagesize)
    total_weight = sum(c[2] for c in columns)
    widths = [width * c[2] / total_weight for c in columns]
    st = pdf.styles()
    unit, count, date = _subtitle(roster, today)
    right = ParagraphStyle("roster_right", parent=st.small, alignment=TA_RIGHT)
    heading = Table([[pdf.para(unit, st.small), pdf.para(f"{count}（{ORDER_LABELS[order]}）", st.small),
                      pdf.para(date, right)]], colWidths=[width * 0.45, width * 0.3, width * 0.25])
    heading.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), pdf.SANS),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                 ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    rows = [[("" if v is None else str(v)) for v in values] for values in _values(roster)]
    story = [pdf.para(roster.title, st.title), heading, Spacer(1, 2 * mm),
             *pdf.grid_tables([c[0] for c in columns], rows, widths, [c[3] for c in columns]),
             _signature_block(width)]
    pages = max(1, len(rows) // 30)

    def on_page(canvas, doc) -> None:
        if job is not None:
            job.step(doc.page, max(pages, doc.page))

    pdf.build_pdf(tmp, story, pagesize, title=roster.title, author=get_setting("office.name"),
                  on_page=on_page)


def _audit_target(kind: str, target_id: int | None, township_id: int | None):
    model = {"organization": Organization, "team": Team, "venue": Venue}.get(kind)
    if model is not None:
        return model.get_by_id(target_id)
    return Region.get_or_none(Region.id == township_id) if township_id is not None else None


def export_roster(path: Path, kind: str, target_id: int | None, fmt: str, order: str = "strokes",
                  township_id: int | None = None, full_ids: bool = False, job: Job | None = None,
                  user: User | None = None, today: dt.date | None = None) -> Path:
    """Write the roster of ``kind`` (organization | team | venue | volunteers) to ``path``.

    ``target_id`` names the organization, team or venue; for ``volunteers`` ``township_id``
    limits it to one township (None = the whole county). ``full_ids`` says the operator
    may see full ID numbers (the settings must allow it too).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown roster kind {kind!r}")
    if fmt not in FORMATS:
        raise ExportError(msg("不支持的格式“{fmt}”：花名册可导出为 xlsx 或 pdf。", fmt=fmt))
    if order not in ORDERS:
        raise ExportError(msg("不支持的排序“{order}”：请用 strokes（姓氏笔画）或 pinyin（拼音）。",
                              order=order))
    path = Path(path)
    day = today or dt.date.today()
    if job is not None:
        job.step(0, 1)
    try:
        roster = build_roster(kind, target_id, order, township_id, full_ids, day)
    except RosterError as e:
        raise ExportError(e.message) from e
    write = _write_pdf if fmt == "pdf" else _write_xlsx
    with atomic_output(path) as tmp:
        write(tmp, roster, order, day, job)
        ids = "完整身份证号" if roster.full_ids else "身份证号已遮蔽"
        target = _audit_target(kind, target_id, township_id)
        record_export(user, target, entity=None if target is not None else "person",
                      summary=f"导出花名册：{roster.title}，{len(roster.rows)} 人，{fmt}，{ids}，{path.name}")
    return path
