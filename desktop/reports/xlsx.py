"""Excel output (openpyxl write-only): typed cells, safe text, print setup.

Every value a user typed is written as text: a name like ``=HYPERLINK(...)`` stays
text, ID numbers and phones keep every digit, illegal control characters are dropped.
Figures are real numbers, so the city federation can add them up.
"""

from __future__ import annotations

import datetime as dt
import re
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

# What openpyxl refuses (openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE), stripped instead.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
MAX_CELL_TEXT = 32767

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="E8E8E8")
_BOLD = Font(bold=True)
_TITLE_FONT = Font(bold=True, size=14)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)

NUMBER_FORMATS = {"int": "#,##0", "money": "#,##0.00", "float": "#,##0.0", "score": "0.00",
                  "percent": "0.0%"}
FRACTION_FORMAT = "#,##0.0##"


def safe_text(value: Any) -> str:
    """A user string made safe for a cell: control characters stripped, length capped."""
    text = str(value)
    if not text.isprintable():  # rare, and isprintable() is several times cheaper than the regex
        text = _ILLEGAL.sub("", text)
    return text[:MAX_CELL_TEXT]


@dataclass(frozen=True)
class XlsxColumn:
    title: str
    kind: str = "text"  # text | int | money | float | score (two decimals) | percent | date | datetime
    width: float = 14


def typed_cell(ws: WriteOnlyWorksheet, value: Any, kind: str = "text", border: bool = True,
               styles: dict | None = None) -> WriteOnlyCell:
    """One cell: numbers as numbers (with a display format), everything else as forced text.

    ``styles``, a dict kept per sheet, makes big sheets fast: each distinct cell style is
    built once and copied after (openpyxl hashes every style object assigned to a cell,
    which was most of the time of a 30,000-row sheet).
    """
    number_format = None
    if value is None or value == "":
        stored = None
    elif kind in NUMBER_FORMATS and isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        stored = float(value) if isinstance(value, Decimal) else value
        number_format = NUMBER_FORMATS[kind]
        if kind == "int" and stored != int(stored):
            number_format = FRACTION_FORMAT  # a whole-number format would show 27.5 as 28
    elif kind == "date" and isinstance(value, dt.date):
        stored, number_format = value, "yyyy-mm-dd"
    elif kind == "datetime" and isinstance(value, dt.datetime):
        stored, number_format = value, "yyyy-mm-dd hh:mm"
    else:
        stored, number_format = safe_text(value), "@"
    cell = WriteOnlyCell(ws, stored)
    if number_format == "@":
        cell.data_type = "s"  # never a formula, whatever the text starts with
    key = (number_format, border)
    if styles is not None and key in styles:
        cell._style = copy(styles[key])
        return cell
    if number_format:
        cell.number_format = number_format
    if border:
        cell.border = _BORDER
    if styles is not None:
        styles[key] = copy(cell._style)
    return cell


def lean_value(ws: WriteOnlyWorksheet, value: Any, kind: str = "text", styles: dict | None = None) -> Any:
    """What ``typed_cell`` writes, without a border and as a plain value wherever openpyxl
    stores that as meant: text that cannot turn into a formula, whole numbers, dates and
    times (openpyxl formats those itself: yyyy-mm-dd, yyyy-mm-dd h:mm:ss).

    For big data sheets (a list of 100,000 people): a plain value costs a fraction of a
    styled cell. Amounts keep their display format; text starting with ``=`` is still
    forced to text.
    """
    if value is None or value == "":
        return None
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind in ("date", "datetime") and isinstance(value, dt.date):
        return value
    if isinstance(value, str) and kind not in NUMBER_FORMATS and kind not in ("date", "datetime"):
        text = safe_text(value)
        if not text.startswith("="):
            return text
    return typed_cell(ws, value, kind, border=False, styles=styles)


