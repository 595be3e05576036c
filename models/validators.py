"""Checks for Chinese identifiers: resident ID, unified social credit code, phone numbers.

Each ``check_*`` function normalises its input and returns the clean value, or
raises ``InvalidValue`` with a Chinese message saying what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .i18n import Message, msg

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20  # ideographic space
# re.ASCII: a Unicode \d would also accept Arabic-Indic and other scripts' digits.
_ID_RE = re.compile(r"^\d{17}[\dX]$", re.ASCII)
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$", re.ASCII)


class InvalidValue(ValueError):
    def __init__(self, message: Message, code: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code  # a stable name for the kind of problem, where a caller tells them apart


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (０-９, Ｘ, －…) and the ideographic space to their ASCII forms."""
    return text.translate(_FULLWIDTH)


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", to_halfwidth(text))


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F"


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def check_id_number(raw: str, today: dt.date | None = None) -> ResidentId:
    """Validate an 18-character resident ID (GB 11643-1999); derive birth date and sex."""
    number = _compact(raw).upper()
    if not number:
        raise InvalidValue(msg("身份证号为空"))
    if len(number) != 18:
        raise InvalidValue(msg("身份证号应为 18 位，现为 {n} 位", n=len(number)))
    if not _ID_RE.match(number):
        raise InvalidValue(msg("身份证号只能由数字组成，最后一位可以是 X"))
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidValue(msg("身份证号中的出生日期 {d} 不存在", d=number[6:14])) from None
    today = today or dt.date.today()
    if birth.year < 1900 or birth > today:
        raise InvalidValue(msg("身份证号中的出生日期 {d} 不合理", d=birth.isoformat()))
    if id_check_char(number[:17]) != number[17]:
        raise InvalidValue(msg("身份证号校验位不正确，请核对是否抄错"))
    sex = "M" if int(number[16]) % 2 else "F"
    return ResidentId(number, birth, sex)


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def check_credit_code(raw: str) -> str:
    """Validate an 18-character unified social credit code (GB 32100-2015)."""
    code = _compact(raw).upper()
    if not code:
        raise InvalidValue(msg("统一社会信用代码为空"))
    if len(code) != 18:
        raise InvalidValue(msg("统一社会信用代码应为 18 位，现为 {n} 位", n=len(code)))
    bad = sorted({c for c in code if c not in CREDIT_CHARSET})
    if bad:
        raise InvalidValue(
            msg("统一社会信用代码含有不允许的字符：{chars}（不使用 I、O、Z、S、V）", chars="、".join(bad))
        )
    if credit_check_char(code[:17]) != code[17]:
        raise InvalidValue(msg("统一社会信用代码校验位不正确，请核对是否抄错"))
    return code


def normalise_phone(raw: str) -> str:
    """Strip separators and the +86 / 0086 prefix; keep the landline's area-code dash."""
    text = to_halfwidth(raw).strip()
    text = re.sub(r"[\s()（）]+", "", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    text = text.lstrip("-")
    digits = text.replace("-", "")
    if digits.startswith("1") and len(digits) == 11:
        return digits
    return text


def check_phone(raw: str) -> str:
    """Validate a mainland mobile number or a landline with area code."""
    phone = normalise_phone(raw)
    if not phone:
        raise InvalidValue(msg("联系电话为空"))
    if _MOBILE_RE.match(phone) or _LANDLINE_RE.match(phone):
        return phone
    if phone.startswith("1"):
        raise InvalidValue(msg("手机号应为 1 开头的 11 位数字"))
    raise InvalidValue(msg("电话号码格式不对：手机号 11 位，座机请写区号，如 0514-87654321"))


_DIGIT = "0-9０-９"
_EDGE_BEFORE = rf"(?<![{_DIGIT}A-Za-zＡ-Ｚａ-ｚ])"
_EDGE_AFTER = rf"(?![{_DIGIT}A-Za-zＡ-Ｚａ-ｚ])"
# An 18-character ID (maybe typed in groups: 6 8 4), an old 15-digit one, a mobile number.
_ID_IN_TEXT = re.compile(
    rf"{_EDGE_BEFORE}[{_DIGIT}]{{6}}[ -]?[{_DIGIT}]{{8}}[ -]?[{_DIGIT}]{{3}}[{_DIGIT}XxＸｘ]{_EDGE_AFTER}"
    rf"|{_EDGE_BEFORE}[{_DIGIT}]{{15}}{_EDGE_AFTER}")
_MOBILE_IN_TEXT = re.compile(
    rf"{_EDGE_BEFORE}([1１][3-9３-９][{_DIGIT}])[{_DIGIT}]{{4}}([{_DIGIT}]{{4}}){_EDGE_AFTER}")


def mask_personal_numbers(text: str) -> str:
    """``text`` with every resident ID number and mobile number in it masked, for text that
    leaves the database unchecked (the log file): an ID as lists show it, a mobile as 138****5678."""
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(re.sub("[ -]", "", m.group(0))), text)
    return _MOBILE_IN_TEXT.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


def mask_id_number(number: str | None) -> str:
    """``320102199001011234`` → ``320102********1234`` (what lists and rosters show by default)."""
    if not number:
        return ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
