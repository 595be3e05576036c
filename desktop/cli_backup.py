"""``jinguo backup``, ``jinguo restore`` and ``jinguo check``: the database's safety without a window
(a database on a server: see cli_server_backup).

Exit 0 on success; ``check`` exits 1 naming each problem; bad input (a missing file,
an unwritable target, a file that is not a sound Jinguo database) exits 2.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from .paths import database_argument

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USER_ERROR = 2


def add_parsers(sub: argparse._SubParsersAction) -> None:
    backup = sub.add_parser("backup", help="把数据库备份到一个文件（程序运行时也可以）")
    backup.add_argument("--db", type=database_argument, dest="backup_db",
                        help="数据库文件或数据库服务器 postgresql://…（默认：JINGUO_DB，否则用户数据文件夹中的文件）")
    backup.add_argument("-o", "--output", type=Path, required=True, help="备份文件")

    restore = sub.add_parser("restore", help="用一个备份文件替换数据库（先自动备份当前数据库）")
    restore.add_argument("--db", type=database_argument, dest="backup_db",
                         help="要替换的数据库文件或数据库服务器 postgresql://…（默认：JINGUO_DB，否则用户数据文件夹中的文件）")
    restore.add_argument("file", type=Path, help="备份文件")
    restore.add_argument("--force", action="store_true",
                         help="数据库无法打开、也没有人知道备份中管理员的密码时，不登录而强制恢复")

    from .operator_option import add_key_file_argument, add_user_argument

    add_user_argument(backup)
    add_key_file_argument(backup)
    add_user_argument(restore)

    check = sub.add_parser("check", help="检查数据库是否完好（完整性与数据引用；登录后还检查加密的个人信息）")
    check.add_argument("--db", type=database_argument, dest="backup_db",
                       help="数据库文件或数据库服务器 postgresql://…（默认：JINGUO_DB，否则用户数据文件夹中的文件）")
    add_user_argument(check)
    add_key_file_argument(check)


def _db_path(args: argparse.Namespace) -> Path:
    from . import paths

    return Path(args.backup_db or getattr(args, "db", None) or paths.default_database())


def run(args: argparse.Namespace) -> int:
    from . import paths

    target = args.backup_db or getattr(args, "db", None) or paths.default_database()
    if paths.is_server_url(target):
        from . import cli_server_backup

        return cli_server_backup.run(args, str(target))
    handlers = {"backup": run_backup, "restore": run_restore, "check": run_check}
    return handlers[args.command](args)


def run_check(args: argparse.Namespace) -> int:
    """Restoring is advised only for real damage: a busy database, a full disk or a read-only
    place are said as such (exit 2), since an older backup would lose the newer data."""
    from .integrity import CheckImpossible, check_database, is_damage

    db_path = _db_path(args)
    try:
        problems = check_database(db_path)
    except CheckImpossible as e:
        print(e.message, file=sys.stderr)
        return EXIT_USER_ERROR
    if not problems:
        return check_values(args, db_path, f"数据库完好：{db_path}")
    if not db_path.is_file():  # a wrong path, not a damaged database
        print(problems[0], file=sys.stderr)
        return EXIT_USER_ERROR
    for problem in problems:
        print(problem, file=sys.stderr)
    if any(is_damage(problem) for problem in problems):
        from .backup import backups_folder

        print(f"可以从备份恢复：jinguo restore --db {db_path} 备份文件"
              f"（自动备份在 {backups_folder()}）。", file=sys.stderr)
    return EXIT_PROBLEMS


def wants_login(args: argparse.Namespace) -> bool:
    """Whether a command that needs no login (check) was given an operator or a key file."""
    from .operator_option import ENV_KEY_FILE, ENV_USER

    return bool(getattr(args, "user", None) or getattr(args, "key_file", None)
                or os.environ.get(ENV_USER) or os.environ.get(ENV_KEY_FILE))


def check_values(args: argparse.Namespace, target: Path | str, sound: str) -> int:
    """After a sound structure: with a login or a key file (or on a database nobody has a
    password for yet) every encrypted value is decrypted once; without, the check says it was
    not complete. ``sound`` is the line printed when nothing is found."""
    from .auth import LoginRefused, cli_context
    from .database import DatabaseOpenError
    from .integrity import PARTIAL_CHECK, sealed_value_problems

    state = _key_state(target)
    if state == "plain":
        print(sound)
        return EXIT_OK
    if state == "locked" and not wants_login(args):
        print(sound)
        print(PARTIAL_CHECK)
        return EXIT_OK
    try:
        ctx = cli_context(target, getattr(args, "user", None), None, key_file=getattr(args, "key_file", None))
    except (DatabaseOpenError, LoginRefused) as e:
        print(sound)
        print(e.message, file=sys.stderr)
        return EXIT_USER_ERROR
    try:
        problems = sealed_value_problems(ctx.db)
    finally:
        ctx.close()
    if not problems:
        print(f"{sound}（加密的个人信息都能解开）")
        return EXIT_OK
    for problem in problems:
        print(problem, file=sys.stderr)
    return EXIT_PROBLEMS


def _key_state(target: Path | str) -> str:
    """"plain" (before encryption: nothing to decrypt), "open" (nobody has a password yet: the
    key is at hand) or "locked", read without opening the database as the program does (which
    could upgrade an older one). A server's database is taken as locked."""
    from contextlib import closing

    from models.schema import ENCRYPTION_VERSION

    from . import paths
    from .integrity import connect_for_check

    if paths.is_server_url(target):
        return "locked"
    with closing(connect_for_check(Path(target))) as conn:  # also on a full disk, in a read-only place
        if conn.execute("PRAGMA user_version").fetchone()[0] < ENCRYPTION_VERSION:
            return "plain"
        opened = conn.execute("SELECT count(*) FROM key_wrap WHERE kind = 'open'").fetchone()[0]
    return "open" if opened else "locked"


