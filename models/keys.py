"""The ways to unlock a database other than an operator's own password: the recovery key
(恢复密钥) for when every password is lost, and key files for unattended commands.

A key file acts as the administrator who made it (recorded on its wrap, ``KeyWrap.user``): a
scheduled backup is then audited under that administrator's name with the key file's label,
and stops working once that administrator is deactivated or the file is revoked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from peewee import JOIN, DatabaseError

from . import audit, crypto
from .auth import AuthError, _store_password, _write_down, password_problem, scrub_deleted_keys
from .db import database
from .db import now as local_now
from .entities import KeyWrap, User
from .errors import ValidationFailed
from .i18n import Message, msg
from .permissions import require

MAX_LABEL = 40


@dataclass(frozen=True)
class KeyFileInfo:
    label: str
    creator: str  # username of the administrator who made it ("" if they are gone)
    created_at: object


def _clean_label(label: str) -> str:
    name = label.strip()
    if not name or len(name) > MAX_LABEL or any(c.isspace() for c in name):
        raise ValidationFailed({"label": msg("密钥文件的名称不能为空、不能含空格，最多 {n} 个字符。",
                                             n=MAX_LABEL)})
    return name


def create_key_file(actor: User | None, label: str) -> str:
    """The text of a new key file named ``label`` (the caller writes it in the same transaction,
    so a file that could not be written leaves no wrap behind)."""
    require(actor, "users")
    name = _clean_label(label)
    if KeyWrap.select().where((KeyWrap.kind == "keyfile") & (KeyWrap.label == name)).exists():
        raise ValidationFailed({"label": msg(
            "已有名为“{label}”的密钥文件。请换一个名称，或先作废原来的（jinguo key file revoke {label}）。",
            label=name)})
    text = crypto.new_key_file_text(name)
    KeyWrap.update(user=actor.id if actor is not None else None).where(
        (KeyWrap.kind == "keyfile") & (KeyWrap.label == name)).execute()
    audit.record(actor, "key", None, summary=f"生成密钥文件“{name}”（用于无人值守的命令）", entity="key_wrap")
    return text


def revoke_key_file(actor: User | None, label: str) -> None:
    require(actor, "users")
    with database.atomic():
        if not crypto.drop_key_file(label.strip()):
            raise ValidationFailed({"label": msg("没有名为“{label}”的密钥文件。", label=label.strip())})
        audit.record(actor, "key", None, summary=f"作废密钥文件“{label.strip()}”", entity="key_wrap")


def list_key_files() -> list[KeyFileInfo]:
    rows = (KeyWrap.select(KeyWrap.label, KeyWrap.created_at, User.username)
            .join(User, JOIN.LEFT_OUTER, on=(KeyWrap.user == User.id))
            .where(KeyWrap.kind == "keyfile").order_by(KeyWrap.label).tuples())
    return [KeyFileInfo(label, username or "", created) for label, created, username in rows]


def authenticate_key_file(text: str, unrecorded: Callable[[DatabaseError], bool] | None = None) -> User:
    """Unlock with a key file's contents and return the administrator it acts as (AuthError
    with a Chinese message otherwise); the login is audited with the file's label."""
    try:
        label = crypto.unlock_with_key_file_text(text)
    except crypto.KeyProblem as e:
        raise AuthError(e.message) from e
    wrap = KeyWrap.get_or_none((KeyWrap.kind == "keyfile") & (KeyWrap.label == label))
    user = User.get_or_none(User.id == wrap.user_id) if wrap is not None and wrap.user_id else None
    if user is None or not user.active or user.role != "admin":
        crypto.lock()
        raise AuthError(msg("密钥文件“{label}”的创建者已被停用（或不再是管理员），这个密钥文件不再有效："
                            "请现任管理员重新生成一个。", label=label))

    def write() -> None:
        with database.atomic():
            User.update(last_login_at=local_now()).where(User.id == user.id).execute()
            audit.record(user, "login", user, summary=f"用密钥文件“{label}”登录（无人值守）")

    _write_down(write, unrecorded)
    return User.get_by_id(user.id)


def unlock_with_recovery_key(text: str) -> None:
    """Unlock with the recovery key, or AuthError saying what is wrong with it."""
    try:
        crypto.unlock_with_recovery_key(text)
    except crypto.KeyProblem as e:
        raise AuthError(e.message) from e


def recovery_candidates() -> list[User]:
    """The administrators whose password may be reset with the recovery key."""
    return list(User.select().where((User.role == "admin") & User.active).order_by(User.username))


def reset_with_recovery_key(recovery: str, username: str, password: str, repeat: str | None = None) -> User:
    """Every password lost: the recovery key unlocks the data, and the active administrator
    ``username`` gets a new password (which wraps the key for them again)."""
    problem = password_problem(password, repeat)
    if problem is not None:
        raise ValidationFailed({"password": problem})
    unlock_with_recovery_key(recovery)
    target = User.get_or_none((User.username == username.strip()) & (User.role == "admin") & User.active)
    if target is None:
        crypto.lock()
        raise ValidationFailed({"username": msg("没有名为“{name}”的在用管理员。", name=username.strip())})
    with database.atomic():
        _store_password(target, password)
        audit.record(target, "password", target, summary=f"用恢复密钥重设管理员“{target.username}”的密码")
    scrub_deleted_keys()
    return User.get_by_id(target.id)


def key_message(error: Exception) -> Message:
    """The Chinese message of a locked database or a key that does not open it."""
    return getattr(error, "message", None) or crypto.Locked().message
