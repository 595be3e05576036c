"""The periodic summary (统计报表) as an Excel workbook, a PDF to sign and stamp, or JSON
(one row per figure, by indicator code: summary_json.py).

The figures come from ``models.summary`` (SQL aggregates), the lists behind them from
``models.summary_lists``; this module only lays them out. The header and footer values
(表号, 制表机关, 填报单位, 单位负责人 …) are the office's settings. Every export is
written to the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from models.entities import User
from models.errors import ValidationFailed
from models.home import chart_months, monthly_hours
from models.i18n import msg
from models.periods import Period
from models.permissions import can
from models.rosters import full_ids_allowed
from models.settings import get_setting
from models.summary import MEASURE, Column, Section, SummaryData, compute_summary
from models.summary_lists import DetailList, detail_lists

from . import pdf
from .chart_flowable import ChartFlowable
from .charts import ChartSpec, draw_chart, summary_charts
from .output import ExportError, Job, atomic_output
from .recording import record_export
from .summary_json import write_summary_json
from .xlsx import SheetWriter, XlsxColumn, discard_workbook, new_workbook, save_workbook

FORMATS = ("xlsx", "pdf", "json")
SUMMARY_SHEET = "统计报表"
XLSX_KINDS = {"text": "text", "int": "int", "money": "money", "hours": "float", "date": "date"}
PROGRESS_EVERY = 500  # list rows between progress reports (and cancellation checks)
CHINESE_NUMBERS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三",
                   "十四", "十五")
LANDSCAPE_FROM = 6  # columns: the summary (9 or 10 columns wide) is printed landscape


def official_header(data: SummaryData, today: dt.date) -> pdf.OfficialHeader:
    """The header and footer of the table, from the office's settings."""
    return pdf.OfficialHeader(
        title=data.title,
        table_no=get_setting("report.table_no"),
        issuer=get_setting("report.issuer"),
        unit=get_setting("office.name"),
        period=data.period.label,
        measure=MEASURE,
        unit_head=get_setting("report.unit_head"),
        stats_head=get_setting("report.stats_head"),
        preparer=get_setting("report.preparer"),
        phone=get_setting("report.phone"),
        reported_on=today,
    )


def section_title(index: int, section: Section) -> str:
    return f"{CHINESE_NUMBERS[index]}、{section.title}"


def notes_text(data: SummaryData) -> list[str]:
    return [f"{i}. {note}" for i, note in enumerate(data.notes, start=1)]


# --- Excel -----------------------------------------------------------------------------


def _step(job: Job | None, done: int, total: int) -> None:
    if job is not None:
        job.step(done, total)


def _pairs_line(pairs: Sequence[tuple[str, str]]) -> str:
    return "    ".join(f"{label}：{value}" for label, value in pairs)


def _write_summary_sheet(wb, data: SummaryData, header: pdf.OfficialHeader) -> None:
    width = max(len(s.columns) for s in data.sections)
    columns = [XlsxColumn("", "text", 30), *(XlsxColumn("", "int", 14) for _ in range(width - 1))]
    top = pdf.header_lines(header)
    heading = [header.title, _pairs_line(top[:2]), _pairs_line(top[2:])]
    sheet = SheetWriter(wb, SUMMARY_SHEET, columns, heading, landscape=width >= LANDSCAPE_FROM,
                        header=False)
    for i, section in enumerate(data.sections):
        sheet.append_plain([])
        sheet.append_plain([section_title(i, section)], bold=True)
        sheet.append_header([c.title for c in section.columns])
        kinds = [XLSX_KINDS[c.kind] for c in section.columns]
        for row in section.rows:
            sheet.append_typed(row, kinds)
        if section.total is not None:
            sheet.append_typed(section.total, ["text", *kinds[1:]], bold=True)
    sheet.append_plain([])
    footer = pdf.footer_lines(header)
    sheet.append_plain([_pairs_line(footer[:3])])
    sheet.append_plain([_pairs_line(footer[3:]) + "    （单位盖章）"])
    sheet.append_plain([])
    sheet.append_plain(["说明："])
    for line in notes_text(data):
        sheet.append_plain([line])
    sheet.finish(whole_sheet=True)


