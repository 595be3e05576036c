"""A list page to Excel: every row matching its filter, in its sort order, read page by page.

The values are those the list shows (an ID number is masked there, so it is masked here,
unless the settings allow full numbers and the operator may see them); the cells are
typed, so dates are dates and amounts are numbers the reader can add up.
Every export is written to the audit trail: a list of people is personal data.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from models import audit
from models.entities import Person, User
from models.i18n import tr_noop
from models.listing import Column, Listing, ListRow
from models.permissions import require
from models.rosters import full_ids_allowed

from .output import Job, atomic_output
from .recording import record_export
from .xlsx import SheetWriter, XlsxColumn, discard_workbook, new_workbook, save_workbook

PAGE_ROWS = 5000  # rows read per query (and between progress reports and Cancel checks)
PIXELS_PER_CHARACTER = 7  # a list column's width in pixels → an Excel width in characters

# How each listing column kind is written: the cell kind of desktop/reports/xlsx.py.
CELL_KINDS = {"date": "date", "datetime": "datetime", "int": "int", "hours": "float", "money": "money"}
YES = tr_noop("是")


def cell_value(column: Column, value: Any) -> Any:
    """What the cell holds: the typed value for figures and dates, the list's text otherwise.

    (A label is stored in the row as its Chinese label already; a yes/no shows 是 or nothing.)
    """
    if value is None or value == "":
        return None
    if column.kind == "bool":
        return YES if value else None
    if column.kind in CELL_KINDS:
        return value
    return str(value)


def xlsx_columns(listing: Listing) -> list[XlsxColumn]:
    return [
        XlsxColumn(c.title, CELL_KINDS.get(c.kind, "text"), max(6, round(c.width / PIXELS_PER_CHARACTER)))
        for c in listing.columns
    ]


def listing_rows(listing: Listing, flt: Any, sort_key: str | None, descending: bool,
                 job: Job | None = None, page_rows: int | None = None):
    """Every matching row, a page at a time (keyset paging where the listing has it)."""
    page_rows = page_rows or PAGE_ROWS
    total = listing.count(flt)
    done = 0
    after: tuple[Any, ...] = ()
    while True:
        if job is not None:
            job.step(done, total)
        rows: list[ListRow] = listing.fetch(flt, sort_key, descending, done, page_rows, after)
        yield from rows
        done += len(rows)
        if len(rows) < page_rows:
            break
        after = rows[-1].cursor
    if job is not None:
        job.step(done, max(total, done))


def full_id_numbers(rows: list[ListRow]) -> dict[int, str]:
    """The unmasked ID numbers of a page of people, in one query."""
    query = Person.select(Person.id, Person.id_number).where(Person.id.in_([r.id for r in rows]))
    return {pid: number for pid, number in query.tuples() if number}


def export_listing(
    path: Path, listing: Listing, flt: Any, sort_key: str | None, descending: bool,
    job: Job | None = None, user: User | None = None, title: str = "", full_ids: bool = False,
) -> int:
    """Write the listing as ``path`` (.xlsx); return the number of rows written.

    ``full_ids``: the operator may see full ID numbers; a list of people then has them
    if the settings allow printing them too.
    """
    require(user, "export")
    path = Path(path)
    columns = listing.columns
    keys = [c.key for c in columns]
    id_column = keys.index("id_number") if "id_number" in keys else None
    if listing.base_query().model is not Person or not full_ids_allowed(full_ids):
        id_column = None
    heading = [title] if title else []
    heading.append(f"导出时间：{dt.datetime.now():%Y-%m-%d %H:%M}")
    wb = new_workbook()
    # No cell borders: a data list of 100,000 rows is written in a fraction of the time.
    sheet = SheetWriter(wb, title or "列表", xlsx_columns(listing), heading, borders=False)
    try:
        page: list[ListRow] = []
        for row in listing_rows(listing, flt, sort_key, descending, job):
            page.append(row)
            if len(page) == PAGE_ROWS:
                _write_rows(sheet, columns, page, id_column)
                page = []
        _write_rows(sheet, columns, page, id_column)
        sheet.finish()
        entity = audit.entity_name(listing.base_query().model)
        ids = "，完整身份证号" if id_column is not None else ""
        with atomic_output(path) as tmp:
            save_workbook(wb, tmp)
            record_export(user, None, entity=entity,
                          summary=f"导出{title or entity}列表 {sheet.rows} 条{ids}到 {path.name}")
    except BaseException:  # nothing written; close the workbook's temporary parts
        discard_workbook(wb)
        raise
    return sheet.rows


def _write_rows(sheet: SheetWriter, columns: tuple[Column, ...], rows: list[ListRow],
                id_column: int | None) -> None:
    """``id_column``: where the ID number is, to be written in full (None: as listed)."""
    numbers = full_id_numbers(rows) if id_column is not None and rows else {}
    for row in rows:
        values = [cell_value(c, v) for c, v in zip(columns, row.values)]
        if row.id in numbers:
            values[id_column] = numbers[row.id]
        sheet.append(values)
