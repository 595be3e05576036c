"""The round's papers: the 公示 list (入选名单) and the round's report, as an .xlsx workbook or a
PDF with the official header and footer (表号, 制表机关, 填报单位 … from the office's settings,
as the periodic summary has them) and the space for the seal. Each export is written to the
audit trail, all or nothing (desktop/reports/output.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from models.entities import User
from models.i18n import msg
from models.projects import format_money
from models.settings import get_setting
from models.venture_entities import VentureRound
from models.venture_report import REPORT_COLUMNS, REPORT_KINDS, RoundReport, publicity_rows, round_report

from ..reports import pdf
from ..reports.output import ExportError, atomic_output
from ..reports.recording import record_export
from ..reports.xlsx import SheetWriter, XlsxColumn, discard_workbook, new_workbook, save_workbook

FORMATS = ("xlsx", "pdf")
PUBLICITY_COLUMNS = (XlsxColumn("序号", "int", 6), XlsxColumn("申报组织", "text", 26),
                     XlsxColumn("项目名称", "text", 30), XlsxColumn("服务领域", "text", 12),
                     XlsxColumn("评审得分", "score", 10), XlsxColumn("资助金额（元）", "money", 14))
PUBLICITY_WIDTHS = (0.07, 0.25, 0.30, 0.12, 0.11, 0.15)


def find_round(round_id: int) -> VentureRound:
    rnd = VentureRound.get_or_none(VentureRound.id == round_id)
    if rnd is None:
        raise ExportError(msg("没有编号为 {id} 的创投轮次。轮次的编号见“创投”页的列表。", id=round_id))
    return rnd


def _header(title: str, rnd: VentureRound, today: dt.date, measure: str) -> pdf.OfficialHeader:
    return pdf.OfficialHeader(
        title=title, table_no=get_setting("report.table_no"), issuer=get_setting("report.issuer"),
        unit=get_setting("office.name"), period=f"{rnd.year}年", measure=measure,
        unit_head=get_setting("report.unit_head"), stats_head=get_setting("report.stats_head"),
        preparer=get_setting("report.preparer"), phone=get_setting("report.phone"), reported_on=today)


def _pairs(pairs: list[tuple[str, str]]) -> str:
    return "    ".join(f"{label}：{value}" for label, value in pairs)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ExportError(msg("不支持的格式“{fmt}”：可导出为 xlsx 或 pdf。", fmt=fmt))


# --- 公示 -------------------------------------------------------------------------------


def _sign_off(sheet: SheetWriter, header) -> None:
    """Close a sheet with the lines an office signs under it (负责人, 填表人 … and the seal's place)."""
    footer = pdf.footer_lines(header)
    sheet.append_plain([])
    sheet.append_plain([_pairs(footer[:3])])
    sheet.append_plain([_pairs(footer[3:]) + "    （单位盖章）"])
    sheet.finish(whole_sheet=True)


def publicity_notice(rnd: VentureRound, count: int) -> str:
    days = f"公示期自{rnd.publicity_on:%Y年%m月%d日}起" if rnd.publicity_on else "公示期"
    office = get_setting("office.name") or rnd.organiser or "主办单位"
    return (f"经申报、初审、培训修改和专家评审，拟资助以下 {count} 个项目，现予公示。"
            f"{days}五个工作日，如有异议，请在公示期内向{office}反映。")


def export_publicity(path: Path, round_id: int, fmt: str, user: User | None = None,
                     today: dt.date | None = None) -> Path:
    """The 公示 list of the round: the winners in ranking order, their score and amount."""
    _check_format(fmt)
    day = today or dt.date.today()
    rnd = find_round(round_id)
    rows = publicity_rows(rnd)
    if not rows:
        raise ExportError(msg("“{name}”还没有入选的项目，请先在轮次详情里确定入选名单。", name=rnd.name))
    header = _header(f"{rnd.name}拟资助项目公示", rnd, day, "元")
    values = [(r.number, r.organization, r.title, r.service_area, r.score, r.amount) for r in rows]
    total = sum(r.amount for r in rows)
    notice = publicity_notice(rnd, len(rows))
    path = Path(path)
    with atomic_output(path) as tmp:
        if fmt == "xlsx":
            wb = new_workbook()
            try:
                top = pdf.header_lines(header)
                sheet = SheetWriter(wb, "公示名单", list(PUBLICITY_COLUMNS),
                                    [header.title, _pairs(top[:3]), _pairs(top[3:]), notice])
                for row in values:
                    sheet.append(list(row))
                sheet.append(["", "合计", f"{len(rows)} 个项目", "", None, total])
                _sign_off(sheet, header)
                save_workbook(wb, tmp)
            except BaseException:
                discard_workbook(wb)
                raise
        else:
            width = pdf.content_width(pdf.page_size(len(PUBLICITY_COLUMNS)))
            st = pdf.styles()
            table = [*values, ("", "合计", f"{len(rows)} 个项目", "", "", total)]
            story: list[Flowable] = [*pdf.official_header(header, width), pdf.para(notice, st.body),
                                     Spacer(1, 3 * mm)]
            story += pdf.grid_tables([c.title for c in PUBLICITY_COLUMNS],
                                     [[_text(v, c.kind) for v, c in zip(row, PUBLICITY_COLUMNS, strict=True)]
                                      for row in table],
                                     [width * f for f in PUBLICITY_WIDTHS],
                                     ["center", "left", "left", "center", "right", "right"])
            story += pdf.official_footer(header, width)
            pdf.build_pdf(tmp, story, pdf.page_size(len(PUBLICITY_COLUMNS)), title=header.title,
                          author=header.unit)
        record_export(user, rnd, entity="venture_round",
                      summary=f"导出公示名单：{rnd.name}，{fmt}，{path.name}")
    return path


def _text(value, kind: str) -> str:
    if value is None or value == "":
        return ""
    if kind == "money":
        return format_money(value)
    if kind == "score":
        return f"{value:.2f}"
    return str(value)


# --- the round's report ------------------------------------------------------------------


def _report_lines(report: RoundReport) -> list[str]:
    cap = f"{format_money(report.project_cap)} 元" if report.project_cap is not None else "不限"
    lines = [f"类型：{report.source}    年度：{report.year}    主办单位：{report.organiser or '—'}",
             f"总预算：{format_money(report.budget)} 元    单个项目资助上限：{cap}    "
             f"评审专家：{report.reviewers} 人",
             "评分项：" + ("、".join(f"{name}（权重 {w}）" for name, w in report.criteria) or "未设")]
    if report.key_dates:
        lines.append("关键日期：" + "、".join(f"{label} {day:%Y-%m-%d}" for label, day in report.key_dates))
    lines.append("申报状态：" + ("、".join(f"{label} {n}" for label, n in report.by_status) or "无申报"))
    return lines


def _tables(report: RoundReport) -> list[tuple[str, str, list[tuple]]]:
    total = [report.total.values()]
    return [("一、按服务领域", "服务领域", [line.values() for line in report.by_area] + total),
            ("二、按镇（街道）", "镇（街道）", [line.values() for line in report.by_township] + total)]


def export_round_report(path: Path, round_id: int, fmt: str, user: User | None = None,
                        today: dt.date | None = None) -> Path:
    """The round's report: applications by service area and township, amounts requested and
    granted, people to be served, each table with its total line."""
    _check_format(fmt)
    day = today or dt.date.today()
    rnd = find_round(round_id)
    report = round_report(rnd)
    header = _header(f"{rnd.name}情况统计表", rnd, day, "个、元、人次")
    path = Path(path)
    with atomic_output(path) as tmp:
        if fmt == "xlsx":
            wb = new_workbook()
            try:
                top = pdf.header_lines(header)
                columns = [XlsxColumn("", "text", 20), *(XlsxColumn("", k, 14) for k in REPORT_KINDS[1:])]
                sheet = SheetWriter(wb, "轮次报告", columns, [header.title, _pairs(top[:3]), _pairs(top[3:])],
                                    header=False, landscape=True)
                for line in _report_lines(report):
                    sheet.append_plain([line])
                for title, first, rows in _tables(report):
                    sheet.append_plain([])
                    sheet.append_plain([title], bold=True)
                    sheet.append_header([first, *REPORT_COLUMNS[1:]])
                    for i, row in enumerate(rows):
                        sheet.append_typed(row, REPORT_KINDS, bold=i == len(rows) - 1)
                _sign_off(sheet, header)
                save_workbook(wb, tmp)
            except BaseException:
                discard_workbook(wb)
                raise
        else:
            pagesize = pdf.page_size(len(REPORT_COLUMNS))  # seven columns fit A4 portrait
            width = pdf.content_width(pagesize)
            st = pdf.styles()
            story: list[Flowable] = [*pdf.official_header(header, width)]
            story += [pdf.para(line, st.small) for line in _report_lines(report)]
            widths = [width * 0.16] + [width * 0.14] * 6
            for title, first, rows in _tables(report):
                grid = pdf.grid_tables([first, *REPORT_COLUMNS[1:]],
                                       [[_text(v, k) for v, k in zip(row, REPORT_KINDS, strict=True)]
                                        for row in rows], widths, ["left"] + ["right"] * 6)
                story += [Spacer(1, 4 * mm), KeepTogether([pdf.para(title, pdf.styles().subtitle), *grid])]
            story += pdf.official_footer(header, width)
            pdf.build_pdf(tmp, story, pagesize, title=header.title, author=header.unit)
        record_export(user, rnd, entity="venture_round",
                      summary=f"导出轮次报告：{rnd.name}，{fmt}，{path.name}")
    return path