def _login(args: argparse.Namespace, db_path: Path, permission: str) -> bool | None:
    """Log in to ``db_path`` and check the role, printing why not: True refused, False allowed,
    None when the file is missing or cannot be opened (nobody can log in to it)."""
    from models.permissions import PermissionDenied

    from .auth import LoginRefused, cli_context
    from .database import DatabaseOpenError

    if not db_path.is_file():
        return None
    try:
        cli_context(db_path, args.user, permission, key_file=getattr(args, "key_file", None)).close()
    except DatabaseOpenError as e:
        log.info("%s cannot be opened to log in: %s", db_path, e.message)
        return None
    except LoginRefused as e:
        print(e.message, file=sys.stderr)
        return True
    except PermissionDenied as e:
        print(e.errors["permission"], file=sys.stderr)
        return True
    return False


def _refused(args: argparse.Namespace, db_path: Path, permission: str) -> bool:
    """A backup of a database nobody can log in to is allowed: it only copies what is there."""
    return _login(args, db_path, permission) is True


def _restore_refused(args: argparse.Namespace, db_path: Path) -> bool:
    """Restoring needs an administrator, whether or not the database to replace can be opened.

    One that opens: its own administrator logs in (as for every command). One that cannot be
    opened (missing, damaged, from a newer version, held by another program) has nobody to log
    in as: then an administrator of the backup being restored proves it with the password they
    had there, or ``--force`` says the person at this PC takes it on (for a lost password).
    """
    refused = _login(args, db_path, "restore")
    if refused is not None:
        return refused
    if args.force:
        log.warning("restore of %s from %s forced without a login", db_path, args.file)
        return False
    refusal = backup_admin_refusal(Path(args.file), args.user)
    if refusal is not None:
        print(refusal, file=sys.stderr)
        print(f"数据库 {db_path} 无法打开，没有人能在其中登录：请以备份中的管理员身份恢复"
              "（--user 与密码），或确认后加 --force。", file=sys.stderr)
        return True
    return False


def backup_admin_refusal(backup: Path, user_name: str | None) -> str | None:
    """Why the operator is not an administrator of the backup ``backup`` (None: they are).

    The backup is only read (it may be of an older version, which opening it would upgrade).
    """
    import sqlite3
    from contextlib import closing

    from models.auth import verify_password

    from .auth import ENV_USER, LoginRefused, operator_password

    name = (user_name or os.environ.get(ENV_USER) or "").strip()
    if not name:
        return "请用 --user 指明备份中的管理员。"
    try:
        with closing(sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            row = conn.execute(  # names match regardless of case, as at the login
                "SELECT password_hash, role, active FROM user WHERE lower(username) = lower(?)",
                (name,)).fetchone()
    except sqlite3.Error as e:
        return f"无法读取备份 {backup} 中的操作员：{e}。"
    try:
        password = operator_password(name)
    except LoginRefused as e:
        return str(e.message)
    # always one password check, so an unknown name answers as slowly as a wrong password
    if not verify_password(password, row[0] if row else "") or not row[2]:
        return "用户名或密码不对（以备份中的操作员为准）。"
    if row[1] != "admin":
        return f"操作员“{name}”在备份中不是管理员，不能恢复。"
    return None


def run_backup(args: argparse.Namespace) -> int:
    from .backup import BackupError, backup_to
    from .integrity import CheckImpossible, check_database

    db_path = _db_path(args)
    if _refused(args, db_path, "backup"):
        return EXIT_USER_ERROR
    try:
        problems = check_database(db_path, quick=True)
    except CheckImpossible as e:
        print(f"没有备份：{e.message}", file=sys.stderr)
        return EXIT_USER_ERROR
    if problems:
        print(f"没有备份：{problems[0]}", file=sys.stderr)
        return EXIT_USER_ERROR
    try:
        written = backup_to(db_path, args.output)
    except BackupError as e:
        print(e.message, file=sys.stderr)
        return EXIT_USER_ERROR
    print(f"已备份到 {written}")
    return EXIT_OK


def run_restore(args: argparse.Namespace) -> int:
    from .backup import BackupError, restore_from
    from .instance_lock import LockedError

    db_path = _db_path(args)
    if _restore_refused(args, db_path):
        return EXIT_USER_ERROR
    try:
        safety = restore_from(args.file, db_path)
    except (BackupError, LockedError) as e:
        print(e.message, file=sys.stderr)
        return EXIT_USER_ERROR
    print(f"已用 {args.file} 恢复数据库 {db_path}。")
    if safety is not None:
        print(f"恢复前的数据库已备份为 {safety}")
    return EXIT_OK
