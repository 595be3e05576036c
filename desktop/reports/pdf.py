"""PDF output (reportlab): embedded Chinese fonts, page numbers, official header and footer.

Text is set in WenQuanYi Micro Hei; a character it lacks (a rare name character such
as 𠮷) is set in Jinguo Rare, the part of LXGW WenKai that WenQuanYi lacks
(resources/fonts/README.md). Both are TrueType, so reportlab embeds a subset of each.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from resources import resource_path

SANS = "JinguoSans"  # WenQuanYi Micro Hei
KAI = "JinguoKai"  # Jinguo Rare (a subset of LXGW WenKai), for what the sans lacks
MARGIN = 15 * mm


_BEYOND_BMP = re.compile(r"^<([0-9A-F]{2})> <([0-9A-F]{5,6})>$", re.MULTILINE)
_reportlab_to_unicode_cmap = ttfonts.makeToUnicodeCMap


def _to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    """reportlab's ToUnicode CMap with characters beyond the BMP written as UTF-16 (surrogate
    pairs), as the PDF format requires: reportlab writes 𠮷 as <20BB7>, which readers cannot
    map back, so the name could not be copied or searched in the PDF."""
    def utf16(match: re.Match) -> str:
        char = chr(int(match.group(2), 16))
        return f"<{match.group(1)}> <{char.encode('utf-16-be').hex().upper()}>"

    return _BEYOND_BMP.sub(utf16, _reportlab_to_unicode_cmap(fontname, subset))


@cache
def register_fonts() -> tuple[frozenset[int], frozenset[int]]:
    """Register both fonts once; return the code points each covers."""
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap
    sans = TTFont(SANS, str(resource_path("fonts/wqy-microhei.ttc")), subfontIndex=0)
    kai = TTFont(KAI, str(resource_path("fonts/JinguoRare-Regular.ttf")))
    pdfmetrics.registerFont(sans)
    pdfmetrics.registerFont(kai)
    return frozenset(sans.face.charToGlyph), frozenset(kai.face.charToGlyph)


def markup(text: Any) -> str:
    """Paragraph markup for plain text: escaped, with characters the sans lacks set in Kai."""
    text = "" if text is None else str(text)
    sans, kai = register_fonts()
    out: list[str] = []
    run: list[str] = []
    for ch in text:
        code = ord(ch)
        if code in sans or code not in kai or ch in "\n\t ":
            if run:
                out.append(f'<font face="{KAI}">{escape("".join(run))}</font>')
                run = []
            out.append("<br/>" if ch == "\n" else escape(ch))
        else:
            run.append(ch)
    if run:
        out.append(f'<font face="{KAI}">{escape("".join(run))}</font>')
    return "".join(out)


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    cell_center: ParagraphStyle
    cell_right: ParagraphStyle
    head: ParagraphStyle
    small: ParagraphStyle


@cache
def styles() -> Styles:
    register_fonts()
    base = ParagraphStyle("jinguo", fontName=SANS, fontSize=10.5, leading=14, wordWrap="CJK")
    cell = ParagraphStyle("cell", parent=base, fontSize=9, leading=11.5)
    return Styles(
        title=ParagraphStyle("title", parent=base, fontSize=18, leading=24, alignment=TA_CENTER,
                             spaceAfter=4 * mm),
        subtitle=ParagraphStyle("subtitle", parent=base, fontSize=12, leading=16, alignment=TA_CENTER,
                                spaceAfter=2 * mm),
        body=base,
        cell=cell,
        cell_center=ParagraphStyle("cell_center", parent=cell, alignment=TA_CENTER),
        cell_right=ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT),
        head=ParagraphStyle("head", parent=cell, alignment=TA_CENTER, fontSize=9.5),
        small=ParagraphStyle("small", parent=base, fontSize=9, leading=12, alignment=TA_LEFT),
    )


def para(text: Any, style: ParagraphStyle | None = None) -> Paragraph:
    return Paragraph(markup(text), style or styles().body)


GRID_PADDING = 3
GRID_VPADDING = 2
GRID = TableStyle([
    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.91, 0.91, 0.91)),
    ("TOPPADDING", (0, 0), (-1, -1), GRID_VPADDING),
    ("BOTTOMPADDING", (0, 0), (-1, -1), GRID_VPADDING),
    ("LEFTPADDING", (0, 0), (-1, -1), GRID_PADDING),
    ("RIGHTPADDING", (0, 0), (-1, -1), GRID_PADDING),
])


def _cell(value: Any, style: ParagraphStyle, width: float, sans: frozenset[int]) -> str | Paragraph:
    """Plain text when it fits on one line in the sans font (drawn by the table: about ten times
    faster than a Paragraph), else a Paragraph that wraps and falls back to Kai."""
    text = "" if value is None else str(value)
    if ("\n" not in text and sans.issuperset(map(ord, text))
            and pdfmetrics.stringWidth(text, SANS, style.fontSize) <= width):
        return text
    return Paragraph(markup(text), style)


class PagedGrid(Flowable):
    """Table rows laid out a page at a time: each page gets one Table that starts with the header.

    One huge Table grows superlinearly (see TECH-NOTES), and fixed-size chunks would put a
    header wherever a chunk starts, mid-page included. Here row heights are measured once
    (as reportlab's Table does: text lines × leading, or the wrapped Paragraph, plus padding),
    the rows that fit the space left on the page become one Table with those heights given,
    and the rest moves on to the next page.
    """

    def __init__(self, head: list, body: list[list], col_widths: list[float], style: list,
                 start: int = 0, heights: list[float | None] | None = None):
        super().__init__()
        self.head, self.body, self.col_widths, self.style, self.start = head, body, col_widths, style, start
        self.heights = heights if heights is not None else [None] * len(body)
        self.head_height = self._measure(head)
        self.hAlign = "CENTER"  # as a Table

    def _measure(self, row: list) -> float:
        tallest = 0.0
        for value, width in zip(row, self.col_widths):
            if isinstance(value, Flowable):
                height = value.wrap(width - 2 * GRID_PADDING, 1e6)[1]
            else:
                height = styles().cell.leading * (value.count("\n") + 1)
            tallest = max(tallest, height)
        return tallest + 2 * GRID_VPADDING

    def _height(self, i: int) -> float:
        height = self.heights[i]
        if height is None:
            height = self.heights[i] = self._measure(self.body[i])
        return height

    def _fitting(self, avail_height: float) -> tuple[int, float]:
        """How many rows from ``start`` fit in ``avail_height`` (with the header), and their height."""
        used, end = self.head_height, self.start
        while end < len(self.body) and used + self._height(end) <= avail_height:
            used += self.heights[end]
            end += 1
        return end, used

    def _table(self, end: int) -> Table:
        table = Table([self.head, *self.body[self.start:end]], colWidths=self.col_widths,
                      rowHeights=[self.head_height, *self.heights[self.start:end]], repeatRows=1)
        table.setStyle(GRID)
        table.setStyle(TableStyle(self.style))
        table.hAlign = self.hAlign
        return table

    def full_height(self) -> float:
        """The height of the whole table laid out in one piece (header once)."""
        return self.head_height + sum(self._height(i) for i in range(self.start, len(self.body)))

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        end, used = self._fitting(avail_height)
        if end < len(self.body):  # more than the space left: the frame will ask for a split
            used = avail_height + 1
        self.width, self.height = sum(self.col_widths), used
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        end, _used = self._fitting(avail_height)
        if end == self.start:  # not even one row: start on the next page
            return []
        first = self._table(end)
        if end == len(self.body):
            return [first]
        rest = PagedGrid(self.head, self.body, self.col_widths, self.style, end, self.heights)
        rest.hAlign = self.hAlign
        return [first, rest]

    def draw(self) -> None:
        table = self._table(len(self.body))
        table.wrapOn(self.canv, self.width, self.height)
        table.drawOn(self.canv, 0, 0)


def grid_tables(header: Sequence[Any], rows: Sequence[Sequence[Any]], col_widths: Sequence[float],
                aligns: Sequence[str] | None = None) -> list[Flowable]:
    """A table whose header starts every page it runs over (one flowable, laid out page by page).

    Values are plain text (escaped and font-mapped here); ``aligns`` per column is
    ``left`` | ``center`` | ``right``.
    """
    st = styles()
    sans, _kai = register_fonts()
    by_align = {"left": st.cell, "center": st.cell_center, "right": st.cell_right}
    aligns = aligns or ["left"] * len(header)
    cell_styles = [by_align[a] for a in aligns]
    inner = [w - GRID_PADDING * 2 - 0.5 for w in col_widths]
    head = [Paragraph(markup(h), st.head) for h in header]
    body = [[_cell(v, s, w, sans) for v, s, w in zip(row, cell_styles, inner)] for row in rows]
    # How plain-text cells are drawn: the cell style's font, size and alignment per column.
    plain = [("FONTNAME", (0, 0), (-1, -1), SANS), ("FONTSIZE", (0, 1), (-1, -1), st.cell.fontSize),
             ("LEADING", (0, 1), (-1, -1), st.cell.leading)]
    plain += [("ALIGN", (i, 1), (i, -1), a.upper()) for i, a in enumerate(aligns)]
    return [PagedGrid(head, body, list(col_widths), plain)]


def page_size(columns: int, wide_from: int = 8) -> tuple[float, float]:
    """A4 portrait, or landscape when there are many columns."""
    return landscape(A4) if columns >= wide_from else A4


class NumberedCanvas(rl_canvas.Canvas):
    """Draws 「第 x 页 共 y 页」 on every page once the page count is known (at save)."""

    def __init__(self, *args, **kwargs):
        register_fonts()
        # No unembedded Helvetica in the file (the doc template passes None explicitly).
        kwargs["initialFontName"] = kwargs.get("initialFontName") or SANS
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._draw_page_number(total)
            super().showPage()
        super().save()

    def _draw_page_number(self, total: int) -> None:
        register_fonts()
        width, _height = self._pagesize
        self.setFont(SANS, 9)
        self.drawCentredString(width / 2, 8 * mm, f"第 {self._pageNumber} 页 共 {total} 页")


def build_pdf(path: Path, story: list[Flowable], pagesize: tuple[float, float] = A4, title: str = "",
              author: str = "", on_page: Callable | None = None) -> None:
    """Write ``story`` to ``path`` with page numbers; metadata title and author for the reader."""
    register_fonts()
    doc = SimpleDocTemplate(
        str(path), pagesize=pagesize, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm, title=title, author=author, creator="巾帼枢纽",
    )
    hooks = {"onFirstPage": on_page, "onLaterPages": on_page} if on_page else {}
    doc.build(story, canvasmaker=NumberedCanvas, **hooks)


@dataclass(frozen=True)
class OfficialHeader:
    """The fixed header and footer of a Chinese statistical table (DOMAIN.md)."""

    title: str
    table_no: str = ""  # 表号
    issuer: str = ""  # 制表机关
    unit: str = ""  # 填报单位
    period: str = ""  # 报告期, e.g. 2025年第3季度
    measure: str = ""  # 计量单位
    unit_head: str = ""  # 单位负责人
    stats_head: str = ""  # 统计负责人
    preparer: str = ""  # 填表人
    phone: str = ""  # 联系电话
    reported_on: dt.date | None = None  # 报出日期


def header_lines(h: OfficialHeader) -> list[tuple[str, str]]:
    """The header's label/value pairs, in print order (used by PDF and Excel alike)."""
    return [("表号", h.table_no), ("制表机关", h.issuer), ("填报单位", h.unit),
            ("报告期", h.period), ("计量单位", h.measure)]


def footer_lines(h: OfficialHeader) -> list[tuple[str, str]]:
    reported = h.reported_on.strftime("%Y年%m月%d日") if h.reported_on else ""
    return [("单位负责人", h.unit_head), ("统计负责人", h.stats_head), ("填表人", h.preparer),
            ("联系电话", h.phone), ("报出日期", reported)]


def official_header(h: OfficialHeader, width: float) -> list[Flowable]:
    st = styles()
    pairs = header_lines(h)
    cells = [para(f"{label}：{value}", st.small) for label, value in pairs]
    table = Table([cells[:3], [*cells[3:], para("", st.small)]], colWidths=[width / 3] * 3)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), SANS),  # else an unembedded Helvetica
                               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [para(h.title, st.title), table, Spacer(1, 3 * mm)]


def official_footer(h: OfficialHeader, width: float) -> list[Flowable]:
    st = styles()
    cells = [para(f"{label}：{value}", st.small) for label, value in footer_lines(h)]
    table = Table([cells[:3], [*cells[3:], para("（单位盖章）", st.small)]], colWidths=[width / 3] * 3,
                  rowHeights=[9 * mm, 9 * mm])
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), SANS),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    return [Spacer(1, 6 * mm), table]


FRAME_PADDING = 6  # reportlab's page frame pads each side by 6 pt


def content_height(pagesize: tuple[float, float]) -> float:
    """The height a flowable may take on a page (see ``build_pdf``'s margins)."""
    return pagesize[1] - 2 * MARGIN - 4 * mm - 2 * FRAME_PADDING


def content_width(pagesize: tuple[float, float]) -> float:
    """The width a flowable may take: the page less the margins and the frame's padding
    (a wider table overflows the frame and sticks out of the margin)."""
    return pagesize[0] - 2 * MARGIN - 2 * FRAME_PADDING
