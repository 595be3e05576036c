"""``jinguo backup``, ``jinguo restore`` and ``jinguo check``: the database's safety without a window.

Exit 0 on success; ``check`` exits 1 naming each problem; bad input (a missing file,
an unwritable target, a file that is not a sound Jinguo database) exits 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USER_ERROR = 2


def add_parsers(sub: argparse._SubParsersAction) -> None:
    backup = sub.add_parser("backup", help="把数据库备份到一个文件（程序运行时也可以）")
    backup.add_argument("--db", type=Path, dest="backup_db", help="数据库文件（默认用户数据文件夹中的）")
    backup.add_argument("-o", "--output", type=Path, required=True, help="备份文件")

    restore = sub.add_parser("restore", help="用一个备份文件替换数据库（先自动备份当前数据库）")
    restore.add_argument("--db", type=Path, dest="backup_db",
                         help="要替换的数据库文件（默认用户数据文件夹中的）")
    restore.add_argument("file", type=Path, help="备份文件")

    from .auth import add_user_argument

    add_user_argument(backup)
    add_user_argument(restore)

    check = sub.add_parser("check", help="检查数据库是否完好（完整性与数据引用）")
    check.add_argument("--db", type=Path, dest="backup_db", help="数据库文件（默认用户数据文件夹中的）")


def _db_path(args: argparse.Namespace) -> Path:
    from . import paths

    return Path(args.backup_db or getattr(args, "db", None) or paths.default_db_path())


def run(args: argparse.Namespace) -> int:
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
        print(f"数据库完好：{db_path}")
        return EXIT_OK
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


def _refused(args: argparse.Namespace, db_path: Path, permission: str) -> bool:
    """Log in and check the role (printing why not). A missing or unopenable database has
    nobody to log in as: restoring it is what the command is for, so it is not refused."""
    from models.permissions import PermissionDenied

    from .auth import LoginRefused, cli_context
    from .database import DatabaseOpenError

    if not db_path.is_file():
        return False
    try:
        cli_context(db_path, args.user, permission).close()
    except DatabaseOpenError:
        return False
    except LoginRefused as e:
        print(e.message, file=sys.stderr)
        return True
    except PermissionDenied as e:
        print(e.errors["permission"], file=sys.stderr)
        return True
    return False


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
    if _refused(args, db_path, "restore"):
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
