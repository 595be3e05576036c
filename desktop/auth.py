"""Who is at the command line: the one place that turns ``--user``/``JINGUO_USER`` and
``JINGUO_PASSWORD`` (or a prompt) into a logged-in ``User`` with a context.

Without ``--user``, a key file (``--key-file``/``JINGUO_KEY_FILE``, made by ``jinguo key file
create``) logs in as the administrator who made it, for unattended commands.

A database in which nobody has a password yet (a new file, before the first start of the
window has created the administrator) has no one to log in: there the command line acts as
its built-in administrator, or as the passwordless user ``--user`` names.
"""

from __future__ import annotations

import getpass
import logging
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from peewee import DatabaseError

from models.auth import AuthError, authenticate, needs_first_admin
from models.entities import User
from models.i18n import Message, msg
from models.permissions import can, require

from .context import AppContext, build_context, default_operator
from .database import BATCH_BUSY_TIMEOUT_MS, bound_database_path, cannot_write
from .operator_option import ENV_KEY_FILE, ENV_PASSWORD, ENV_USER, add_user_argument  # noqa: F401

log = logging.getLogger(__name__)



class LoginRefused(Exception):
    """The command line could not log in; ``message`` says what to do."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


def _ask_password(name: str) -> str | None:
    if not sys.stdin.isatty():
        return None
    return getpass.getpass(f"操作员“{name}”的密码：")


def operator_password(name: str, env: Mapping[str, str] | None = None,
                      ask: Callable[[str], str | None] = _ask_password) -> str:
    """The password a command was given for operator ``name`` (environment, else a prompt),
    or LoginRefused saying how to give it."""
    env = os.environ if env is None else env
    password = env.get(ENV_PASSWORD)
    if password is None:
        password = ask(name)
    if password is None:
        raise LoginRefused(msg("请输入操作员“{name}”的密码：在终端中运行，或用环境变量 {env} 提供。",
                               name=name, env=ENV_PASSWORD))
    return password


def cli_user(name: str | None, env: Mapping[str, str] | None = None,
             ask: Callable[[str], str | None] = _ask_password, key_file: str | Path | None = None) -> User:
    """The logged-in user of a command, or LoginRefused (bound database needed)."""
    env = os.environ if env is None else env
    name = (name or env.get(ENV_USER) or "").strip()
    key_file = key_file or env.get(ENV_KEY_FILE) or None
    if key_file and not name:
        return key_file_user(Path(key_file))
    if needs_first_admin():
        if not name:
            return default_operator()
        user = User.get_or_none((User.username == name) & User.active)
        if user is None:
            raise LoginRefused(msg("没有操作员“{name}”。", name=name))
        return user
    if not name:
        raise LoginRefused(msg(
            "这个数据库需要登录：请用 --user 用户名 或环境变量 {env_user} 指明操作员，"
            "密码用环境变量 {env_password} 提供或在提示时输入。",
            env_user=ENV_USER, env_password=ENV_PASSWORD))
    password = operator_password(name, env, ask)
    try:
        return authenticate(name, password, unrecorded=_login_not_written)
    except AuthError as e:
        raise LoginRefused(e.message) from e


def key_file_user(path: Path) -> User:
    """The administrator a key file acts as, the database unlocked with it (or LoginRefused)."""
    from models.keys import authenticate_key_file

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LoginRefused(msg("找不到密钥文件 {path}：请检查路径，或请管理员用“jinguo key file create”"
                               "重新生成。", path=path)) from None
    except (OSError, UnicodeDecodeError) as e:
        raise LoginRefused(msg("无法读取密钥文件 {path}（{reason}）。", path=path, reason=e)) from e
    try:
        return authenticate_key_file(text, unrecorded=_login_not_written)
    except AuthError as e:
        raise LoginRefused(e.message) from e


def _login_not_written(error: DatabaseError) -> bool:
    """A command goes on when its login cannot be written down because the database is busy,
    read-only or on a full disk: a command that only reads (a dry run) must still work there.
    Whatever the command itself writes (an import, an export's audit line) is written or the
    command fails, so nothing is done unrecorded but the login, which the log file keeps."""
    path = bound_database_path() or ""
    if not cannot_write(error, path):
        return False
    log.warning("login not recorded in %s: %s", path, error)
    return True


def cli_context(db_path: Path | None, user_name: str | None, permission: str | None = None,
                read_only_fallback: bool = True, key_file: str | Path | None = None) -> AppContext:
    """Open the database and log in; with ``permission``, refuse a role without it
    (DatabaseOpenError, LoginRefused or PermissionDenied; the database is closed again).

    A command waits longer than the window for another program's write, and (unless
    ``read_only_fallback`` is False, as for an import that will write) reads a database in a
    read-only place or on a full disk: whatever it then tries to write fails and says why.
    """
    ctx = build_context(db_path, busy_timeout_ms=BATCH_BUSY_TIMEOUT_MS, read_only_fallback=read_only_fallback)
    try:
        ctx.user = cli_user(user_name, key_file=key_file)
        if permission is not None:
            require(ctx.user, permission)
    except BaseException:
        ctx.close()
        raise
    return ctx


def cli_login(db_path: Path | str | None, user_name: str | None, permission: str | None = None,
              read_only_fallback: bool = True, key_file: str | Path | None = None) -> AppContext | None:
    """``cli_context``, or None once it has printed why not (a database that cannot be opened,
    a refused login, a role without ``permission``): what every command does before its work."""
    from models.permissions import PermissionDenied

    from .database import DatabaseOpenError

    try:
        return cli_context(db_path, user_name, permission, read_only_fallback, key_file)
    except (DatabaseOpenError, LoginRefused) as e:
        print(e.message, file=sys.stderr)
    except PermissionDenied as e:
        print("；".join(str(m) for m in e.errors.values()), file=sys.stderr)
    return None


def may_see_full_ids(user: User | None) -> bool:
    return can(user, "full_ids")
