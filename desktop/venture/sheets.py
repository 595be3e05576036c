"""The reviewers' scoring sheets: one .xlsx per reviewer with the applications under review and
the round's criteria, printed for them; the filled sheets read back, all or nothing.

A filled sheet comes back from outside the office: it is read with the importer's guarded reader
(desktop/importing/xlsx.py: the package checked before anything is unpacked, cells and rows
counted), a file over ``MAX_SHEET_BYTES`` is refused before it is opened, and a sheet of another
round, another reviewer, changed criteria or a score out of range is refused naming the file, the
row and the column. Nothing is stored unless every sheet given is right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from models.db import database
from models.entities import User
from models.i18n import Message, msg
from models.validators import InvalidValue
from models.venture_entities import Reviewer, VentureRound
from models.venture_review import (
    applications_for_review,
    conflicts_of,
    criteria_of,
    parse_score,
    reviewers_of,
    set_scores,
)

from ..importing.errors import SheetError
from ..importing.values import BadCell
from ..reports.output import ExportError, atomic_output
from ..reports.recording import record_export
from ..reports.xlsx import SheetWriter, XlsxColumn, discard_workbook, new_workbook, save_workbook

SCORE_SHEET = "评分表"
KEY_SHEET = "编号"  # hidden: which round and reviewer the sheet is for, and the criteria's ids
MAX_SHEET_BYTES = 5 * 1024 * 1024  # a sheet of a few hundred applications is some 50 KB
MAX_SHEET_ROWS = 2000
FIXED_COLUMNS = ("序号", "申报编号", "申报组织", "项目名称", "申请金额（元）")
NOTE_COLUMN = "备注"
HEADING_ROWS = 3  # title, reviewer, instructions: the column header is the row after them
_WEIGHT = re.compile(r"（权重\s*\d+）$")


class SheetRefused(Exception):
    """One or more sheets are wrong; nothing was stored. ``problems`` name file, row and column."""

    def __init__(self, problems: list[Message]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def sheet_file_name(rnd: VentureRound, reviewer: Reviewer) -> str:
    stem = re.sub(r'[\\/:*?"<>|\s]+', "_", f"{rnd.name}_评分表_{reviewer.name}")
    return f"{stem}.xlsx"


def criterion_title(name: str, weight: int) -> str:
    return f"{name}（权重 {weight}）"


def write_reviewer_sheet(path: Path, rnd: VentureRound, reviewer: Reviewer, user: User | None) -> Path:
    """The scoring sheet of ``reviewer``: every application under review, a column per criterion
    (0–100 each), the reviewer's earlier scores already in it, conflicts of interest noted."""
    criteria = criteria_of(rnd)
    if not criteria:
        raise ExportError(msg("本轮还没有设评分项，请先在轮次详情里设置评分项。"))
    apps = applications_for_review(rnd)
    if not apps:
        raise ExportError(msg("本轮还没有进入评审的申报，请先把申报的状态改为“评审”。"))
    conflicts = {app_id for app_id, people in conflicts_of(rnd).items()
                 if any(r.id == reviewer.id for r in people)}
    earlier = {(s.application_id, s.criterion_id): s.score for s in reviewer.scores}
    columns = [XlsxColumn(FIXED_COLUMNS[0], "int", 6), XlsxColumn(FIXED_COLUMNS[1], "int", 9),
               XlsxColumn(FIXED_COLUMNS[2], "text", 24), XlsxColumn(FIXED_COLUMNS[3], "text", 30),
               XlsxColumn(FIXED_COLUMNS[4], "money", 13),
               *(XlsxColumn(criterion_title(c.name, c.weight), "float", 12) for c in criteria),
               XlsxColumn(NOTE_COLUMN, "text", 22)]
    heading = [f"{rnd.name} 评审评分表",
               f"评审专家：{reviewer.name}" + (f"（{reviewer.affiliation}）" if reviewer.affiliation else ""),
               "每个评分项打 0–100 分（可带一位小数），总分按权重计算。"
               "请只填写分数，不要改动其他单元格和“编号”工作表。"]
    wb = new_workbook()
    try:
        sheet = SheetWriter(wb, SCORE_SHEET, columns, heading, landscape=True)
        for i, app in enumerate(apps, start=1):
            note = "与本人所在组织有关联，请回避" if app.id in conflicts else ""
            sheet.append([i, app.id, app.organization.name, app.title, app.amount_requested,
                          *(earlier.get((app.id, c.id)) for c in criteria), note])
        sheet.finish()
        key = SheetWriter(wb, KEY_SHEET, [XlsxColumn("项", "text", 12), XlsxColumn("编号", "int", 10)],
                          header=False)
        key.ws.sheet_state = "hidden"
        key.append(["轮次", rnd.id])
        key.append(["专家", reviewer.id])
        for c in criteria:
            key.append([c.name, c.id])
        with atomic_output(Path(path)) as tmp:
            save_workbook(wb, tmp)
            record_export(user, rnd, entity="venture_round",
                          summary=f"导出评分表：{rnd.name}，{reviewer.name}，{Path(path).name}")
    except BaseException:
        discard_workbook(wb)
        raise
    return Path(path)


