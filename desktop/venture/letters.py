"""结果通知书: one letter per decided application of a round (入选 with the amount granted, or
未入选), one page each, in the office's official style (the same fonts, embedded, as the 公示 list)
with the date and the space for the seal. Written all or nothing and recorded as an export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, PageBreak, SimpleDocTemplate, Spacer

from models.entities import User
from models.i18n import msg
from models.projects import format_money
from models.settings import get_setting
from models.venture_entities import VentureRound
from models.venture_report import LetterRow, letter_rows

from ..reports import pdf
from ..reports.output import ExportError, atomic_output
from ..reports.recording import record_export
from .outputs import find_round

LETTER_TITLE = "结果通知书"


def letter_text(row: LetterRow, rnd: VentureRound, office: str) -> list[str]:
    """The letter's paragraphs after the salutation: the standard text of the result."""
    if row.selected:
        return [f"贵单位申报的“{row.title}”项目，经申报、初审、培训修改、专家评审和公示，"
                f"确定入选{rnd.name}，资助金额 {format_money(row.amount)} 元。",
                "请贵单位按照项目申报书和资助协议组织实施，规范使用资助资金，按时报送项目进度，"
                f"接受{office}组织的督导和结项评估。"]
    return [f"贵单位申报的“{row.title}”项目，经申报、初审和专家评审，未能入选{rnd.name}。",
            f"感谢贵单位对本次创投活动的支持和参与，欢迎继续关注{office}今后组织的公益创投活动。"]


def _story(rows: list[LetterRow], rnd: VentureRound, office: str, day: dt.date) -> list[Flowable]:
    st = pdf.styles()
    body = ParagraphStyle("letter", parent=st.body, fontSize=12, leading=22, firstLineIndent=24)
    opening = ParagraphStyle("letter_to", parent=st.body, fontSize=12, leading=22)
    signed = ParagraphStyle("letter_signed", parent=opening, alignment=TA_RIGHT)
    story: list[Flowable] = []
    for i, row in enumerate(rows):
        if i:
            story.append(PageBreak())
        result = "入选" if row.selected else "未入选"
        story += [pdf.para(LETTER_TITLE, st.title), pdf.para(rnd.name, st.subtitle),
                  pdf.para(f"编号：{rnd.id}-{row.application_id}    结果：{result}", st.small),
                  Spacer(1, 6 * mm), pdf.para(f"{row.organization}：", opening)]
        story += [pdf.para(text, body) for text in letter_text(row, rnd, office)]
        story.append(pdf.para("特此通知。", body))
        story += [Spacer(1, 18 * mm), pdf.para(office, signed),
                  pdf.para(f"{day:%Y年%m月%d日}", signed), pdf.para("（单位盖章）", signed)]
    return story


def export_letters(path: Path, round_id: int, user: User | None = None,
                   today: dt.date | None = None) -> Path:
    """The round's letters as one PDF, a page per decided application."""
    day = today or dt.date.today()
    rnd = find_round(round_id)
    rows = letter_rows(rnd)
    if not any(r.selected for r in rows):
        raise ExportError(msg("“{name}”还没有确定入选名单，请先在轮次详情里确定入选名单，再出结果通知书。",
                              name=rnd.name))
    office = get_setting("office.name") or rnd.organiser or "主办单位"
    path = Path(path)
    with atomic_output(path) as tmp:
        pdf.register_fonts()
        doc = SimpleDocTemplate(str(tmp), pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm,
                                topMargin=25 * mm, bottomMargin=25 * mm, title=f"{rnd.name}{LETTER_TITLE}",
                                author=office, creator="巾帼枢纽")
        # A letter a page, so no "page n of m" across letters; the sans as the canvas's first font
        # keeps an unembedded Helvetica out of the file.
        doc.build(_story(rows, rnd, office, day),
                  canvasmaker=lambda *a, **k: Canvas(*a, **{**k, "initialFontName": pdf.SANS}))
        record_export(user, rnd, entity="venture_round",
                      summary=f"导出结果通知书：{rnd.name}，{len(rows)} 份，{path.name}")
    return path
