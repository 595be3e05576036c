"""Data files (fonts, translations, icons, the division table); read them through ``resource_path``."""

from __future__ import annotations

from pathlib import Path

CJK_FONT = "fonts/wqy-microhei.ttc"
CJK_FONT_FAMILY = "WenQuanYi Micro Hei"
APP_ICON = "icons/jinguo.png"
DIVISIONS = "divisions/divisions.zip"  # official division codes (tools/make_divisions.py)
MANUAL = "help/manual.html"  # the user manual (帮助 ▸ 使用手册, F1)


def resource_path(relative: str) -> Path:
    """A file system path to a bundled resource (works installed, editable and frozen: the files
    lie beside this module in each case; importlib.resources would cost every start ~5 ms)."""
    path = Path(__file__).resolve().parent / relative
    if not path.exists():
        raise FileNotFoundError(f"missing bundled resource: {relative}")
    return path
