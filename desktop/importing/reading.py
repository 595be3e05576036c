"""Reading a spreadsheet file into rows: .xlsx (openpyxl read-only) and .csv (UTF-8 or GB18030).

Everything else gets a message saying how to convert it. Third-party parsers
meet damaged files in many ways; whatever they raise while reading a file the
user chose becomes a ``SheetError`` (with the detail in the log), never a traceback.
"""

from __future__ import annotations

import csv
import io
import logging
import warnings
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from models.i18n import msg

from ..reports.output import Cancelled, Job
from .columns import KIND_LABELS, KINDS, detect_mapping, header_score, remembered_mapping
from .errors import SheetError
from .values import text

log = logging.getLogger(__name__)

# openpyxl warns about what it cannot keep from files made by WPS or old Excel (default styles,
# data-validation extensions); reading the values is not affected, and the user cannot act on it.
warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl\.")

HEADER_SEARCH_ROWS = 30
PROGRESS_ROWS = 2000
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
CSV_SUFFIXES = frozenset({".csv", ".txt"})
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls / .et / .doc
CONVERT_HINT = "请用 Excel 或 WPS 打开它，“另存为” Excel 工作簿（.xlsx）或 CSV 文件后再导入。"

Row = tuple[int, tuple]  # (row number in the sheet, counted from 1; the cell values)


@dataclass
class SheetData:
    """One sheet as read: every row, where the header is, and which column holds which field."""

    path: Path
    kind: str
    sheet: str
    sheet_names: list[str]
    rows: list[Row]
    header_row: int  # row number of the header in the sheet (from 1)
    header: list[str]
    mapping: dict[str, int] = field(default_factory=dict)
    mapping_remembered: bool = False

    @property
    def file_name(self) -> str:
        return self.path.name

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


def _unsupported(path: Path, head: bytes) -> SheetError:
    suffix = path.suffix.lower()
    if head.startswith(_OLE_MAGIC) and suffix in XLSX_SUFFIXES:
        what = "设置了打开密码的工作簿（或改了扩展名的旧版 .xls 文件）"
    elif head.startswith(_OLE_MAGIC) or suffix in {".xls", ".et", ".ett", ".xlt"}:
        what = "旧版 Excel（.xls）或 WPS 表格（.et）文件"
    elif suffix == ".numbers":
        what = "Numbers 文件"
    elif suffix in {".ods", ".xlsb"}:
        what = f"{suffix} 文件"
    else:
        what = f"“{suffix or '无扩展名'}”文件"
    return SheetError(msg("不能直接导入{what} {name}。{hint}", what=what, name=path.name, hint=CONVERT_HINT))


def _damaged(path: Path, error: BaseException | None = None) -> SheetError:
    if error is not None:
        log.warning("cannot read %s as a workbook", path, exc_info=error)
    return SheetError(
        msg("{name} 不是有效的 Excel 工作簿（文件可能已损坏，或只是改了扩展名）。{hint}",
            name=path.name, hint=CONVERT_HINT)
    )


def decode_csv(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) when the bytes are valid UTF-8, else GB18030 (what Excel and
    WPS save on Chinese Windows; a superset of GBK)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise SheetError(
            msg("{name} 的编码无法识别（既不是 UTF-8 也不是 GBK/GB18030）。{hint}",
                name=name, hint=CONVERT_HINT)
        ) from None


def _read_csv(path: Path) -> tuple[list[str], dict[str, list[tuple]]]:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise SheetError(msg("{name} 不是文本格式的 CSV 文件。{hint}", name=path.name, hint=CONVERT_HINT))
    content = decode_csv(data, path.name)
    sample = content[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        rows = [tuple(r) for r in csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)]
    except csv.Error as e:
        raise SheetError(msg("{name} 的 CSV 格式有误：{reason}。{hint}", name=path.name, reason=e,
                             hint=CONVERT_HINT)) from e
    return [path.stem], {path.stem: rows}


