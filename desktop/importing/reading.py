"""Reading a spreadsheet file into rows, within limits.py: .xlsx (xlsx.py), .csv (delimited.py), and
.xls, WPS .et and .ods (calamine_reader.py), told apart by their first bytes rather than their names.

Everything else gets a message saying how to convert it. Third-party parsers meet damaged files in
many ways; whatever they raise while reading a file the user chose becomes a ``SheetError`` (with the
detail in the log), never a traceback. Only rows with a value are kept, with their row numbers.
"""

from __future__ import annotations

import bisect
import logging
import warnings
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from models.i18n import Message, msg

from ..file_safety import input_problem
from ..reports.output import Cancelled, Job
from . import limits
from .calamine_reader import CalamineBook, is_ods, open_book
from .columns import KIND_LABELS, KINDS, detect_mapping, guess_mapping, header_score, remembered_mapping
from .delimited import read_csv
from .errors import SheetError
from .values import text
from .xlsx import CONVERT_HINT, SheetPart, XlsxBook, damaged

log = logging.getLogger(__name__)

# openpyxl warns about what it cannot keep from files made by WPS or old Excel (default styles,
# data-validation extensions); reading the values is not affected, and the user cannot act on it.
warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl\.")

HEADER_SEARCH_ROWS = 30
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
CSV_SUFFIXES = frozenset({".csv", ".txt"})
# read by calamine_reader.py; a zip package with one of these names that is not an .ods is read as .xlsx
CALAMINE_SUFFIXES = frozenset({".xls", ".xlt", ".et", ".ett", ".ods", ".ots"})
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls / .et / .doc

Row = tuple[int, tuple]  # (row number in the sheet, counted from 1; the cell values)
Book = XlsxBook | CalamineBook


@dataclass
class SheetData:
    """One sheet as read: its rows with a value, where the header is, and which column holds which field."""

    path: Path
    kind: str
    sheet: str
    sheet_names: list[str]
    rows: list[Row]  # in order; rows without any value are not kept, so numbers can jump
    header_row: int  # row number of the header in the sheet (from 1)
    header: list[str]
    mapping: dict[str, int] = field(default_factory=dict)
    mapping_remembered: bool = False
    notices: list[Message] = field(default_factory=list)  # what the user should know about the reading
    guessed: dict[str, int] = field(default_factory=dict)  # part of ``mapping`` guessed from variant titles
    caption: list[str] = field(default_factory=list)  # the title rows above the header, as text

    @property
    def shown_text(self) -> bool:
        """Its text cells are what a program displayed, not what was typed (a CSV saved by Excel)."""
        return self.path.suffix.lower() in CSV_SUFFIXES

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def last_row(self) -> int:
        """The number of the last row with a value (0 for an empty sheet)."""
        return self.rows[-1][0] if self.rows else 0

    def row(self, number: int) -> tuple:
        """The cells of row ``number`` (from 1); ``()`` for a row without any value."""
        at = bisect.bisect_left(self.rows, number, key=lambda r: r[0])
        return self.rows[at][1] if at < len(self.rows) and self.rows[at][0] == number else ()

    def data_rows(self) -> list[Row]:
        return [r for r in self.rows if r[0] > self.header_row]


