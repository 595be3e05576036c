"""Pinyin sort keys, stored next to Chinese names so lists sort in SQL."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=20000)
def _char_key(char: str) -> str:
    # Imported on first use: pypinyin's phrase tables take ~0.2 s to load, and start-up
    # only reads (keys are computed when names are written).
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(char, style=Style.TONE3, neutral_tone_with_five=True, errors="default")
    return syllables[0].lower() if syllables else char.lower()


def pinyin_key(text: str | None) -> str:
    """``张三`` → ``zhang1 san1``; byte order of the key is pinyin order of the text."""
    if not text:
        return ""
    return " ".join(_char_key(c) for c in text.strip() if not c.isspace())
