"""``jinguo db copy --from SOURCE --to TARGET``: a whole database moved between a SQLite file and
a PostgreSQL server (an office that outgrows one PC), or file to file, server to server.

Copying every record out is an export of personal data: an administrator of the source logs in,
and the source's audit trail records it before anything is copied (no line, no copy).
Exit 0 when copied and checked; 2 when refused or failed (the target is then as it was).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from .paths import database_argument, is_server_url

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_USER_ERROR = 2
PROGRESS_AFTER_S = 1.0  # a copy quicker than this says nothing until its summary


def add_parser(sub: argparse._SubParsersAction) -> None:
    from .operator_option import add_user_argument

    db = sub.add_parser("db", help="整个数据库：在数据库文件和数据库服务器之间复制")
    actions = db.add_subparsers(dest="db_command", metavar="操作", required=True)
    copy = actions.add_parser(
        "copy", help="把整个数据库复制到一个新的数据库文件，或服务器上一个空的数据库（管理员）")
    copy.add_argument("--from", dest="copy_from", type=database_argument, required=True,
                      metavar="源数据库", help="数据库文件，或 postgresql://用户名@服务器:5432/数据库名")
    copy.add_argument("--to", dest="copy_to", type=database_argument, required=True,
                      metavar="目标数据库",
                      help="新的数据库文件，或服务器上空的数据库 postgresql://用户名@服务器:5432/数据库名")
    add_user_argument(copy)


class StderrProgress:
    """Progress of a long copy on stderr, once a second (on one line in a terminal)."""

    def __init__(self, verb: str):
        self.verb = verb
        self.started = time.monotonic()
        self.shown = 0.0
        self.terminal = sys.stderr.isatty()

    def __call__(self, table: str, done: int, total: int) -> None:
        from .integrity import table_label

        now = time.monotonic()
        if now - self.started < PROGRESS_AFTER_S or now - self.shown < 1.0:
            return
        self.shown = now
        line = f"{self.verb}：{done:,} / {total:,} 行（{table_label(table)}）"
        print(line, file=sys.stderr, end="\r" if self.terminal else "\n", flush=True)

    def close(self) -> None:
        if self.terminal and self.shown:
            print(file=sys.stderr)


def _source_problem(source: Path | str) -> str | None:
    """A source that is not there is not created by opening it (as a target would be)."""
    if is_server_url(source):
        from models.schema import VERSION_TABLE

        from .database import DatabaseOpenError, connect_server

        try:
            db = connect_server(str(source))
        except DatabaseOpenError as e:
            return str(e.message)
        try:
            if VERSION_TABLE not in db.get_tables():
                return (f"服务器数据库 {db.location} 里没有巾帼枢纽的数据（它是空的，或属于别的程序）。"
                        "请核对数据库名。")
        finally:
            db.close()
        return None
    path = Path(source).expanduser()
    if not path.is_file():
        return f"找不到数据库文件 {path}。请检查路径。"
    return None


def run(args: argparse.Namespace) -> int:
    from .auth import cli_login


    problem = _source_problem(args.copy_from)
    if problem is not None:
        print(problem, file=sys.stderr)
        return EXIT_USER_ERROR
    ctx = cli_login(args.copy_from, args.user, "copy")
    if ctx is None:
        return EXIT_USER_ERROR
    try:
        return _copy(ctx, args.copy_to)
    finally:
        ctx.close()


def _copy(ctx, target: Path | str) -> int:
    from .database import without_password
    from .dbcopy import CopyError, copy_database, record_copy, target_problem

    problem = target_problem(target)
    if problem is not None:
        print(problem, file=sys.stderr)
        return EXIT_USER_ERROR
    shown = without_password(str(target)) if is_server_url(target) else Path(target).expanduser().resolve()
    refusal = record_copy(ctx.user, f"复制整个数据库到 {shown}")
    if refusal is not None:
        print(f"没有复制：{refusal}", file=sys.stderr)
        return EXIT_USER_ERROR
    progress = StderrProgress("正在复制")
    try:
        report = copy_database(ctx.db, target, progress)
    except CopyError as e:
        progress.close()
        print(e.message, file=sys.stderr)
        return EXIT_USER_ERROR
    progress.close()
    print(f"已把 {report.source} 复制到 {report.target}：{report.tables} 个表，共 {report.total_rows:,} 行，"
          f"用时 {report.seconds:.1f} 秒。")
    print("核对无误：每个表的行数与源数据库相同，数据库检查通过。")
    return EXIT_OK
