"""The office's 申报表: a template with the columns of an application (导出申报表模板), and a filled
sheet read back (从申报表导入), the program's template or an office's own sheet with the same
headings in another order.

The file comes from outside: a file over ``MAX_SHEET_BYTES`` is refused before it is opened, the
workbook is read with the importer's guarded reader (desktop/importing/xlsx.py: the package
checked before anything is unpacked, cells and rows counted), and every refusal names the file,
the row and the column. The rows are checked and created by models/venture_import.py: the
accepted ones all at once, or none.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from models import audit
from models.db import database
from models.entities import User
from models.i18n import Message, msg
from models.venture_entities import VentureRound
from models.venture_import import (
    APPLICATION_COLUMNS,
    HEADINGS,
    REQUIRED,
    ApplicationPlan,
    SheetRow,
    create_applications,
    plan_applications,
)

from ..importing.errors import SheetError
from ..importing.values import BadCell
from ..reports.output import atomic_output
from ..reports.recording import record_export
from ..reports.xlsx import SheetWriter, XlsxColumn, discard_workbook, new_workbook, save_workbook

TEMPLATE_SHEET = "申报表"
MAX_SHEET_BYTES = 5 * 1024 * 1024  # a sheet of a few hundred applications is some 50 KB
MAX_SHEET_ROWS = 2000  # a round has dozens of applications, not thousands
HEADER_SEARCH_ROWS = 20  # the heading may sit under a title and a few notes
_WIDTHS = {"organization": 26, "credit_code": 22, "title": 30, "amount_requested": 14, "notes": 24}
_KINDS = {"amount_requested": "money", "people_planned": "int"}
_NOISE = re.compile(r"[\s*＊:：]+")


class ApplicationSheetRefused(Exception):
    """The file cannot be used at all (nothing was read into the round); ``message`` says why."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


def template_file_name(rnd: VentureRound) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", f"{rnd.name}_申报表") + ".xlsx"


def write_template(path: Path, rnd: VentureRound, user: User | None) -> Path:
    """An empty 申报表 of the round: a title, what to fill, and the columns of an application."""
    cap = f"，单个项目不超过 {rnd.project_cap:,.2f} 元" if rnd.project_cap is not None else ""
    heading = [f"{rnd.name} 项目申报表",
               "每行一个申报项目。带 * 的列必填；申报组织须已在“组织”页登记（可填统一社会信用代码）"
               f"；服务阵地填阵地名册中的名称，多个用顿号分开{cap}。"]
    columns = [XlsxColumn(title + ("*" if required else ""), _KINDS.get(key, "text"), _WIDTHS.get(key, 14))
               for title, key, required in APPLICATION_COLUMNS]
    wb = new_workbook()
    try:
        sheet = SheetWriter(wb, TEMPLATE_SHEET, columns, heading)
        sheet.finish()
        with atomic_output(Path(path)) as tmp:
            save_workbook(wb, tmp)
            record_export(user, rnd, entity="venture_round",
                          summary=f"导出申报表模板：{rnd.name}，{Path(path).name}")
    except BaseException:
        discard_workbook(wb)
        raise
    return Path(path)


def heading_key(text: object) -> str | None:
    """The column an office's heading stands for: spaces, the * of a required column and
    half-width brackets do not matter; 申请金额 is 申请金额（元）."""
    if text is None or isinstance(text, BadCell):
        return None
    name = _NOISE.sub("", str(text)).replace("(", "（").replace(")", "）")
    return HEADINGS.get(name) or HEADINGS.get(f"{name}（元）")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return " ".join(str(value).split())


