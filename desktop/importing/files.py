"""Files the import page hands back: the rejected rows to fix, and blank templates."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from models.entities import User

from ..reports.output import atomic_output
from ..reports.recording import record_export
from ..reports.xlsx import SheetWriter, XlsxColumn, new_workbook, save_workbook
from .columns import KIND_LABELS, fields_of
from .plan import ImportPlan
from .values import text

REASON_TITLE = "未导入原因"
ROW_TITLE = "原行号"
# Columns typed as text in the template, so Excel keeps every digit (and a leading 0).
TEXT_FIELDS = frozenset({"id_number", "phone", "contact_phone", "credit_code"})
_WIDTHS = {"id_number": 22, "credit_code": 22, "name": 12, "organization": 26, "notes": 24}

TEMPLATE_NOTES = {
    "people": (
        "每人一行；表头保持在第一行，可以增加上方的标题行。",
        "身份证号、联系电话列已设为文本格式：请直接输入或“选择性粘贴为文本”，不要让 Excel 变成科学计数法。",
        "性别、出生日期以身份证号为准；没有身份证号时才使用这两列。",
        "角色可填：妇工、社工、义工（志愿者），以及在组织中的负责人、骨干、成员，多个用顿号分隔。",
        "所属组织须是已登记的组织名称（导入时也可选择自动新建为草根组织）；所属团队须是已建立的三工联动团队。",
        "服务时长填小时数（可带一位小数），不能为负数；日期可写 2021-03-05、2021.3.5 或 2021年3月5日。",
    ),
    "orgs": (
        "每个组织一行；表头保持在第一行，可以增加上方的标题行。",
        "类型可填：社会团体、民办非企业单位（社会服务机构）、基金会、草根组织；登记注册的组织须填统一社会信用代码。",
        "孵化阶段可填：萌芽期、初创期、发展期、出壳；服务领域用顿号分隔，须是已有的服务领域。",
        "是否公益联盟成员、是否团体会员填“是”或“否”。",
    ),
}


def save_rejected(plan: ImportPlan, path: Path | str, user: User | None = None) -> Path:
    """The rejected rows as they were, with the reason and the original row number, to fix and re-import.

    The rows hold personal data (full ID numbers, as typed), so the file is recorded in the
    audit trail as an export by ``user``, in the transaction that lets the file replace ``path``.
    """
    path = Path(path)
    header = list(plan.sheet.header)
    width = max([len(header), *(len(r.cells) for r in plan.rejected)], default=0)
    header += [""] * (width - len(header))
    columns = [XlsxColumn(title or get_column_letter(i + 1), "text", _column_width(plan, i))
               for i, title in enumerate(header)]
    columns += [XlsxColumn(REASON_TITLE, "text", 48), XlsxColumn(ROW_TITLE, "int", 8)]
    with atomic_output(path) as tmp:
        wb = new_workbook()
        sheet = SheetWriter(wb, "未导入的行", columns, heading=[
            f"未导入的行：{plan.sheet.file_name}（{plan.sheet.sheet}）",
            f"共 {len(plan.rejected)} 行。请按“{REASON_TITLE}”修改后重新导入（最后两列不会被导入）。",
        ])
        for rejection in plan.rejected:
            cells = [text(v) for v in rejection.cells] + [""] * (width - len(rejection.cells))
            sheet.append([*cells, rejection.reason_text(), rejection.row])
        sheet.finish()
        save_workbook(wb, tmp)
        record_export(user, None, entity="import_batch", summary=(
            f"保存导入时未导入的行：{plan.sheet.file_name}（{plan.sheet.sheet}），"
            f"{len(plan.rejected)} 行，{path.name}"))
    return path


def _column_width(plan: ImportPlan, col: int) -> float:
    key = next((k for k, c in plan.mapping.items() if c == col), None)
    return _WIDTHS.get(key, 22 if key in TEXT_FIELDS else 14)


def save_template(kind: str, path: Path | str) -> Path:
    """A blank sheet with the recognised column titles; ID, phone and code columns formatted as text.

    A normal (not write-only) workbook: the column formats must be set before rows are
    written, which write-only mode does not allow after the header, and the file is tiny.
    """
    path = Path(path)
    fields = fields_of(kind)
    wb = Workbook()
    ws = wb.active
    ws.title = f"{KIND_LABELS[kind]}导入模板"
    for i, f in enumerate(fields, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = _WIDTHS.get(f.key, 22 if f.key in TEXT_FIELDS else 14)
        if f.key in TEXT_FIELDS:
            ws.column_dimensions[letter].number_format = "@"
        elif f.kind == "date":
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
        cell = ws.cell(row=1, column=i, value=f.label)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8E8E8")
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("填表说明")
    notes.column_dimensions["A"].width = 100
    for line in TEMPLATE_NOTES[kind]:
        notes.append([line])
    with atomic_output(path) as tmp:
        wb.save(tmp)
    return path
