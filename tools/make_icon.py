"""Draw the application icon: ``resources/icons/jinguo.png`` (256 px) and ``jinguo.ico``.

A red rounded square with a white 巾 in the bundled WenQuanYi font. Each size of the
Windows icon is drawn at that size (small sizes stay sharp instead of being shrunk from
256 px). The files are committed; run this only to change the design::

    QT_QPA_PLATFORM=offscreen python tools/make_icon.py

Qt draws, Pillow (installed with reportlab) writes the multi-size ``.ico``.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QImage, QPainter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from resources import CJK_FONT, resource_path

TARGET = Path(__file__).resolve().parents[1] / "resources" / "icons"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
RED = QColor("#c8102e")
WHITE = QColor("#ffffff")
GLYPH = "巾"


def draw(size: int, family: str) -> Image.Image:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    margin = max(size / 32, 0.5)
    square = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(RED)
    painter.drawRoundedRect(square, size * 0.18, size * 0.18)
    font = QFont(family)
    font.setPixelSize(round(size * 0.74))
    font.setBold(size >= 32)
    painter.setFont(font)
    painter.setPen(WHITE)
    painter.drawText(square, Qt.AlignmentFlag.AlignCenter, GLYPH)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGBA")


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv)  # noqa: F841 (fonts need it)
    font_id = QFontDatabase.addApplicationFont(str(resource_path(CJK_FONT)))
    families = QFontDatabase.applicationFontFamilies(font_id)
    if not families:
        print(f"cannot load {CJK_FONT}", file=sys.stderr)
        return 1
    TARGET.mkdir(parents=True, exist_ok=True)
    images = {size: draw(size, families[0]) for size in ICO_SIZES}
    images[256].save(TARGET / "jinguo.png", optimize=True)
    images[256].save(TARGET / "jinguo.ico", sizes=[(s, s) for s in ICO_SIZES],
                     append_images=[images[s] for s in ICO_SIZES if s != 256])
    print(f"wrote {TARGET / 'jinguo.png'} and {TARGET / 'jinguo.ico'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
