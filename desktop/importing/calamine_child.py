"""The process in which python-calamine reads a workbook for calamine_reader.py.

It imports nothing of the program, so that it starts quickly, and answers over one pipe: first the
sheets, then the rows asked for, a batch at a time, with the values as the .xlsx reader gives them.
On Linux its address space is capped, so that a file that makes calamine ask for more memory ends
this process (Rust aborts on a failed allocation) instead of filling the PC's memory.
"""

from __future__ import annotations

import datetime as dt
import os
import sys

BATCH_ROWS = 500
LARGEST_INT = 1e15  # a float below it that is a whole number is given as an int, as the .xlsx reader does


def _limit_memory(extra: int | None) -> None:
    """Allow this process ``extra`` bytes of address space beyond what it has now (Linux only)."""
    if extra is None or not sys.platform.startswith("linux"):
        return
    import resource

    with open("/proc/self/statm", encoding="ascii") as statm:
        size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = size + extra if hard == resource.RLIM_INFINITY else min(size + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _quiet() -> None:
    """Rust writes its abort message and a backtrace to standard error: not for the user's console."""
    os.environ["RUST_BACKTRACE"] = "0"
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _rows(sheet, until: int | None, keep: frozenset[int]):
    """``(row number, cells)`` of each row with a value or in ``keep``, trailing empty cells left out."""
    start = sheet.start
    if start is None:
        return
    first_row, first_col = start
    lead = (None,) * first_col
    datetime, date, is_str, is_float = dt.datetime, dt.date, str, float
    for index, cells in enumerate(sheet.iter_rows()):
        if index < first_row:
            continue  # iter_rows starts at the sheet's first row with empty rows
        number = index + 1
        if until is not None and number > until:
            return
        values = []
        append = values.append
        for value in cells:
            kind = type(value)
            if kind is is_str:
                append(value or None)
            elif kind is is_float:
                append(int(value) if value.is_integer() and -LARGEST_INT < value < LARGEST_INT else value)
            elif kind is date:
                append(datetime(value.year, value.month, value.day))
            else:
                append(value)
        while values and values[-1] is None:
            values.pop()
        if values or number in keep:
            yield number, lead + tuple(values)


def _sheets(book) -> list[tuple[str, str, bool]]:
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    found = []
    for meta in book.sheets_metadata:
        if meta.visible == SheetVisibleEnum.Visible:
            state = "visible"
        elif meta.visible == SheetVisibleEnum.Hidden:
            state = "hidden"
        else:
            state = "veryHidden"
        found.append((meta.name, state, meta.typ == SheetTypeEnum.WorkSheet))
    return found


def serve(conn, path: str, by_path: bool, memory: int | None) -> None:
    """Open ``path`` and answer the parent's requests until it says ``close`` or goes away.

    ``by_path``: calamine chooses its reader by the file's extension, which says the truth; otherwise
    the bytes are handed over and calamine looks at them.
    """
    _quiet()
    try:
        from python_calamine import CalamineWorkbook, PasswordError

        _limit_memory(memory)
        try:
            if by_path:
                book = CalamineWorkbook.from_path(path)
            else:
                with open(path, "rb") as f:
                    book = CalamineWorkbook.from_filelike(f)
        except PasswordError:
            conn.send(("password",))
            return
        except BaseException as e:  # calamine's errors, and a Rust panic (a BaseException)
            conn.send(("failed", f"{type(e).__name__}: {e}"[:1000]))
            return
        conn.send(("sheets", _sheets(book)))
        while True:
            try:
                request = conn.recv()
            except EOFError:
                return
            if request[0] != "rows":
                return
            _, name, until, keep = request
            try:
                sheet = book.get_sheet_by_name(name)
                conn.send(("size", sheet.end[0] + 1 if sheet.end else 0))
                batch = []
                for row in _rows(sheet, until, keep):
                    batch.append(row)
                    if len(batch) >= BATCH_ROWS:
                        conn.send(("rows", batch))
                        batch = []
                conn.send(("rows", batch))
                conn.send(("end",))
            except BaseException as e:
                conn.send(("failed", f"{type(e).__name__}: {e}"[:1000]))
    finally:
        conn.close()
