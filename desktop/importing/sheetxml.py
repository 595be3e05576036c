"""Streaming a worksheet part and the shared strings of an .xlsx, with expat and no tree at all.

Each row is handed on as ``(row number, cells)`` once read, and only if it holds a value, so a gap
of a million row numbers costs nothing; text is collected only inside a cell's value, and stops at
the cell limit. Every XML element counts against a budget that bounds the time a file of markup
takes, and a DOCTYPE (entity tricks) is refused as damage: no writer of spreadsheets uses one. expat directly
is about three times faster than ElementTree's iterparse, which matters for 1.5 million cells.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from openpyxl.utils.datetime import from_excel, from_ISO8601

from models.i18n import Message, msg

from . import limits
from .errors import SheetError
from .limits import cell_name
from .values import BadCell

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
SHEET_DATA, DIMENSION, ROW, CELL, VALUE, FORMULA, INLINE, TEXT, PHONETIC, STRING_ITEM = (
    _NS + t for t in ("sheetData", "dimension", "row", "c", "v", "f", "is", "t", "rPh", "si"))
CHUNK = 1 << 16
_DIGITS = "0123456789"
RESAVE_HINT = "请用 Excel 或 WPS 打开并另存一次后再导入。"
_COLUMNS: dict[str, int] = {}

Row = tuple[int, tuple]


@dataclass
class Budget:
    """XML elements still allowed for the file (limits.MAX_XML_ELEMENTS), shared by its parts."""

    name: str  # the file's name, for messages
    left: int = field(default_factory=lambda: limits.MAX_XML_ELEMENTS)

    def exceeded(self, where: str) -> SheetError:
        return SheetError(msg(
            "{name} 的{where}内容过多：XML 元素超过了 {limit} 个（大约相当于 {cells} 个单元格，例如大量"
            "设置了格式的空白单元格），超出了可导入的范围。" + limits.SPLIT_HINT, name=self.name, where=where,
            limit=f"{limits.MAX_XML_ELEMENTS:,}", cells=f"{limits.MAX_CELLS:,}"))


@dataclass(frozen=True)
class Dates:
    """Which cell styles show numbers as dates (from openpyxl's reading of the styles part)."""

    styles: frozenset[str]
    durations: frozenset[str]
    epoch: Any


def _refused(text: str, **params: Any) -> SheetError:
    return SheetError(msg(text, **params))


def _no_doctype(*_args: object) -> None:
    raise ValueError("a DOCTYPE in a spreadsheet part")  # told to the user as a damaged part


def _parser(start, end, text, namespaces: bool = True) -> Any:
    """An expat parser; without ``namespaces`` tags keep their prefixes (``table:table-row``)."""
    parser = expat.ParserCreate(namespace_separator="}") if namespaces else expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = _no_doctype
    return parser


class _Enough(Exception):
    """Raised by a handler when the rows wanted have all been read."""


def _feed(src, parser, ready: list) -> Iterator:
    """Parse ``src`` chunk by chunk, handing on what the handlers put in ``ready`` after each chunk."""
    while True:
        chunk = src.read(CHUNK)
        try:
            parser.Parse(chunk, not chunk)
        except _Enough:
            chunk = b""
        if ready:
            yield from ready
            ready.clear()
        if not chunk:
            return


def read_strings(src, budget: Budget, name: str) -> list[str]:
    """The shared strings: plain and formatted runs, without phonetic hints (as openpyxl reads them)."""
    strings: list[str] = []
    parts: list[str] = []
    depth = phonetic = chars = 0
    collecting = False
    left = budget.left

    def start(tag: str, _attrs: dict) -> None:
        nonlocal depth, left, collecting, phonetic
        depth += 1
        left -= 1
        if left < 0:
            raise budget.exceeded("共享字符串")
        if tag == TEXT and depth > 2 and not phonetic:
            collecting = True
        elif tag == PHONETIC:
            phonetic += 1

    def end(tag: str) -> None:
        nonlocal depth, collecting, phonetic, chars
        depth -= 1
        if tag == TEXT:
            collecting = False
        elif tag == PHONETIC:
            phonetic -= 1
        elif tag == STRING_ITEM and depth == 1:
            if len(strings) >= limits.MAX_CELLS:
                raise _refused("{name} 的共享字符串超过了 {limit} 个，超出了可导入的范围。"
                               + limits.SPLIT_HINT, name=name, limit=f"{limits.MAX_CELLS:,}")
            strings.append("".join(parts).replace("x005F_", ""))
            parts.clear()
            chars = 0

    def text(data: str) -> None:
        nonlocal chars
        if collecting:
            chars += len(data)
            if chars > limits.MAX_CELL_CHARS:
                raise _refused("{name} 的第 {n} 个共享字符串超过了一个单元格最多 {limit} 个字符的限制，"
                               "这不是 Excel 或 WPS 保存的工作簿。" + RESAVE_HINT, name=name,
                               n=f"{len(strings) + 1:,}", limit=f"{limits.MAX_CELL_CHARS:,}")
            parts.append(data)

    try:
        for _ in _feed(src, _parser(start, end, text), []):
            pass
    finally:
        budget.left = left
    return strings


class SheetReader:
    """The rows of one worksheet part. ``row`` is the row being read, for messages."""

    def __init__(self, sheet: str, strings: list[str], dates: Dates, budget: Budget, on_size=None,
                 until: int | None = None):
        self.until = until  # the last row number wanted (reading the first rows only)
        self.sheet = sheet
        self.strings = strings
        self.dates = dates
        self.budget = budget
        self.on_size = on_size
        self.row = 0

    def rows(self, src) -> Iterator[Row]:
        sheet, budget = self.sheet, self.budget
        ready: list[Row] = []
        depth = previous = number = column = 0
        in_data = in_row = in_cell = in_inline = False
        phonetic = chars = 0
        cells: dict[int, Any] = {}
        attrs: dict[str, str] = {}
        values: list[str] = []
        texts: list[str] = []
        formula: list[str] | None = None
        target: list[str] | None = None
        has_value = False
        left = budget.left
        strings, dates, max_columns = self.strings, self.dates.styles, limits.MAX_COLUMNS

        def start(tag: str, attributes: dict) -> None:
            nonlocal depth, left, in_data, in_row, in_cell, in_inline, phonetic, number, column, cells, attrs
            nonlocal formula, target, has_value, chars
            depth += 1
            left -= 1
            if left < 0:
                raise budget.exceeded(f"工作表“{sheet}”")
            if in_cell:
                if tag == VALUE:
                    target, has_value = values, True
                elif tag == TEXT and in_inline and not phonetic:
                    target = texts
                elif tag == FORMULA:
                    formula = []
                    target = formula
                elif tag == INLINE:
                    in_inline = True
                elif tag == PHONETIC:
                    phonetic += 1
            elif depth == 4 and in_row and tag == CELL:
                in_cell, attrs, has_value, chars = True, attributes, False, 0
            elif depth == 3 and in_data and tag == ROW:
                number = self.row = self._row_number(attributes.get("r"), previous)
                if self.until is not None and number > self.until:
                    raise _Enough
                in_row, column, cells = True, 0, {}
            elif depth == 2:
                if tag == SHEET_DATA:
                    in_data = True
                elif tag == DIMENSION:
                    self._dimension(attributes.get("ref"))

        def end(tag: str) -> None:
            nonlocal depth, in_data, in_row, in_cell, in_inline, phonetic, previous, column, formula, target
            depth -= 1
            if in_cell:
                if depth == 3:
                    value = None
                    if has_value and formula is None:  # the common cases, kept cheap: 3 million cells
                        ref = attrs.get("r")
                        at = column + 1 if ref is None else _column(ref)
                        kind = attrs.get("t")
                        raw = values[0] if len(values) == 1 else "".join(values)
                        if 0 < at <= max_columns:
                            if kind == "s":
                                if raw.isdigit() and int(raw) < len(strings):
                                    value = strings[int(raw)]  # each no longer than a cell may be
                            elif (kind is None or kind == "n") and attrs.get("s") not in dates:
                                value = _number(raw)
                    if value is not None:
                        column = at
                        if value != "":
                            cells[at] = value
                    elif has_value or in_inline or formula is not None:
                        column = self._cell(attrs, column, cells, number, values, texts, formula, has_value,
                                            in_inline)
                    else:  # an empty cell, only formatted
                        ref = attrs.get("r")
                        column = column + 1 if ref is None else _column(ref)
                    in_cell = in_inline = False
                    formula = target = None
                    values.clear()
                    texts.clear()
                elif tag == PHONETIC:
                    phonetic -= 1
                else:
                    target = None
            elif depth == 2 and in_row:
                if cells:
                    ready.append((number, _as_tuple(cells)))
                previous, in_row = number, False
            elif depth == 1 and tag == SHEET_DATA:
                in_data = False

        def text(data: str) -> None:
            nonlocal chars
            if target is not None:
                if target is formula:
                    if len(formula) < 8:  # enough to show which formula it was
                        formula.append(data[:200])
                    return
                chars += len(data)
                if chars > limits.MAX_CELL_CHARS:
                    raise SheetError(limits.too_long(sheet, number, column + 1 if "r" not in attrs else
                                                     _column(attrs["r"]), chars, at_least=True))
                target.append(data)

        try:
            yield from _feed(src, _parser(start, end, text), ready)
        finally:
            budget.left = left

    def _row_number(self, raw: str | None, previous: int) -> int:
        if raw is None:
            number = previous + 1
        else:
            try:
                number = int(raw)
            except ValueError:
                value = _number(raw)
                number = int(value) if value is not None and float(value).is_integer() else 0
        sheet = self.sheet
        if number < 1:
            raise _refused("工作表“{sheet}”第 {previous} 行之后的行号“{raw}”无效：文件已损坏。" + RESAVE_HINT,
                           sheet=sheet, previous=previous, raw=(raw or "")[:20])
        if number > limits.MAX_ROW_NUMBER:
            raise SheetError(limits.row_beyond_excel(sheet, number))
        if number <= previous:
            raise _refused("工作表“{sheet}”的第 {row} 行出现在第 {previous} 行之后（行号重复或顺序错乱）："
                           "文件已损坏。" + RESAVE_HINT, sheet=sheet, row=number, previous=previous)
        return number

    def _dimension(self, ref: str | None) -> None:
        """The size the sheet declares: beyond Excel's grid it is refused at once; otherwise a hint only
        (writers store wrong sizes, and formatting alone can stretch it to the last row)."""
        last = (ref or "").rpartition(":")[2].replace("$", "")
        digits = last.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        if not digits.isdigit() or len(digits) > 12:
            return
        rows = int(digits)
        if rows > limits.MAX_ROW_NUMBER:
            raise SheetError(limits.row_beyond_excel(self.sheet, rows))
        if _column(last) > limits.MAX_EXCEL_COLUMNS:
            raise _refused("工作表“{sheet}”声明的范围 {ref} 超出了 Excel 工作表最多 {limit} 列的范围："
                           "文件已损坏。" + RESAVE_HINT,
                           sheet=self.sheet, ref=(ref or "")[:40], limit=f"{limits.MAX_EXCEL_COLUMNS:,}")
        if self.on_size is not None:
            self.on_size(rows)

    def _cell(self, attrs: dict, column: int, cells: dict, row: int, values: list[str], texts: list[str],
              formula: list[str] | None, has_value: bool, inline: bool) -> int:
        """Put the value of one cell into ``cells``; returns its column (from 1)."""
        ref = attrs.get("r")
        column = column + 1 if ref is None else _column(ref)
        if column == 0:
            raise _refused("工作表“{sheet}”第 {row} 行的单元格位置“{ref}”无效：文件已损坏。" + RESAVE_HINT,
                           sheet=self.sheet, row=row, ref=ref[:20])
        kind = attrs.get("t", "n")
        raw = "".join(values) if has_value else None
        if formula is not None and not raw and (raw is None or kind not in ("str", "inlineStr")):
            value: Any = BadCell("=" + "".join(formula), formula=True)  # saved without its result
        elif kind == "inlineStr":
            value = "".join(texts) if inline else None
        else:
            value = self._value(kind, raw, attrs, row, column) if raw else None
        if value is None or value == "":
            return column
        if column > limits.MAX_COLUMNS:
            if column > limits.MAX_EXCEL_COLUMNS:
                raise _refused("工作表“{sheet}”第 {row} 行有一个单元格在第 {column} 列，"
                               "超出了 Excel 工作表最多 {limit} 列的范围：文件已损坏。" + RESAVE_HINT,
                               sheet=self.sheet, row=row, column=f"{column:,}",
                               limit=f"{limits.MAX_EXCEL_COLUMNS:,}")
            raise SheetError(limits.too_many_columns(self.sheet, row, column))
        if isinstance(value, str) and len(value) > limits.MAX_CELL_CHARS:
            raise SheetError(limits.too_long(self.sheet, row, column, len(value)))
        cells[column] = value
        return column

    def _value(self, kind: str, raw: str, attrs: dict, row: int, column: int) -> Any:
        if kind == "n":
            number = _number(raw)
            if number is None:
                raise self._bad_cell(row, column, msg("数值“{value}”无法识别", value=raw[:40]))
            style = attrs.get("s")
            if style is not None and style in self.dates.styles:
                try:
                    return from_excel(number, self.dates.epoch, timedelta=style in self.dates.durations)
                except (OverflowError, ValueError):
                    return number  # a number in a date-formatted column (Excel shows ####): the number
            return number
        if kind == "s":
            try:
                index = int(raw)
                if index < 0:
                    raise IndexError(index)
                return self.strings[index]
            except (ValueError, IndexError):
                what = msg("引用的共享字符串“{value}”不存在", value=raw[:40])
                raise self._bad_cell(row, column, what) from None
        if kind == "str":
            return raw
        if kind == "e":
            return BadCell(raw[:40])
        if kind == "b":
            if raw in ("0", "1", "true", "false"):
                return raw in ("1", "true")
            raise self._bad_cell(row, column, msg("逻辑值“{value}”无法识别", value=raw[:40]))
        if kind == "d":
            try:
                return from_ISO8601(raw)
            except (ValueError, TypeError, OverflowError):
                raise self._bad_cell(row, column, msg("日期“{value}”无法识别", value=raw[:40])) from None
        return raw  # a type no writer should use: its text, as openpyxl gives it

    def _bad_cell(self, row: int, column: int, what: Message) -> SheetError:
        return _refused("工作表“{sheet}”{cell}的单元格已损坏：{what}。" + RESAVE_HINT,
                        sheet=self.sheet, cell=cell_name(row, column), what=what)


def column_index(letters: str) -> int:
    """``A`` → 1, ``XFD`` → 16384; 0 for what is not a column (beyond three letters: past the last)."""
    if not (letters.isascii() and letters.isalpha()):
        return 0
    if len(letters) > 3:
        return limits.MAX_EXCEL_COLUMNS + 1
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


def _column(ref: str) -> int:
    """The column of a cell reference such as ``AB12`` (cached: a sheet repeats its columns)."""
    letters = ref.rstrip(_DIGITS)
    index = _COLUMNS.get(letters)
    if index is None:
        index = column_index(letters)
        if len(_COLUMNS) < 20_000:
            _COLUMNS[letters] = index
    return index


def _number(raw: str) -> int | float | None:
    """A number as stored in the XML, or None if it is not one (nan and infinity are not)."""
    try:
        if "." in raw or "e" in raw or "E" in raw:
            value = float(raw)
            return value if math.isfinite(value) else None
        return int(raw)
    except ValueError:
        return None


def _as_tuple(cells: dict[int, Any]) -> tuple:
    """The row's values by column, up to its last filled cell."""
    row = [None] * max(cells)
    for column, value in cells.items():
        row[column - 1] = value
    return tuple(row)
