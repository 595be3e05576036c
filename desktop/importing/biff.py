"""An old Excel workbook (.xls; WPS .et keeps the same layout) walked record by record, as python-calamine
will read it, before calamine is given it (calamine_reader.py).

The file is an OLE compound file holding a "Workbook" stream (BIFF8; "Book" for Excel 5/95) of
records. The walk needs no strings and no formats, only where the cells are: it counts the rectangle
each sheet will take (calamine makes one from the first to the last cell of a sheet: a cell at A1 and
one at column 65,535 of row 65,536 asked for 137 GB and aborted the process), the text that calamine
copies into every cell that shows a shared string, and the size a sheet declares (calamine reserves
it). It also notes what calamine reads but python-calamine does not hand on: error values (#DIV/0!
arrives as an empty cell), the active sheet, and encryption (told apart from damage).

Every record counts against limits.MAX_RECORDS, every chain of sectors against the sectors in the
file, so a crafted file costs bounded time. Specification: [MS-CFB], [MS-XLS].
"""

from __future__ import annotations

import struct
import sys
from array import array
from pathlib import Path

from models.i18n import msg

from . import limits
from .errors import SheetError, Unreadable
from .grid import SheetLayout, WorkbookLayout
from .xlsx import damaged

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_LAST_SECTOR = 0xFFFFFFFA  # higher numbers mark free sectors and the ends of chains
_END_OF_CHAIN = 0xFFFFFFFE
_U16 = struct.Struct("<H").unpack_from
_U32 = struct.Struct("<I").unpack_from
_HEAD = struct.Struct("<HH").unpack_from
_CELL = struct.Struct("<HH").unpack_from  # row, column (from 0) at the start of a cell record
_XLS_ROWS = 65_536
_XLS_COLUMNS = 256

BOF, EOF, CONTINUE, FILEPASS, BOUNDSHEET, WINDOW1, SST, DIMENSIONS = (
    0x0809, 0x000A, 0x003C, 0x002F, 0x0085, 0x003D, 0x00FC, 0x0200)
NUMBER, LABEL, RSTRING, BOOLERR, RK, LABELSST, MULRK, FORMULA, STRING = (
    0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x00BD, 0x0006, 0x0207)
_SINGLE_CELLS = frozenset({NUMBER, RK})
_CELLS = frozenset({NUMBER, RK, LABEL, RSTRING, BOOLERR, LABELSST, MULRK, FORMULA, STRING})
ERROR_CODES = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
               0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}

PASSWORD_HINT = ("请用 Excel 或 WPS 打开它（需要输入密码），在“文件 › 信息 › 保护工作簿”"
                 "（WPS：“文件 › 文档加密”）中删除打开密码、撤销工作簿保护，另存为 Excel 工作簿（.xlsx）"
                 "后再导入。")


def encrypted(name: str) -> SheetError:
    return SheetError(msg("{name} 已加密（设置了打开密码，或用密码保护了工作簿），无法读取。" + PASSWORD_HINT,
                          name=name))


class _Damaged(Exception):
    """The compound file or its records do not hold together."""


