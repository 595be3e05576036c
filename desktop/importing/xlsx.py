"""An .xlsx as a stream of rows: the package checked before anything is unpacked, the sheet parsed
cell by cell within the limits (limits.py, sheetxml.py).

openpyxl reads the small parts (content types, workbook, relationships, styles): its handling of
the quirks of many writers is worth having. The shared strings and the sheet are streamed by
sheetxml.py instead of through openpyxl's read-only worksheet, which fills every gap with empty rows
(a cell at row 50,000,000 meant fifty million of them), keeps every parsed row element, and in
data_only mode shows neither a formula saved without its result (it looks like an empty cell) nor
an error value (it looks like text). The helpers used here (the content-types ``Manifest``,
``_find_workbook_part``, ``WorkbookParser``, ``apply_stylesheet`` and the workbook's
``_date_formats``) are openpyxl internals: openpyxl stays pinned below 3.2 in pyproject.toml;
check them before moving on.
"""

from __future__ import annotations

import logging
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.i18n import msg

from . import limits
from .errors import SheetError
from .limits import megabytes
from .sheetxml import Budget, Dates, SheetReader, read_strings

log = logging.getLogger(__name__)

CONTENT_TYPES = "[Content_Types].xml"
STYLES = "xl/styles.xml"  # where openpyxl's apply_stylesheet looks
_EOCD = b"PK\x05\x06"  # the zip package's end record: how many files, and how long their list is

Row = tuple[int, tuple]

CONVERT_HINT = "请用 Excel 或 WPS 打开它，“另存为” Excel 工作簿（.xlsx）或 CSV 文件后再导入。"
RESAVE_HINT = "请用 Excel 或 WPS 打开并另存一次后再导入。"


@dataclass(frozen=True)
class SheetPart:
    """A worksheet of the workbook: its name, where it is in the package, and whether it is shown."""

    name: str
    path: str
    state: str  # visible | hidden | veryHidden

    @property
    def hidden(self) -> bool:
        return self.state != "visible"


def damaged(name: str, error: BaseException | None = None, sheet: str | None = None) -> SheetError:
    """The file as a whole cannot be read (the detail, if any, goes to the log)."""
    if error is not None:
        log.warning("cannot read %s as a workbook", name, exc_info=error)
    if isinstance(error, MemoryError):
        return SheetError(msg("读取 {name} 时内存不足。请关闭其他程序，或把文件分成几个较小的文件后再导入。",
                              name=name))
    where = f"（工作表“{sheet}”）" if sheet else ""
    return SheetError(msg("{name}{where} 不是有效的 Excel 工作簿（文件可能已损坏，或只是改了扩展名）。{hint}",
                          name=name, where=where, hint=CONVERT_HINT))


def _refused(text: str, **params: Any) -> SheetError:
    return SheetError(msg(text, **params))


def _directory(path: Path) -> tuple[int, int] | None:
    """(files, bytes of their list) as the package's end record declares them, read before
    zipfile builds an entry for every file listed (hundreds of thousands of them in a 50 MB file)."""
    with open(path, "rb") as f:
        f.seek(0, 2)
        size = f.tell()
        f.seek(max(0, size - 22 - 65535))
        tail = f.read()
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return None
    return int.from_bytes(tail[at + 10:at + 12], "little"), int.from_bytes(tail[at + 12:at + 16], "little")


def _too_many_parts(path: Path, parts: int, listing: int = 0) -> SheetError:
    if parts >= 0xFFFF or listing > limits.MAX_DIRECTORY_BYTES:  # the count says "many" only
        return _refused("{name} 的部件目录有 {size}，部件数超过了 {limit} 个的限制："
                        "这不是正常的 Excel 工作簿，没有读取。",
                        name=path.name, size=megabytes(listing), limit=f"{limits.MAX_PARTS:,}")
    return _refused("{name} 中有 {n} 个部件，超过了 {limit} 个的限制：这不是正常的 Excel 工作簿，没有读取。",
                    name=path.name, n=f"{parts:,}", limit=f"{limits.MAX_PARTS:,}")


