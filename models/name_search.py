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


_ONE_SYLLABLE = re.compile(r"(?:[zcs]h|[a-z])[aeiouvngr]*")


def narrow_pinyin(text: str) -> bool:
    """Whether what was typed reaches past its first syllable (``bcy``, ``wx``, ``baicai``), so
    that few names start with it; ``w``, ``zh``, ``zhang`` start thousands. A planning hint:
    few matches are best read off the pinyin indexes, many by walking the list in name order."""
    letters = spelled(text)
    return bool(letters) and not _ONE_SYLLABLE.fullmatch(letters)


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


def match_rank(text: str, label: str) -> int | None:
    """How ``label`` matches what was typed, for a short list already on screen: 0 when it (or
    a part of it after ``/``: 西湖镇 / 柳树村) starts with ``text`` or its pinyin or initials
    start with the letters typed, 1 when they contain them, None when it does not match. An
    empty text matches everything (0)."""
    typed = " ".join(text.split()).lower()
    if not typed:
        return 0
    letters = spelled(typed)
    rank = None
    for part in label.split(" / "):
        plain = part.strip().lower()
        forms = label_forms(part.strip()) if letters else ()
        if plain.startswith(typed) or any(form.startswith(letters) for form in forms):
            return 0
        if typed in plain or any(letters in form for form in forms):
            rank = 1
    return rank


def matches(text: str, label: str) -> bool:
    """``label`` contains ``text``, or its full pinyin or initials contain what was typed as
    pinyin (``match_rank``)."""
    return match_rank(text, label) is not None
