"""Operators' logins: salted scrypt password hashes, lockout after wrong passwords, user admin.

A stored hash reads ``scrypt$<n>$<r>$<p>$<salt>$<hash>`` (salt and hash in base64), so the
cost can be raised later: a login with an older, cheaper hash rewrites it. The password
itself is never stored, logged or written to the audit log.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from peewee import DatabaseError, PostgresqlDatabase, fn

from . import audit, crypto
from .choices import USER_ROLES
from .db import database
from .db import now as local_now
from .entities import User
from .errors import ValidationFailed
from .i18n import Message, msg
from .permissions import require

log = logging.getLogger(__name__)

SCRYPT_N = 2**15  # about 0.1 s per check on an office PC
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
MIN_PASSWORD = 8
MAX_USERNAME = 32
MAX_DISPLAY_NAME = 50
MAX_FAILED = 5  # wrong passwords in a row before the account is locked
LOCK_MINUTES = 15


class AuthError(Exception):
    """A login was refused; ``message`` says why in Chinese (never whether the user exists)."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


# -- hashing -------------------------------------------------------------------------------------

def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=256 * n * r * p, dklen=HASH_BYTES)


VERIFIER_TAG = b"jinguo password verifier"


def _verifier(secret: bytes) -> bytes:
    """What is stored to check a password: a hash of its scrypt output, never the output itself,
    which is also what unwraps the data key (models.crypto.password_kek)."""
    return hashlib.sha256(VERIFIER_TAG + secret).digest()


def _format(scheme: str, n: int, r: int, p: int, salt: bytes, digest: bytes) -> str:
    b64 = base64.b64encode
    return f"{scheme}${n}${r}${p}${b64(salt).decode()}${b64(digest).decode()}"


def new_password_hash(password: str, n: int | None = None, r: int | None = None,
                      p: int | None = None) -> tuple[str, bytes]:
    """(stored form, scrypt output) of a new salted hash, at the current cost unless given."""
    n, r, p = n or SCRYPT_N, r or SCRYPT_R, p or SCRYPT_P
    salt = os.urandom(SALT_BYTES)
    secret = _scrypt(password, salt, n, r, p)
    return _format("scrypt2", n, r, p, salt, _verifier(secret)), secret


def hash_password(password: str, n: int | None = None, r: int | None = None, p: int | None = None) -> str:
    """A new salted hash, at the current cost unless ``n``, ``r``, ``p`` are given."""
    return new_password_hash(password, n, r, p)[0]


@dataclass(frozen=True)
class _Stored:
    scheme: str  # scrypt: the scrypt output itself (before schema 12); scrypt2: its verifier
    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes


def _parse(stored: str) -> _Stored | None:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] not in ("scrypt", "scrypt2"):
        return None
    try:
        return _Stored(parts[0], int(parts[1]), int(parts[2]), int(parts[3]),
                       base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True))
    except ValueError:
        return None


def upgrade_legacy_hash(stored: str) -> tuple[str, bytes] | None:
    """For schema 12: a stored ``scrypt`` hash as (``scrypt2`` form, the scrypt output), which
    lets the data key be wrapped for its operator without knowing the password."""
    parsed = _parse(stored or "")
    if parsed is None or parsed.scheme != "scrypt":
        return None
    return (_format("scrypt2", parsed.n, parsed.r, parsed.p, parsed.salt, _verifier(parsed.digest)),
            parsed.digest)


@cache
def _dummy_hash() -> str:
    """Checked against for unknown users: the same time and the same answer as a wrong password."""
    return hash_password("no such user")