def _xlsx_rows(ws, job: Job | None) -> list[tuple]:
    try:
        estimate = ws.max_row or 0  # from the stored size, for progress only
    except (TypeError, ValueError):
        estimate = 0
    ws.reset_dimensions()  # some writers store a wrong size; read what is really there
    if job is None:
        return list(ws.iter_rows(values_only=True))
    rows = []
    for row in ws.iter_rows(values_only=True):
        rows.append(row)
        if len(rows) % PROGRESS_ROWS == 0:
            job.step(len(rows), max(estimate, len(rows)))
    return rows


def _title(value: object) -> str:
    """A header cell as the user wrote it (only whitespace tidied), for messages and the mapping dialog."""
    return " ".join(text(value).split()) if not isinstance(value, str) else " ".join(value.split())


def _find_header(kind: str, rows: list[tuple]) -> int | None:
    """Index (0-based) of the header among ``rows``: the best-scoring of the first rows, if any."""
    best, best_score = None, 1
    for i, row in enumerate(islice(rows, HEADER_SEARCH_ROWS)):
        score = header_score(kind, row)
        if score > best_score:
            best, best_score = i, score
    return best


def _read_xlsx(path: Path, kind: str, sheet: str | None,
               job: Job | None) -> tuple[list[str], str, list[tuple]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:
        raise _damaged(path, e) from e
    try:
        names = list(wb.sheetnames)
        if not names:
            raise _damaged(path)
        if sheet is not None:
            if sheet not in names:
                raise SheetError(msg("{name} 中没有名为“{sheet}”的工作表；现有：{names}。",
                                     name=path.name, sheet=sheet, names="、".join(names)))
            chosen = sheet
        else:
            chosen = next(
                (n for n in names
                 if _find_header(kind, list(islice(wb[n].iter_rows(values_only=True), HEADER_SEARCH_ROWS)))
                 is not None),
                names[0],
            )
        rows = _xlsx_rows(wb[chosen], job)
    except (SheetError, Cancelled):
        raise
    except Exception as e:
        raise _damaged(path, e) from e
    finally:
        wb.close()
    return names, chosen, rows


def read_sheet(path: Path | str, kind: str, sheet: str | None = None,
               header_row: int | None = None, job: Job | None = None) -> SheetData:
    """Read one sheet of ``path`` for importing ``kind`` (people | orgs).

    Without ``sheet`` the first sheet with a recognisable header is taken; without
    ``header_row`` the header is looked for in the first rows (below any title rows).
    The mapping is the one remembered for this header, else the one detected.
    ``job`` reports the rows read of an .xlsx (the slow part) and can cancel.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    path = Path(path)
    head = _sniff(path)
    if not head:
        raise SheetError(msg("{name} 是空文件，没有可导入的内容。", name=path.name))
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        names, by_name = _read_csv(path)
        chosen = names[0]
        rows = by_name[chosen]
    elif suffix in XLSX_SUFFIXES:
        if head.startswith(_OLE_MAGIC):
            raise _unsupported(path, head)
        if not head.startswith(_ZIP_MAGIC):
            raise _damaged(path)
        names, chosen, rows = _read_xlsx(path, kind, sheet, job)
    else:
        raise _unsupported(path, head)
    numbered = [(i, row) for i, row in enumerate(rows, start=1)]
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
                "请检查是否选对了工作表和导入类型。",
                sheet=chosen, n=HEADER_SEARCH_ROWS, required="姓名" if kind == "people" else "组织名称",
            ))
        header_row = found + 1
    elif not 1 <= header_row <= len(rows):
        raise SheetError(msg("表头行 {row} 超出了工作表的范围（共 {n} 行）。", row=header_row, n=len(rows)))
    header = [_title(v) for v in rows[header_row - 1]]
    data = SheetData(path=path, kind=kind, sheet=chosen, sheet_names=names, rows=numbered,
                     header_row=header_row, header=header)
    remembered = remembered_mapping(kind, header)
    data.mapping = remembered or detect_mapping(kind, header)
    data.mapping_remembered = remembered is not None
    return data
