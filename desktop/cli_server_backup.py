"""``jinguo backup``, ``restore`` and ``check`` with ``--db postgresql://…``: the portable backup
file of a server's database, restoring one onto it, and the checks that apply to a server.

Exit codes as for a file: 0 done, 1 problems found (check), 2 refused or failed.
"""

from __future__ import annotations

import argparse
import sys

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USER_ERROR = 2


def run(args: argparse.Namespace, url: str) -> int:
    handlers = {"backup": run_backup, "restore": run_restore, "check": run_check}
    return handlers[args.command](args, url)


def run_check(args: argparse.Namespace, url: str) -> int:
    """Only reads, in one snapshot, and needs no login (as for a file); an older schema is not
    upgraded by checking it."""
    from peewee import DatabaseError

    from models.schema import schema_version, written_by

    from .backup import backups_folder
    from .database import DatabaseOpenError, connect_server, server_error_message
    from .dbcopy import snapshot
    from .integrity import is_damage, server_problems

    try:
        db = connect_server(url)
    except DatabaseOpenError as e:
        print(e.message, file=sys.stderr)
        return EXIT_USER_ERROR
    try:
        with snapshot(db):
            problems = server_problems(db)
            version, program = (None, None) if problems else (schema_version(db), written_by(db))
    except DatabaseError as e:
        print(server_error_message(e, db.location), file=sys.stderr)
        return EXIT_USER_ERROR
    finally:
        db.close()
    if not problems:
        from .cli_backup import check_values

        sound = f"数据库完好：{db.location}（结构版本 {version}，由巾帼枢纽 {program} 写入）"
        return check_values(args, url, sound)
    for problem in problems:
        print(problem, file=sys.stderr)
    if any(is_damage(problem) for problem in problems):
        print(f"可以从备份恢复：jinguo restore --db {db.location} 备份文件"
              f"（服务器上现在的数据会先备份到 {backups_folder()}）。", file=sys.stderr)
    return EXIT_PROBLEMS


def run_backup(args: argparse.Namespace, url: str) -> int:
    from .auth import cli_login
    from .backup import BackupError
    from .cli_db import StderrProgress
    from .dbcopy import record_copy
    from .server_backup import backup_server_to, check_backup_output

    ctx = cli_login(url, args.user, "backup", key_file=args.key_file)
    if ctx is None:
        return EXIT_USER_ERROR
    progress = StderrProgress("正在备份")
    try:
        check_backup_output(args.output)
        refusal = record_copy(ctx.user, f"备份整个数据库到 {args.output.expanduser().resolve()}")
        if refusal is not None:
            print(f"没有备份：{refusal}", file=sys.stderr)
            return EXIT_USER_ERROR
        report = backup_server_to(ctx.db, args.output, progress)
    except BackupError as e:
        progress.close()
        print(e.message, file=sys.stderr)
        return EXIT_USER_ERROR
    finally:
        ctx.close()
    progress.close()
    print(f"已备份到 {report.target}（{report.tables} 个表，共 {report.total_rows:,} 行，"
          f"用时 {report.seconds:.1f} 秒）")
    return EXIT_OK


def run_restore(args: argparse.Namespace, url: str) -> int:
    """Always an administrator of the server's database: ``--force`` is for a file nobody can
    log in to, and a server that cannot be opened cannot be restored onto either."""
    from models.exclusive import JobBusy

    from .auth import cli_login
    from .backup import BackupError
    from .cli_db import StderrProgress
    from .server_backup import restore_server_from

    if args.force:
        print("--force 只用于数据库文件。恢复服务器上的数据库需要以它的管理员身份登录（--user）。",
              file=sys.stderr)
        return EXIT_USER_ERROR
    ctx = cli_login(url, args.user, "restore")
    if ctx is None:
        return EXIT_USER_ERROR
    progress = StderrProgress("正在恢复")
    try:
        report, safety = restore_server_from(args.file, ctx.db, progress, user=ctx.user)
    except (BackupError, JobBusy) as e:  # JobBusy: another clerk's import or restore runs
        progress.close()
        print(e.message, file=sys.stderr)
        return EXIT_USER_ERROR
    finally:
        ctx.close()
    progress.close()
    print(f"已用 {args.file} 恢复服务器上的数据库 {report.target}（{report.total_rows:,} 行，"
          f"用时 {report.seconds:.1f} 秒）。")
    print(f"恢复前的数据库已备份为 {safety}")
    return EXIT_OK
