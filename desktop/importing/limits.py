"""How much of a file the importer reads at most; the README's “导入的限制” states the same numbers.

A county's sheet (100,000 people × 15 columns, also this program's own exports) is well inside
every limit. Together they keep any file, hostile or not, to about 30 s and 1 GB on an office PC:
the file and each part of an .xlsx are checked before they are read, and the rows while they are
read, so that a file over a limit is refused at once with a message naming it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl.utils import get_column_letter

from models.i18n import Message, msg

from .errors import SheetError

if TYPE_CHECKING:
    from ..reports.output import Job

MB = 1024 * 1024

MAX_FILE_BYTES = 100 * MB  # the file on disk (.xlsx, .xls, .ods, .et or .csv)
MAX_PARTS = 10_000  # files inside an .xlsx (a zip package)
MAX_DIRECTORY_BYTES = 4 * MB  # the package's list of its files
MAX_PART_BYTES = 200 * MB  # one part (a sheet, the shared strings) unpacked
MAX_SMALL_PART_BYTES = 16 * MB  # workbook, styles, relationships: parsed whole by openpyxl
MAX_TOTAL_BYTES = 400 * MB  # all parts unpacked
MAX_RATIO = 100  # unpacked / packed size of a part over RATIO_FROM bytes
RATIO_FROM = 1 * MB
MAX_ROWS = 120_000  # rows with anything in them
MAX_ROW_NUMBER = 1_048_576  # Excel's last row: a row number beyond it is not a real sheet
MAX_EXCEL_COLUMNS = 16_384  # Excel's last column (XFD)
MAX_COLUMNS = 256  # columns with data (A … IV)
MAX_CELLS = 2_500_000  # cells, each row counted up to its last filled cell
MAX_CELL_CHARS = 32_767  # characters in one cell (Excel's limit)
# XML elements in a sheet and its shared strings: a cell is 2 or 3 of them. Counting them bounds the
# time a file full of formatted empty cells or other markup takes, whatever its size in bytes.
MAX_XML_ELEMENTS = 10_000_000
# .xls, .et and .ods are read by python-calamine, which lays every sheet of the file out in memory as
# one rectangle, from the first to the last cell with a value, before a row can be read (about 100
# bytes a cell at its peak), and copies a cell's text for every repeat of it. Both are counted for the
# whole file before calamine is given it (calamine_reader.py); an .xlsx with a stray far cell is
# read by the streaming reader, which never lays it out.
MAX_GRID_CELLS = 4_000_000
MAX_TEXT_CHARS = 30_000_000  # characters of text in all cells, each repeated cell counted
MAX_RECORDS = 10_000_000  # records of an .xls/.et workbook stream: bounds the time of the check

PROGRESS_ROWS = 2000

SPLIT_HINT = "请删除多余的行、列和内容，或分成几个文件后再导入。"


def megabytes(size: int) -> str:
    return f"{size / MB:,.0f} MB" if size >= MB else f"{size / 1024:,.0f} KB"


def cell_name(row: int, column: int) -> str:
    """``第 5 行 C 列`` — the cell as Excel shows it."""
    return f"第 {row} 行 {get_column_letter(column)} 列"


def too_long(sheet: str, row: int, column: int, chars: int, at_least: bool = False) -> Message:
    return msg("工作表“{sheet}”{cell}{have} {n} 个字符，超过了一个单元格最多 {limit} 个字符的限制。"
               "请检查这个单元格（可能是粘贴时混入了大量内容）后再导入。", sheet=sheet,
               cell=cell_name(row, column), have="至少有" if at_least else "有", n=f"{chars:,}",
               limit=f"{MAX_CELL_CHARS:,}")


def too_many_rows(sheet: str, row: int) -> Message:
    return msg("工作表“{sheet}”中有内容的行超过了 {limit} 行（读到第 {row} 行时），超出了一次可导入的范围。"
               + SPLIT_HINT, sheet=sheet, limit=f"{MAX_ROWS:,}", row=row)


def row_beyond_excel(sheet: str, row: int) -> Message:
    return msg("工作表“{sheet}”中有第 {row} 行，超出了 Excel 工作表最多 {limit} 行的范围：文件已损坏，"
               "或不是由 Excel、WPS 保存的。请用 Excel 或 WPS 打开并另存后再导入。",
               sheet=sheet, row=f"{row:,}", limit=f"{MAX_ROW_NUMBER:,}")


def too_many_columns(sheet: str, row: int, column: int) -> Message:
    return msg("工作表“{sheet}”第 {row} 行第 {column} 列（{letter} 列）有内容，"
               "超过了最多 {limit} 列（到 {last} 列）的限制。" + SPLIT_HINT,
               sheet=sheet, row=row, column=f"{column:,}",
               letter=get_column_letter(min(column, MAX_EXCEL_COLUMNS)), limit=MAX_COLUMNS,
               last=get_column_letter(MAX_COLUMNS))


def too_many_cells(sheet: str, row: int) -> Message:
    return msg("工作表“{sheet}”的单元格超过了 {limit} 个（读到第 {row} 行时），超出了一次可导入的范围。"
               + SPLIT_HINT, sheet=sheet, limit=f"{MAX_CELLS:,}", row=row)


class SheetRows:
    """The rows with a value of the sheet being read, checked against the row and cell limits as
    they come, so that a file over them stops there; reports progress, and can be cancelled."""

    def __init__(self, sheet: str, job: Job | None = None):
        self.sheet = sheet
        self.job = job
        self.rows: list[tuple[int, tuple]] = []
        self.cells = 0
        self.estimate = 0  # the last row the sheet declares, for progress only

    def add(self, number: int, cells: tuple) -> None:
        rows = self.rows
        if len(rows) >= MAX_ROWS:
            raise SheetError(too_many_rows(self.sheet, number))
        self.cells += len(cells)
        if self.cells > MAX_CELLS:
            raise SheetError(too_many_cells(self.sheet, number))
        rows.append((number, cells))
        if self.job is not None and len(rows) % PROGRESS_ROWS == 0:
            done = len(rows)
            self.job.step(done, self.estimate if self.estimate >= done else 0)

    def sized(self, last_row: int) -> None:
        self.estimate = last_row

    def reset(self) -> None:
        """Start again (a CSV read again in another encoding)."""
        self.rows.clear()
        self.cells = 0