def write_all_sheets(folder: Path, rnd: VentureRound, user: User | None) -> list[Path]:
    """A sheet for every reviewer of the round, into ``folder``."""
    reviewers = reviewers_of(rnd)
    if not reviewers:
        raise ExportError(msg("本轮还没有评审专家，请先添加评审专家。"))
    return [write_reviewer_sheet(Path(folder) / sheet_file_name(rnd, r), rnd, r, user) for r in reviewers]


@dataclass
class SheetScores:
    """What one filled sheet says: the reviewer and their scores, or what is wrong with it."""

    path: Path
    reviewer: Reviewer | None = None
    scores: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    blank: int = 0  # score cells left empty
    problems: list[Message] = field(default_factory=list)


def _text(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())


def _whole(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def read_reviewer_sheet(path: Path | str, rnd: VentureRound) -> SheetScores:
    """Read one filled sheet of ``rnd``; problems are collected, nothing is stored."""
    from ..importing.xlsx import XlsxBook

    path = Path(path)
    result = SheetScores(path)
    name = path.name
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            magic = f.read(4)
    except OSError as e:
        result.problems.append(msg("无法读取 {name}：{reason}。如果它正在 Excel 或 WPS 中打开，请先关闭。",
                                   name=name, reason=e.strerror or e))
        return result
    if size > MAX_SHEET_BYTES:
        result.problems.append(msg("{name} 有 {size} MB，评分表不会这么大（上限 {limit} MB），没有读取。"
                                   "请确认选的是本程序导出的评分表。", name=name,
                                   size=f"{size / 1024 / 1024:.1f}", limit=MAX_SHEET_BYTES // 1024 // 1024))
        return result
    if magic != b"PK\x03\x04":
        result.problems.append(msg("{name} 不是 Excel 工作簿（.xlsx）。"
                                   "请选择本程序导出、专家填好的评分表。", name=name))
        return result
    try:
        with XlsxBook(path) as book:
            key_part, score_part = book.sheet(KEY_SHEET), book.sheet(SCORE_SHEET)
            if key_part is None or score_part is None:
                result.problems.append(msg("{name} 不是本程序导出的评分表（缺少“{sheet}”工作表）。"
                                           "请用轮次详情里的“导出评分表”重新导出后再填。", name=name,
                                           sheet=SCORE_SHEET if score_part is None else KEY_SHEET))
                return result
            key_rows = [cells for _, cells in book.rows(key_part, until=200)]
            rows = []
            for number, cells in book.rows(score_part):
                if len(rows) > MAX_SHEET_ROWS:
                    result.problems.append(msg("{name} 的行数超过 {n}，不像是评分表，没有读取。", name=name,
                                               n=MAX_SHEET_ROWS))
                    return result
                rows.append((number, cells))
    except SheetError as e:
        result.problems.append(e.message)
        return result
    _check_sheet(result, rnd, key_rows, rows)
    return result


def _check_sheet(result: SheetScores, rnd: VentureRound, key_rows: list[tuple],
                 rows: list[tuple[int, tuple]]) -> None:
    name = result.path.name
    problems = result.problems
    keys = {_text(cells[0]) if cells else "": _whole(cells[1]) if len(cells) > 1 else None
            for cells in key_rows}
    if keys.get("轮次") != rnd.id:
        problems.append(msg("{name} 是另一个轮次的评分表，不是“{round}”的。", name=name, round=rnd.name))
        return
    reviewer = Reviewer.get_or_none((Reviewer.id == keys.get("专家")) & (Reviewer.round == rnd))
    if reviewer is None:
        problems.append(msg("{name} 的评审专家已不在本轮的专家名单中。", name=name))
        return
    result.reviewer = reviewer
    criteria = criteria_of(rnd)
    expected = [criterion_title(c.name, c.weight) for c in criteria]
    header_at = next((i for i, (_, cells) in enumerate(rows)
                      if cells and _text(cells[0]) == FIXED_COLUMNS[0]), None)
    if header_at is None:
        problems.append(msg("{name} 里找不到表头（“序号”一行）。请不要改动评分表的表头。", name=name))
        return
    header = [_text(v) for v in rows[header_at][1]]
    first = len(FIXED_COLUMNS)
    found = header[first:first + len(criteria)]
    if header[:first] != list(FIXED_COLUMNS) or found != expected \
            or [c.id for c in criteria] != [keys.get(c.name) for c in criteria]:
        problems.append(msg("{name} 的评分项与本轮现在的评分项不一致（表中：{found}；本轮：{expected}）。"
                            "请重新导出评分表后再填。", name=name, found="、".join(found) or "无",
                            expected="、".join(expected)))
        return
    reviewable = {a.id for a in applications_for_review(rnd)}
    seen: set[int] = set()
    for number, cells in rows[header_at + 1:]:
        cells = tuple(cells) + (None,) * (first + len(criteria) - len(cells))
        if all(v is None or _text(v) == "" for v in cells[:first + len(criteria)]):
            continue
        app_id = _whole(cells[1])
        if app_id is None or app_id not in reviewable:
            problems.append(msg("{name} 第 {row} 行：申报编号“{value}”不是本轮评审中的申报。"
                                "请不要改动“申报编号”一列。", name=name, row=number, value=_text(cells[1])))
            continue
        if app_id in seen:
            problems.append(msg("{name} 第 {row} 行：申报编号 {value} 重复出现。", name=name, row=number,
                                value=app_id))
            continue
        seen.add(app_id)
        for criterion, title, value in zip(criteria, expected, cells[first:], strict=False):
            if value is None or (isinstance(value, str) and not value.strip()):
                result.blank += 1
                continue
            if isinstance(value, BadCell):
                problems.append(msg("{name} 第 {row} 行“{column}”：单元格是“{value}”，不是分数。",
                                    name=name, row=number, column=title, value=value.shown))
                continue
            try:
                result.scores[app_id, criterion.id] = parse_score(value)
            except InvalidValue as e:
                problems.append(msg("{name} 第 {row} 行“{column}”：{problem}", name=name, row=number,
                                    column=title, problem=e.message))


@dataclass
class SheetsImported:
    reviewers: int
    scores: int  # scores stored or changed
    blank: int  # score cells left empty in the sheets


def import_reviewer_sheets(paths: list[Path | str], rnd: VentureRound, user: User | None) -> SheetsImported:
    """Read every sheet, then store all their scores in one transaction, or nothing at all
    (SheetRefused lists every problem of every sheet)."""
    results = [read_reviewer_sheet(p, rnd) for p in paths]
    problems = [p for r in results for p in r.problems]
    by_reviewer: dict[int, Path] = {}
    for r in results:
        if r.reviewer is None:
            continue
        if r.reviewer.id in by_reviewer:
            problems.append(msg("{a} 和 {b} 都是{reviewer}的评分表，请只选其中一份。",
                                a=by_reviewer[r.reviewer.id].name, b=r.path.name, reviewer=r.reviewer.name))
        by_reviewer[r.reviewer.id] = r.path
    if not results:
        problems.append(msg("请选择要导入的评分表。"))
    if problems:
        raise SheetRefused(problems)
    changed = 0
    with database.atomic():
        for r in results:
            changed += set_scores(r.reviewer, dict(r.scores), user)
    return SheetsImported(len(results), changed, sum(r.blank for r in results))
