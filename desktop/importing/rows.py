"""Which rows of a sheet are data: blank rows, totals and signature lines are skipped."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .reading import Row
from .values import text

_TOTAL = re.compile(r"^(合\s*计|总\s*计|小\s*计|共计)")
_SIGNATURE = re.compile(
    r"^(填表人|填报人|制表人|审核人|审批人|负责人|单位负责人|统计负责人|经办人|联系人|联系电话|报出日期|"
    r"填报日期|填表日期|签字|签名|盖章|单位盖章|注|备注|说明)\s*[:：]"
)
_SIGNED = re.compile(r"(签字|签名|盖章)")


def skip_reason(row: tuple, data_columns: set[int]) -> str | None:
    """Why ``row`` is not a record: "blank", "total" or "signature"; ``None`` for a data row."""
    if not any(_filled(row[c]) for c in data_columns if c < len(row)):
        return "blank"
    first = next(v for v in row if _filled(v))
    if not isinstance(first, str):  # a data row usually starts with its 序号
        return None
    first = text(first)
    if _TOTAL.match(first):
        return "total"
    if _SIGNATURE.match(first):
        return "signature"
    if _SIGNED.search(first):
        filled = [text(v) for v in row if _filled(v)]
        if len(filled) <= 3 and all(_SIGNED.search(v) for v in filled):
            return "signature"
    return None


def _filled(value: object) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def data_rows(rows: list[Row], header_row: int, mapping: dict[str, int]) -> Iterator[Row]:
    """The record rows below the header (a column not mapped, like 序号, does not make a row data)."""
    columns = set(mapping.values())
    for number, row in rows:
        if number > header_row and skip_reason(row, columns) is None:
            yield number, row