class SheetWriter:
    """One sheet of a write-only workbook: optional title lines, a header row, typed rows.

    Column widths, frozen header, repeated print titles, print area and fit-to-width
    are set, as the city federation's staff print what they receive.
    """

    def __init__(self, wb: Workbook, title: str, columns: list[XlsxColumn],
                 heading: list[str] = (), landscape: bool | None = None, header: bool = True,
                 borders: bool = True):
        """``header=False`` writes no column header row: the sheet holds several tables, each
        started with ``append_header``; the heading lines are frozen instead.
        ``borders=False``: table rows without cell borders, written as ``lean_value``s (data
        sheets of many thousand rows)."""
        self.ws = wb.create_sheet(title=safe_text(title)[:31].replace("/", "／") or "Sheet")
        self.columns = columns
        self.rows = 0
        self._styles: dict = {}
        self._cell = typed_cell if borders else lean_value
        ws = self.ws
        for i, column in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = column.width
        header_row = len(heading) + 1 if header else len(heading)
        if header_row:
            ws.freeze_panes = f"A{header_row + 1}"
            ws.print_title_rows = f"{header_row}:{header_row}" if header else f"1:{header_row}"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        wide = landscape if landscape is not None else len(columns) > 8
        ws.page_setup.orientation = "landscape" if wide else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        for i, line in enumerate(heading):
            cell = typed_cell(ws, line, border=False)
            if i == 0:
                cell.font = _TITLE_FONT
            ws.append([cell])
        if header:
            ws.append(self._header_cells([column.title for column in columns]))
        self._header_row = header_row
        self.last_row = header_row  # the last row written, table or not

    def append(self, values: list[Any] | tuple[Any, ...]) -> None:
        ws, styles, cell = self.ws, self._styles, self._cell
        self.ws.append([cell(ws, v, c.kind, styles=styles) for v, c in zip(values, self.columns)])
        self.rows += 1
        self.last_row += 1

    def append_header(self, titles: list[str] | tuple[str, ...]) -> None:
        """A column header row inside a sheet of several tables (``header=False``)."""
        self.ws.append(self._header_cells(titles))
        self.rows += 1
        self.last_row += 1

    def _header_cells(self, titles: list[str] | tuple[str, ...]) -> list[WriteOnlyCell]:
        cells = []
        for title in titles:
            cell = typed_cell(self.ws, title)
            cell.font, cell.fill, cell.alignment = _BOLD, _HEADER_FILL, _CENTER
            cells.append(cell)
        return cells

    def append_typed(self, values: list[Any] | tuple[Any, ...], kinds: list[str] | tuple[str, ...],
                     bold: bool = False) -> None:
        """A table row whose cell kinds are given here (for a sheet of several tables)."""
        cells = [typed_cell(self.ws, v, k, styles=self._styles) for v, k in zip(values, kinds)]
        if bold:
            for cell in cells:
                cell.font = _BOLD
        self.ws.append(cells)
        self.rows += 1
        self.last_row += 1

    def append_plain(self, values: list[Any], bold: bool = False) -> None:
        """A row outside the table (a note, a signature line): text, no borders."""
        cells = [typed_cell(self.ws, v, "text", border=False) for v in values]
        if bold:
            for cell in cells:
                cell.font = _BOLD
        self.ws.append(cells)
        self.last_row += 1

    def finish(self, whole_sheet: bool = False) -> None:
        """Set the print area over the table (call after its last row), or over every row
        written so far (``whole_sheet``: notes and signature lines printed too)."""
        last_col = get_column_letter(max(1, len(self.columns)))
        last_row = self.last_row if whole_sheet else self._header_row + self.rows
        self.ws.print_area = f"A1:{last_col}{last_row}"


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def save_workbook(wb: Workbook, path: Path) -> None:
    wb.save(str(path))


def discard_workbook(wb: Workbook) -> None:
    """Drop a write-only workbook that will not be saved (a failed or cancelled export).

    Its sheets stream rows into temporary files; close and remove them now rather than
    leave an open row writer for the garbage collector to complain about.
    """
    for ws in wb.worksheets:
        if isinstance(ws, WriteOnlyWorksheet) and not ws.closed:
            ws.close()
            ws._writer.cleanup()
