"""Personal data encrypted at rest, field by field, with one data key per database.

Why field by field and not the whole file (SQLCipher): the office's server (PostgreSQL) must not
be able to read ID numbers either, so the columns are encrypted there anyway, and one way on both
backends is one way to test. Measured on a 100,000-person register: SQLCipher made a cold People
page 2.9x slower; encrypting 50,000 ID numbers with AES-GCM takes about 60 ms and decrypting a
page of 200 about 0.2 ms.

- Sensitive columns (``EncryptedField``, ``EncryptedTextField``) hold ``e1:`` + base64(nonce ‖
  AES-256-GCM ciphertext), the table and column bound in as associated data, so a value cannot be
  moved to another column unnoticed. Empty text stays empty (it tells nothing and keeps "has a
  phone" filters working); ``None`` stays ``None``.
- Exact lookups and duplicate checks use keyed hashes (``blind``: HMAC-SHA256 with a key derived
  from the data key) in their own indexed columns: equal values find each other, and without the
  key the hash says nothing about the value.
- The data key (32 random bytes) is never stored in clear once anybody has a password. It is
  wrapped (AES-GCM) in ``key_wrap`` once per operator, with a key derived from their password by
  the same scrypt run that checks it (models.auth), once for the recovery key (恢复密钥) and once
  per key file for unattended commands. A database nobody has a password for yet keeps it in an
  "open" wrap, which the first password removes (anybody could open such a database anyway).

The key lives in this process only while the database it belongs to is the bound one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from peewee import CharField, TextField

from .db import database
from .i18n import Message, msg

PREFIX = "e1:"
KEY_BYTES = 32
NONCE_BYTES = 12
HASH_CHARS = 32  # hex characters kept of a keyed hash (128 bits)
WRAP_AAD = b"jinguo data key v1"
RECOVERY_GROUPS = 8  # the recovery key: 8 groups of 4 base32 characters (160 bits)


class Locked(Exception):
    """Sensitive data was needed but this database's data key is not unlocked."""

    def __init__(self, message: Message | None = None):
        self.message = message or msg(
            "这个数据库的个人信息已加密，需要先登录（或提供密钥文件、恢复密钥）才能读取。")
        super().__init__(str(self.message))


class KeyProblem(Exception):
    """A key was given but does not open this database, or the key record is damaged."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


@dataclass
class _Unlocked:
    database: object
    key: bytes
    aead: object
    index_key: bytes


_state: _Unlocked | None = None


def _bound() -> object:
    return database.obj


def _aesgcm(key: bytes):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def unlock(key: bytes) -> None:
    """Hold ``key`` as the data key of the bound database."""
    global _state
    if len(key) != KEY_BYTES:
        raise KeyProblem(msg("密钥记录已损坏（长度不对），请用恢复密钥打开，或从备份恢复。"))
    index_key = hmac.new(key, b"jinguo blind index v1", hashlib.sha256).digest()
    _state = _Unlocked(_bound(), key, _aesgcm(key), index_key)


def lock() -> None:
    global _state
    _state = None


@contextmanager
def key_kept() -> Iterator[None]:
    """The data key held now is held again afterwards: opening another database on the way
    (the target of a copy, which makes a key of its own) does not lock the bound one."""
    global _state
    kept = _state
    try:
        yield
    finally:
        _state = kept


def _current() -> _Unlocked:
    state = _state
    if state is not None and state.database is _bound():
        return state
    key = _open_key()
    if key is None:
        raise Locked()
    unlock(key)
    return _state  # type: ignore[return-value]


def is_unlocked() -> bool:
    try:
        _current()
    except Locked:
        return False
    return True


def data_key() -> bytes:
    """The bound database's data key (Locked when it is not unlocked)."""
    return _current().key


def key_id(key: bytes | None = None) -> str:
    """A short fingerprint of a data key, to tell whose key a key file holds (never the key)."""
    key = key if key is not None else data_key()
    return hmac.new(key, b"jinguo key id", hashlib.sha256).hexdigest()[:16]


# -- values --------------------------------------------------------------------------------------

def encrypt(text: str, context: str) -> str:
    return encrypt_all([text], context)[0]


