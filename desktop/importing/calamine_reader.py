"""Old Excel workbooks (.xls), WPS tables (.et) and OpenDocument spreadsheets (.ods), read with
python-calamine (Rust) in a child process, after a walk of the file that calamine would not survive.

Measured here (2 cores, python-calamine 0.9.1 on calamine 0.37, Python 3.11; ``ulimit -v 4000000``):

- calamine lays each sheet out in memory as one rectangle, from its first to its last cell, when the
  file is opened (all sheets, hidden ones too), and copies it again for the sheet asked for. An .xls
  of 5.6 KB with a cell at A1 and one at IV65536 took 1.06 GB and 1.6 s; with the second cell moved to
  column 65,535 (a patched record) it asked for 137 GB and the process aborted (SIGABRT: a failed Rust
  allocation is no Python exception), as it did for a sheet declaring 4,294,967,295 rows. A 10 KB
  .ods with one cell repeated over 16,384 columns and 1,000 rows aborted at 4 GB after 11 s, one
  ``<text:s text:c="2000000000"/>`` at 2 GB. 20,000 rows × 256 columns of .ods took 640 MB
  (calamine 0.37 refuses an .ods rectangle over 100 million cells by itself: some 12 GB at that rate).
- So the file is walked first, within limits.py: biff.py (the .xls records) and odsxml.py (the .ods
  content, with expat) count the rectangles, the cells laid out on the way and the copied text as
  calamine will make them, and refuse a file over limits.MAX_GRID_CELLS or MAX_TEXT_CHARS, naming
  the sheet and the cells; an .ods package passes xlsx.check_package (zip bombs) first. The walks
  also find what python-calamine loses: it returns an error value (#DIV/0!) as an empty cell, so the
  cells with one are noted and given as ``values.BadCell``; the active sheet; an encrypted .xls
  (the FILEPASS record; a password-protected .xlsx is an OLE file with an EncryptedPackage).
- calamine then runs in a child process (calamine_child.py, started with ``spawn``: 0.05 s here),
  so that whatever the walk did not foresee ends that process, not the program: the parent reports
  a crash or a time-out as a file it cannot read. On Linux the child's address space is capped
  (CHILD_MEMORY_BYTES); on Windows it is crash isolation only, the walk keeping the memory bounded.
- The 50,000-row sheet of tests/bench/bench_import.py saved by LibreOffice: .xls (9.8 MB) read in
  1.1 s (walk 0.57 s; calamine alone 0.12 s), .ods (2.9 MB, 70 MB of content) in 2.7 s (walk 1.9 s;
  calamine alone 0.33 s), the .xlsx in 1.8 s by the streaming reader.
- Values are given as the .xlsx reader gives them: whole numbers below 10^15 as int (calamine gives
  float for .ods and some .xls numbers), date-formatted cells as datetime (calamine: date or
  datetime; times and durations as time and timedelta), empty cells as None.

.xlsx stays with the streaming reader (xlsx.py, sheetxml.py). Measured on the 50,000-row sheet of
tests/bench/bench_import.py: calamine read its cells in 0.4 s, the streaming reader in 1.8 s (openpyxl's
read-only mode in 4.7 s), but
for .xlsx calamine returns a formula saved without its result and an error value alike as an empty
cell (the streaming reader rejects the row naming the column), and it lays out the rectangle that a
stray cell at XFD1048576 makes 17 billion cells of, where the streaming reader never holds more
than a row. Telling those apart would mean walking the sheet's XML anyway: the time saved is gone.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

from models.i18n import msg

from . import calamine_child, limits
from .biff import encrypted, scan_xls
from .errors import SheetError, Unreadable
from .grid import SheetLayout, WorkbookLayout
from .odsxml import scan_ods
from .values import BadCell
from .xlsx import SheetPart, _directory, _too_many_parts, check_package, damaged

log = logging.getLogger(__name__)

CHILD_MEMORY_BYTES = 2 * 1024 * limits.MB  # the child's address space beyond its own start (Linux)
# A hung child is stopped (README: any file is refused or read within 30 s); calamine opened the
# 50,000-row .xls in 0.12 s.
OPEN_SECONDS = 30
READ_SECONDS = 30  # between two batches of rows
POLL_SECONDS = 0.2
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# the extensions python-calamine chooses its reader by; any other makes it look at the bytes
_CALAMINE_FORMATS = {"xls": "xls", "xla": "xls", "xlsx": "xlsx", "xlsm": "xlsx", "xlam": "xlsx",
                     "xlsb": "xlsb", "ods": "ods"}
WPS_SUFFIXES = frozenset({".et", ".ett"})

Row = tuple[int, tuple]


def is_ods(path: Path) -> bool:
    """Whether the zip package ``path`` is an OpenDocument spreadsheet (its ``mimetype`` part says so)."""
    try:
        directory = _directory(path)
        if directory is not None and directory[0] > limits.MAX_PARTS:
            return False  # the .xlsx reader refuses it, naming the limit
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("mimetype")
            return info.file_size < 100 and archive.read(info).strip() == ODS_MIMETYPE
    except (KeyError, OSError, zipfile.BadZipFile, RuntimeError, ValueError, EOFError):
        return False


def _convert_et(path: Path) -> SheetError:
    return SheetError(msg("无法读取 WPS 表格文件 {name}：这种 .et 文件的格式无法直接导入。请用 WPS 打开它，"
                          "“另存为” Excel 工作簿（.xlsx）或 CSV 文件后再导入。", name=path.name))


def open_book(path: Path, fmt: str) -> CalamineBook:
    """``fmt`` ``xls`` (an OLE compound file: .xls, .et) or ``ods``: the file walked, then opened."""
    try:
        layout = _scan_ods(path) if fmt == "ods" else scan_xls(path)
        return CalamineBook(path, fmt, layout)
    except Unreadable as e:
        if path.suffix.lower() in WPS_SUFFIXES:
            raise _convert_et(path) from e
        raise


def _scan_ods(path: Path) -> WorkbookLayout:
    try:
        directory = _directory(path)
        if directory is not None and (directory[0] > limits.MAX_PARTS
                                      or directory[1] > limits.MAX_DIRECTORY_BYTES):
            raise _too_many_parts(path, *directory)
        with zipfile.ZipFile(path) as archive:
            check_package(path, archive)
            return scan_ods(path, archive)
    except SheetError:
        raise
    except Exception as e:
        raise Unreadable(damaged(path.name, e).message) from e


class CalamineBook:
    """An .xls, .et or .ods open in a child process: its worksheets and their rows on demand, as
    XlsxBook gives them. Use as a context manager."""

    def __init__(self, path: Path, fmt: str, layout: WorkbookLayout):
        self.path = path
        self.layout = layout
        self.sheets: list[SheetPart] = []
        self.active: str | None = None
        self._usable = True
        extension = path.suffix[1:]
        by_path = _CALAMINE_FORMATS.get(extension, fmt) == fmt
        context = multiprocessing.get_context("spawn")
        self._conn, child_end = context.Pipe()
        self._process = context.Process(target=calamine_child.serve, name="calamine", daemon=True,
                                        args=(child_end, str(path), by_path, CHILD_MEMORY_BYTES))
        try:
            self._process.start()
        finally:
            child_end.close()
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    def _open(self) -> None:
        reply = self._receive(OPEN_SECONDS)
        if reply[0] == "password":
            raise encrypted(self.path.name)
        if reply[0] != "sheets":
            log.warning("calamine cannot read %s: %s", self.path, reply[1:])
            raise Unreadable(damaged(self.path.name).message)
        found = reply[1]
        if len(found) != len(self.layout.sheets):  # the walk and calamine disagree: not a sound file
            log.warning("%s: calamine lists %d sheets, the walk %d", self.path, len(found),
                        len(self.layout.sheets))
            raise Unreadable(damaged(self.path.name).message)
        self.sheets = [SheetPart(name, str(index), state)
                       for index, (name, state, worksheet) in enumerate(found) if worksheet]
        active = self.layout.active
        if active is not None and found[active][2]:
            self.active = found[active][0]

    def __enter__(self) -> CalamineBook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        process = self._process
        if process.is_alive() and self._usable:
            try:
                self._conn.send(("close",))
            except OSError:
                pass
            process.join(1)
        if process.is_alive():
            process.kill()
            process.join()
        self._conn.close()
        process.close()

    def sheet(self, name: str) -> SheetPart | None:
        return next((s for s in self.sheets if s.name == name), None)

    # -- the child ----------------------------------------------------------------------------

    def _receive(self, seconds: float) -> tuple:
        """The child's next message; a child that ended or took too long becomes a SheetError."""
        deadline = time.monotonic() + seconds
        while not self._conn.poll(POLL_SECONDS):
            if not self._process.is_alive() and not self._conn.poll(0):
                break
            if time.monotonic() > deadline:
                self._usable = False
                log.warning("reading %s took over %s s: stopped", self.path, seconds)
                raise SheetError(msg(
                    "读取 {name} 超过了 {seconds} 秒，已停止：文件可能已损坏，或内容过多。"
                    "请用 Excel 或 WPS 打开它，另存为 Excel 工作簿（.xlsx）后再导入。",
                    name=self.path.name, seconds=seconds))
        try:
            return self._conn.recv()
        except (EOFError, OSError):
            self._usable = False
            self._process.join(5)
            log.warning("the calamine process reading %s ended with exit code %s", self.path,
                        self._process.exitcode)
            raise SheetError(msg(
                "读取 {name} 时出错，读取被中止了：文件可能已损坏，或内容过多、超出了可用的内存。"
                "请用 Excel 或 WPS 打开它，另存为 Excel 工作簿（.xlsx）后再导入。",
                name=self.path.name)) from None

    def rows(self, sheet: SheetPart, on_size=None, until: int | None = None) -> Iterator[Row]:
        """``(row number, cells)`` of each row with a value, in order, with error values as BadCell.

        ``on_size(last row)`` is told the sheet's size, for progress; with ``until`` the reading
        stops at that row number. A value beyond the column limit stops it with a ``SheetError``.
        """
        if not self._usable:
            raise damaged(self.path.name)
        layout = self.layout.sheets[int(sheet.path)]
        self._conn.send(("rows", sheet.name, until, frozenset(layout.errors)))
        finished = False
        try:
            while True:
                reply = self._receive(READ_SECONDS)
                if reply[0] == "rows":
                    for number, cells in reply[1]:
                        yield number, self._checked(layout, number, cells)
                elif reply[0] == "size":
                    if on_size is not None:
                        on_size(reply[1])
                elif reply[0] == "end":
                    finished = True
                    return
                else:
                    log.warning("calamine cannot read sheet %s of %s: %s", sheet.name, self.path, reply[1:])
                    finished = True
                    raise SheetError(msg(
                        "{name} 的工作表“{sheet}”已损坏，读不下去了（文件可能不完整或被改动过）。"
                        "请用 Excel 或 WPS 打开并另存为 Excel 工作簿（.xlsx）后再导入。",
                        name=self.path.name, sheet=sheet.name))
        finally:
            if not finished:  # the rest of this sheet is still on its way: the child cannot be asked again
                self._usable = False

    def _checked(self, layout: SheetLayout, number: int, cells: tuple) -> tuple:
        errors = layout.errors.get(number)
        if errors:
            filled = list(cells) + [None] * (max(errors) - len(cells))
            for column, shown in errors.items():
                filled[column - 1] = BadCell(shown)
            cells = tuple(filled)
        if len(cells) > limits.MAX_COLUMNS:
            raise SheetError(limits.too_many_columns(layout.name, number, len(cells)))
        return cells
