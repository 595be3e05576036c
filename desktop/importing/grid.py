"""What python-calamine will lay out in memory for a workbook, counted before it is given the file.

calamine reads every sheet of an .xls, .et or .ods when the file is opened, each as one rectangle from
its first to its last cell with a value (a second one for the formulas), and keeps a copy of a cell's
text for every cell that repeats it. biff.py and odsxml.py walk the file as calamine will and count
that here; a file over limits.MAX_GRID_CELLS or limits.MAX_TEXT_CHARS is refused with a message
naming the sheet and the cells that stretch it. They also note what calamine does not give: which
cells hold an Excel error value (python-calamine returns those as empty cells).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from models.i18n import msg

from . import limits
from .errors import SheetError


def cell_ref(row: int, column: int) -> str:
    """``B7`` — or the row and column numbers for a column past Excel's last (XFD)."""
    if 1 <= column <= limits.MAX_EXCEL_COLUMNS:
        return f"{get_column_letter(column)}{row}"
    return f"第 {row:,} 行第 {column:,} 列"


@dataclass
class Rectangle:
    """The smallest rectangle holding the cells seen (rows and columns from 1)."""

    first_row: int = 0
    last_row: int = 0
    first_col: int = 0
    last_col: int = 0

    def add(self, row: int, first_col: int, last_col: int | None = None, rows: int = 1) -> None:
        """Cells from ``first_col`` to ``last_col`` of ``rows`` rows from ``row``."""
        last_col = first_col if last_col is None else last_col
        last_row = row + rows - 1
        if not self.first_row:
            self.first_row, self.last_row, self.first_col, self.last_col = row, last_row, first_col, last_col
            return
        self.first_row = min(self.first_row, row)
        self.last_row = max(self.last_row, last_row)
        self.first_col = min(self.first_col, first_col)
        self.last_col = max(self.last_col, last_col)

    @property
    def rows(self) -> int:
        return self.last_row - self.first_row + 1 if self.first_row else 0

    @property
    def columns(self) -> int:
        return self.last_col - self.first_col + 1 if self.first_row else 0

    @property
    def cells(self) -> int:
        return self.rows * self.columns


@dataclass
class SheetLayout:
    """One sheet as calamine will hold it, and the cells of it that hold an error value."""

    name: str
    values: Rectangle = field(default_factory=Rectangle)
    formulas: Rectangle = field(default_factory=Rectangle)
    laid_out: int = 0  # cells held before the rectangle is made (.ods: row by row)
    errors: dict[int, dict[int, str]] = field(default_factory=dict)  # row → column → what it shows

    @property
    def cells(self) -> int:
        return max(self.values.cells, self.laid_out) + self.formulas.cells


@dataclass
class WorkbookLayout:
    """All sheets of a file (in the order calamine lists them), the active one, the text counted."""

    file: str
    sheets: list[SheetLayout] = field(default_factory=list)
    active: int | None = None  # index into ``sheets``
    text: int = 0
    error_cells: int = 0

    def add_text(self, sheet: SheetLayout, row: int, column: int, chars: int, copies: int = 1) -> None:
        """A cell of ``chars`` characters (the same text in ``copies`` cells)."""
        if chars > limits.MAX_CELL_CHARS:
            raise SheetError(limits.too_long(sheet.name, row, column, chars))
        self.count_text(sheet, row, column, chars * copies)

    def count_text(self, sheet: SheetLayout, row: int, column: int, chars: int) -> None:
        """``chars`` more characters, in cells from ``row`` and ``column`` on."""
        self.text += chars
        if self.text > limits.MAX_TEXT_CHARS:
            raise SheetError(msg(
                "{name} 中各单元格的文字合计超过了 {limit} 个字符（重复的单元格逐个计算；读到工作表“{sheet}”"
                "{cell} 时），超出了可导入的范围。" + limits.SPLIT_HINT,
                name=self.file, limit=f"{limits.MAX_TEXT_CHARS:,}", sheet=sheet.name,
                cell=cell_ref(row, column)))

    def add_error(self, sheet: SheetLayout, row: int, column: int, shown: str) -> None:
        self.error_cells += 1
        if self.error_cells > limits.MAX_CELLS:
            raise SheetError(limits.too_many_cells(sheet.name, row))
        sheet.errors.setdefault(row, {})[column] = shown[:40] or "#VALUE!"

    def check(self) -> None:
        """Refuse the file if calamine would lay out more cells than allowed, naming the largest sheet."""
        total = sum(s.cells for s in self.sheets)
        if total <= limits.MAX_GRID_CELLS:
            return
        largest = max(self.sheets, key=lambda s: s.cells)
        area = max((largest.values, largest.formulas), key=lambda r: r.cells)
        raise SheetError(msg(
            "{name} 的工作表“{sheet}”中有内容的单元格从 {first} 到 {last}（{rows} 行 × {columns} 列），"
            "读取 .xls、.et 和 .ods 文件时要按这个范围整块处理；整个文件合计 {cells} 个单元格，"
            "超过了 {limit} 个的限制。请删除远处多余的内容（例如误输入的空格或公式），"
            "或用 Excel、WPS 另存为 Excel 工作簿（.xlsx）后再导入。", name=self.file, sheet=largest.name,
            first=cell_ref(area.first_row, area.first_col), last=cell_ref(area.last_row, area.last_col),
            rows=f"{area.rows:,}", columns=f"{area.columns:,}", cells=f"{total:,}",
            limit=f"{limits.MAX_GRID_CELLS:,}"))
