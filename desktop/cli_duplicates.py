"""``jinguo duplicates people|orgs``, ``jinguo merge people|orgs KEEP DROP`` and
``jinguo merge undo MERGE_ID``: finding and merging duplicates without a window.

Exit 0 when done (a list, even an empty one, is done); 2 when refused (a role without the
right, a record not found, a merge that cannot be done or undone: the message says why).
"""

from __future__ import annotations

import argparse
import json
import sys

from .paths import database_argument

EXIT_OK = 0
EXIT_USER_ERROR = 2
KIND_HELP = "people：人员；orgs：社会组织"


def _field_choice(text: str) -> tuple[str, str]:
    name, sep, side = text.partition("=")
    side = {"drop": "dropped", "dropped": "dropped", "keep": "kept", "kept": "kept"}.get(side.strip())
    if not sep or not name.strip() or side is None:
        raise argparse.ArgumentTypeError(f"应写成 字段=drop 或 字段=keep，如 phone=drop：{text}")
    return name.strip(), side


def add_parsers(sub: argparse._SubParsersAction) -> None:
    from .operator_option import add_user_argument

    def database(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--db", type=database_argument, required=True, dest="dup_db",
                            help="数据库文件，或 postgresql://用户名@服务器:5432/数据库名")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")
        add_user_argument(parser)

    found = sub.add_parser("duplicates", help="列出可能重复的人员或社会组织，及其得分和理由")
    found.add_argument("kind", choices=("people", "orgs"), help=KIND_HELP)
    found.add_argument("--all", action="store_true", help="也列出得分低于阈值的配对")
    database(found)
    merge = sub.add_parser("merge", help="合并两条重复的记录，或撤销一次合并")
    actions = merge.add_subparsers(dest="merge_command", metavar="操作", required=True)
    for kind, what in (("people", "人员"), ("orgs", "社会组织")):
        p = actions.add_parser(kind, help=f"把一条{what}记录（DROP）合并到另一条（KEEP）")
        p.add_argument("keep", type=int, metavar="KEEP", help="保留的记录的编号")
        p.add_argument("drop", type=int, metavar="DROP", help="被合并（归档）的记录的编号")
        p.add_argument("--field", action="append", default=[], type=_field_choice, metavar="字段=drop",
                       help="这个字段取被合并记录的值（drop）或保留记录的值（keep），可重复；"
                            "默认：保留记录的值，它为空时取另一条的")
        database(p)
    undo = actions.add_parser("undo", help="撤销一次合并（之后没有依赖它的修改时）")
    undo.add_argument("merge_id", type=int, metavar="MERGE_ID", help="合并的编号（合并时显示）")
    database(undo)


def run(args: argparse.Namespace) -> int:
    from models.errors import UserError, ValidationFailed

    from .auth import cli_login

    writes = args.command == "merge"
    ctx = cli_login(args.dup_db, args.user, "merge", read_only_fallback=not writes)
    if ctx is None:
        return EXIT_USER_ERROR
    try:
        if args.command == "duplicates":
            return _list(args)
        if args.merge_command == "undo":
            return _undo(args, ctx.user)
        return _merge(args, ctx.user)
    except UserError as e:
        print(e.message, file=sys.stderr)
    except ValidationFailed as e:
        print("；".join(str(m) for m in e.errors.values()), file=sys.stderr)
    finally:
        ctx.close()
    return EXIT_USER_ERROR


def _list(args: argparse.Namespace) -> int:
    from models.duplicates import find, names_of, rule_set

    rules = rule_set(args.kind)
    found = find(args.kind, rules, everything=args.all)
    names = names_of(args.kind, (i for c in found for i in (c.first, c.second)))
    if args.json:
        rows = [{**c.as_json(), "first_name": names.get(c.first, ""), "second_name": names.get(c.second, "")}
                for c in found]
        print(json.dumps({"kind": args.kind, "threshold": rules.threshold, "candidates": rows},
                         ensure_ascii=False, indent=1))
        return EXIT_OK
    if not found:
        print("没有可能重复的配对。" if args.all else f"没有得分达到 {rules.threshold} 分的可能重复。")
        return EXIT_OK
    print(f"可能重复 {len(found)} 对（阈值 {rules.threshold} 分）：")
    for c in found:
        print(f"{c.score:>3} 分  {names.get(c.first, '')}（编号 {c.first}） ↔ "
              f"{names.get(c.second, '')}（编号 {c.second}）  {c.reasons_text()}")
    return EXIT_OK


def _merge(args: argparse.Namespace, user) -> int:
    from models.merge import merge, plan_merge

    choices = dict(args.field)
    plan = plan_merge(args.merge_command, args.keep, args.drop, choices)
    record = merge(args.merge_command, args.keep, args.drop, user, choices)
    if args.json:
        print(json.dumps({"merge_id": record.id, "kind": record.kind, "kept": record.kept_id,
                          "dropped": record.dropped_id, "moved": plan.moved_counts()},
                         ensure_ascii=False))
        return EXIT_OK
    print(f"已合并（合并编号 {record.id}）：{record.summary}")
    for line in plan.preview_lines():
        print(f"  {line}")
    print(f"如需撤销：jinguo merge undo --db … {record.id}")
    return EXIT_OK


def _undo(args: argparse.Namespace, user) -> int:
    from models.merge import undo_merge

    record = undo_merge(args.merge_id, user)
    if args.json:
        print(json.dumps({"merge_id": record.id, "undone": True}, ensure_ascii=False))
    else:
        print(f"已撤销合并 {record.id}：{record.summary}")
    return EXIT_OK
