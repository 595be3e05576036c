"""``jinguo key recovery``, ``jinguo key file create|revoke|list`` and ``jinguo user password``:
the data key's other ways in (models.keys) at the command line.

Secrets are never taken as arguments (shell history, the process list): a new password comes from
``JINGUO_NEW_PASSWORD`` or a prompt, a recovery key from ``JINGUO_RECOVERY_KEY`` or a prompt.
Exit 0 on success, 2 when refused or failed.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from .paths import database_argument

EXIT_OK = 0
EXIT_USER_ERROR = 2
ENV_NEW_PASSWORD = "JINGUO_NEW_PASSWORD"
ENV_RECOVERY_KEY = "JINGUO_RECOVERY_KEY"
DB_HELP = "数据库文件或数据库服务器 postgresql://…（默认：JINGUO_DB，否则用户数据文件夹中的文件）"


def add_parsers(sub: argparse._SubParsersAction) -> None:
    from .operator_option import add_user_argument

    key = sub.add_parser("key", help="恢复密钥与密钥文件（管理员）")
    actions = key.add_subparsers(dest="key_command", metavar="操作", required=True)
    recovery = actions.add_parser("recovery", help="生成新的恢复密钥并显示一次（原有的恢复密钥作废）")
    files = actions.add_parser("file", help="无人值守命令（如定时备份）所用的密钥文件")
    file_actions = files.add_subparsers(dest="file_command", metavar="操作", required=True)
    create = file_actions.add_parser("create", help="生成一个密钥文件（不会覆盖已有文件）")
    create.add_argument("path", type=Path, metavar="文件", help="要写入的密钥文件")
    create.add_argument("--label", help="密钥文件的名称（默认：文件名），作废时用")
    revoke = file_actions.add_parser("revoke", help="作废一个密钥文件（之后它打不开数据库）")
    revoke.add_argument("label", metavar="名称")
    listing = file_actions.add_parser("list", help="列出有效的密钥文件")
    for parser in (recovery, create, revoke, listing):
        parser.add_argument("--db", type=database_argument, dest="key_db", help=DB_HELP)
        add_user_argument(parser)

    user = sub.add_parser("user", help="操作员")
    user_actions = user.add_subparsers(dest="user_command", metavar="操作", required=True)
    password = user_actions.add_parser(
        "password", help="重设操作员的密码（管理员登录；或所有密码都丢失时用 --recovery-key）")
    password.add_argument("username", metavar="用户名", help="要重设密码的操作员")
    password.add_argument("--recovery-key", action="store_true",
                          help=f"用恢复密钥代替登录（只能重设管理员的密码；恢复密钥在提示时输入，"
                               f"或用环境变量 {ENV_RECOVERY_KEY}）")
    password.add_argument("--db", type=database_argument, dest="key_db", help=DB_HELP)
    add_user_argument(password)


def run(args: argparse.Namespace) -> int:
    if args.command == "user":
        return run_password(args)
    if args.key_command == "recovery":
        return run_recovery(args)
    handlers = {"create": run_file_create, "revoke": run_file_revoke, "list": run_file_list}
    return handlers[args.file_command](args)


def _print_problem(error: Exception) -> None:
    errors = getattr(error, "errors", None)
    print("；".join(str(m) for m in errors.values()) if errors else error.message, file=sys.stderr)


def run_recovery(args: argparse.Namespace) -> int:
    from models.auth import create_recovery_key

    from .auth import cli_login

    ctx = cli_login(args.key_db, args.user, "users")
    if ctx is None:
        return EXIT_USER_ERROR
    try:
        text = create_recovery_key(ctx.user)
    finally:
        ctx.close()
    print("新的恢复密钥（只显示这一次，原有的恢复密钥已作废）：")
    print()
    print(f"    {text}")
    print()
    print("所有操作员的密码都丢失时（或在新电脑上恢复备份后），用它打开数据库并重设管理员密码："
          "jinguo user password 用户名 --recovery-key。请打印或抄写下来，锁在办公室的保险柜里，"
          "不要和数据库放在一起。")
    return EXIT_OK


def run_file_create(args: argparse.Namespace) -> int:
    from models.db import database
    from models.errors import ValidationFailed
    from models.keys import create_key_file

    from .auth import cli_login

    path = Path(args.path).expanduser()
    if path.exists():
        print(f"{path} 已存在，不会覆盖：请换一个文件名。", file=sys.stderr)
        return EXIT_USER_ERROR
    ctx = cli_login(args.key_db, args.user, "users")
    if ctx is None:
        return EXIT_USER_ERROR
    label = args.label or path.stem
    try:
        with database.atomic():  # no wrap without its file
            write_key_file(path, create_key_file(ctx.user, label))
    except ValidationFailed as e:
        _print_problem(e)
        return EXIT_USER_ERROR
    except FileExistsError:
        print(f"{path} 已存在，不会覆盖：请换一个文件名。", file=sys.stderr)
        return EXIT_USER_ERROR
    except OSError as e:
        print(f"无法写入密钥文件 {path}：{e.strerror or e}。请换一个可写的位置。", file=sys.stderr)
        return EXIT_USER_ERROR
    finally:
        ctx.close()
    print(f"已生成密钥文件“{label}”：{path}")
    print("有了它的人不用密码就能以你的身份打开数据库：只放在运行定时任务的电脑上、只有该账户能读的位置；"
          f"不再需要时作废：jinguo key file revoke {label}")
    return EXIT_OK


def write_key_file(path: Path, text: str) -> None:
    """Written whole under a temporary name readable by its owner only, then linked to ``path``,
    which fails (FileExistsError) rather than replace a file that appeared meanwhile."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def run_file_revoke(args: argparse.Namespace) -> int:
    from models.errors import ValidationFailed
    from models.keys import revoke_key_file

    from .auth import cli_login

    ctx = cli_login(args.key_db, args.user, "users")
    if ctx is None:
        return EXIT_USER_ERROR
    try:
        revoke_key_file(ctx.user, args.label)
    except ValidationFailed as e:
        _print_problem(e)
        return EXIT_USER_ERROR
    finally:
        ctx.close()
    print(f"密钥文件“{args.label.strip()}”已作废。")
    return EXIT_OK


