"""``jinguo unit set|show`` and ``jinguo exchange export|import|status|units|accept|return|receipt``.

Exit codes: 0 done; 1 (import) some files refused, the others imported; 2 unusable input (no unit
set, no such file, bad period or code), nothing changed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..paths import database_argument

EXIT_REFUSED = 1
EXIT_USER_ERROR = 2


def _db(parser: argparse.ArgumentParser) -> None:
    from ..operator_option import add_user_argument

    parser.add_argument("--db", type=database_argument, dest="exchange_db",
                        help="数据库文件或 postgresql:// 服务器地址（默认同其他命令）")
    add_user_argument(parser)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    unit = sub.add_parser("unit", help="本单位：名称、区划代码、级别、上级单位和签名密钥")
    unit_sub = unit.add_subparsers(dest="unit_command", metavar="操作", required=True)
    set_ = unit_sub.add_parser("set", help="设置本单位（第一次设置时生成签名密钥）")
    set_.add_argument("--name", required=True, help="单位名称，如 青禾县妇女联合会")
    set_.add_argument("--code", required=True, help="统计用区划代码：乡镇 9 位，县、市 6 位")
    set_.add_argument("--level", required=True, choices=("township", "county", "city"), help="级别")
    set_.add_argument("--parent-code", default="", help="上级单位的区划代码（市级不填）")
    _db(set_)
    _db(unit_sub.add_parser("show", help="显示本单位和密钥指纹"))

    ex = sub.add_parser("exchange", help="上报数据包：导出、导入、报送情况、审核与回执")
    ex_sub = ex.add_subparsers(dest="exchange_command", metavar="操作", required=True)
    export = ex_sub.add_parser("export", help="导出本单位的上报数据包（有下级单位时为汇总数据）")
    export.add_argument("--period", required=True, help="报告期：2025、2025Q3 或 2025-03")
    export.add_argument("-o", "--output", type=Path, required=True, help="数据包文件，或放数据包的文件夹")
    export.add_argument("--with-register", action="store_true", help="附社会组织名录（不含任何个人信息）")
    _db(export)
    imp = ex_sub.add_parser("import", help="导入下级单位的数据包（或上级单位的回执）")
    imp.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR", help="数据包文件或文件夹")
    imp.add_argument("--dry-run", action="store_true", help="只列出将会怎样导入，不改动数据库")
    imp.add_argument("--json", action="store_true", help="以 JSON 输出每个文件的结果")
    imp.add_argument("--trust-new", action="store_true",
                     help="接受新的下级单位或新的密钥（请先打电话核对密钥指纹）")
    imp.add_argument("--take-older", action="store_true", help="用较旧的数据包替换已导入的较新的")
    _db(imp)
    status = ex_sub.add_parser("status", help="报送情况：已报、已审核、退回、逾期、未报")
    status.add_argument("--period", required=True, help="报告期")
    status.add_argument("--json", action="store_true", help="以 JSON 输出")
    _db(status)
    _db(ex_sub.add_parser("units", help="列出下级单位及其密钥指纹"))
    accept = ex_sub.add_parser("accept", help="审核通过一个下级单位某报告期的数据包")
    accept.add_argument("--unit", required=True, help="下级单位的区划代码")
    accept.add_argument("--period", required=True, help="报告期")
    accept.add_argument("--take-waiting", action="store_true", help="先接受审核后又收到的新数据包")
    _db(accept)
    back = ex_sub.add_parser("return", help="退回一个下级单位某报告期的数据包")
    back.add_argument("--unit", required=True, help="下级单位的区划代码")
    back.add_argument("--period", required=True, help="报告期")
    back.add_argument("--note", required=True, help="退回原因")
    _db(back)
    receipt = ex_sub.add_parser("receipt", help="为下级单位出具签名回执（收到、已审核或退回）")
    receipt.add_argument("--unit", required=True, help="下级单位的区划代码")
    receipt.add_argument("--period", required=True, help="报告期")
    receipt.add_argument("-o", "--output", type=Path, required=True, help="回执文件（.jgrcpt）")
    _db(receipt)


def _fail(message) -> int:
    print(str(message), file=sys.stderr)
    return EXIT_USER_ERROR


def run(args: argparse.Namespace) -> int:
    from models.errors import ValidationFailed

    from ..auth import cli_login
    from ..reports.output import ExportError
    from .receive import InputError

    command = args.command if args.command == "unit" else args.exchange_command
    permission = "settings" if args.command == "unit" and args.unit_command == "set" else (
        "import" if command in ("import", "accept", "return") else "export")
    ctx = cli_login(args.exchange_db, args.user, permission,
                    read_only_fallback=command in ("show", "status", "units"))
    if ctx is None:
        return EXIT_USER_ERROR
    try:
        handler = _unit if args.command == "unit" else _HANDLERS[command]
        return handler(args, ctx.user)
    except (ExportError, InputError) as e:
        return _fail(e.message)
    except ValidationFailed as e:
        return _fail("；".join(str(m) for m in e.errors.values()))
    finally:
        ctx.close()


def _period(text: str):
    from models.periods import parse_period

    return parse_period(text)


def _unit(args: argparse.Namespace, user) -> int:
    from models.units import current_unit, fingerprint, level_label, set_unit, signing_key

    if args.unit_command == "set":
        set_unit(args.name, args.code, args.level, args.parent_code, user)
    unit, key = current_unit(), signing_key()
    if not unit.is_set:
        return _fail("尚未设置本单位：jinguo unit set --name 名称 --code 区划代码 "
                     "--level township|county|city")
    print(f"本单位：{unit.name}（{level_label(unit.level)}，区划代码 {unit.code}）")
    print(f"上级单位代码：{unit.parent_code or '（无）'}")
    print(f"密钥指纹：{fingerprint(key.public_key) if key else '（无）'}")
    return 0


def _export(args: argparse.Namespace, user) -> int:
    from .service import export_package

    path, document = export_package(args.output, _period(args.period), args.with_register, user)
    rolled = document["header"].get("rollup")
    extra = f"，汇总了 {len(rolled['units'])} 个下级单位" if rolled is not None else ""
    label = document["header"]["period"]["label"]
    print(f"已导出上报数据包（{label}，{len(document['values'])} 项数据{extra}）：{path}")
    return 0


def _import(args: argparse.Namespace, user) -> int:
    from .receive import apply_import, plan_import

    verdicts = plan_import(args.paths, args.trust_new, args.take_older)
    done = 0 if args.dry_run else apply_import(verdicts, user)
    refused = [v for v in verdicts if v.status == "refused"]
    if args.json:
        print(json.dumps({"dry_run": args.dry_run, "imported": done, "refused": len(refused),
                          "files": [v.as_json() for v in verdicts]}, ensure_ascii=False, indent=1))
    else:
        for v in verdicts:
            who = f"{v.unit_name}（{v.unit_code}）{v.period}" if v.unit_code else ""
            print(f"[{v.label}] {v.path.name} {who} {v.reason}".rstrip())
        verb = "将导入" if args.dry_run else "已导入"
        applied = sum(v.status in ("new", "replace", "waiting") for v in verdicts)
        same = sum(v.status == "same" for v in verdicts)
        print(f"{verb} {applied} 个，相同 {same} 个，拒绝 {len(refused)} 个。")
    return EXIT_REFUSED if refused else 0


def _status(args: argparse.Namespace, user) -> int:
    from models.exchange import due_date, reporting_status
    from models.exchange_entities import ReceivedReceipt

    period = _period(args.period)
    rows = reporting_status(period)
    receipts = list(ReceivedReceipt.select().where(ReceivedReceipt.period == period.code)
                    .order_by(ReceivedReceipt.made_at))
    if args.json:
        print(json.dumps({
            "period": period.code, "due": due_date(period).isoformat(),
            "units": [{"code": r.code, "name": r.name, "level": r.level, "status": r.status,
                       "label": r.label, "received_at": r.received_at.isoformat() if r.received_at else None,
                       "made_at": r.made_at, "sha256": r.sha256, "waiting": r.waiting, "note": r.note}
                      for r in rows],
            "receipts": [{"state": r.state, "note": r.note, "made_at": r.made_at, "from": r.sender_name}
                         for r in receipts]}, ensure_ascii=False, indent=1))
        return 0
    print(f"{period.label}报送情况（截止 {due_date(period).isoformat()}）：")
    for r in rows:
        when = f" {r.received_at:%Y-%m-%d %H:%M} 收到" if r.received_at else ""
        extra = (f"，另有 {r.waiting} 个新数据包待接受" if r.waiting else "") \
            + (f"，{r.note}" if r.note else "")
        print(f"  {r.code} {r.name}：{r.label}{when}{extra}")
    if not rows:
        print("  （还没有下级单位）")
    for r in receipts:
        label = {"received": "已收到", "accepted": "已审核", "returned": "退回"}[r.state]
        print(f"上级回执：{r.sender_name} {label}{('：' + r.note) if r.note else ''}（{r.made_at[:19]}）")
    return 0


def _units(args: argparse.Namespace, user) -> int:
    from models.exchange_entities import LowerUnit
    from models.units import level_label

    for u in LowerUnit.select().order_by(LowerUnit.code):
        first = f"{u.first_package_at:%Y-%m-%d}" if u.first_package_at else "-"
        last = f"{u.last_package_at:%Y-%m-%d}" if u.last_package_at else "-"
        print(f"{u.code} {u.name}（{level_label(u.level)}） 指纹 {u.fingerprint} 首次 {first} 最近 {last}")
    return 0


def _accept(args: argparse.Namespace, user) -> int:
    from .service import accept, find_unit

    unit, period = find_unit(args.unit), _period(args.period)
    accept(unit, period, user, args.take_waiting)
    print(f"已审核：{unit.name} {period.label}")
    return 0


def _return(args: argparse.Namespace, user) -> int:
    from .service import find_unit, send_back

    unit, period = find_unit(args.unit), _period(args.period)
    send_back(unit, period, args.note, user)
    print(f"已退回：{unit.name} {period.label}（请用 jinguo exchange receipt 出具回执发给对方）")
    return 0


def _receipt(args: argparse.Namespace, user) -> int:
    from .service import find_unit, write_receipt

    unit, period = find_unit(args.unit), _period(args.period)
    path = write_receipt(args.output, unit, period, user)
    print(f"已出具回执：{path}")
    return 0


_HANDLERS = {"export": _export, "import": _import, "status": _status, "units": _units,
             "accept": _accept, "return": _return, "receipt": _receipt}