def encrypt_all(texts: Iterable[str], context: str) -> list[str]:
    """``encrypt`` for many values of one column (the demo writes 100,000 people): the key and
    the associated data looked up once."""
    aead, aad, urandom = _current().aead, context.encode(), os.urandom
    out = []
    for text in texts:
        nonce = urandom(NONCE_BYTES)
        sealed = aead.encrypt(nonce, text.encode("utf-8"), aad)
        out.append(PREFIX + binascii.b2a_base64(nonce + sealed, newline=False).decode("ascii"))
    return out


def decrypt(token: str, context: str) -> str:
    return decrypt_all([token], context)[0]


def decrypt_all(tokens: Iterable[str], context: str) -> list[str]:
    """``decrypt`` for many values of one column (finding duplicates reads a whole register's
    ID numbers): the key and the associated data looked up once."""
    from cryptography.exceptions import InvalidTag

    aead, aad, start = _current().aead, context.encode(), len(PREFIX)
    try:
        out = []
        for token in tokens:
            raw = binascii.a2b_base64(token[start:], strict_mode=True)  # b64decode(validate=True)
            out.append(aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad).decode("utf-8"))
        return out
    except (ValueError, InvalidTag) as e:
        raise KeyProblem(msg("有一项加密的个人信息无法解开（{where}）：数据已损坏，"
                             "或不是用这个数据库的密钥加密的。请运行“检查数据库”，必要时从备份恢复。",
                             where=context)) from e


def is_encrypted(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def seal(value: str | None, context: str) -> str | None:
    """What a sensitive column stores for ``value`` (raw SQL writers use it)."""
    if value is None or value == "" or is_encrypted(value):
        return value
    return encrypt(value, context)


def unseal(value: str | None, context: str) -> str | None:
    """The clear value of what a sensitive column stores (raw SQL readers use it)."""
    if is_encrypted(value):
        return decrypt(value, context)  # type: ignore[arg-type]
    return value


def seal_all(values: Sequence[str | None], context: str) -> list[str | None]:
    """``seal`` for many values of one column, encrypted in one go."""
    clear = [i for i, value in enumerate(values) if value and not is_encrypted(value)]
    out = list(values)
    for i, sealed in zip(clear, encrypt_all([values[i] for i in clear], context), strict=True):
        out[i] = sealed
    return out


def unseal_all(values: Sequence[str | None], context: str) -> list[str | None]:
    """``unseal`` for many values of one column, decrypted in one go."""
    sealed = [i for i, value in enumerate(values) if type(value) is str and value.startswith(PREFIX)]
    out = list(values)
    for i, clear in zip(sealed, decrypt_all([values[i] for i in sealed], context), strict=True):
        out[i] = clear
    return out


def blind(kind: str, value: str | None) -> str | None:
    """The keyed hash of ``value`` for exact lookups (``kind`` keeps IDs and phones apart)."""
    if value is None or value == "":
        return None
    return hmac.digest(_current().index_key, f"{kind}\0{value}".encode(), "sha256").hex()[:HASH_CHARS]


def id_hash(number: str | None) -> str | None:
    """The keyed hash an ID number is found by (``Person.id_hash``)."""
    return blind("id", number.strip().upper()) if number else None


def phone_hash(phone: str | None) -> str | None:
    """The keyed hash a phone is found by (``Person.phone_hash``): its digits only."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return blind("phone", digits) if digits else None


class _Sealed:
    """db_value/python_value of an encrypted column."""

    def _context(self) -> str:
        return f"{self.model._meta.table_name}.{self.column_name}"

    def db_value(self, value):
        if value is None:
            return None
        return seal(str(value), self._context())

    def python_value(self, value):
        return unseal(value, self._context())


def sealed_names(model) -> tuple[str, ...]:
    """The names of ``model``'s encrypted fields (raw writers seal them, raw readers unseal them)."""
    return tuple(f.name for f in model._meta.sorted_fields if isinstance(f, _Sealed))


# The keyed hash columns that follow a sensitive column: (table, column) -> (hash column, hash).
HASHED_COLUMNS = {
    ("person", "id_number"): ("id_hash", id_hash),
    ("person", "phone"): ("phone_hash", phone_hash),
}


def with_hashes(model, values: dict) -> dict:
    """``values`` (field name -> value) of a ``model`` row with the keyed hashes that follow
    its sensitive values set: what ``Model.update(...)`` and other bulk writers must write."""
    table = model._meta.table_name
    out = dict(values)
    for (hashed_table, column), (hash_column, hashed) in HASHED_COLUMNS.items():
        if hashed_table == table and column in values:
            out[hash_column] = hashed(unseal(values[column], f"{table}.{column}"))
    return out


def stored_values(model, values: dict) -> dict:
    """``with_hashes(model, values)`` with the sensitive values sealed: a row for raw SQL."""
    out = with_hashes(model, values)
    for name in sealed_names(model):
        if name in out:
            out[name] = model._meta.fields[name].db_value(out[name])
    return out


class EncryptedField(_Sealed, CharField):
    """A CharField stored encrypted (ID numbers, phones); never compared or sorted in SQL."""


class EncryptedTextField(_Sealed, TextField):
    """A TextField stored encrypted (audit changes, undo snapshots).

    An empty JSON object stays as it is, like empty text: it tells nothing, and the audit lines
    of a refused login (no changes) must be written while the database is still locked."""

    def db_value(self, value):
        if value == EMPTY_OBJECT:
            return value
        return super().db_value(value)


EMPTY_OBJECT = "{}"


# -- wraps ---------------------------------------------------------------------------------------

def _wrap(kek: bytes, key: bytes) -> str:
    nonce = os.urandom(NONCE_BYTES)
    return base64.b64encode(nonce + _aesgcm(kek).encrypt(nonce, key, WRAP_AAD)).decode("ascii")


def _unwrap(kek: bytes, wrapped: str) -> bytes | None:
    from cryptography.exceptions import InvalidTag

    try:
        raw = base64.b64decode(wrapped, validate=True)
        return _aesgcm(kek).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], WRAP_AAD)
    except (ValueError, InvalidTag):
        return None


