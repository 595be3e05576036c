"""Pinyin sort keys, stored next to Chinese names so lists sort in SQL."""

from __future__ import annotations

from bisect import bisect_right
from functools import cache, lru_cache


@lru_cache(maxsize=20000)
def _char_key(char: str) -> str:
    # Imported on first use: pypinyin's phrase tables take ~0.2 s to load, and start-up
    # only reads (keys are computed when names are written).
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(char, style=Style.TONE3, neutral_tone_with_five=True, errors="default")
    return syllables[0].lower() if syllables else char.lower()


def text_syllables(text: str) -> list[str]:
    """Each character of ``text`` read on its own (``zhang1``), spaces left out."""
    return [_char_key(c) for c in text.strip() if not c.isspace()]


def pinyin_key(text: str | None) -> str:
    """``张三`` → ``zhang1 san1``; byte order of the key is pinyin order of the text."""
    if not text:
        return ""
    return " ".join(text_syllables(text))


@cache
def surname_readings() -> dict[str, tuple[str, ...]]:
    """How surnames are read (曾 zeng1, 单 shan4, 尉迟 yu4 chi2), from the bundled table made
    from pinyin-pro's (tools/make_surnames.py)."""
    from resources import resource_path

    table: dict[str, tuple[str, ...]] = {}
    for line in resource_path("surnames.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            surname, _, reading = line.partition("\t")
            table[surname] = tuple(reading.split())
    return table


def person_syllables(name: str | None) -> list[str]:
    """A person's name read syllable by syllable, the surname as a surname is read: 曾 as
    zeng1 (not ceng2), 尉迟 as yu4 chi2."""
    syllables = text_syllables(name or "")
    compact = "".join((name or "").split())
    readings = surname_readings()
    for size in (2, 1):
        reading = readings.get(compact[:size]) if len(compact) >= size else None
        if reading is not None and (size == 1 or len(compact) > 2):
            return [*reading, *syllables[size:]]
    return syllables


def person_key(name: str | None) -> str:
    """The sort key of a person's name: ``pinyin_key`` with the surname's own reading, so that
    曾 sorts as zēng (after 袁), not as céng (between 曹 and 陈)."""
    return " ".join(person_syllables(name))


def search_forms(syllables: list[str]) -> tuple[str, str]:
    """The stored search forms of a name: full pinyin and initials, lower-case letters and
    digits only (``bai2 cai3 yue4`` → ``baicaiyue``, ``bcy``); Latin letters and digits in
    the name count as syllables of their own, other marks are left out."""
    full: list[str] = []
    initials: list[str] = []
    for syllable in syllables:
        plain = "".join(c for c in syllable.lower() if c.isascii() and c.isalnum())
        if not plain:
            continue
        if syllable[-1].isdigit() and len(plain) > 1 and plain[:-1].isalpha():
            plain = plain[:-1]  # the tone number of a syllable (zhang1); a digit alone stays
        full.append(plain)
        initials.append(plain[0])
    return "".join(full), "".join(initials)


def name_forms(name: str | None, person: bool = False) -> tuple[str, str, str]:
    """(sort key, full pinyin, initials) of a name, as the name columns store them."""
    syllables = person_syllables(name) if person else text_syllables(name or "")
    return (" ".join(syllables), *search_forms(syllables))


# Compound surnames (复姓) still in common use; a name starting with one of them keeps both
# characters together as its surname when the name is longer than the surname.
COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
    "司徒", "夏侯", "令狐", "西门", "南宫", "端木", "独孤", "轩辕", "呼延", "澹台", "公冶",
    "申屠", "太史", "闻人", "万俟", "钟离", "宗政", "濮阳", "淳于", "单于", "赫连", "拓跋",
    "百里", "东郭", "公羊", "谷梁", "左丘", "第五", "司空", "司寇", "羊舌", "亓官", "仲孙",
    "歐陽", "司馬", "諸葛", "東方", "長孫",
})
UNKNOWN_STROKES = 999  # characters without a count (Latin letters, unlisted ones) sort last


class StrokeTable:
    """Total stroke counts by character, from the compact table in ``resources/strokes.txt``.

    Each data line is ``XXXX:counts``: the first code point in hex, then one character
    per consecutive code point, ``chr(0x22 + strokes)``, with ``!`` for "no count".
    """

    def __init__(self, text: str):
        self._starts: list[int] = []
        self._runs: list[str] = []
        for line in text.splitlines():
            if not line or line.startswith("#"):
                continue
            start, _, run = line.partition(":")
            self._starts.append(int(start, 16))
            self._runs.append(run)

    def strokes(self, char: str) -> int | None:
        code = ord(char)
        i = bisect_right(self._starts, code) - 1
        if i < 0:
            return None
        offset = code - self._starts[i]
        run = self._runs[i]
        if offset >= len(run) or run[offset] == "!":
            return None
        return ord(run[offset]) - 0x22

    def __len__(self) -> int:
        return sum(len(run) - run.count("!") for run in self._runs)


@cache
def stroke_table() -> StrokeTable:
    """The bundled table (read once; about 100 kB)."""
    from resources import resource_path

    return StrokeTable(resource_path("strokes.txt").read_text(encoding="ascii"))


def split_surname(name: str) -> tuple[str, str]:
    """``欧阳娜娜`` → (``欧阳``, ``娜娜``); ``王芳`` → (``王``, ``芳``)."""
    name = "".join(name.split())
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


def stroke_key(name: str, name_key: str = "", table: StrokeTable | None = None) -> tuple:
    """Sort key for official lists in surname stroke order (姓氏笔画).

    Surnames sort by the stroke count of their first character, then of the next one (a
    compound surname such as 欧阳 follows 欧); people with the same surname stay together
    (surnames with equal counts are ordered by pinyin); within a surname, by the stroke
    counts of the given name character by character, then by pinyin (``name_key``).
    Characters without a count sort after every counted one.
    """
    table = stroke_table() if table is None else table
    surname, given = split_surname(name or "")

    def counts(text: str) -> tuple[int, ...]:
        return tuple(UNKNOWN_STROKES if (n := table.strokes(c)) is None else n for c in text)

    syllables = name_key.split()
    return (counts(surname), " ".join(syllables[:len(surname)]), surname, counts(given),
            name_key, name or "")


def name_columns(name: str | None, person: bool = False) -> dict[str, str]:
    """The derived name columns of a row written in bulk (``NamedMixin.save`` sets them on a save)."""
    key, full, initials = name_forms(name, person)
    return {"name_key": key, "name_pinyin": full, "name_initials": initials}
