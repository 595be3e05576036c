"""This database's unit (本单位) as a link in the reporting chain: level township, county or city, its
division code, the code of the unit it reports to, and the Ed25519 key its report packages are signed
with (made when the unit is set, kept in the database so that it travels in backups).

The name, level, code and parent are the office settings of models/office.py (``office.*``);
``office.parent_code`` is added here. Codes are checked by level here as in models/office.py (a
city's six digits end in 00).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from .db import database, now
from .entities import User
from .errors import MAX_TITLE, ValidationFailed
from .exchange_entities import UnitKey
from .i18n import Message, msg, tr_noop
from .settings import get_setting, set_settings

UNIT_LEVELS = ("township", "county", "city")  # lowest first: each reports to the next
LEVEL_LABELS = {"township": tr_noop("乡镇（街道）"), "county": tr_noop("县（市、区）"), "city": tr_noop("市")}
CODE_LENGTHS = {"township": 9, "county": 6, "city": 6}


@dataclass(frozen=True)
class Unit:
    name: str
    code: str
    level: str
    parent_code: str

    @property
    def is_set(self) -> bool:
        return bool(self.name and self.code and self.level in UNIT_LEVELS)


def current_unit() -> Unit:
    code, level = get_setting("office.code"), get_setting("office.level")
    return Unit(get_setting("office.name"), code, level,
                get_setting("office.parent_code") or derived_parent_code(code, level))


def derived_parent_code(code: str, level: str) -> str:
    """The upper unit's code as the division code implies it (a unit set in the setup guide, which
    asks only for the upper unit's name): a township's county, a county's city."""
    if level == "township" and len(code) == 9:
        return code[:6]
    if level == "county" and len(code) == 6 and not code.endswith("00"):
        return code[:4] + "00"
    return ""


def level_label(level: str) -> str:
    return str(LEVEL_LABELS.get(level, level))


def upper_level(level: str) -> str | None:
    i = UNIT_LEVELS.index(level)
    return UNIT_LEVELS[i + 1] if i + 1 < len(UNIT_LEVELS) else None


def code_problem(code: str, level: str) -> Message | None:
    """What is wrong with ``code`` as the division code of a unit of ``level`` (None: nothing)."""
    n = CODE_LENGTHS[level]
    if not re.fullmatch(rf"\d{{{n}}}", code):
        return msg("{level}的区划代码应为 {n} 位数字", level=level_label(level), n=n)
    if level == "city" and not code.endswith("00"):
        return msg("市的区划代码以 00 结尾（如 321000）")
    return None


def is_below(lower_code: str, lower_level: str, upper_code: str, upper_level_: str) -> bool:
    """Whether a unit is directly below another by level and by its division code: a township's
    9 digits begin with its county's 6, a county's first 4 are its city's."""
    if upper_level(lower_level) != upper_level_:
        return False
    if lower_level == "township":
        return lower_code[:6] == upper_code
    return lower_code[:4] == upper_code[:4] and lower_code != upper_code


def set_unit(name: str, code: str, level: str, parent_code: str, user: User | None) -> Unit:
    """Check and keep the unit; its signing key is made the first time (kept after that: a key is
    what the upper unit trusts, so changing the name keeps it)."""
    name = " ".join(name.split())
    code = re.sub(r"\s", "", code)
    parent_code = re.sub(r"\s", "", parent_code)
    errors: dict[str, Message] = {}
    if not name:
        errors["name"] = msg("请填写单位名称")
    elif len(name) > MAX_TITLE:
        errors["name"] = msg("名称过长（最多 {n} 字）", n=MAX_TITLE)
    if level not in UNIT_LEVELS:
        errors["level"] = msg("级别应为 township（乡镇、街道）、county（县、市、区）或 city（市）")
    else:
        if (problem := code_problem(code, level)) is not None:
            errors["code"] = problem
        above = upper_level(level)
        if parent_code and above is None:
            errors["parent_code"] = msg("市级单位不再向上报送，不需要上级单位代码")
        elif parent_code and (problem := code_problem(parent_code, above)) is not None:
            errors["parent_code"] = msg("上级单位：{problem}", problem=problem)
        elif parent_code and "code" not in errors and not is_below(code, level, parent_code, above):
            errors["parent_code"] = msg("区划代码 {code} 不在上级单位 {parent} 的辖区内", code=code,
                                        parent=parent_code)
    if errors:
        raise ValidationFailed(errors)
    with database.atomic():
        set_settings({"office.name": name, "office.code": code, "office.level": level,
                      "office.parent_code": parent_code}, user)
        ensure_key()
    return current_unit()


def ensure_key() -> UnitKey:
    """The unit's signing key, made the first time (kept after that: a key is what the upper
    unit trusts, so a change of name keeps it)."""
    return signing_key() or make_key()


def signing_key() -> UnitKey | None:
    return (UnitKey.select().where(UnitKey.retired_at.is_null())
            .order_by(UnitKey.id.desc()).first())


def make_key() -> UnitKey:
    """A new Ed25519 key for this unit (the one before it, if any, is retired)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    raw = serialization.Encoding.Raw
    public = private.public_key().public_bytes(raw, serialization.PublicFormat.Raw)
    secret = private.private_bytes(raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    with database.atomic():
        UnitKey.update(retired_at=now()).where(UnitKey.retired_at.is_null()).execute()
        return UnitKey.create(public_key=public.hex(), private_key=secret.hex())


def fingerprint(public_key_hex: str) -> str:
    """A key's fingerprint as five groups of four digits, to read out over the phone."""
    digest = hashlib.sha256(bytes.fromhex(public_key_hex)).digest()
    digits = f"{int.from_bytes(digest[:9], 'big') % 10**20:020d}"
    return " ".join(digits[i:i + 4] for i in range(0, 20, 4))


def sign(data: bytes, key: UnitKey) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(key.private_key)).sign(data)


def signature_valid(data: bytes, signature: bytes, public_key_hex: str) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex)).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True