def _sniff(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(8)
    except FileNotFoundError:
        raise SheetError(msg("找不到文件 {path}。", path=path)) from None
    except IsADirectoryError:
        raise SheetError(msg("{path} 是一个文件夹，请选择要导入的文件。", path=path)) from None
    except OSError as e:
        raise SheetError(
            msg("无法读取 {path}：{reason}。如果它正在 Excel 或 WPS 中打开，请先关闭。",
                path=path, reason=e.strerror or e)
        ) from e


def _unsupported(path: Path) -> SheetError:
    suffix = path.suffix.lower()
    if suffix == ".numbers":
        what = "Numbers 文件"
    elif suffix == ".xlsb":
        what = ".xlsb 文件"
    else:
        what = f"“{suffix or '无扩展名'}”文件"
    return SheetError(msg("不能直接导入{what} {name}。{hint}", what=what, name=path.name, hint=CONVERT_HINT))


def _title(value: object) -> str:
    """A header cell as the user wrote it (only whitespace tidied), for messages and the mapping dialog."""
    return " ".join(text(value).split()) if not isinstance(value, str) else " ".join(value.split())


def _find_header(kind: str, rows: Iterable[Row]) -> int | None:
    """The row number of the header: the best-scoring of the first rows, if any."""
    best, best_score = None, 1
    for number, cells in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        score = header_score(kind, cells)
        if score > best_score:
            best, best_score = number, score
    return best


def _check_size(path: Path) -> None:
    size = path.stat().st_size
    if size > limits.MAX_FILE_BYTES:
        raise SheetError(msg(
            "{name} 有 {size}，超过了可导入文件最大 {limit} 的限制，没有读取。"
            "如果它是 Excel 工作簿，请删除其中的图片等内容后另存；否则请把要导入的行分成几个文件后再导入。",
            name=path.name, size=limits.megabytes(size), limit=limits.megabytes(limits.MAX_FILE_BYTES)))


def _read_csv(path: Path, job: Job | None) -> tuple[list[str], str, list[Row], list[Message]]:
    rows = limits.SheetRows(path.stem, job)
    try:
        read_csv(path, rows)
    except (SheetError, Cancelled):
        raise
    except Exception as e:
        log.warning("cannot read %s as CSV", path, exc_info=e)
        if isinstance(e, MemoryError):
            raise damaged(path.name, e) from e
        raise SheetError(msg("无法读取 {name}（{reason}）。{hint}", name=path.name,
                             reason=type(e).__name__, hint=CONVERT_HINT)) from e
    return [path.stem], path.stem, rows.rows, []


def _probe(book: Book, kind: str, sheet: SheetPart) -> int | None:
    """The header row of ``sheet``, reading only its first rows."""
    with closing(book.rows(sheet, until=HEADER_SEARCH_ROWS)) as rows:
        return _find_header(kind, rows)


def _choose(book: Book, kind: str, path: Path) -> tuple[SheetPart, list[Message]]:
    """The sheet to read by default: the active one, else the first with a recognisable header;
    never a hidden one (a workbook may hide an old list, or a lookup table, before the real one)."""
    visible = [s for s in book.sheets if not s.hidden]
    hidden = [s.name for s in book.sheets if s.hidden]
    if not visible:
        raise SheetError(msg("{name} 中的工作表都是隐藏的：请选择要导入的工作表（命令行用 --sheet）。"
                             "现有：{names}。", name=path.name, names="、".join(hidden)))
    visible.sort(key=lambda s: s.name != book.active)  # the active sheet first, the others in order
    chosen = next((s for s in visible if _probe(book, kind, s) is not None), visible[0])
    notices = []
    if hidden:
        notices.append(msg("读取的是工作表“{sheet}”；隐藏的工作表{names}没有读取（如要导入，请选择该工作表）。",
                           sheet=chosen.name, names="、".join(f"“{n}”" for n in hidden)))
    return chosen, notices


def _read_book(book: Book, path: Path, kind: str, sheet: str | None,
               job: Job | None) -> tuple[list[str], str, list[Row], list[Message]]:
    with book:
        names = [s.name for s in book.sheets]
        if not names:
            raise damaged(path.name)
        if sheet is not None:
            chosen = book.sheet(sheet)
            if chosen is None:
                raise SheetError(msg("{name} 中没有名为“{sheet}”的工作表；现有：{names}。",
                                     name=path.name, sheet=sheet, names="、".join(names)))
            notices = []
            if chosen.hidden:
                notices.append(msg("工作表“{sheet}”在工作簿中是隐藏的；按指定读取了它。", sheet=sheet))
        else:
            chosen, notices = _choose(book, kind, path)
        rows = limits.SheetRows(chosen.name, job)
        for number, cells in book.rows(chosen, rows.sized):
            rows.add(number, cells)
    return names, chosen.name, rows.rows, notices


def _read(path: Path, kind: str, sheet: str | None,
          job: Job | None) -> tuple[list[str], str, list[Row], list[Message]]:
    head = _sniff(path)
    if not head:
        raise SheetError(msg("{name} 是空文件，没有可导入的内容。", name=path.name))
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        _check_size(path)
        return _read_csv(path, job)
    workbook = suffix in XLSX_SUFFIXES or suffix in CALAMINE_SUFFIXES
    if head.startswith(_OLE_MAGIC):  # .xls, .et; also a renamed .xls or an encrypted .xlsx
        _check_size(path)
        return _read_book(open_book(path, "xls"), path, kind, sheet, job)
    if workbook and head.startswith(_ZIP_MAGIC):
        _check_size(path)
        book = open_book(path, "ods") if is_ods(path) else XlsxBook(path)
        return _read_book(book, path, kind, sheet, job)
    if workbook:
        raise damaged(path.name)
    raise _unsupported(path)


def read_sheet(path: Path | str, kind: str, sheet: str | None = None,
               header_row: int | None = None, job: Job | None = None) -> SheetData:
    """Read one sheet of ``path`` for importing ``kind`` (people | orgs).

    Without ``sheet`` the active sheet, else the first with a recognisable header is taken (never
    a hidden one: ``notices`` say so). Without ``header_row`` the header is looked for in the first
    rows (below any title rows). The mapping is the one remembered for this header, else the one
    detected. ``job`` reports the rows read and can cancel. A file over the limits (limits.py) is
    refused as soon as that is known, naming the limit.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    path = Path(path)
    refused = input_problem(path)  # reading the open database would drop SQLite's locks on it
    if refused is not None:
        raise SheetError(refused)
    try:
        names, chosen, rows, notices = _read(path, kind, sheet, job)
    except MemoryError as e:  # not expected within the limits; still a message, not a traceback
        raise damaged(path.name, e) from e
    last = rows[-1][0] if rows else 0
    if header_row is None:
        found = _find_header(kind, rows)
        other = next(k for k in KINDS if k != kind)
        if found is None and _find_header(other, rows) is not None:
            raise SheetError(msg(
                "“{sheet}”看起来是{other}名单，不是{kind}名单：请把导入类型改为“{other}”。",
                sheet=chosen, kind=KIND_LABELS[kind], other=KIND_LABELS[other],
            ))
        if found is None:
            raise SheetError(msg(
                "在“{sheet}”的前 {n} 行中找不到表头。表头一行应有“{required}”等列名；"
                "请检查是否选对了工作表和导入类型。{notices}",
                sheet=chosen, n=HEADER_SEARCH_ROWS, required="姓名" if kind == "people" else "组织名称",
                notices="".join(str(n) for n in notices),
            ))
        header_row = found
    elif not 1 <= header_row <= last:
        raise SheetError(msg("表头行 {row} 超出了工作表的范围（共 {n} 行）。", row=header_row, n=last))
    data = SheetData(path=path, kind=kind, sheet=chosen, sheet_names=names, rows=rows,
                     header_row=header_row, header=[], notices=notices)
    data.header = [_title(v) for v in data.row(header_row)]
    data.caption = [" ".join(text(v) for v in cells if text(v))
                    for number, cells in rows if number < header_row]
    remembered = remembered_mapping(kind, data.header)
    data.mapping = remembered or detect_mapping(kind, data.header)
    data.mapping_remembered = remembered is not None
    if remembered is None:
        data.guessed = guess_mapping(kind, data.header, data.mapping)
        data.mapping.update(data.guessed)
    return data
