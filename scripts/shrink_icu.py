"""A smaller ICU data library for the Linux bundle.

Qt's libraries on Linux link ICU, whose data library (``libicudata.so.NN``) carries every
locale's collation, names, number and date formats, transliterators, word-break dictionaries of
Thai, Lao, Burmese and Khmer, and ~200 legacy text converters: about 31 MB, a fifth of the
bundle. Qt reads from it collation, case mapping and text converters; the program itself
formats dates and numbers with its own Chinese texts, decodes old spreadsheets in Python and
sorts names by its stored pinyin keys. This keeps what a Chinese program needs: the root,
Chinese and English locales (Qt's file dialog may follow an English system), the non-locale
tables (time zones, likely subtags, plural rules, normalization, character names), the
word-break dictionaries (the break rules of the root locale name them all), and the GB18030
converter; the rest is removed with
ICU's own ``icupkg`` (Debian: icu-devtools), and the data is linked into a library of the same
name and symbol with the C compiler. The ICU data licence (Unicode) permits this.

Usage: python scripts/shrink_icu.py LIBICUDATA OUTPUT_FOLDER  → prints the new library's path.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

# Locales kept (and their scripts and regions: zh_Hans_CN, en_US, …).
KEPT_LOCALES = re.compile(r"^(root|en(_[A-Za-z0-9]+)*|zh|zh_CN|zh_Hans(_[A-Za-z0-9]+)*)$")
# A locale resource's name: a language code with optional script/region/variant parts.
LOCALE_NAME = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]*)*$")
# Folders of locale resources (the data package's own layout).
UNUSED_FOLDERS = ("translit/",)  # transliterators: Qt has no API that reaches them
KEPT_CONVERTERS = re.compile(r"gb18030", re.I)  # a superset of GBK and GB2312


def exported_data(library: Path) -> tuple[str, bytes]:
    """(symbol name, bytes) of the ``icudtNN_dat`` object a little-endian ELF64 library exports."""
    elf = library.read_bytes()
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise SystemExit(f"{library}: not a little-endian 64-bit ELF library")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", elf, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    for _name, kind, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
        if kind != 11:  # SHT_DYNSYM
            continue
        strtab = sections[link][4]
        for at in range(offset, offset + size, entsize):
            name_at, _info, _other, shndx, value, sym_size = struct.unpack_from("<IBBHQQ", elf, at)
            name = elf[strtab + name_at:elf.index(b"\0", strtab + name_at)].decode()
            if re.fullmatch(r"icudt\d+_dat", name):
                home = sections[shndx]
                start = home[4] + value - home[3]
                return name, elf[start:start + sym_size]
    raise SystemExit(f"{library}: no icudtNN_dat symbol")


def unwanted(item: str) -> bool:
    """Whether the package item ``icudt73l/coll/de.res`` (say) can go."""
    path = item.split("/", 1)[1] if "/" in item else item
    name = path.rsplit("/", 1)[-1]
    stem, _, ext = name.rpartition(".")
    if path.startswith(UNUSED_FOLDERS):
        return True
    if ext == "cnv":
        return not KEPT_CONVERTERS.search(stem)
    if ext == "res" and LOCALE_NAME.match(stem):
        return not KEPT_LOCALES.match(stem)
    return False


def shrink(library: Path, folder: Path) -> Path:
    symbol, data = exported_data(library)
    package = symbol[:-len("_dat")] + "l"  # icudt73l: the little-endian package's name
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        dat = work / f"{package}.dat"
        dat.write_bytes(data)
        items = subprocess.run(["icupkg", "-l", dat.name], cwd=work, capture_output=True, text=True,
                               check=True).stdout.split()
        removed = [item for item in items if unwanted(item)]
        (work / "remove.txt").write_text("\n".join(removed) + "\n", encoding="ascii")
        subprocess.run(["icupkg", "-r", "remove.txt", dat.name], cwd=work, check=True,
                       capture_output=True)
        (work / "data.S").write_text(
            f'\t.section .rodata\n\t.globl {symbol}\n\t.type {symbol}, @object\n\t.balign 16\n'
            f'{symbol}:\n\t.incbin "{dat.name}"\n\t.size {symbol}, .-{symbol}\n'
            '\t.section .note.GNU-stack,"",@progbits\n', encoding="ascii")
        built = work / library.name
        subprocess.run(["gcc", "-shared", "-nostdlib", f"-Wl,-soname,{library.name}", "-o",
                        built.name, "data.S"], cwd=work, check=True)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / library.name
        shutil.copyfile(built, target)
    print(f"ICU data: {len(items) - len(removed)} of {len(items)} items kept, "
          f"{library.stat().st_size / 1e6:.1f} MB → {target.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
    return target


if __name__ == "__main__":
    print(shrink(Path(sys.argv[1]), Path(sys.argv[2])))
