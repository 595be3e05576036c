"""Check a PDF the built program exported: it opens, its text is Chinese, its CJK font is embedded.

    python scripts/build_check_pdf.py FILE.pdf [MUST_CONTAIN ...]

Exit 0 when the file passes, 1 with the reason otherwise. Used by scripts/build.sh and
scripts/build.ps1 after the headless export with the built binary.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pypdf import PdfReader

CJK = re.compile(r"[\u4e00-\u9fff]")


def font_dicts(reader: PdfReader):
    for page in reader.pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources else None
        if not fonts:
            continue
        for ref in fonts.get_object().values():
            font = ref.get_object()
            yield font
            for child in font.get("/DescendantFonts", []):
                yield child.get_object()


def check(path: Path, expected: list[str]) -> list[str]:
    if not path.is_file() or path.stat().st_size == 0:
        return [f"{path}: missing or empty"]
    reader = PdfReader(path)
    problems = []
    text = "".join(page.extract_text() or "" for page in reader.pages)
    if not CJK.search(text):
        problems.append(f"{path}: no Chinese text extracted")
    problems += [f"{path}: text {word!r} not found" for word in expected if word not in text]
    embedded, missing = set(), set()
    for font in font_dicts(reader):
        name = str(font.get("/BaseFont", "?"))
        if font.get("/Subtype") == "/Type0":
            continue  # the glyphs are in its descendant, checked on its own
        descriptor = font.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor else {}
        if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
            embedded.add(name)
        else:
            missing.add(name)
    if not any("WenQuanYi" in name for name in embedded):
        problems.append(f"{path}: the WenQuanYi font is not embedded (embedded: {sorted(embedded)})")
    print(f"{path}: {len(reader.pages)} pages, {len(text)} characters of text, "
          f"embedded fonts {sorted(embedded)}" + (f", not embedded {sorted(missing)}" if missing else ""))
    return problems


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    problems = check(Path(argv[0]), argv[1:])
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