def password_kek(secret: bytes) -> bytes:
    """The wrapping key of an operator, from the scrypt output of their password (models.auth)."""
    return hmac.new(secret, b"jinguo data key wrap", hashlib.sha256).digest()


def _open_key() -> bytes | None:
    from .entities import KeyWrap

    if "key_wrap" not in database.get_tables():  # a database before schema 12, being migrated
        return None
    row = KeyWrap.get_or_none(KeyWrap.kind == "open")
    if row is None:
        return None
    try:
        return base64.b64decode(row.wrapped, validate=True)
    except ValueError:
        return None


def new_data_key(open_wrap: bool = True) -> bytes:
    """A fresh data key for a new database, unlocked; kept in an open wrap until a password."""

    key = secrets.token_bytes(KEY_BYTES)
    unlock(key)
    if open_wrap:
        keep_open()
    return key


def keep_open() -> None:
    """Keep the data key in clear in the database: only while nobody has a password."""
    from .entities import KeyWrap

    KeyWrap.create(kind="open", wrapped=base64.b64encode(data_key()).decode("ascii"))


def has_open_wrap() -> bool:
    from .entities import KeyWrap

    return KeyWrap.select().where(KeyWrap.kind == "open").exists()


def drop_open_wrap() -> bool:
    """Remove the clear data key once somebody has a password (True if there was one).

    The caller scrubs the file afterwards (``scrub``): SQLite keeps deleted bytes in free space
    and in the write-ahead log otherwise."""
    from .entities import KeyWrap

    return KeyWrap.delete().where(KeyWrap.kind == "open").execute() > 0


def wrap_for_user(user_id: int, secret: bytes) -> None:
    """(Re)wrap the data key for an operator whose password's scrypt output is ``secret``."""
    from .entities import KeyWrap

    wrapped = _wrap(password_kek(secret), data_key())
    KeyWrap.delete().where((KeyWrap.kind == "user") & (KeyWrap.user == user_id)).execute()
    KeyWrap.create(kind="user", user=user_id, wrapped=wrapped)


def drop_user_wrap(user_id: int) -> None:
    from .entities import KeyWrap

    KeyWrap.delete().where((KeyWrap.kind == "user") & (KeyWrap.user == user_id)).execute()


def unlock_for_user(user_id: int, secret: bytes) -> None:
    """Unlock with an operator's wrap (their password checked already): KeyProblem if their
    wrap is missing or does not open."""
    from .entities import KeyWrap

    row = KeyWrap.get_or_none((KeyWrap.kind == "user") & (KeyWrap.user == user_id))
    if row is None:
        key = _open_key()
        if key is not None:
            unlock(key)
            return
        raise KeyProblem(msg("这个操作员还没有打开加密数据的钥匙（账户曾被停用，或钥匙记录缺失）："
                             "请管理员重设这个操作员的密码，或用恢复密钥打开。"))
    key = _unwrap(password_kek(secret), row.wrapped)
    if key is None:
        raise KeyProblem(msg("这个操作员的密钥记录已损坏，无法解开加密的个人信息："
                             "请管理员重设这个操作员的密码，或用恢复密钥打开。"))
    unlock(key)