def read_application_sheet(path: Path | str) -> list[SheetRow]:
    """The rows of a filled 申报表 by column; ApplicationSheetRefused when the file is unusable."""
    from ..importing.xlsx import XlsxBook

    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            magic = f.read(4)
    except OSError as e:
        raise ApplicationSheetRefused(msg(
            "无法读取 {name}：{reason}。如果它正在 Excel 或 WPS 中打开，请先关闭。",
            name=name, reason=e.strerror or e)) from e
    if size > MAX_SHEET_BYTES:
        raise ApplicationSheetRefused(msg(
            "{name} 有 {size} MB，申报表不会这么大（上限 {limit} MB），没有读取。请确认选的是申报表。",
            name=name, size=f"{size / 1024 / 1024:.1f}", limit=MAX_SHEET_BYTES // 1024 // 1024))
    if magic != b"PK\x03\x04":
        raise ApplicationSheetRefused(msg(
            "{name} 不是 Excel 工作簿（.xlsx）。请用 Excel 或 WPS 打开它，“另存为” Excel 工作簿后再导入。",
            name=name))
    try:
        with XlsxBook(path) as book:
            for part in [s for s in book.sheets if not s.hidden]:
                rows = _read_part(book, part, name)
                if rows is not None:
                    return rows
    except SheetError as e:
        raise ApplicationSheetRefused(e.message) from e
    raise ApplicationSheetRefused(msg(
        "{name} 里找不到申报表的表头：前 {n} 行中应有“申报组织”“项目名称”“申请金额（元）”等列名。"
        "可在轮次详情里“导出申报表模板”，照它的列名填写。", name=name, n=HEADER_SEARCH_ROWS))


def _read_part(book, part, name: str) -> list[SheetRow] | None:
    """The rows of one worksheet, or None when it has no heading of an application sheet."""
    columns: dict[int, str] | None = None
    rows: list[SheetRow] = []
    for number, cells in book.rows(part):
        if columns is None:
            found = {i: key for i, value in enumerate(cells) if (key := heading_key(value))}
            if {"organization", "title"} <= set(found.values()):
                missing = [h for h in REQUIRED if HEADINGS[h] not in found.values()]
                if missing:
                    raise ApplicationSheetRefused(msg(
                        "{name} 工作表“{sheet}”第 {row} 行的表头缺少必填的列：{missing}。",
                        name=name, sheet=part.name, row=number, missing="、".join(missing)))
                keys = list(found.values())
                twice = sorted({k for k in keys if keys.count(k) > 1})
                if twice:
                    raise ApplicationSheetRefused(msg(
                        "{name} 工作表“{sheet}”第 {row} 行的表头有重复的列：{columns}，请只留一列。",
                        name=name, sheet=part.name, row=number,
                        columns="、".join(h for h, k, _ in APPLICATION_COLUMNS if k in twice)))
                columns = found
            elif number >= HEADER_SEARCH_ROWS:
                return None
            continue
        values: dict[str, str] = {}
        problem = None
        for i, key in columns.items():
            value = cells[i] if i < len(cells) else None
            if isinstance(value, BadCell) and problem is None:
                column = next(h for h, k, _ in APPLICATION_COLUMNS if k == key)
                problem = msg("第 {row} 行“{column}”：单元格是“{value}”，不是可导入的值", row=number,
                              column=column, value=value.shown)
            values[key] = "" if isinstance(value, BadCell) else _cell_text(value)
        if not any(values.values()):
            continue
        if len(rows) >= MAX_SHEET_ROWS:
            raise ApplicationSheetRefused(msg("{name} 的申报超过 {n} 行，不像是一轮的申报表，没有读取。",
                                              name=name, n=MAX_SHEET_ROWS))
        rows.append(SheetRow(number, values, problem))
    return rows if columns is not None else None


@dataclass
class ApplicationsImported:
    plan: ApplicationPlan
    created: int  # 0 on a dry run


def import_applications(path: Path | str, rnd: VentureRound, user: User | None, dry_run: bool = False,
                        on: dt.date | None = None) -> ApplicationsImported:
    """Read the sheet, check every row, and (unless ``dry_run``) create the accepted ones in one
    transaction with one line in the audit trail for the sheet."""
    plan = plan_applications(rnd, read_application_sheet(path))
    if dry_run:
        return ApplicationsImported(plan, 0)
    return ApplicationsImported(plan, commit_plan(plan, rnd, Path(path).name, user, on))


def commit_plan(plan: ApplicationPlan, rnd: VentureRound, file_name: str, user: User | None,
                on: dt.date | None = None) -> int:
    """Create the accepted rows of a previewed sheet in one transaction, with the sheet's line
    in the audit trail; ValidationFailed (nothing created) if the register changed meanwhile."""
    if not plan.accepted:
        return 0
    with database.atomic():
        created = create_applications(plan, user, on)
        audit.record(user, "import", rnd, entity="venture_round",
                     summary=f"从申报表导入申报：{rnd.name}，{file_name}，新建 {created} 份，"
                             f"未导入 {len(plan.refused)} 行")
    return created
