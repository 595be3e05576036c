"""Passwords of database servers: in the system's keyring, never in a file of ours.

Why a keyring: libpq's own password file (pgpass: ``%APPDATA%\\postgresql\\pgpass.conf`` on Windows,
``~/.pgpass`` elsewhere) holds passwords in clear text, and a clerk's PC is shared, copied to USB
sticks, backed up and handed on. So 记住密码 puts a password in the operating system's keyring
through the ``keyring`` package: the Windows Credential Manager, the Secret Service (GNOME Keyring,
KWallet) of Linux desktops including UOS and Kylin, the macOS Keychain. The settings file keeps the
server's address without it. Where no keyring is usable (a Linux PC without a keyring service), the
password is not remembered and the window asks for it at each start.

Which password a connection uses: one written in the URL; else one typed in this run (kept in
memory only); else ``PGPASSWORD`` (libpq reads it); else the keyring's; else libpq's pgpass file.
"""

from __future__ import annotations

import getpass
import logging
import os
from types import ModuleType

log = logging.getLogger(__name__)

SERVICE = "JinguoHub"  # the keyring entry's service; its user name is ``account(url)``

_typed: dict[str, str] = {}  # account -> the password typed in this run


def account(url: str) -> str:
    """``user@host:port/database``: whose password this is (one keyring entry per such account)."""
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(url)
    user = params.get("user") or getpass.getuser()  # libpq's default user is the PC's
    host, port = params.get("host") or "localhost", params.get("port") or 5432
    return f"{user}@{host}:{port}/{params.get('dbname') or user}"


def _keyring() -> ModuleType | None:
    try:
        import keyring
    except ImportError:  # installed without the postgres extra
        return None
    return keyring


def keyring_usable() -> bool:
    """Whether this PC has a keyring to keep passwords in (not keyring's "fail" or "null" backend,
    nor a chain of no backends, as on a Linux PC without a keyring service)."""
    keyring = _keyring()
    if keyring is None:
        return False
    from keyring.backends import chainer, fail, null

    backend = keyring.get_keyring()
    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return bool(backend.backends)
    return True


def use_for_this_run(url: str, password: str) -> None:
    """The password just typed: every connection to this account in this run uses it."""
    _typed[account(url)] = password


def password_for(url: str) -> str | None:
    """The password to connect with when the URL has none, as the module's docstring orders them;
    None leaves it to libpq (``PGPASSWORD``, pgpass) or to a server that wants none."""
    typed = _typed.get(account(url))
    if typed is not None:
        return typed
    if os.environ.get("PGPASSWORD"):
        return None
    return stored_password(url)


def stored_password(url: str) -> str | None:
    """The keyring's password for this account, if any (and if the keyring answers)."""
    if not keyring_usable():
        return None
    try:
        return _keyring().get_password(SERVICE, account(url))
    except Exception:  # a locked or broken keyring service: the PC's, not ours; asked instead
        log.warning("the keyring could not be read", exc_info=True)
        return None


def store_password(url: str, password: str) -> bool:
    """Keep ``password`` in the keyring; False when there is no usable keyring or it refused."""
    if not keyring_usable():
        return False
    try:
        _keyring().set_password(SERVICE, account(url), password)
    except Exception:  # a locked or broken keyring service: the password is asked next time
        log.warning("the keyring refused to store a password", exc_info=True)
        return False
    return True


def forget_password(url: str) -> None:
    """Remove the keyring's password for this account (记住密码 unticked)."""
    if stored_password(url) is None:
        return
    try:
        _keyring().delete_password(SERVICE, account(url))
    except Exception:
        log.warning("the keyring refused to delete a password", exc_info=True)
