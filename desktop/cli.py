"""Command line: ``jinguo [--db PATH] [--smoke]``, ``jinguo demo --db PATH [--people N]``,
``jinguo import people|orgs FILE --db PATH …``, ``jinguo export …`` (see cli_export),
``jinguo backup|restore|check`` (see cli_backup), ``jinguo db copy`` (see cli_db),
``jinguo key …`` and ``jinguo user password`` (see cli_keys)."""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys
import time
from pathlib import Path

from .operator_option import add_user_argument
from .paths import database_argument

_STARTED = time.perf_counter()

log = logging.getLogger(__name__)

EXIT_USER_ERROR = 2
EXIT_PIPE_CLOSED = 141  # what a shell reports for a Unix tool stopped by a closed pipe (128 + SIGPIPE)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jinguo", description="巾帼枢纽：妇联社会组织工作台账（单机版）"
    )
    add_window_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="命令")
    demo = sub.add_parser("demo", help="在一个新数据库中生成演示县的数据")
    demo.add_argument("--db", type=database_argument, required=True, dest="demo_db",
                      help="新的数据库文件，或服务器上的空数据库 postgresql://用户名@服务器:5432/数据库名")
    demo.add_argument("--people", type=int, default=2000, help="人员数量（默认 2000）")
    demo.add_argument("--seed", type=int, default=2025, help="随机种子（相同种子生成相同数据）")
    from .importing.command import add_parser as add_import_parser

    add_import_parser(sub)
    from .cli_export import add_export_parser

    add_export_parser(sub)
    from .cli_backup import add_parsers as add_backup_parsers

    add_backup_parsers(sub)
    from .cli_db import add_parser as add_db_parser

    add_db_parser(sub)
    from .exchange.command import add_parsers as add_exchange_parsers

    add_exchange_parsers(sub)
    from .cli_duplicates import add_parsers as add_duplicate_parsers

    add_duplicate_parsers(sub)
    from .venture.command import add_parsers as add_venture_parsers

    add_venture_parsers(sub)
    from .cli_keys import add_parsers as add_key_parsers

    add_key_parsers(sub)
    return parser


def add_window_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=database_argument,
                        help="数据库文件，或数据库服务器 postgresql://用户名@服务器:5432/数据库名"
                             "（默认：环境变量 JINGUO_DB，否则窗口中“连接数据库服务器”选定的服务器，"
                             "否则用户数据文件夹中的文件）")
    parser.add_argument(
        "--smoke", action="store_true", help="自检：打开主窗口，显示完毕后输出 startup_ms 并退出"
    )
    parser.add_argument(
        "--smoke-login", action="store_true",
        help="自检：打开登录窗口，显示完毕后输出 login_ms 并退出（衡量启动速度）",
    )
    parser.add_argument(
        "--print-check", action="store_true",
        help="与 --smoke 一起用：另外检查打印预览所用的 PDF 页面渲染（QtPdf），成功输出 print_check=ok",
    )
    add_user_argument(parser, global_=True)


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    """The window's options alone are read without building every command's parser (and
    importing their modules): the window shows sooner. Anything else — a command, ``--help``, a
    mistake — goes to the full parser, which explains it."""
    quick = argparse.ArgumentParser(prog="jinguo", add_help=False, exit_on_error=False)
    add_window_options(quick)
    try:
        args, rest = quick.parse_known_args(argv)
    except argparse.ArgumentError:
        rest = argv
    if rest:
        return build_parser().parse_args(argv)
    args.command = None
    return args


def _demo_target_problem(db_path: Path):
    """Demo data goes into a new file, or into a Jinguo database that is still empty and closed."""
    from models.i18n import msg

    from .database import DatabaseOpenError, open_database
    from .demo import DemoError, ensure_empty
    from .instance_lock import InstanceLock, LockedError

    if db_path.is_dir():
        return msg("{path} 是一个文件夹，请指定数据库文件。", path=db_path)
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    holder = InstanceLock(db_path).holder()
    if holder is not None:
        return LockedError.for_holder(db_path, holder).message
    try:
        db = open_database(db_path)
    except DatabaseOpenError as e:
        return e.message
    try:
        ensure_empty()
    except DemoError as e:
        return e.message
    finally:
        db.close()
    return None


def run_demo(db_path: Path | str, people: int, seed: int) -> int:
    if people < 1:
        print("--people 必须是正整数", file=sys.stderr)
        return EXIT_USER_ERROR
    from .paths import is_server_url

    if is_server_url(db_path):
        return _run_demo_on_server(str(db_path), people, seed)
    from .demo import DemoError
    from .demo_file import create_demo_file

    started = time.perf_counter()
    db_path = Path(db_path).expanduser().resolve()
    problem = _demo_target_problem(db_path)
    if problem is not None:
        print(problem, file=sys.stderr)
        return EXIT_USER_ERROR
    try:
        counts, users = create_demo_file(db_path, people, seed, progress=lambda text: print(text, flush=True))
    except DemoError as e:
        print(e.message, file=sys.stderr)
        return EXIT_USER_ERROR
    _print_demo(db_path, counts, users, started)
    return 0


