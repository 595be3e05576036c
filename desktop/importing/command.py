"""``jinguo import people|orgs FILE --db DB …``: the import without a window."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from ..paths import database_argument

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USER_ERROR = 2


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应写成 2024-12-31 这样的格式：{text}") from None


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="从 Excel（.xlsx、.xls）、WPS（.et）、.ods 或 CSV 导入人员或社会组织")
    p.add_argument("kind", choices=("people", "orgs"), help="people：人员；orgs：社会组织")
    p.add_argument("file", type=Path, help="要导入的 .xlsx、.xls、.et、.ods 或 .csv 文件")
    p.add_argument("--db", type=database_argument, required=True, dest="import_db",
                   help="数据库文件，或 postgresql://用户名@服务器:5432/数据库名")
    p.add_argument("--sheet", help="工作表名称（默认：活动工作表或第一个有表头的可见工作表；"
                                   "隐藏的工作表只在指定时读取）")
    p.add_argument("--dry-run", action="store_true", help="只检查，不写入数据库")
    p.add_argument("--skip-invalid", action="store_true",
                   help="跳过有问题和待确认的行，导入其余的行（默认：有任何这样的行则全部不导入）")
    p.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")
    p.add_argument("--rejected", type=Path, metavar="FILE.xlsx",
                   help="把有问题的行连同原因另存为 .xlsx，改正后可重新导入")
    existing = p.add_mutually_exclusive_group()
    existing.add_argument("--update", dest="update_existing", action="store_true", default=True,
                          help="已登记的人员或组织按表中内容更新（默认）")
    existing.add_argument("--skip-existing", dest="update_existing", action="store_false",
                          help="已登记的人员或组织保持不变")
    p.add_argument("--create-orgs", action="store_true",
                   help="人员的所属组织尚未登记时，自动新建为草根组织（默认：该行不导入）")
    p.add_argument("--hours-date", type=_day, help="导入的服务时长记在哪一天（默认：今天）")
    p.add_argument("--map", action="append", default=[], metavar="表头=字段", dest="column_map",
                   help="把某一列按指定的项导入，如 --map \"志愿时长=服务时长\"；"
                        "“表头=”表示这一列不导入。可重复")
    p.add_argument("--allow-rename", action="store_true",
                   help="已登记记录的姓名（名称）、性别或出生日期与表中不同时，按表中内容修改"
                        "（默认：列出这些行，不修改）")
    p.add_argument("--create-possible-duplicates", action="store_true",
                   help="没有身份证号、可能与已登记人员重复的行，作为新的人员登记（默认：列出这些行，不登记）")
    from ..operator_option import add_user_argument

    add_user_argument(p)


def run(args: argparse.Namespace) -> int:
    from models.errors import UserError

    from ..auth import cli_login
    from . import ImportOptions, SheetError, apply_import, plan_import, read_sheet

    ctx = cli_login(args.import_db, args.user, "import", read_only_fallback=args.dry_run)
    if ctx is None:
        return EXIT_USER_ERROR
    try:
        try:
            sheet = read_sheet(args.file, args.kind, sheet=args.sheet)
        except SheetError as e:
            print(e.message, file=sys.stderr)
            return EXIT_USER_ERROR
        try:
            mapping = _mapping(sheet, args.column_map)
        except ValueError as e:
            print(e, file=sys.stderr)
            return EXIT_USER_ERROR
        options = ImportOptions(update_existing=args.update_existing, create_orgs=args.create_orgs,
                                hours_on=args.hours_date, allow_renames=args.allow_rename,
                                create_possible_duplicates=args.create_possible_duplicates)
        plan = plan_import(sheet, mapping, options=options)
        if args.rejected is not None and plan.rejected and not _save_rejected(plan, args.rejected, ctx.user):
            return EXIT_USER_ERROR
        held = bool(plan.renames or plan.possible_duplicates)
        refused = bool(plan.rejected or held) and not args.skip_invalid
        written = not (refused or args.dry_run)
        if written:
            from ..backup import BackupError, before_change

            try:
                before_change(ctx.db, ctx.db_path, "import")
            except BackupError as e:
                print(f"导入前的自动备份没有完成，没有导入：{e.message}", file=sys.stderr)
                return EXIT_USER_ERROR
            try:
                batch = apply_import(plan, ctx.user)
            except (SheetError, UserError) as e:  # another clerk's import or restore runs
                print(f"没有导入：{e.message}", file=sys.stderr)
                return EXIT_USER_ERROR
            created, updated = batch.created, batch.updated
        elif args.dry_run and not refused:
            created, updated = plan.created, plan.updated
        else:
            created = updated = 0
        if args.json:
            _print_json(plan, created, updated)
        else:
            _report(plan, sheet.sheet, created, updated, refused, args.dry_run)
            if args.rejected is not None and plan.rejected:
                print(f"有问题的行已连同原因另存为：{args.rejected}")
        return EXIT_REJECTED if refused else EXIT_OK
    finally:
        ctx.close()


def _mapping(sheet, pairs: list[str]) -> dict[str, int]:
    """The sheet's mapping with each ``--map "表头=字段"`` applied; ValueError says what is wrong."""
    from .columns import KIND_LABELS, field_by_name, fields_of, title_key

    mapping = dict(sheet.mapping)
    for pair in pairs:
        title, sep, name = pair.partition("=")
        if not sep:
            raise ValueError(f"--map 应写成“表头=字段”，如 --map \"志愿时长=服务时长\"：{pair}")
        columns = [i for i, t in enumerate(sheet.header) if title_key(t) == title_key(title) and t]
        if not columns:
            titles = "、".join(t for t in sheet.header if t)
            raise ValueError(f"--map：表头中没有“{title.strip()}”这一列；表头有：{titles}")
        col = columns[0]
        for key in [k for k, c in mapping.items() if c == col]:
            del mapping[key]
        if not name.strip():
            continue  # "表头=": not imported
        key = field_by_name(sheet.kind, name)
        if key is None:
            known = "、".join(f.label for f in fields_of(sheet.kind))
            raise ValueError(f"--map：“{name.strip()}”不是可导入的{KIND_LABELS[sheet.kind]}项；可用：{known}")
        mapping[key] = col
    return mapping