def _write_list_sheet(wb, data: SummaryData, listing: DetailList, job: Job | None,
                      progress: tuple[int, int]) -> None:
    columns = [XlsxColumn(c.title, XLSX_KINDS[c.kind], c.width) for c in listing.columns]
    heading = [f"{data.area_name}{data.period.label}{listing.title}清单"]
    sheet = SheetWriter(wb, listing.title, columns, heading, borders=False)
    for i, row in enumerate(listing.rows()):
        if i % PROGRESS_EVERY == 0:
            _step(job, *progress)
        sheet.append(row)
    sheet.finish()


def _write_xlsx(tmp: Path, data: SummaryData, header: pdf.OfficialHeader,
                lists: list[DetailList], job: Job | None) -> None:
    wb = new_workbook()
    total = len(lists) + 2
    try:
        _write_summary_sheet(wb, data, header)
        for i, listing in enumerate(lists, start=1):
            _step(job, i, total)
            _write_list_sheet(wb, data, listing, job, (i, total))
        _step(job, total - 1, total)
        save_workbook(wb, tmp)
    except BaseException:
        discard_workbook(wb)
        raise


# --- PDF -------------------------------------------------------------------------------


def figure_text(value: Any, kind: str) -> str:
    """How a figure is printed: thousands separated, money to the fen, hours to a tenth."""
    if value is None:
        return ""
    if kind == "money" and isinstance(value, Decimal):
        return f"{value:,.2f}"
    if kind == "hours" and isinstance(value, Decimal):
        return f"{value:,.1f}"
    if kind == "int" and isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _wanted_widths(columns: list[Column]) -> list[float]:
    """Room for a long row label and for the widest figures."""
    return [62 * mm if c.kind == "text" else 34 * mm if c.kind == "money" else 27 * mm
            for c in columns]


def _widths(columns: list[Column], width: float) -> list[float]:
    wanted = _wanted_widths(columns)
    scale = min(1.0, width / sum(wanted))
    return [w * scale for w in wanted]


SIDE_BY_SIDE = TableStyle([
    ("FONTNAME", (0, 0), (-1, -1), pdf.SANS), ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
])
GUTTER = 8 * mm


@cache
def section_style() -> ParagraphStyle:
    return ParagraphStyle("summary_section", parent=pdf.styles().body, fontSize=11.5, leading=16,
                          spaceBefore=3 * mm, spaceAfter=1.5 * mm)


def _section_parts(index: int, section: Section, width: float) -> tuple[Paragraph, list[Flowable]]:
    """The section's title and its table (split in pieces if long), as wide as it needs."""
    rows = [[figure_text(v, c.kind) for v, c in zip(row, section.columns)] for row in section.rows]
    if section.total is not None:
        rows.append([figure_text(v, c.kind) for v, c in zip(section.total, section.columns)])
    aligns = ["left", *("right" for _ in section.columns[1:])]
    tables = pdf.grid_tables([c.title for c in section.columns], rows,
                             _widths(section.columns, width), aligns)
    for table in tables:
        table.hAlign = "LEFT"
    return pdf.para(section_title(index, section), section_style()), tables


def _fits_on_a_page(title: Paragraph, tables: list[Flowable], width: float, height: float) -> bool:
    """Whether the section can sit in one piece in a side-by-side cell (a cell cannot split
    across pages: a long list, e.g. many service areas, must run on its own)."""
    if len(tables) != 1 or not isinstance(tables[0], pdf.PagedGrid):
        return False
    title_height = title.wrap(width, height)[1] + section_style().spaceBefore + section_style().spaceAfter
    return title_height + tables[0].full_height() <= height * 0.9


def _sections_story(sections: list[Section], width: float, height: float) -> list[Flowable]:
    """Each section with its title kept on its table's page; two short, narrow sections in
    a row share the line (fewer half-empty pages)."""
    half = (width - GUTTER) / 2
    story: list[Flowable] = []
    i = 0
    while i < len(sections):
        section = sections[i]
        pair = sections[i + 1] if i + 1 < len(sections) else None
        if (pair is not None
                and sum(_wanted_widths(section.columns)) <= half
                and sum(_wanted_widths(pair.columns)) <= half):
            title, tables = _section_parts(i, section, half)
            pair_title, pair_tables = _section_parts(i + 1, pair, half)
            if (_fits_on_a_page(title, tables, half, height)
                    and _fits_on_a_page(pair_title, pair_tables, half, height)):
                row = Table([[[title, tables[0]], "", [pair_title, pair_tables[0]]]],
                            colWidths=[half, GUTTER, half])
                row.setStyle(SIDE_BY_SIDE)
                row.hAlign = "LEFT"
                story += [Spacer(1, 2 * section_style().spaceBefore), row]
                i += 2
                continue
        title, tables = _section_parts(i, section, width)
        story += [KeepTogether([title, tables[0]]), *tables[1:]]
        i += 1
    return story