class Compound:
    """The streams of an OLE compound file held in memory ([MS-CFB])."""

    def __init__(self, data: bytes):
        if len(data) < 512 or data[:8] != OLE_MAGIC:
            raise _Damaged("not a compound file")
        self.data = data
        shift = _U16(data, 30)[0]
        if shift not in (9, 12):
            raise _Damaged(f"sector shift {shift}")
        self.size = 1 << shift
        self.count = max(0, (len(data) - self.size + self.size - 1) // self.size)  # sectors in the file
        fat_count, directory, self.cutoff, minifat, minifat_count, difat, difat_count = (
            struct.unpack_from("<II4xIIIII", data, 44))
        fat_sectors = list(struct.unpack_from("<109I", data, 76))
        per_sector = self.size // 4 - 1
        for _ in range(min(difat_count, self.count)):
            if difat > _LAST_SECTOR:
                break
            entries = struct.unpack_from(f"<{per_sector + 1}I", self.sector(difat))
            fat_sectors.extend(entries[:-1])
            difat = entries[-1]
        self.fat = self._table(s for s in fat_sectors[:fat_count] if s <= _LAST_SECTOR)
        self.streams: dict[str, tuple[int, int]] = {}
        root = None
        entries = self._chain(directory, self.fat, self.size, self.sector, None)
        for at in range(0, len(entries) - 127, 128):
            length = min(_U16(entries, at + 64)[0], 64)
            kind = entries[at + 66]
            start, size = struct.unpack_from("<IQ", entries, at + 116)
            if self.size == 512:
                size &= 0xFFFFFFFF  # version 3 files may leave garbage in the high half
            if kind == 5 and root is None:
                root = (start, size)
            elif kind == 2:
                name = entries[at:at + max(length - 2, 0)].decode("utf-16-le", "replace")
                self.streams.setdefault(name.lower(), (start, size))
        if root is None:
            raise _Damaged("no root entry")
        self.minifat = self._table(self._sectors(minifat, self.fat)[:minifat_count])
        self.ministream = self._chain(root[0], self.fat, self.size, self.sector, root[1]) if root[1] else b""

    def sector(self, number: int) -> bytes:
        at = (number + 1) * self.size
        if number > _LAST_SECTOR or at >= len(self.data):
            raise _Damaged(f"sector {number} beyond the file")
        return self.data[at:at + self.size].ljust(self.size, b"\0")

    def _mini(self, number: int) -> bytes:
        at = number * 64
        if at >= len(self.ministream):
            raise _Damaged(f"mini sector {number} beyond the mini stream")
        return self.ministream[at:at + 64]

    def _table(self, sectors) -> array:
        table = array("I")
        for number in sectors:
            table.frombytes(self.sector(number))
        if sys.byteorder == "big":
            table.byteswap()
        return table

    def _sectors(self, start: int, table: array) -> list[int]:
        """The sectors of a chain; a chain longer than the table has a loop."""
        chain = []
        number = start
        while number <= _LAST_SECTOR:
            if number >= len(table) or len(chain) > len(table):
                raise _Damaged(f"chain from {start} broken at {number}")
            chain.append(number)
            number = table[number]
        if number != _END_OF_CHAIN and chain:
            raise _Damaged(f"chain from {start} ends with {number:#x}")
        return chain

    def _chain(self, start: int, table: array, unit: int, read, size: int | None) -> bytes:
        if size is not None and size == 0:
            return b""
        data = b"".join(read(n) for n in self._sectors(start, table))
        if size is not None:
            if len(data) < size - unit:  # a last sector cut short is tolerated, a missing one is not
                raise _Damaged(f"stream from {start} is shorter than its {size} bytes")
            data = data[:size]
        return data

    def stream(self, name: str) -> bytes:
        start, size = self.streams[name]
        if size < self.cutoff:
            return self._chain(start, self.minifat, 64, self._mini, size)
        return self._chain(start, self.fat, self.size, self.sector, size)


def _sst_lengths(parts: list[bytes]) -> list[int]:
    """The length in characters of each shared string: the SST record and its CONTINUE records.

    A string's characters may run on into the next record, which then starts with a new flags byte
    ([MS-XLS] 2.5.293); its header, runs and phonetic data carry on without one.
    """
    lengths: list[int] = []
    index, at = 0, 8  # past the two counts
    data = parts[0]

    def skip(n: int) -> None:
        nonlocal index, at, data
        while n > 0:
            if at >= len(data):
                index += 1
                if index >= len(parts):
                    raise _Damaged("shared string beyond its records")
                data, at = parts[index], 0
            step = min(n, len(data) - at)
            at += step
            n -= step

    while True:
        if at >= len(data):
            index += 1
            if index >= len(parts):
                return lengths
            data, at = parts[index], 0
            continue
        chars, flags = _U16(data, at)[0], data[at + 2]  # a header is never split (IndexError if cut)
        at += 3
        runs = extra = 0
        if flags & 8:
            runs = _U16(data, at)[0]
            at += 2
        if flags & 4:
            extra = _U32(data, at)[0]
            at += 4
        if at > len(data):
            raise _Damaged("shared string header cut")
        left, wide = chars, flags & 1
        while left:
            room = (len(data) - at) >> wide
            take = min(left, room)
            at += take << wide
            left -= take
            if left:
                index += 1
                if index >= len(parts) or not parts[index]:
                    raise _Damaged("shared string beyond its records")
                data, at = parts[index], 1
                wide = data[0] & 1
        skip(4 * runs + extra)
        lengths.append(chars)


class _Budget:
    """Records still allowed for the file (limits.MAX_RECORDS)."""

    def __init__(self, name: str):
        self.name = name
        self.left = limits.MAX_RECORDS

    def records(self, stream: bytes, start: int):
        """``(type, offset of the data, size)`` of each record from ``start``."""
        at, end = start, len(stream)
        left = self.left
        try:
            while at + 4 <= end:
                kind, size = _HEAD(stream, at)
                left -= 1
                if left < 0:
                    raise SheetError(msg("{name} 中的记录超过了 {limit} 个，超出了可导入的范围。"
                                         + limits.SPLIT_HINT, name=self.name,
                                         limit=f"{limits.MAX_RECORDS:,}"))
                yield kind, at + 4, size
                at += 4 + size
        finally:
            self.left = left


def _sheet_name(stream: bytes, at: int, size: int, biff8: bool) -> str:
    chars = stream[at + 6] if size > 6 else 0
    if biff8 and size > 7:
        wide = stream[at + 7] & 1
        raw = stream[at + 8:at + 8 + (chars << wide)]
        return raw.decode("utf-16-le" if wide else "latin-1", "replace")
    return stream[at + 7:at + 7 + chars].decode("gbk", "replace")


def scan_xls(path: Path) -> WorkbookLayout:
    """What calamine will make of ``path``; refuses (``SheetError``) an encrypted file and one over the
    limits; ``Unreadable`` for a damaged one, or a compound file without a workbook (a Word file …)."""
    name = path.name
    data = path.read_bytes()
    try:
        book = Compound(data)
        if "workbook" in book.streams:
            stream = book.stream("workbook")
        elif "book" in book.streams:
            stream = book.stream("book")
        elif "encryptedpackage" in book.streams:  # a password-protected .xlsx
            raise encrypted(name)
        else:
            raise _Damaged(f"no workbook stream; streams: {', '.join(sorted(book.streams))[:300]}")
        del data, book
        return _walk(name, stream)
    except (_Damaged, struct.error, IndexError, ValueError) as e:
        raise Unreadable(damaged(name, e).message) from e


def _walk(name: str, stream: bytes) -> WorkbookLayout:
    layout = WorkbookLayout(name)
    budget = _Budget(name)
    records = budget.records(stream, 0)
    first = next(records, None)
    if first is None or first[0] != BOF:
        raise _Damaged("no BOF record first")
    biff8 = first[2] >= 2 and _U16(stream, first[1])[0] == 0x0600
    sheets: list[tuple[int, SheetLayout]] = []
    strings: list[int] = []
    active = 0
    for kind, at, size in records:
        if kind == EOF:
            break
        if kind == FILEPASS:
            raise encrypted(name)
        if kind == BOUNDSHEET:
            sheets.append((_U32(stream, at)[0], SheetLayout(_sheet_name(stream, at, size, biff8))))
        elif kind == WINDOW1 and size >= 12:
            active = _U16(stream, at + 10)[0]
        elif kind == SST:
            parts = [stream[at:at + size]]
            following = at + size
            while following + 4 <= len(stream) and _HEAD(stream, following)[0] == CONTINUE:
                more = _HEAD(stream, following)[1]
                parts.append(stream[following + 4:following + 4 + more])
                following += 4 + more
            strings = _sst_lengths(parts)
    layout.sheets = [sheet for _, sheet in sheets]
    layout.active = active if active < len(sheets) else None
    for start, sheet in sheets:
        _walk_sheet(layout, sheet, stream, start, strings, budget)
    layout.check()
    return layout


def _walk_sheet(layout: WorkbookLayout, sheet: SheetLayout, stream: bytes, start: int, strings: list[int],
                budget: _Budget) -> None:
    """The cells of one sheet's records, as calamine takes them (nested charts' records skipped)."""
    if start >= len(stream):
        raise _Damaged(f"sheet {sheet.name} starts beyond the stream")
    values, formulas = sheet.values, sheet.formulas
    depth = 0
    seen_bof = False
    formula_at = (0, 0)
    for kind, at, size in budget.records(stream, start):
        if depth:
            if kind == BOF:
                depth += 1
            elif kind == EOF:
                depth -= 1
            continue
        if kind in _CELLS:
            sheet.laid_out += 1  # calamine keeps each cell record before making the rectangle
        if kind in _SINGLE_CELLS:
            row, col = _CELL(stream, at)
            values.add(row + 1, col + 1)
        elif kind == LABELSST:
            row, col = _CELL(stream, at)
            index = _U32(stream, at + 6)[0]
            if index < len(strings):  # calamine leaves out a cell whose string is missing
                values.add(row + 1, col + 1)
                layout.add_text(sheet, row + 1, col + 1, strings[index])
        elif kind == MULRK and size >= 6:
            row, col = _CELL(stream, at)
            last = _U16(stream, at + size - 2)[0]
            if last >= col:
                values.add(row + 1, col + 1, last + 1)
                sheet.laid_out += last - col
        elif kind in (LABEL, RSTRING):
            row, col = _CELL(stream, at)
            values.add(row + 1, col + 1)
            layout.add_text(sheet, row + 1, col + 1, _U16(stream, at + 6)[0])
        elif kind == BOOLERR:
            row, col = _CELL(stream, at)
            values.add(row + 1, col + 1)
            if stream[at + 7]:
                layout.add_error(sheet, row + 1, col + 1, ERROR_CODES.get(stream[at + 6], "#VALUE!"))
        elif kind == FORMULA and size >= 20:
            row, col = formula_at = _CELL(stream, at)
            formulas.add(row + 1, col + 1)
            result = stream[at + 6:at + 14]
            if result[6:] != b"\xff\xff" or result[0] != 0:  # a string result follows in a STRING record
                values.add(row + 1, col + 1)
            if result[6:] == b"\xff\xff" and result[0] == 2:
                layout.add_error(sheet, row + 1, col + 1, ERROR_CODES.get(result[2], "#VALUE!"))
        elif kind == STRING and size >= 2:
            row, col = formula_at
            values.add(row + 1, col + 1)
            layout.add_text(sheet, row + 1, col + 1, _U16(stream, at)[0])
        elif kind == DIMENSIONS:
            _check_dimensions(sheet, stream, at, size)
        elif kind == BOF:
            if seen_bof:
                depth = 1
            seen_bof = True
        elif kind == EOF:
            return


def _check_dimensions(sheet: SheetLayout, stream: bytes, at: int, size: int) -> None:
    """calamine reserves room for the cells a sheet declares: more than an .xls can hold is damage."""
    if size == 14:
        first_row, rows_end, first_col, cols_end = struct.unpack_from("<IIHH", stream, at)
    elif size == 10:
        first_row, rows_end, first_col, cols_end = struct.unpack_from("<HHHH", stream, at)
    else:
        return
    if first_col > 0xFF or cols_end < first_col:
        first_col = 0  # as calamine does
    if rows_end >= 1 and cols_end >= 1:
        rows, cols = (rows_end - first_row) % 2**32, (cols_end - first_col) % 2**32
        if rows * cols > _XLS_ROWS * _XLS_COLUMNS:
            raise SheetError(msg(
                "工作表“{sheet}”声明的范围（{rows} 行 × {cols} 列）超出了 .xls 工作表最多 {limit_rows} "
                "行、{limit_cols} 列的范围：文件已损坏。请用 Excel 或 WPS 打开并另存为 Excel 工作簿（.xlsx）"
                "后再导入。",
                sheet=sheet.name, rows=f"{rows:,}", cols=f"{cols:,}", limit_rows=f"{_XLS_ROWS:,}",
                limit_cols=_XLS_COLUMNS))
