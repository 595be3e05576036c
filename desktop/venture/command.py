"""``jinguo venture export publicity|report|letters --db DB --round ID -o FILE``: a round's 公示
list, its report and the letters to its applicants without a window (the same functions as the
round's detail). Exit 0 on success; a Chinese message and exit 2 on bad input, and no file.

``jinguo venture import --db DB --round ID FILE [--dry-run] [--json]``: applications from the
office's 申报表. Exit 0 when every row was imported (or would be, with --dry-run), 1 when some
rows were refused (the others are imported), 2 when the file or the round is unusable."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..paths import database_argument

EXIT_USER_ERROR = 2
EXIT_SOME_REFUSED = 1


def add_parsers(sub: argparse._SubParsersAction) -> None:
    from ..operator_option import add_user_argument

    venture = sub.add_parser("venture", help="公益创投、微创投轮次：导出公示名单、轮次报告和结果通知书")
    actions = venture.add_subparsers(dest="venture_command", metavar="操作", required=True)
    export = actions.add_parser("export",
                                help="导出公示名单（publicity）、轮次报告（report）或结果通知书（letters）")
    export.add_argument("paper", choices=("publicity", "report", "letters"),
                        help="publicity 公示名单；report 轮次报告（按服务领域、镇街的申报与资助）；"
                             "letters 结果通知书（每份申报一页，仅 PDF）")
    export.add_argument("--db", type=database_argument, dest="venture_db",
                        help="数据库文件或 postgresql:// 服务器地址"
                             "（默认：JINGUO_DB，否则窗口中选定的服务器，否则用户数据文件夹中的）")
    export.add_argument("--round", type=int, required=True, dest="round_id", metavar="编号",
                        help="轮次的编号（“创投”页列表中的“编号”）")
    export.add_argument("-o", "--output", type=Path, required=True, help="输出文件（.xlsx 或 .pdf）")
    export.add_argument("--format", choices=("xlsx", "pdf"), help="文件格式（默认按输出文件的扩展名）")
    add_user_argument(export)
    imp = actions.add_parser("import", help="从办公室的申报表（.xlsx）导入申报，状态为“征集”")
    imp.add_argument("file", type=Path, help="填好的申报表（.xlsx；列名见轮次详情的“导出申报表模板”）")
    imp.add_argument("--db", type=database_argument, dest="venture_db",
                     help="数据库文件或 postgresql:// 服务器地址"
                          "（默认：JINGUO_DB，否则窗口中选定的服务器，否则用户数据文件夹中的）")
    imp.add_argument("--round", type=int, required=True, dest="round_id", metavar="编号",
                     help="轮次的编号（“创投”页列表中的“编号”）")
    imp.add_argument("--dry-run", action="store_true", help="只检查，不写入数据库")
    imp.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")
    add_user_argument(imp)


def run(args: argparse.Namespace) -> int:
    if args.venture_command == "import":
        return run_import(args)
    from desktop.auth import cli_login
    from desktop.reports.output import ExportError

    from .letters import export_letters
    from .outputs import export_publicity, export_round_report

    fmt = args.format or ("pdf" if args.output.suffix.lower() == ".pdf" else "xlsx")
    if args.paper == "letters" and (fmt != "pdf" or args.output.suffix.lower() != ".pdf"):
        print("结果通知书只能导出为 PDF：请给出以 .pdf 结尾的输出文件。", file=sys.stderr)
        return EXIT_USER_ERROR
    ctx = cli_login(args.venture_db, args.user, "export")
    if ctx is None:
        return EXIT_USER_ERROR
    try:
        if args.paper == "publicity":
            path = export_publicity(args.output, args.round_id, fmt, ctx.user)
            done = f"已导出公示名单：{path}"
        elif args.paper == "letters":
            path = export_letters(args.output, args.round_id, ctx.user)
            done = f"已导出结果通知书：{path}"
        else:
            path = export_round_report(args.output, args.round_id, fmt, ctx.user)
            done = f"已导出轮次报告：{path}"
    except ExportError as e:
        print(e.message, file=sys.stderr)
        return EXIT_USER_ERROR
    finally:
        ctx.close()
    print(done)
    return 0


def run_import(args: argparse.Namespace) -> int:
    from desktop.auth import cli_login
    from desktop.reports.output import ExportError
    from models.errors import ValidationFailed

    from .application_sheet import ApplicationSheetRefused, import_applications
    from .outputs import find_round

    ctx = cli_login(args.venture_db, args.user, "import", read_only_fallback=args.dry_run)
    if ctx is None:
        return EXIT_USER_ERROR
    try:
        rnd = find_round(args.round_id)
        done = import_applications(args.file, rnd, ctx.user, dry_run=args.dry_run)
    except ExportError as e:
        print(e.message, file=sys.stderr)
        return EXIT_USER_ERROR
    except ApplicationSheetRefused as e:
        print(e.message, file=sys.stderr)
        return EXIT_USER_ERROR
    except ValidationFailed as e:
        print("；".join(str(m) for m in e.errors.values()), file=sys.stderr)
        return EXIT_USER_ERROR
    finally:
        ctx.close()
    plan = done.plan
    if args.json:
        print(json.dumps({
            "round": rnd.id, "dry_run": args.dry_run, "rows": len(plan.rows), "created": done.created,
            "accepted": [{"row": r.number, "organization": r.organization, "title": r.title,
                          "amount": str(r.amount)} for r in plan.accepted],
            "refused": [{"row": r.number, "organization": r.organization, "title": r.title,
                         "reason": str(r.reason)} for r in plan.refused],
        }, ensure_ascii=False))
    else:
        for row in plan.refused:
            print(f"未导入：{row.reason}", file=sys.stderr)
        verb = "可导入" if args.dry_run else "已导入"
        print(f"{verb} {len(plan.accepted)} 份申报到“{rnd.name}”，未导入 {len(plan.refused)} 行。")
    return EXIT_SOME_REFUSED if plan.refused else 0