def check_package(path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse a package whose parts would unpack too large, before any of them is unpacked.

    zipfile stops a part at its declared size (a part that inflates further fails its CRC), so
    the declared sizes are what reading can cost.
    """
    name = path.name
    infos = archive.infolist()
    if len(infos) > limits.MAX_PARTS:
        raise _too_many_parts(path, len(infos))
    total = 0
    for info in infos:
        size = info.file_size
        if size > limits.MAX_PART_BYTES:
            raise _refused("{name} 中的 {part} 解压后有 {size}，超过了每个部件最多 {limit} 的限制："
                           "工作表过大，或这不是正常的 Excel 工作簿（可能是“压缩炸弹”）。没有读取它。",
                           name=name, part=info.filename, size=megabytes(size),
                           limit=megabytes(limits.MAX_PART_BYTES))
        if size > limits.RATIO_FROM and size > limits.MAX_RATIO * max(info.compress_size, 1):
            raise _refused("{name} 中的 {part} 压缩了 {ratio} 倍（{packed} 解压后有 {size}），"
                           "超过了 {limit} 倍的限制：正常的工作簿压缩不了这么多，"
                           "这可能是恶意构造的“压缩炸弹”。没有读取它。",
                           name=name, part=info.filename, ratio=f"{size // max(info.compress_size, 1):,}",
                           packed=megabytes(info.compress_size), size=megabytes(size), limit=limits.MAX_RATIO)
        total += size
    if total > limits.MAX_TOTAL_BYTES:
        raise _refused("{name} 解压后共有 {size}，超过了最多 {limit} 的限制。"
                       "如果其中有图片等内容，请删除后另存，或把要导入的工作表另存为 CSV 文件后再导入。",
                       name=name, size=megabytes(total), limit=megabytes(limits.MAX_TOTAL_BYTES))


def _check_small(path: Path, archive: zipfile.ZipFile, part: str) -> None:
    """Parts openpyxl parses whole into memory must be small."""
    try:
        size = archive.getinfo(part).file_size
    except KeyError:
        return
    if size > limits.MAX_SMALL_PART_BYTES:
        raise _refused("{name} 中的 {part} 解压后有 {size}，超过了最多 {limit} 的限制："
                       "这不是正常的 Excel 工作簿，没有读取。",
                       name=path.name, part=part, size=megabytes(size),
                       limit=megabytes(limits.MAX_SMALL_PART_BYTES))


class XlsxBook:
    """An open .xlsx: its worksheets, and their rows on demand. Use as a context manager."""

    def __init__(self, path: Path):
        self.path = path
        self.sheets: list[SheetPart] = []
        self.active: str | None = None
        self.budget = Budget(path.name)
        self.reader: SheetReader | None = None  # the sheet being read
        self._strings: list[str] | None = None
        try:
            directory = _directory(path)
            if directory is not None:
                parts, listing = directory
                if parts > limits.MAX_PARTS or listing > limits.MAX_DIRECTORY_BYTES:
                    raise _too_many_parts(path, parts, listing)
            self.archive = zipfile.ZipFile(path)
        except SheetError:
            raise
        except Exception as e:
            raise damaged(path.name, e) from e
        try:
            check_package(path, self.archive)
            self._read_structure()
        except SheetError:
            self.archive.close()
            raise
        except Exception as e:
            self.archive.close()
            raise damaged(path.name, e) from e

    def __enter__(self) -> XlsxBook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.archive.close()

    def _read_structure(self) -> None:
        from openpyxl.packaging.manifest import Manifest
        from openpyxl.reader.excel import _find_workbook_part
        from openpyxl.reader.workbook import WorkbookParser
        from openpyxl.styles.stylesheet import apply_stylesheet
        from openpyxl.xml.constants import SHARED_STRINGS
        from openpyxl.xml.functions import fromstring

        archive, path = self.archive, self.path
        _check_small(path, archive, CONTENT_TYPES)
        with warnings.catch_warnings():  # what openpyxl cannot keep from odd writers does not matter here
            warnings.simplefilter("ignore")
            package = Manifest.from_tree(fromstring(archive.read(CONTENT_TYPES)))
            workbook = _find_workbook_part(package).PartName[1:]
            for part in (workbook, _rels_of(workbook), STYLES):
                _check_small(path, archive, part)
            parser = WorkbookParser(archive, workbook, keep_links=False)
            parser.parse()
            apply_stylesheet(archive, parser.wb)
            found = list(parser.find_sheets())
        names = set(archive.namelist())
        for sheet, rel in found:
            if rel.target in names and rel.Type.endswith("/worksheet"):  # not charts or macro sheets
                self.sheets.append(SheetPart(sheet.name, rel.target, sheet.state or "visible"))
        active = next((v.activeTab for v in parser.wb.views if v.activeTab is not None), 0)
        if 0 <= active < len(parser.sheets):
            self.active = parser.sheets[active].name
        strings = package.find(SHARED_STRINGS)
        self._strings_part = strings.PartName[1:] if strings is not None else None
        wb = parser.wb
        self.dates = Dates(frozenset(str(i) for i in wb._date_formats),
                           frozenset(str(i) for i in wb._timedelta_formats), wb.epoch)

    def sheet(self, name: str) -> SheetPart | None:
        return next((s for s in self.sheets if s.name == name), None)

    # -- streaming ------------------------------------------------------------------------------

    def strings(self) -> list[str]:
        """The shared strings, read once (within the element budget, at most one per cell allowed)."""
        if self._strings is None and self._strings_part is None:
            self._strings = []
        elif self._strings is None:
            try:
                with self.archive.open(self._strings_part) as src:
                    self._strings = read_strings(src, self.budget, self.path.name)
            except SheetError:
                raise
            except Exception as e:
                raise damaged(self.path.name, e) from e
        return self._strings

    def rows(self, sheet: SheetPart, on_size=None, until: int | None = None) -> Iterator[Row]:
        """``(row number, cells)`` of each row with a value, in order; empty rows are never made.

        ``on_size(last row)`` is told the size the sheet declares, for progress; with ``until``
        the reading stops at that row number. Rows and columns beyond the sheet or the limits,
        over-long cells and damaged cells stop the reading with a ``SheetError`` naming the sheet,
        row and column.
        """
        strings = self.strings()
        reader = SheetReader(sheet.name, strings, self.dates, self.budget, on_size, until)
        try:
            with self.archive.open(sheet.path) as src:
                yield from reader.rows(src)
        except SheetError:
            raise
        except Exception as e:
            log.warning("cannot read sheet %s of %s", sheet.name, self.path, exc_info=e)
            if isinstance(e, MemoryError):
                raise damaged(self.path.name, e) from e
            where = f"（第 {reader.row} 行之后）" if reader.row else ""
            raise SheetError(msg("{name} 的工作表“{sheet}”已损坏，读不下去了{where}"
                                 "（文件可能不完整或被改动过）。请用 Excel 或 WPS 打开并另存一次后再导入。",
                                 name=self.path.name, sheet=sheet.name, where=where)) from e


def _rels_of(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