def _run_demo_on_server(url: str, people: int, seed: int) -> int:
    """The demo written into an empty database on a server, in one transaction: a demo stopped
    half-way leaves the database as empty as it was (never data without passwords)."""
    from models.auth import needs_first_admin
    from models.db import database
    from models.i18n import msg

    from .database import BATCH_BUSY_TIMEOUT_MS, DatabaseOpenError, open_database
    from .demo import DemoError, create_demo_users, ensure_empty, fill_demo

    started = time.perf_counter()
    try:
        db = open_database(url, BATCH_BUSY_TIMEOUT_MS)
    except DatabaseOpenError as e:
        print(e.message, file=sys.stderr)
        return EXIT_USER_ERROR
    try:
        with database.atomic():
            ensure_empty()
            if not needs_first_admin():
                raise DemoError(msg("这个数据库已经设置了操作员，演示数据只能写入新建的空数据库。"))
            counts = fill_demo(people=people, seed=seed, progress=lambda text: print(text, flush=True))
            users = create_demo_users()
    except DemoError as e:
        print(e.message, file=sys.stderr)
        return EXIT_USER_ERROR
    finally:
        db.close()
    _print_demo(db.location, counts, users, started)
    return 0


def _print_demo(where: object, counts: dict[str, int], users: list[tuple[str, str, str]],
                started: float) -> None:
    from models.choices import USER_ROLES

    from .demo import COUNT_LABELS

    summary = "，".join(f"{COUNT_LABELS[k]} {v}" for k, v in counts.items())
    print(f"演示数据已写入 {where}：{summary}（用时 {time.perf_counter() - started:.1f} 秒）")
    print("演示操作员（用户名 / 角色 / 密码，仅供试用）：")
    for name, role, password in users:
        print(f"  {name} / {USER_ROLES.label(role)} / {password}")


def main(argv: list[str] | None = None) -> int:
    from . import paths
    from .logging_setup import install_crash_hook, setup_logging

    typed = argv if argv is not None else sys.argv[1:]
    args = parse_arguments(typed)

    def start_logging() -> None:
        from models.validators import mask_personal_numbers

        setup_logging(paths.log_path())
        log.info("jinguo started: %s", mask_personal_numbers(" ".join(map(str, typed))))

    install_crash_hook(
        lambda detail: print(f"内部错误：{detail}\n详细信息已写入日志：{paths.log_path()}", file=sys.stderr)
    )
    if args.command is not None:
        start_logging()
    try:
        code = _run(args, start_logging)
        sys.stdout.flush()  # a reader that went away shows here, not at exit
    except BrokenPipeError:
        _drop_stdout()
        return EXIT_PIPE_CLOSED
    except Exception as e:
        locked = _key_message(e)
        if locked is not None:
            log.warning("%s: %s", args.command or "window", e)
            print(locked, file=sys.stderr)
            return EXIT_USER_ERROR
        if not _is_database_error(e):
            raise
        from .database import bound_database_path, database_error_message

        path = bound_database_path() or _db_argument(args) or paths.default_db_path()
        message = database_error_message(e, path)
        if message is None:
            raise
        log.warning("%s failed: %s", args.command or "window", e, exc_info=True)
        print(message, file=sys.stderr)
        return EXIT_USER_ERROR
    return code


def _key_message(error: Exception):
    """The Chinese message of an encrypted database this command could not unlock (a missing
    login, a wrong key): said as such, never as a traceback or as damage."""
    crypto = sys.modules.get("models.crypto")  # loaded by then if it could raise these
    if crypto is None or not isinstance(error, (crypto.Locked, crypto.KeyProblem)):
        return None
    return error.message


def _is_database_error(error: Exception) -> bool:
    import sqlite3

    from peewee import DatabaseError  # the database layer: loaded by then if it could raise this

    return isinstance(error, (DatabaseError, sqlite3.DatabaseError))


def _run(args: argparse.Namespace, start_logging) -> int:
    """``start_logging``: the window calls it once its first window shows (see desktop.app)."""
    if args.command == "demo":
        return run_demo(args.demo_db, args.people, args.seed)
    if args.command == "export":
        from .cli_export import run_export

        return run_export(args)
    if args.command in ("backup", "restore", "check"):
        from .cli_backup import run as run_backup_command

        return run_backup_command(args)
    if args.command == "import":
        from .importing.command import run as run_import

        return run_import(args)
    if args.command == "db":
        from .cli_db import run as run_db

        return run_db(args)
    if args.command in ("duplicates", "merge"):
        from .cli_duplicates import run as run_duplicates

        return run_duplicates(args)
    if args.command == "venture":
        from .venture.command import run as run_venture

        return run_venture(args)
    if args.command in ("key", "user"):
        from .cli_keys import run as run_keys

        return run_keys(args)
    if args.command in ("unit", "exchange"):
        from .exchange.command import run as run_exchange

        return run_exchange(args)
    from .app import run_login_check, run_window

    if args.smoke_login:
        return run_login_check(args.db, _STARTED, start_logging)
    return run_window(args.db, args.smoke, _STARTED, args.print_check, start_logging)


def _db_argument(args: argparse.Namespace) -> Path | None:
    """The database a command was given (each command names its ``--db`` differently)."""
    for name in ("demo_db", "export_db", "import_db", "backup_db", "copy_from", "exchange_db",
                 "dup_db", "venture_db", "key_db", "db"):
        value = getattr(args, name, None)
        if value and not isinstance(value, str):
            return Path(value)
    return None


def _drop_stdout() -> None:
    """The reader of our output has gone (``jinguo import … --json | head``): end quietly, as
    Unix tools do, with stdout pointed at the null device so the exit flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):  # stdout is not a file descriptor
        pass
    log.info("output closed by its reader")


if __name__ == "__main__":
    sys.exit(main())