def _print_json(plan, created: int, updated: int) -> None:
    """``plan.summary()`` with the counts written, one rejected row at a time: 120,000 rejected rows
    rendered into one string would take more memory than checking them did."""
    out = sys.stdout
    head = json.dumps({"rows": plan.rows, "created": created, "updated": updated}, ensure_ascii=False)
    out.write(head[:-1] + ', "rejected": [')
    for i, entry in enumerate(plan.rejected_summary()):
        out.write((", " if i else "") + json.dumps(entry, ensure_ascii=False))
    held = json.dumps(plan.held_summary(), ensure_ascii=False)
    notices = json.dumps([str(n) for n in plan.sheet.notices], ensure_ascii=False)
    out.write(f'], {held[1:-1]}, "notices": {notices}}}\n')


def _save_rejected(plan, path: Path, user) -> bool:
    """``--rejected``: the rejected rows with their reasons as .xlsx; False (and a message) if not."""
    from models.i18n import msg

    from ..reports.output import ExportError
    from . import save_rejected

    try:
        if path.suffix.lower() != ".xlsx":
            raise ExportError(msg("有问题的行只能另存为 .xlsx 文件：{name}", name=path.name))
        save_rejected(plan, path, user)
    except ExportError as e:
        print(e.message, file=sys.stderr)
        return False
    return True


def _report(plan, sheet: str, created: int, updated: int, refused: bool, dry_run: bool) -> None:
    held = plan.held_summary()
    for notice in plan.sheet.notices:
        print(notice)
    if plan.roster is not None:
        what = {"organization": "组织", "team": "团队", "venue": "活动阵地"}[plan.roster.kind]
        print(f"这是{what}“{plan.roster.target}”的花名册：按花名册导入。")
    for guess in held["guessed_columns"]:
        print(f"按列名猜测：“{guess['column']}”列作为“{guess['field']}”导入（不对的话用 --map 指定）。")
    if held["ignored_columns"]:
        print("未导入的列：" + "；".join(held["ignored_columns"])
              + "（如要导入，用 --map \"表头=字段\" 指定）。")
    for r in plan.rejected:
        print(f"第 {r.row} 行 {r.column}：{r.reason_text()}")
    for entry in held["renames"]:
        changes = "；".join(f"{c['field']}：{c['old']} → {c['new']}" for c in entry["changes"])
        print(f"第 {entry['row']} 行 修改已登记记录的身份信息，未修改"
              f"（确认无误请加 --allow-rename）：{changes}")
    for entry in held["possible_duplicates"]:
        print(f"第 {entry['row']} 行 {entry['name']}：可能重复，未登记（{entry['reason']}："
              f"{'；'.join(entry['candidates'])}；确认是不同的人请加 --create-possible-duplicates）")
    parts = [f"工作表“{sheet}”共 {plan.rows} 行"]
    if dry_run and not refused:
        parts.append(f"可新建 {plan.created} 条，可更新 {plan.updated} 条")
    else:
        parts.append(f"新建 {created} 条，更新 {updated} 条")
    if plan.unchanged:
        parts.append(f"无变化 {len(plan.unchanged)} 条")
    if plan.skipped:
        parts.append(f"已登记而保持不变 {len(plan.skipped)} 条")
    parts.append(f"有问题 {len(plan.rejected)} 行")
    if plan.renames:
        parts.append(f"待确认修改 {len(plan.renames)} 条")
    if plan.possible_duplicates:
        parts.append(f"可能重复 {len(plan.possible_duplicates)} 行")
    print("，".join(parts) + "。")
    if refused and plan.rejected:
        print("有问题的行须先改正：本次没有导入任何数据。也可以加 --skip-invalid 只导入没有问题的行。")
    elif refused:
        print("有待确认的行：本次没有导入任何数据。确认无误后加 --allow-rename 或 "
              "--create-possible-duplicates 再导入，或加 --skip-invalid 只导入其余的行。")
    elif dry_run:
        print("这是检查（--dry-run），没有写入数据库。")