def password_secret(password: str, stored: str) -> bytes | None:
    """The scrypt output of ``password`` if it is the stored one (constant-time), else None."""
    parsed = _parse(stored or "")
    if parsed is None:
        _scrypt(password, b"\0" * SALT_BYTES, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        return None
    secret = _scrypt(password, parsed.salt, parsed.n, parsed.r, parsed.p)
    expected = secret if parsed.scheme == "scrypt" else _verifier(secret)
    return secret if hmac.compare_digest(expected, parsed.digest) else None


def verify_password(password: str, stored: str) -> bool:
    """Constant-time comparison with the stored hash; an empty or unreadable hash never matches."""
    return password_secret(password, stored) is not None


def needs_rehash(stored: str) -> bool:
    parsed = _parse(stored or "")
    return (parsed is None or parsed.scheme != "scrypt2"
            or (parsed.n, parsed.r, parsed.p) < (SCRYPT_N, SCRYPT_R, SCRYPT_P))


# -- checks --------------------------------------------------------------------------------------

def password_problem(password: str, repeat: str | None = None) -> Message | None:
    if len(password) < MIN_PASSWORD:
        return msg("密码至少需要 {n} 个字符。", n=MIN_PASSWORD)
    if password != password.strip():
        return msg("密码的开头和结尾不能是空格。")
    if repeat is not None and repeat != password:
        return msg("两次输入的密码不一致，请重新输入。")
    return None


def _clean_username(raw: str, errors: dict[str, Message], existing: User | None = None) -> str:
    name = raw.strip()
    if not name:
        errors["username"] = msg("请填写用户名。")
    elif len(name) > MAX_USERNAME or any(c.isspace() for c in name):
        errors["username"] = msg("用户名最多 {n} 个字符，且不能含空格。", n=MAX_USERNAME)
    else:
        query = User.select().where(fn.LOWER(User.username) == name.lower())
        if existing is not None:
            query = query.where(User.id != existing.id)
        if query.exists():
            errors["username"] = msg("用户名“{name}”已被使用，请换一个。", name=name)
    return name


def _clean_display_name(raw: str, errors: dict[str, Message]) -> str:
    name = " ".join(raw.split())
    if len(name) > MAX_DISPLAY_NAME:
        errors["display_name"] = msg("姓名最多 {n} 个字。", n=MAX_DISPLAY_NAME)
    return name


def _check_password(password: str, repeat: str | None, errors: dict[str, Message]) -> None:
    problem = password_problem(password, repeat)
    if problem is not None:
        errors["password" if repeat is None or len(password) < MIN_PASSWORD else "repeat"] = problem


# -- first start ---------------------------------------------------------------------------------

def needs_first_admin() -> bool:
    """No active user has a password yet: the first start must create the administrator."""
    return not User.select().where(User.active & (User.password_hash != "")).exists()


def create_first_admin(username: str, display_name: str, password: str, repeat: str) -> User:
    """The administrator of a new database; takes over the built-in passwordless ``admin``."""
    errors: dict[str, Message] = {}
    with database.atomic():
        if not needs_first_admin():
            raise ValidationFailed({"username": msg("管理员账户已经设置过了，请直接登录。")})
        builtin = (User.select().where((User.role == "admin") & (User.password_hash == ""))
                   .order_by(User.id).first())
        name = _clean_username(username, errors, builtin)
        shown = _clean_display_name(display_name, errors)
        _check_password(password, repeat, errors)
        if errors:
            raise ValidationFailed(errors)
        if builtin is None:
            admin = audit.create(User, None, username=name, display_name=shown, role="admin")
        else:
            admin = audit.update(builtin, builtin, username=name, display_name=shown, active=True)
        _store_password(admin, password)
        audit.record(admin, "password", admin, summary=f"设置管理员“{name}”的密码（首次启动）")
    scrub_deleted_keys()
    return User.get_by_id(admin.id)


def create_recovery_key(actor: User | None) -> str:
    """A new recovery key (恢复密钥) for the database, replacing any earlier one: shown once to an
    administrator to print and keep; it unlocks the data when every password is lost."""
    require(actor, "users")
    with database.atomic():
        text = crypto.new_recovery_key()
        audit.record(actor, "key", None, summary="生成新的恢复密钥（原有的恢复密钥作废）", entity="key_wrap")
    return text


# -- users ---------------------------------------------------------------------------------------

def _store_password(target: User, password: str) -> None:
    """Write a fresh hash directly (the audit snapshot never carries it) and wrap the data key
    for it; the first password ends the database's open key (models.crypto)."""
    stored, secret = new_password_hash(password)
    User.update(password_hash=stored, failed_logins=0, locked_until=None).where(
        User.id == target.id
    ).execute()
    crypto.wrap_for_user(target.id, secret)
    if crypto.has_open_wrap():
        if not database.is_closed() and not isinstance(database.obj, PostgresqlDatabase):
            database.execute_sql("PRAGMA secure_delete = ON")
        crypto.drop_open_wrap()


def scrub_deleted_keys() -> None:
    """After the open key was removed: make SQLite write its pages back and empty the write-ahead
    log, so that no copy of the clear key stays in the file's free space or in the -wal. Inside
    a caller's transaction it waits for that caller (who calls it again once committed); closing
    the database checkpoints the log as well."""
    if database.in_transaction():
        return
    if isinstance(database.obj, PostgresqlDatabase):
        try:
            database.execute_sql("VACUUM key_wrap")
        except DatabaseError:
            log.warning("VACUUM key_wrap failed", exc_info=True)
        return
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def create_user(actor: User | None, username: str, display_name: str, role: str,
                password: str, repeat: str | None = None) -> User:
    require(actor, "users")
    errors: dict[str, Message] = {}
    with database.atomic():
        name = _clean_username(username, errors)
        shown = _clean_display_name(display_name, errors)
        if role not in USER_ROLES:
            errors["role"] = msg("请选择角色。")
        _check_password(password, repeat, errors)
        if errors:
            raise ValidationFailed(errors)
        user = audit.create(User, actor, username=name, display_name=shown, role=role)
        _store_password(user, password)
    scrub_deleted_keys()
    return User.get_by_id(user.id)


def set_password(actor: User | None, target: User, password: str, repeat: str | None = None,
                 old_password: str | None = None) -> None:
    """An administrator resets anyone's password (which also unlocks the account); any user
    changes their own by giving the old one."""
    own = actor is not None and actor.id == target.id and old_password is not None
    if not own:
        require(actor, "users")
    errors: dict[str, Message] = {}
    if own and not verify_password(old_password, User.get_by_id(target.id).password_hash):
        errors["old_password"] = msg("原密码不正确。")
    _check_password(password, repeat, errors)
    if errors:
        raise ValidationFailed(errors)
    with database.atomic():
        _store_password(target, password)
        what = "修改自己的密码" if own else f"重设“{target.username}”的密码"
        audit.record(actor, "password", target, summary=what)
    scrub_deleted_keys()


def _login_capable_admins(excluding: User) -> int:
    return User.select().where(
        (User.role == "admin") & User.active & (User.password_hash != "") & (User.id != excluding.id)
    ).count()


def update_user(actor: User | None, target: User, display_name: str | None = None,
                role: str | None = None, active: bool | None = None) -> User:
    """Change a user's name, role or active flag; the last administrator stays an active admin."""
    require(actor, "users")
    errors: dict[str, Message] = {}
    fields: dict[str, object] = {}
    if display_name is not None:
        fields["display_name"] = _clean_display_name(display_name, errors)
    if role is not None:
        if role not in USER_ROLES:
            errors["role"] = msg("请选择角色。")
        fields["role"] = role
    if active is not None:
        fields["active"] = bool(active)
    with database.atomic():
        stays_admin = fields.get("role", target.role) == "admin" and fields.get("active", target.active)
        if target.role == "admin" and target.active and not stays_admin and not _login_capable_admins(target):
            errors["role" if role is not None else "active"] = msg(
                "“{name}”是唯一可以登录的管理员，不能停用或改为其他角色。请先设置另一位管理员。",
                name=target.username)
        if errors:
            raise ValidationFailed(errors)
        if fields.get("active") is False:
            crypto.drop_user_wrap(target.id)  # a deactivated operator can no longer unlock the data
        return audit.update(target, actor, **fields)


def list_users() -> list[User]:
    return list(User.select().order_by(User.active.desc(), User.username))


# -- login ---------------------------------------------------------------------------------------

def is_locked(user: User, at: dt.datetime) -> bool:
    return user.locked_until is not None and user.locked_until > at


def refused_message() -> Message:
    """The one answer to every refused login: an unknown user, a wrong password, a locked account.

    Any difference ("two tries left", "locked until 09:15") would tell whoever tries names that
    a user of that name exists; this answer still tells a real user what may have happened.
    """
    return msg("用户名或密码不正确，或账户因连续 {n} 次输错密码已被锁定"
               "（{minutes} 分钟后自动解锁，管理员重设密码也可以解锁）。",
               n=MAX_FAILED, minutes=LOCK_MINUTES)


def authenticate(username: str, password: str, now: dt.datetime | None = None,
                 unrecorded: Callable[[DatabaseError], bool] | None = None) -> User:
    """The active user ``username`` if ``password`` is theirs; otherwise AuthError.

    Five wrong passwords in a row lock the account for LOCK_MINUTES; a locked account
    refuses even the right password until then (or until an administrator resets it).
    Every refusal gives the same answer after the same work (one password hash).

    The login, or the wrong password, is written down (audit line, failure count). When that
    write fails, ``unrecorded(error)`` decides: True lets the answer stand without the record
    (a command that only reads a busy or read-only database), otherwise the error is raised.
    """
    at = now or local_now()
    user = User.get_or_none(fn.LOWER(User.username) == username.strip().lower())
    if user is None or not user.active or not user.password_hash:
        verify_password(password, _dummy_hash())
        raise AuthError(refused_message())
    secret = password_secret(password, user.password_hash)
    if is_locked(user, at):
        raise AuthError(refused_message())
    if secret is None:
        _write_down(lambda: _count_failure(user, at), unrecorded)
        raise AuthError(refused_message())
    try:
        crypto.unlock_for_user(user.id, secret)
    except crypto.KeyProblem as e:
        raise AuthError(e.message) from e
    _write_down(lambda: _record_login(user, password, at), unrecorded)
    return User.get_by_id(user.id)


def _write_down(write: Callable[[], None], unrecorded: Callable[[DatabaseError], bool] | None) -> None:
    try:
        write()
    except DatabaseError as e:
        if unrecorded is None or not unrecorded(e):
            raise


def _count_failure(user: User, at: dt.datetime) -> None:
    with database.atomic():
        failed = User.get_by_id(user.id).failed_logins + 1  # read in the transaction that writes it
        if failed >= MAX_FAILED:
            until = at + dt.timedelta(minutes=LOCK_MINUTES)
            User.update(failed_logins=0, locked_until=until).where(User.id == user.id).execute()
            audit.record(user, "lock", user,
                         summary=f"连续 {MAX_FAILED} 次密码错误，账户锁定到 {until:%Y-%m-%d %H:%M}")
        else:
            User.update(failed_logins=failed).where(User.id == user.id).execute()
            audit.record(user, "login_failed", user, summary=f"密码错误（连续第 {failed} 次）")


def _record_login(user: User, password: str, at: dt.datetime) -> None:
    updates: dict[str, object] = {"failed_logins": 0, "locked_until": None, "last_login_at": at}
    secret = None
    if needs_rehash(user.password_hash):
        updates["password_hash"], secret = new_password_hash(password)
    with database.atomic():
        User.update(**updates).where(User.id == user.id).execute()
        if secret is not None:
            crypto.wrap_for_user(user.id, secret)
        audit.record(user, "login", user, summary="登录")
