"""Reading the PDFs the program writes, as the tests check them (pypdf): each page's text, and
which font programs are embedded."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pypdf import PageObject, PdfReader

FONT_PROGRAMS = ("/FontFile", "/FontFile2", "/FontFile3")  # Type 1, TrueType, CFF/OpenType


def page_texts(path: Path | str) -> list[str]:
    return [page.extract_text() for page in PdfReader(str(path)).pages]


def pages_of(path: Path | str) -> list[PageObject]:
    return list(PdfReader(str(path)).pages)


def font_programs(pages: Iterable[PageObject]) -> dict[str, frozenset[str]]:
    """BaseFont of every font the pages use → the kinds of font program embedded for it (none:
    the reader's own font would stand in)."""
    found: dict[str, frozenset[str]] = {}
    for page in pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            found[str(font["/BaseFont"])] = frozenset(k for k in FONT_PROGRAMS if k in descriptor)
    return found
