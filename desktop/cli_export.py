"""``jinguo export summary|roster|table|certificate``: the reports, without a window.

The same functions the Reports page and the list pages call. Exit 0 on success; a Chinese
message and exit 2 on bad input (unknown name, bad period, unwritable path), and no file.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from models.i18n import Message

from .paths import database_argument

EXIT_USER_ERROR = 2

# ENTITY on the command line -> (module, listing class, filter class) of its list page.
TABLES: dict[str, tuple[str, str, str]] = {
    "organizations": ("models.organization_listing", "OrganizationListing", "OrganizationFilter"),
    "people": ("models.person_listing", "PersonListing", "PersonFilter"),
    "teams": ("models.team_listing", "TeamListing", "TeamFilter"),
    "venues": ("models.venue_listing", "VenueListing", "VenueFilter"),
    "projects": ("models.project_listing", "ProjectListing", "ProjectFilter"),
    "activities": ("models.activity_listing", "ActivityListing", "ActivityFilter"),
    "trainings": ("models.training_listing", "TrainingListing", "TrainingFilter"),
}
TABLE_TITLES = {"organizations": "社会组织", "people": "人员", "teams": "三工联动团队",
                "venues": "活动阵地", "projects": "项目", "activities": "活动", "trainings": "培训"}


def add_export_parser(sub: argparse._SubParsersAction) -> None:
    from .operator_option import add_user_argument

    export = sub.add_parser("export", help="导出统计报表、花名册、列表或志愿服务记录证明（不打开窗口）")
    kinds = export.add_subparsers(dest="report", metavar="报表", required=True)

    def common(parser: argparse.ArgumentParser, formats: tuple[str, ...] | None) -> None:
        parser.add_argument("--db", type=database_argument, dest="export_db",
                            help="数据库文件或 postgresql:// 服务器地址"
                                 "（默认：JINGUO_DB，否则窗口中选定的服务器，否则用户数据文件夹中的）")
        parser.add_argument("-o", "--output", type=Path, required=True, help="输出文件")
        add_user_argument(parser)
        if formats:
            parser.add_argument("--format", choices=formats, help="文件格式（默认按输出文件的扩展名）")

    summary = kinds.add_parser("summary",
                               help="统计报表（年、季度或月）：xlsx、pdf，或按指标代码逐项列出的 json")
    summary.add_argument("--period", required=True, help="报告期：2025、2025Q3 或 2025-03")
    summary.add_argument("--township", help="只统计这个镇（街道）；不写则为全县")
    summary.add_argument("--rollup", action="store_true",
                         help="汇总：本单位自有记录加上已接收的下级单位数据包，按单位分列"
                              "（见 jinguo exchange）")
    summary.add_argument("--charts", action="store_true",
                         help="PDF 后附图表页：孵化进程、项目金额、近12个月志愿服务时长、服务领域")
    common(summary, ("xlsx", "pdf", "json"))

    roster = kinds.add_parser("roster", help="花名册")
    target = roster.add_mutually_exclusive_group(required=True)
    target.add_argument("--org", help="社会组织名称（成员花名册）")
    target.add_argument("--team", help="三工联动团队名称")
    target.add_argument("--venue", help="活动阵地名称（经常使用阵地的人员）")
    target.add_argument("--volunteers", action="store_true", help="全部志愿者（可加 --township）")
    roster.add_argument("--township", help="与 --volunteers 一起用：只列这个镇（街道）的志愿者")
    roster.add_argument("--order", choices=("strokes", "pinyin"), default="strokes",
                        help="排序：strokes 姓氏笔画（默认），pinyin 拼音")
    common(roster, ("xlsx", "pdf"))

    table = kinds.add_parser("table", help="导出一个列表（与列表页相同的列）为 Excel")
    table.add_argument("entity", choices=sorted(TABLES), help="列表")
    common(table, None)

    certificate = kinds.add_parser("certificate", help="志愿服务记录证明（PDF）")
    certificate.add_argument("--id-number", required=True, help="志愿者的身份证号")
    certificate.add_argument("--period", required=True, help="服务期间：2025、2025Q3 或 2025-03")
    common(certificate, None)


def _fail(message: Message | str) -> int:
    print(str(message), file=sys.stderr)
    return EXIT_USER_ERROR


def _format(args: argparse.Namespace, allowed: tuple[str, ...]) -> str:
    from desktop.reports.output import ExportError
    from models.i18n import msg

    fmt = getattr(args, "format", None) or args.output.suffix.lower().lstrip(".")
    if fmt not in allowed:
        raise ExportError(msg("无法确定文件格式：请用 --format {formats}，或让输出文件以 .{first} 结尾。",
                              formats="|".join(allowed), first=allowed[0]))
    return fmt


def run_export(args: argparse.Namespace) -> int:
    from desktop.auth import cli_login
    from desktop.reports.output import ExportError
    from models.errors import ValidationFailed

    ctx = cli_login(args.export_db, args.user, "export")
    if ctx is None:
        return EXIT_USER_ERROR
    try:
        action = _ACTIONS[args.report]
        done = action(args, ctx.user)
    except ExportError as e:
        return _fail(e.message)
    except ValidationFailed as e:
        return _fail("；".join(str(m) for m in e.errors.values()))
    finally:
        ctx.close()
    print(done)
    return 0


def _township_id(name: str | None) -> int | None:
    from desktop.reports.output import ExportError
    from models.rosters import RosterError, find_township

    if not name:
        return None
    try:
        return find_township(name)
    except RosterError as e:
        raise ExportError(e.message) from e


def _summary(args: argparse.Namespace, user) -> str:
    from desktop.reports.summary import export_summary
    from models.periods import parse_period

    period = parse_period(args.period)
    if args.rollup:
        from desktop.exchange.rollup import export_rollup

        path = export_rollup(args.output, period, _format(args, ("xlsx", "pdf", "json")), user=user)
        return f"已导出汇总统计报表（{period.label}）：{path}"
    township = _township_id(args.township)
    path = export_summary(args.output, period, township, _format(args, ("xlsx", "pdf", "json")),
                          user=user, charts=args.charts)
    return f"已导出统计报表（{period.label}）：{path}"


def _roster(args: argparse.Namespace, user) -> str:
    from desktop.reports.roster import export_roster, resolve_target

    if args.township and not args.volunteers:
        from desktop.reports.output import ExportError
        from models.i18n import msg

        raise ExportError(msg("--township 只能与 --volunteers 一起使用"))
    kind, name = next((k, v) for k, v in (("organization", args.org), ("team", args.team),
                                           ("venue", args.venue), ("volunteers", None))
                      if v or k == "volunteers")
    target = resolve_target(kind, name) if name else None
    fmt = _format(args, ("xlsx", "pdf"))
    from desktop.auth import may_see_full_ids

    may_see = may_see_full_ids(user)  # and the settings must allow printing them
    path = export_roster(args.output, kind, target, fmt, args.order, _township_id(args.township),
                         full_ids=may_see, user=user)
    return f"已导出花名册：{path}"


def _table(args: argparse.Namespace, user) -> str:
    import importlib

    from desktop.reports.table_export import export_listing

    _format(args, ("xlsx",))
    module, listing_name, filter_name = TABLES[args.entity]
    loaded = importlib.import_module(module)
    listing = getattr(loaded, listing_name)()
    from desktop.auth import may_see_full_ids

    rows = export_listing(args.output, listing, getattr(loaded, filter_name)(), listing.default_sort,
                          listing.default_descending, user=user, title=TABLE_TITLES[args.entity],
                          full_ids=may_see_full_ids(user))
    return f"已导出{TABLE_TITLES[args.entity]}列表 {rows} 行：{args.output}"


def _certificate(args: argparse.Namespace, user) -> str:
    from desktop.reports.certificate import export_certificate, find_person_by_id_number
    from models.periods import parse_period

    _format(args, ("pdf",))
    person = find_person_by_id_number(args.id_number)
    period = parse_period(args.period)
    certificate = export_certificate(args.output, person.id, period.start, period.end, user=user)
    return f"已出具志愿服务记录证明 {certificate.number}：{args.output}"


_ACTIONS: dict[str, Callable[[argparse.Namespace, object], str]] = {
    "summary": _summary, "roster": _roster, "table": _table, "certificate": _certificate,
}
