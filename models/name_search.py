"""Finding a name as a clerk types it: by its characters, its full pinyin or its initials.

Chinese office software has taught everyone to type 拼音首字母: ``bcy`` finds 白彩月, and
``baicai`` or ``bai cai yue`` do too. Names store both forms (``name_pinyin``,
``name_initials``, schema 7), so the search is plain SQL on both backends: a prefix is a range
on an index (``>= 'bcy' AND < 'bcz'``), which SQLite and PostgreSQL read off a B-tree in any
collation, since the forms hold only lower-case letters and digits.
"""

from __future__ import annotations

import re
from functools import lru_cache

from peewee import ColumnBase, Field

from .db import matching
from .sortkey import search_forms, text_syllables
from .validators import to_halfwidth

_SPELLED = re.compile(r"[a-z0-9' ]+")


def spelled(text: str) -> str:
    """What was typed as pinyin (``Bai Cai'yue`` → ``baicaiyue``), or "" when the text is not
    made of Latin letters (digits may follow them) only."""
    plain = to_halfwidth(text).strip().lower()
    if not plain or not _SPELLED.fullmatch(plain) or not plain[0].isalpha():
        return ""
    return re.sub(r"[' ]", "", plain)


def _after_prefix(prefix: str) -> str | None:
    """The first string after every string starting with ``prefix`` (None: there is none)."""
    stripped = prefix.rstrip("z")
    if not stripped:
        return None
    return stripped[:-1] + chr(ord(stripped[-1]) + 1)


def starts_with(column: Field, prefix: str) -> ColumnBase:
    """``column`` starts with ``prefix`` (letters and digits), as a range an index answers."""
    after = _after_prefix(prefix)
    condition = column >= prefix
    return condition if after is None else condition & (column < after)


def name_condition(model, text: str, anywhere: bool = True) -> ColumnBase | None:
    """Rows of ``model`` (a named entity) whose name contains ``text``; when letters were typed,
    whose full pinyin or initials start with them (an index range: people), or with
    ``anywhere`` (short lists: organizations, venues, …) contain them (``hzh`` finds 阳光互助会),
    which no index answers. None when nothing was typed."""
    typed = " ".join(text.split())
    if not typed:
        return None
    letters = spelled(typed)
    if letters and anywhere:
        return (matching(model.name, typed) | model.name_pinyin.contains(letters)
                | model.name_initials.contains(letters))
    if letters:  # Latin letters in a name are in its pinyin forms too: the forms say it all
        return starts_with(model.name_pinyin, letters) | starts_with(model.name_initials, letters)
    return matching(model.name, typed)


@lru_cache(maxsize=4096)
def label_forms(label: str) -> tuple[str, str]:
    """Full pinyin and initials of any text shown in a list (``仙女镇 / 柳树村``)."""
    return search_forms(text_syllables(label))


def matches(text: str, label: str) -> bool:
    """The same test in Python, for a short list already on screen: ``label`` contains ``text``,
    or its full pinyin or initials contain what was typed as pinyin."""
    typed = " ".join(text.split())
    if not typed or typed.lower() in label.lower():
        return True
    letters = spelled(typed)
    return bool(letters) and any(letters in form for form in label_forms(label))
