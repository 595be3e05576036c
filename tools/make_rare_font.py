"""Generate ``resources/fonts/JinguoRare-Regular.ttf``: the characters WenQuanYi Micro Hei lacks.

PDFs are set in WenQuanYi Micro Hei (sub-font 0 of ``wqy-microhei.ttc``); a character it
lacks, such as the rare name characters 𠮷 (U+20BB7) and 䶮 (U+4DAE), is set in this font
instead. It is a subset of LXGW WenKai holding only the code points that WenQuanYi does not
cover (about 3,700 of 29,000), so the program ships 0.5 MB instead of 15.7 MB.

- Outlines stay TrueType (``glyf``): reportlab embeds nothing else. Hinting, OpenType
  layout tables, vertical metrics and glyph names are dropped (reportlab uses none of them).
- LXGW WenKai is under the SIL Open Font License 1.1 with the Reserved Font Names "霞鹜"
  and "LXGW"; a subset is a Modified Version, which must not be named with them. So the
  family, full, unique and PostScript names become "Jinguo Rare" / "JinguoRare-Regular",
  the localized (Chinese) names are dropped, and the vendor ID "LXGW" is blanked. The
  copyright notice, trademark notice and licence (name IDs 0, 7, 13, 14) are kept unchanged;
  the description (name ID 10) says which font it was derived from, as the OFL FAQ (5.3)
  allows. The script checks its output and fails if a reserved name is left elsewhere.

Needs fontTools (``pip install -e ".[tools]"``); run it when either font is updated::

    python tools/make_rare_font.py [LXGWWenKai-Regular.ttf] [JinguoRare-Regular.ttf]

The default source is Debian's copy (package ``fonts-lxgw-wenkai``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = Path("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf")
DEFAULT_TARGET = ROOT / "resources" / "fonts" / "JinguoRare-Regular.ttf"
SANS = ROOT / "resources" / "fonts" / "wqy-microhei.ttc"
SANS_INDEX = 0  # the sub-font pdf.py registers

FAMILY = "Jinguo Rare"
STYLE = "Regular"
POSTSCRIPT = "JinguoRare-Regular"
RESERVED = ("LXGW", "霞鹜")  # the Reserved Font Names of LXGW WenKai
# Name records that may mention the original: its copyright notice and our description.
MAY_NAME_ORIGIN = {0, 10}
# Name records that identify a font to the user (family, style, unique, full, PostScript,
# typographic and WWS family/style, variations PostScript prefix): all rewritten or dropped.
IDENTIFYING = {1, 2, 3, 4, 6, 16, 17, 21, 22, 25}
REQUIRED_CHARACTERS = (0x20BB7, 0x4DAE)  # 𠮷 and 䶮, the cases that motivated the font


def rare_code_points(source: TTFont) -> set[int]:
    """The code points the source font has and WenQuanYi's sub-font 0 lacks."""
    sans = TTFont(SANS, fontNumber=SANS_INDEX, lazy=True)
    try:
        return set(source.getBestCmap()) - set(sans.getBestCmap())
    finally:
        sans.close()


def source_version(font: TTFont) -> str:
    """'1.250' from the version record 'Version 1.250;January 17, 2023'."""
    record = font["name"].getDebugName(5) or ""
    match = re.search(r"\d+(\.\d+)+", record)
    if not match:
        raise SystemExit(f"no version in the source font's name table: {record!r}")
    return match.group(0)


def subset_font(font: TTFont, codes: set[int]) -> None:
    options = subset.Options()
    options.hinting = False
    options.layout_features = []
    options.drop_tables += ["BASE", "GDEF", "GSUB", "GPOS", "vhea", "vmtx", "gasp"]
    options.glyph_names = False
    options.name_IDs = ["*"]  # keep copyright, trademark, designer and licence records
    options.name_languages = [0x0409]  # the localized names are the reserved 霞鹜文楷
    options.name_legacy = False  # Windows records only (Unicode)
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codes))
    subsetter.subset(font)


def rename(font: TTFont, version: str) -> None:
    name = font["name"]
    name.names = [r for r in name.names if r.nameID not in IDENTIFYING | {10}]
    records = {
        1: FAMILY,
        2: STYLE,
        3: f"{POSTSCRIPT};{version}",
        4: FAMILY,
        6: POSTSCRIPT,
        10: (f"{FAMILY}: the characters WenQuanYi Micro Hei lacks, subset from LXGW WenKai "
             f"{version} and renamed as the SIL Open Font License requires of a Modified "
             f"Version; not the original font."),
    }
    for name_id, text in records.items():
        name.setName(text, name_id, 3, 1, 0x0409)
    font["OS/2"].achVendID = "    "  # "LXGW": the original's vendor, not this subset's


def check(path: Path, codes: set[int]) -> None:
    """Fail if the written font is not what pdf.py and the OFL need."""
    font = TTFont(path)
    if "glyf" not in font or "CFF " in font:
        raise SystemExit(f"{path}: not a TrueType (glyf) font")
    # (a kept glyph may also bring a code point WenQuanYi has, mapped to the same glyph)
    missing = [f"U+{c:04X}" for c in sorted(codes.union(REQUIRED_CHARACTERS) - set(font.getBestCmap()))]
    if missing:
        raise SystemExit(f"{path}: lacks {', '.join(missing[:10])}")
    for record in font["name"].names:
        text = record.toUnicode()
        if record.nameID not in MAY_NAME_ORIGIN and any(r.lower() in text.lower() for r in RESERVED):
            raise SystemExit(f"{path}: name ID {record.nameID} uses a Reserved Font Name: {text!r}")
    for name_id in (1, 4, 6):
        if font["name"].getDebugName(name_id) not in (FAMILY, POSTSCRIPT):
            raise SystemExit(f"{path}: name ID {name_id} was not renamed")
    if font["OS/2"].fsType & 0x0002:
        raise SystemExit(f"{path}: the font forbids embedding")


def main(argv: list[str]) -> int:
    source_path = Path(argv[0]) if argv else DEFAULT_SOURCE
    target = Path(argv[1]) if len(argv) > 1 else DEFAULT_TARGET
    if not source_path.exists():
        print(f"{source_path} not found (Debian: apt-get install fonts-lxgw-wenkai)", file=sys.stderr)
        return 2
    font = TTFont(source_path)
    if font["name"].getDebugName(1) != "LXGW WenKai":
        print(f"{source_path} is not LXGW WenKai", file=sys.stderr)
        return 2
    version = source_version(font)
    codes = rare_code_points(font)
    subset_font(font, codes)
    rename(font, version)
    font.recalcTimestamp = False  # the same inputs give the same file
    font.save(target)
    check(target, codes)
    print(f"{target}: {len(codes)} code points from LXGW WenKai {version}, "
          f"{target.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
