"""Rare name characters in PDFs: set in the bundled Jinguo Rare font, which carries no reserved name."""

import struct

from desktop.reports import pdf
from resources import resource_path

from .pdf_reading import font_programs, page_texts, pages_of

RARE_FONT = "fonts/JinguoRare-Regular.ttf"
RESERVED_FONT_NAMES = ("LXGW", "霞鹜")  # LXGW WenKai's, under the SIL Open Font License
# Name records that identify a font: family, style, unique ID, full name, PostScript name,
# typographic and WWS family and style.
IDENTIFYING_NAME_IDS = {1, 2, 3, 4, 6, 16, 17, 21, 22}


def truetype_fonts(path) -> dict[str, bool]:
    """BaseFont of every font the pages use → whether a TrueType program (FontFile2) is embedded."""
    return {name: "/FontFile2" in kinds for name, kinds in font_programs(pages_of(path)).items()}


def name_records(path) -> list[tuple[int, str]]:
    """(name ID, text) of every Unicode record in a TrueType font's name table."""
    data = path.read_bytes()
    (num_tables,) = struct.unpack_from(">H", data, 4)
    for i in range(num_tables):
        tag, _checksum, offset, _length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        if tag == b"name":
            break
    else:
        raise AssertionError("no name table")
    _format, count, strings = struct.unpack_from(">HHH", data, offset)
    records = []
    for i in range(count):
        platform, _encoding, _language, name_id, length, start = struct.unpack_from(
            ">HHHHHH", data, offset + 6 + 12 * i)
        raw = data[offset + strings + start:offset + strings + start + length]
        records.append((name_id, raw.decode("utf-16-be" if platform in (0, 3) else "mac_roman")))
    return records


def test_rare_name_characters_are_embedded_from_the_rare_font(tmp_path):
    path = tmp_path / "rare.pdf"
    story = [pdf.para("花名册：吉𠮷、王䶮"),
             *pdf.grid_tables(["序号", "姓名"], [["1", "吉𠮷"], ["2", "刘䶮"], ["3", "张三"]], [60, 200])]
    pdf.build_pdf(path, story)

    fonts = truetype_fonts(path)
    rare = [name for name in fonts if "JinguoRare" in name]
    assert rare and all(fonts[name] for name in rare), fonts
    assert any("WenQuanYi" in name and embedded for name, embedded in fonts.items()), fonts
    # Copy and search work for both, also 𠮷 beyond the BMP (its ToUnicode entry is UTF-16).
    text = page_texts(path)[0]
    assert "刘䶮" in text and "王䶮" in text and "吉𠮷" in text


def test_rare_font_has_the_characters_and_no_reserved_font_name():
    sans, rare = pdf.register_fonts()
    assert {0x20BB7, 0x4DAE} <= rare - sans  # 𠮷 and 䶮

    records = name_records(resource_path(RARE_FONT))
    names = {name_id: text for name_id, text in records}
    assert names[1] == "Jinguo Rare" and names[6] == "JinguoRare-Regular"
    for name_id, text in records:
        if name_id in IDENTIFYING_NAME_IDS:
            assert not any(reserved.lower() in text.lower() for reserved in RESERVED_FONT_NAMES), text
    assert "LXGW" in names[0]  # the original copyright notice is kept
    assert "SIL Open Font License" in names[13]
