"""The ``--user`` option and the environment variables a command's operator is given by (kept
apart from desktop.auth, which logs in: the window's start parses its options without loading
the database layer)."""

from __future__ import annotations

import argparse

ENV_USER = "JINGUO_USER"
ENV_PASSWORD = "JINGUO_PASSWORD"


def add_user_argument(parser: argparse.ArgumentParser, global_: bool = False) -> None:
    """``--user NAME`` before or after the command (``jinguo --user li import …`` or
    ``jinguo import … --user li``)."""
    parser.add_argument(
        "--user", metavar="用户名", default=None if global_ else argparse.SUPPRESS,
        help=f"以哪位操作员的身份执行（也可用环境变量 {ENV_USER}；"
             f"密码用环境变量 {ENV_PASSWORD} 或在提示时输入）",
    )


ENV_KEY_FILE = "JINGUO_KEY_FILE"


def add_key_file_argument(parser: argparse.ArgumentParser) -> None:
    """``--key-file PATH``: an unattended command (a scheduled backup) unlocks the database with a
    key file an administrator made (``jinguo key file create``) instead of a password."""
    parser.add_argument(
        "--key-file", metavar="密钥文件", default=None,
        help=f"不用密码，用管理员生成的密钥文件打开数据库（无人值守的命令，如定时备份；"
             f"也可用环境变量 {ENV_KEY_FILE}）。以生成它的管理员的身份执行并记入操作记录",
    )