CHART_FONT_SIZE = 9  # points


def _charts_page(data: SummaryData, charts: list[ChartSpec], width: float, height: float) -> list[Flowable]:
    """The charts two by two on a page of their own, after the table and its notes."""
    title = pdf.para(f"{data.title}：图表（{data.period.label}）", section_style())
    cell_width = (width - GUTTER) / 2
    cell_height = (height - 20 * mm) / 2
    drawings = [ChartFlowable(draw_chart(spec, cell_width, cell_height, CHART_FONT_SIZE)) for spec in charts]
    rows = [[drawings[i], "", drawings[i + 1] if i + 1 < len(drawings) else ""]
            for i in range(0, len(drawings), 2)]
    grid = Table(rows, colWidths=[cell_width, GUTTER, cell_width])
    grid.setStyle(SIDE_BY_SIDE)
    grid.setStyle(TableStyle([("BOTTOMPADDING", (0, 0), (-1, -2), 6 * mm)]))  # apart from the row below
    return [PageBreak(), title, grid]


def _write_pdf(tmp: Path, data: SummaryData, header: pdf.OfficialHeader, job: Job | None,
               charts: list[ChartSpec]) -> None:
    pagesize = pdf.page_size(max(len(s.columns) for s in data.sections), wide_from=LANDSCAPE_FROM)
    width = pdf.content_width(pagesize)
    st = pdf.styles()
    sections = _sections_story(data.sections, width, pdf.content_height(pagesize))
    story: list[Flowable] = [*pdf.official_header(header, width), *sections]
    story += pdf.official_footer(header, width)
    notes = [pdf.para("说明：", st.small), *(pdf.para(line, st.small) for line in notes_text(data))]
    story += [Spacer(1, 4 * mm), KeepTogether(notes)]
    if charts:
        story += _charts_page(data, charts, width, pdf.content_height(pagesize))

    def on_page(canvas, doc) -> None:
        _step(job, doc.page, doc.page + 1)

    pdf.build_pdf(tmp, story, pagesize, title=data.title, author=header.unit, on_page=on_page)


# --- the export --------------------------------------------------------------------------


def export_summary(path: Path, period: Period, township_id: int | None, fmt: str,
                   job: Job | None = None, user: User | None = None,
                   today: dt.date | None = None, charts: bool = False) -> Path:
    """Write the summary of ``period`` for one township (or the county: ``None``) to ``path``.

    ``xlsx``: the summary sheet and one sheet per list behind it; ``pdf``: the summary with
    the official header, footer and seal space, and with ``charts`` a page of the home page's
    charts for the period (volunteer hours: the twelve months up to the day stock is taken);
    ``json``: every figure by indicator code, to compare or to hand to another program. All or
    nothing: a failed or cancelled export leaves no file (and an earlier file at ``path``
    untouched).
    """
    if fmt not in FORMATS:
        raise ExportError(msg("不支持的格式“{fmt}”：统计报表可导出为 xlsx、pdf 或 json。", fmt=fmt))
    if charts and fmt != "pdf":
        raise ExportError(msg("图表只能附在 PDF 格式的统计报表后，请选择 PDF 格式。"))
    path = Path(path)
    day = today or dt.date.today()
    _step(job, 0, 1)
    try:
        data = compute_summary(period, township_id, day)
        full_ids = full_ids_allowed(can(user, "full_ids"))  # the role and the settings allow it
        lists = detail_lists(period, township_id, day, full_ids) if fmt == "xlsx" else []
        months = chart_months(Period.containing("month", data.as_of)) if charts else []
        chart_specs = summary_charts(data, monthly_hours(months, township_id)) if charts else []
    except ValidationFailed as e:
        raise ExportError(next(iter(e.errors.values()))) from e
    header = official_header(data, day)
    with atomic_output(path) as tmp:
        if fmt == "xlsx":
            _write_xlsx(tmp, data, header, lists, job)
        elif fmt == "json":
            write_summary_json(tmp, data)
        else:
            _write_pdf(tmp, data, header, job, chart_specs)
        _step(job, 1, 1)
        record_export(user, None, entity="report",
                      summary=f"导出统计报表：{data.area_name}，{period.label}，{fmt}"
                              f"{'（附图表）' if charts else ''}，{path.name}")
    return path
