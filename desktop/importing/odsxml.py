"""The content of an .ods (OpenDocument spreadsheet) walked with expat as python-calamine will read it,
before calamine is given it (calamine_reader.py).

calamine repeats a cell for its ``table:number-columns-repeated`` and a row for its
``table:number-rows-repeated``, copying the text each time, and expands ``<text:s text:c="…"/>``
into that many spaces: a 10 KB file with one cell repeated over 16,384 columns and 1,000 rows
aborted the process at 4 GB, and one ``text:c="2000000000"`` at 2 GB. This walk counts, for every
sheet, the cells calamine lays out row by row and the rectangle it then makes, and the text it copies
(grid.py), without expanding anything. It also notes the cells that hold an error value
(LibreOffice marks them ``calcext:value-type="error"``; other writers leave the shown ``#DIV/0!``
as the text of a formula cell), which python-calamine hands on as empty cells, and the active sheet
(settings.xml). Tags keep their prefixes, as calamine matches them.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from models.i18n import msg

from . import limits
from .errors import SheetError
from .grid import SheetLayout, WorkbookLayout
from .sheetxml import Budget, _feed, _parser
from .values import EXCEL_ERRORS

CONTENT = "content.xml"
SETTINGS = "settings.xml"
TABLE, ROW, CELL, COVERED = "table:table", "table:table-row", "table:table-cell", "table:covered-table-cell"
PARAGRAPH, SPACES, ANNOTATION = "text:p", "text:s", "office:annotation"
_VALUES = frozenset({"office:value", "office:string-value", "office:date-value", "office:time-value",
                     "office:boolean-value"})
ROWS = 1_048_576  # calamine stops counting rows and columns here
COLUMNS = 16_384


def _count(attrs: dict, name: str) -> int:
    raw = attrs.get(name)
    if raw is None:
        return 1
    value = int(raw)  # ValueError: damaged, as calamine finds it
    if value < 1 or len(raw) > 12:
        raise ValueError(f"{name}={raw[:20]!r}")
    return value


class _Content:
    """The handlers of one walk of content.xml."""

    def __init__(self, layout: WorkbookLayout, budget: Budget):
        self.layout = layout
        self.budget = budget
        self.depth = 0
        self.sheet: SheetLayout | None = None
        self.table_depth = self.row_depth = self.cell_depth = 0
        self.done = 0  # cells of the sheets already walked
        self.rows = 0  # rows of the sheet so far, each repeat counted
        self.row_first = self.row_count = 0  # the row being read: its number and its repeats
        self.column = self.row_pushed = 0
        # the row's cells with a value (and with a formula): first and last column; their text
        self.row_values = [0, 0]
        self.row_formulas = [0, 0]
        self.row_text = 0
        # the cell being read
        self.attrs: dict = {}
        self.counting = self.showing = False
        self.chars = self.paragraphs = self.annotation = 0
        self.shown: list[str] = []

    def start(self, tag: str, attrs: dict) -> None:
        self.depth += 1
        self.budget.left -= 1
        if self.budget.left < 0:
            where = f"工作表“{self.sheet.name}”" if self.sheet else "内容（content.xml）"
            raise self.budget.exceeded(where)
        if self.cell_depth:
            self._inside_cell(tag, attrs)
        elif self.row_depth and tag in (CELL, COVERED) and self.depth == self.row_depth + 1:
            self.cell_depth = self.depth
            self.attrs = attrs
            self.counting = attrs.get("office:value-type") == "string" and "office:string-value" not in attrs
            self.showing = "table:formula" in attrs or attrs.get("calcext:value-type") == "error"
            self.chars = self.paragraphs = self.annotation = 0
            if self.showing:
                self.shown.clear()
        elif self.sheet is not None and tag == ROW and not self.row_depth:
            self.row_depth = self.depth
            repeats = min(_count(attrs, "table:number-rows-repeated"), ROWS - self.rows)
            self.row_first, self.row_count = self.rows + 1, repeats
            self.rows += repeats
            self.column = self.row_pushed = self.row_text = 0
            self.row_values[0] = self.row_formulas[0] = 0
        elif tag == TABLE and self.sheet is None and "table:name" in attrs:
            self.sheet = SheetLayout(attrs["table:name"])
            self.layout.sheets.append(self.sheet)
            self.table_depth = self.depth
            self.rows = 0

    def _inside_cell(self, tag: str, attrs: dict) -> None:
        if tag == ANNOTATION or self.annotation:
            self.annotation += 1
        elif tag == PARAGRAPH:
            self.paragraphs += 1
            if self.paragraphs > 1:
                self.chars += 1  # calamine joins paragraphs with a line break
        elif tag == SPACES:
            self.chars += _count(attrs, "text:c")

    def text(self, data: str) -> None:
        if self.cell_depth and not self.annotation:
            self.chars += len(data)
            if self.showing and len(self.shown) < 4:
                self.shown.append(data[:40])

    def end(self, tag: str) -> None:
        if self.cell_depth:
            if self.depth == self.cell_depth:
                self._cell()
                self.cell_depth = 0
            elif self.annotation:
                self.annotation -= 1
        elif self.row_depth and self.depth == self.row_depth:
            self.row_depth = 0
            self._row()
        elif self.sheet is not None and self.depth == self.table_depth:
            self._check()
            self.done += self.sheet.cells
            self.sheet = None
        self.depth -= 1

    def _row(self) -> None:
        """The row's cells with a value go into the rectangles, and their text into the count."""
        sheet, row, rows = self.sheet, self.row_first, self.row_count
        sheet.laid_out += self.row_pushed
        first, last = self.row_values
        if first:
            sheet.values.add(row, first, last, rows)
            if self.row_formulas[0]:
                sheet.formulas.add(row, *self.row_formulas, rows)
            self._check()
            if self.row_text:
                self.layout.count_text(sheet, row, first, self.row_text * rows)

    def _cell(self) -> None:
        attrs = self.attrs
        columns = min(_count(attrs, "table:number-columns-repeated"), COLUMNS - self.column)
        first = self.column + 1
        self.column += columns
        formula = attrs.get("table:formula", "")
        if not (formula or attrs.get("office:value-type") == "string" or not _VALUES.isdisjoint(attrs)):
            return  # an empty cell: calamine lays it out only if a cell with a value follows in the row
        if not columns or not self.row_count:
            return  # past calamine's last column or row: left out
        self.row_pushed = last = self.column
        values = self.row_values
        if not values[0]:
            values[0] = first
        values[1] = last
        if formula:
            formulas = self.row_formulas
            if not formulas[0]:
                formulas[0] = first
            formulas[1] = last
        chars = len(attrs["office:string-value"]) if "office:string-value" in attrs else (
            self.chars if self.counting else 0)
        if chars:
            if chars > limits.MAX_CELL_CHARS:
                raise SheetError(limits.too_long(self.sheet.name, self.row_first, first, chars))
            self.row_text += chars * columns
        if self.showing:
            shown = "".join(self.shown).strip()
            if attrs.get("calcext:value-type") == "error" or shown in EXCEL_ERRORS:
                self._errors(first, last, shown)

    def _errors(self, first: int, last: int, shown: str) -> None:
        """Error values in columns ``first`` to ``last`` of the row (and its repeats)."""
        sheet, row, rows = self.sheet, self.row_first, self.row_count
        sheet.values.add(row, first, last, rows)  # counted before the cells are noted one by one
        self._check()
        for number in range(row, row + rows):
            for column in range(first, last + 1):
                self.layout.add_error(sheet, number, column, shown)

    def _check(self) -> None:
        if self.done + self.sheet.cells > limits.MAX_GRID_CELLS:
            self.layout.check()