def run_file_list(args: argparse.Namespace) -> int:
    from models.keys import list_key_files

    from .auth import cli_login

    ctx = cli_login(args.key_db, args.user, "users")
    if ctx is None:
        return EXIT_USER_ERROR
    try:
        files = list_key_files()
    finally:
        ctx.close()
    if not files:
        print("没有有效的密钥文件。")
    for info in files:
        print(f"{info.label}\t生成者 {info.creator or '（已删除）'}\t{info.created_at:%Y-%m-%d %H:%M}")
    return EXIT_OK


def _secret(env_name: str, prompt: str) -> str | None:
    value = os.environ.get(env_name)
    if value is None and sys.stdin.isatty():
        value = getpass.getpass(prompt)
    return value


def _new_password() -> str | None:
    password = os.environ.get(ENV_NEW_PASSWORD)
    if password is not None or not sys.stdin.isatty():
        return password
    password = getpass.getpass("新密码：")
    if getpass.getpass("再输入一次新密码：") != password:
        print("两次输入的密码不一致，请重新运行。", file=sys.stderr)
        return None
    return password


def run_password(args: argparse.Namespace) -> int:
    if args.recovery_key:
        return _password_by_recovery(args)
    from models.auth import set_password
    from models.entities import User
    from models.errors import ValidationFailed

    from .auth import cli_login

    ctx = cli_login(args.key_db, args.user, "users")
    if ctx is None:
        return EXIT_USER_ERROR
    try:
        target = User.get_or_none(User.username == args.username.strip())
        if target is None:
            print(f"没有操作员“{args.username.strip()}”。", file=sys.stderr)
            return EXIT_USER_ERROR
        password = _new_password()
        if password is None:
            print(f"请输入新密码：在终端中运行，或用环境变量 {ENV_NEW_PASSWORD} 提供。", file=sys.stderr)
            return EXIT_USER_ERROR
        set_password(ctx.user, target, password)
    except ValidationFailed as e:
        _print_problem(e)
        return EXIT_USER_ERROR
    finally:
        ctx.close()
    print(f"已重设“{target.username}”的密码。")
    return EXIT_OK


def _password_by_recovery(args: argparse.Namespace) -> int:
    from models.auth import AuthError
    from models.errors import ValidationFailed
    from models.keys import reset_with_recovery_key

    from .context import build_context
    from .database import BATCH_BUSY_TIMEOUT_MS, DatabaseOpenError

    recovery = _secret(ENV_RECOVERY_KEY, "恢复密钥：")
    if recovery is None:
        print(f"请输入恢复密钥：在终端中运行，或用环境变量 {ENV_RECOVERY_KEY} 提供。", file=sys.stderr)
        return EXIT_USER_ERROR
    password = _new_password()
    if password is None:
        print(f"请输入新密码：在终端中运行，或用环境变量 {ENV_NEW_PASSWORD} 提供。", file=sys.stderr)
        return EXIT_USER_ERROR
    try:
        ctx = build_context(args.key_db, busy_timeout_ms=BATCH_BUSY_TIMEOUT_MS)
    except DatabaseOpenError as e:
        print(e.message, file=sys.stderr)
        return EXIT_USER_ERROR
    try:
        user = reset_with_recovery_key(recovery, args.username, password)
    except (AuthError, ValidationFailed) as e:
        _print_problem(e)
        return EXIT_USER_ERROR
    finally:
        ctx.close()
    print(f"已用恢复密钥重设管理员“{user.username}”的密码，现在可以用新密码登录。")
    return EXIT_OK
