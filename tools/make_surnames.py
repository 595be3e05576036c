"""Generate ``resources/surnames.txt``: how surnames are read, for sorting and finding names.

A surname is often read differently from the same character elsewhere (曾 zēng, not céng;
单 shàn, 解 xiè, 仇 qiú, 区 ōu, 查 zhā, 覃 qín, 朴 piáo, 盖 gě, 翟 zhái, 缪 miào, 乐 yuè;
尉迟 yùchí, 万俟 mòqí). pypinyin has no surname mode (python-pinyin issues #120 and #297), so
the readings come from the surname table of the npm package ``pinyin-pro``
(github.com/zh-lx/pinyin-pro, MIT, maintained; its ``mode: 'surname'``), copied with its
licence beside the table. Fetch it with npm and run this script on the tarball::

    npm pack pinyin-pro@3.29.4
    python tools/make_surnames.py pinyin-pro-3.29.4.tgz

The file has one ``surname<TAB>reading`` line per surname, the reading in pypinyin's TONE3
style (``zeng1``, ``yu4 chi2``; ü as v), the form ``models.sortkey`` keys are made of.
"""

from __future__ import annotations

import json
import re
import sys
import tarfile
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "resources" / "surnames.txt"
LICENCE = TARGET.with_name("surnames-LICENSE-pinyin-pro.txt")
# The surname table in the bundle: an object literal whose first entry is 南宫.
TABLE = re.compile(r'=(\{"南宫":"[^}]*\})')


def readings(bundle: str) -> dict[str, str]:
    found = TABLE.search(bundle)
    if found is None:
        raise SystemExit("the surname table was not found in the package (its layout changed?)")
    return json.loads(found.group(1))


def main(tarball: str) -> None:
    from pypinyin.contrib.tone_convert import to_tone3

    with tarfile.open(tarball) as tar:
        bundle = tar.extractfile("package/dist/index.js").read().decode("utf-8")
        version = json.load(tar.extractfile("package/package.json"))["version"]
        licence = tar.extractfile("package/LICENSE").read().decode("utf-8")
    table = readings(bundle)
    lines = [f"# Surname readings from pinyin-pro {version} (MIT, see {LICENCE.name}); "
             "made by tools/make_surnames.py"]
    for surname in sorted(table):
        syllables = [to_tone3(s, neutral_tone_with_five=True) for s in table[surname].split()]
        if len(syllables) != len(surname):
            raise SystemExit(f"{surname}: {table[surname]} does not give one syllable a character")
        lines.append(f"{surname}\t{' '.join(syllables)}")
    TARGET.write_text("\n".join(lines) + "\n", encoding="utf-8")
    LICENCE.write_text(licence, encoding="utf-8")
    print(f"{len(table)} surnames -> {TARGET}")


if __name__ == "__main__":
    main(sys.argv[1])
