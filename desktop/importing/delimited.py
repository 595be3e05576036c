"""A .csv (or Excel's “Unicode 文本” .txt) read as a stream of rows, within the limits.

Encodings: a byte-order mark says UTF-8, UTF-16 or UTF-32 (Excel's “Unicode 文本” is UTF-16LE with
a mark, tab-separated); UTF-16 without a mark is recognised by where its zero bytes fall. Anything
else is read as UTF-8 and, if that fails anywhere in the file, again as GB18030 (what Excel and WPS
save on Chinese Windows; a superset of GBK). The file is never held whole in memory.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import logging
from pathlib import Path

from models.i18n import msg

from . import limits
from .errors import SheetError
from .values import EXCEL_ERRORS, BadCell
from .xlsx import CONVERT_HINT

log = logging.getLogger(__name__)

SAMPLE_BYTES = 4096
# The csv module refuses a longer field with an English error that names no column. Its limit is
# process-wide (nothing else here reads CSV); raised so that fields up to it reach the check below,
# which names the row and column. A longer field is refused too, and then located (see _long_field).
FIELD_LIMIT = 1 << 20
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),  # before UTF-16: FF FE 00 00
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_LABELS = {"utf-32": "UTF-32", "utf-16": "UTF-16", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16",
           "utf-8-sig": "UTF-8", "gb18030": "GB18030"}


def _not_text(name: str) -> SheetError:
    return SheetError(msg("{name} 不是文本格式的 CSV 文件。{hint}", name=name, hint=CONVERT_HINT))


def _utf16_without_mark(head: bytes) -> str | None:
    """``utf-16-le``/``-be`` when the zero bytes fall (almost) only on one side of each pair, as the
    ASCII digits, commas and line ends of a sheet put them, and the sample reads as text."""
    sample = head[: len(head) // 2 * 2]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    for encoding, zeros, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros * 10 >= len(sample) // 2 and other * 4 <= zeros:
            text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample)
            if "\ufffd" not in text and all(c.isprintable() or c in "\t\r\n" for c in text):
                return encoding
    return None


def encodings(path: Path, head: bytes) -> list[str]:
    """The encodings to try, in order."""
    for mark, encoding in _BOMS:
        if head.startswith(mark):
            return [encoding]
    if b"\x00" in head:
        encoding = _utf16_without_mark(head)
        if encoding is None:
            raise _not_text(path.name)
        return [encoding]
    return ["utf-8-sig", "gb18030"]


def _delimiter(head: bytes, encoding: str) -> str:
    sample = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head)[:SAMPLE_BYTES]
    return "\t" if sample.count("\t") > sample.count(",") else ","


def read_csv(path: Path, rows: limits.SheetRows) -> str:
    """Fill ``rows`` with the rows of ``path`` that have a value; returns the encoding read."""
    name = path.name
    with open(path, "rb") as f:
        head = f.read(SAMPLE_BYTES)
    tried = encodings(path, head)
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
    for encoding in tried:
        delimiter = _delimiter(head, encoding)
        try:
            _parse(path, encoding, delimiter, rows)
        except UnicodeDecodeError:
            rows.reset()
            continue
        return encoding
    if len(tried) > 1:
        raise SheetError(msg("{name} 的编码无法识别（既不是 UTF-8 也不是 GBK/GB18030）。{hint}", name=name,
                             hint=CONVERT_HINT))
    raise SheetError(msg("{name} 按 {encoding} 读取时遇到了无效的字符，文件可能已损坏。{hint}", name=name,
                         encoding=_LABELS[tried[0]], hint=CONVERT_HINT))


def _parse(path: Path, encoding: str, delimiter: str, rows: limits.SheetRows) -> None:
    sheet = rows.sheet
    number = start_line = 0
    with open(path, encoding=encoding, newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        try:
            for fields in reader:
                number += 1
                if number > limits.MAX_ROW_NUMBER:
                    raise SheetError(msg(
                        "{name} 超过了 {limit} 行（Excel 一张工作表最多的行数，空行也算在内），"
                        "超出了可导入的范围。" + limits.SPLIT_HINT,
                        name=path.name, limit=f"{limits.MAX_ROW_NUMBER:,}"))
                while fields and not fields[-1]:
                    fields.pop()
                if any(value and not value.isspace() for value in fields):
                    rows.add(number, _cells(fields, sheet, number))
                start_line = reader.line_num
        except csv.Error as e:
            column = _long_field(path, encoding, delimiter, start_line) if "field limit" in str(e) else None
            if column is not None:
                message = limits.too_long(sheet, number + 1, column, FIELD_LIMIT, at_least=True)
                raise SheetError(message) from e
            log.warning("cannot read %s as CSV", path, exc_info=e)
            raise SheetError(msg("{name} 第 {row} 行的 CSV 格式有误，读不下去了。{hint}", name=path.name,
                                 row=number + 1, hint=CONVERT_HINT)) from e


def _cells(fields: list[str], sheet: str, row: int) -> tuple:
    if len(fields) > limits.MAX_COLUMNS:
        raise SheetError(limits.too_many_columns(sheet, row, len(fields)))
    for column, value in enumerate(fields, start=1):
        if len(value) > limits.MAX_CELL_CHARS:
            raise SheetError(limits.too_long(sheet, row, column, len(value)))
    if EXCEL_ERRORS.isdisjoint(fields):
        return tuple(fields)
    return tuple(BadCell(v) if v in EXCEL_ERRORS else v for v in fields)


def _long_field(path: Path, encoding: str, delimiter: str, start_line: int) -> int | None:
    """The column of the field the csv module found too long, in the record that starts after line
    ``start_line``: counted again by hand, stopping as soon as a field is over the cell limit."""
    column, length, quoted = 1, 0, False
    with open(path, encoding=encoding, newline="") as f:
        for line in itertools.islice(f, start_line, None):
            for ch in line:
                if ch == '"':
                    quoted = not quoted
                    continue
                if not quoted:
                    if ch == delimiter:
                        column, length = column + 1, 0
                        continue
                    if ch in "\r\n":
                        return None

                length += 1
                if length > limits.MAX_CELL_CHARS:
                    return column
    return None