def _active(archive: zipfile.ZipFile, names: list[str]) -> int | None:
    """The sheet shown when the file was saved (settings.xml: the view's ``ActiveTable``)."""
    try:
        if archive.getinfo(SETTINGS).file_size > limits.MAX_SMALL_PART_BYTES:
            return None
    except KeyError:
        return None
    found: list[str] = []
    inside = False

    def start(tag: str, attrs: dict) -> None:
        nonlocal inside
        inside = tag == "config:config-item" and attrs.get("config:name") == "ActiveTable" and not found

    def end(_tag: str) -> None:
        nonlocal inside
        if inside:
            found.append("".join(parts))
        inside = False

    parts: list[str] = []

    def text(data: str) -> None:
        if inside:
            parts.append(data)

    with archive.open(SETTINGS) as src:
        for _ in _feed(src, _parser(start, end, text, namespaces=False), []):
            pass
    return names.index(found[0]) if found and found[0] in names else None


def scan_ods(path: Path, archive: zipfile.ZipFile) -> WorkbookLayout:
    """What calamine will make of the .ods ``path`` (opened as ``archive``, its package checked);
    refuses (``SheetError``) one over the limits; other exceptions mean a damaged file."""
    layout = WorkbookLayout(path.name)
    content = _Content(layout, Budget(path.name))
    with archive.open(CONTENT) as src:
        for _ in _feed(src, _parser(content.start, content.end, content.text, namespaces=False), []):
            pass
    if content.sheet is not None:
        raise SheetError(msg("{name} 的内容（content.xml）不完整：文件已损坏。"
                             "请用 WPS 或 LibreOffice 打开并另存一次后再导入。", name=path.name))
    layout.check()
    layout.active = _active(archive, [s.name for s in layout.sheets])
    return layout