# -- recovery key and key files -----------------------------------------------------------------

def _secret_kek(secret: bytes, salt: bytes) -> bytes:
    return hmac.new(salt, secret, hashlib.sha256).digest()


def _normalized_recovery(text: str) -> bytes | None:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned = cleaned.replace("0", "O").replace("1", "I").replace("8", "B")
    if len(cleaned) != RECOVERY_GROUPS * 4:
        return None
    try:
        return base64.b32decode(cleaned)
    except ValueError:
        return None


def new_recovery_key() -> str:
    """A new recovery key (replacing any earlier one), to show once: ``ABCD-EFGH-…``."""
    from .entities import KeyWrap

    secret = secrets.token_bytes(RECOVERY_GROUPS * 4 * 5 // 8)
    salt = secrets.token_bytes(16)
    wrapped = _wrap(_secret_kek(secret, salt), data_key())
    KeyWrap.delete().where(KeyWrap.kind == "recovery").execute()
    KeyWrap.create(kind="recovery", salt=base64.b64encode(salt).decode("ascii"), wrapped=wrapped)
    text = base64.b32encode(secret).decode("ascii")
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def has_recovery_key() -> bool:
    from .entities import KeyWrap

    return KeyWrap.select().where(KeyWrap.kind == "recovery").exists()


def _unlock_with_secret(kind: str, secret: bytes, label: str | None = None) -> bool:
    from .entities import KeyWrap

    query = KeyWrap.select().where(KeyWrap.kind == kind)
    if label is not None:
        query = query.where(KeyWrap.label == label)
    for row in query:
        try:
            salt = base64.b64decode(row.salt or "", validate=True)
        except ValueError:
            continue
        key = _unwrap(_secret_kek(secret, salt), row.wrapped)
        if key is not None:
            unlock(key)
            return True
    return False


def unlock_with_recovery_key(text: str) -> None:
    secret = _normalized_recovery(text)
    if secret is None:
        raise KeyProblem(msg("恢复密钥的格式不对：应为 8 组、每组 4 个字母或数字（如 ABCD-EFGH-…），"
                             "请核对后重新输入。"))
    if not has_recovery_key():
        raise KeyProblem(msg("这个数据库没有设置恢复密钥，请用操作员的密码登录。"))
    if not _unlock_with_secret("recovery", secret):
        raise KeyProblem(msg("恢复密钥不正确（或属于另一个数据库），请核对后重新输入。"))


KEY_FILE_MARK = "jinguo-key-file"


def new_key_file_text(label: str) -> str:
    """The contents of a new key file for unattended commands (its wrap is stored under ``label``)."""
    import json

    from .entities import KeyWrap

    secret = secrets.token_bytes(KEY_BYTES)
    salt = secrets.token_bytes(16)
    KeyWrap.delete().where((KeyWrap.kind == "keyfile") & (KeyWrap.label == label)).execute()
    KeyWrap.create(kind="keyfile", label=label, salt=base64.b64encode(salt).decode("ascii"),
                   wrapped=_wrap(_secret_kek(secret, salt), data_key()))
    return json.dumps({"format": KEY_FILE_MARK, "version": 1, "label": label, "key_id": key_id(),
                       "secret": base64.b64encode(secret).decode("ascii")}, ensure_ascii=False, indent=1)


def unlock_with_key_file_text(text: str) -> str:
    """Unlock with a key file's contents; returns its label (KeyProblem when it does not open)."""
    import json

    try:
        data = json.loads(text)
        if data.get("format") != KEY_FILE_MARK:
            raise ValueError
        secret = base64.b64decode(data["secret"], validate=True)
        label = str(data["label"])
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise KeyProblem(msg("这不是巾帼枢纽的密钥文件（或文件已损坏），请选择管理员生成的密钥文件。")) from e
    if not _unlock_with_secret("keyfile", secret, label):
        raise KeyProblem(msg("这个密钥文件打不开这个数据库：它属于另一个数据库，或已被管理员作废。"))
    return label


def drop_key_file(label: str) -> bool:
    from .entities import KeyWrap

    return KeyWrap.delete().where((KeyWrap.kind == "keyfile") & (KeyWrap.label == label)).execute() > 0
