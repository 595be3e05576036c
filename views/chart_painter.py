"""Paints a chart's reportlab Drawing (desktop/reports/charts.py) with QPainter: the same
shapes the PDF gets, on screen and in copied or saved PNG images.

Only the shapes the charts use are painted (groups, rectangles, lines, text); text is set in
the bundled CJK font, which the application registers at start (desktop/app.load_cjk_font).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPaintDevice, QPainter, QPen, QTransform
from reportlab.graphics.shapes import Drawing, Group, Line, Rect, String
from reportlab.lib.colors import Color

from desktop.reports.charts import Measure
from resources import CJK_FONT_FAMILY


def _colour(colour: Color) -> QColor:
    return QColor.fromRgbF(colour.red, colour.green, colour.blue, colour.alpha)


def chart_font(size: float, dpi: float) -> QFont:
    """The CJK font at ``size`` drawing units (a unit is a pixel: the painter is not scaled
    for text), for a device of ``dpi`` dots per inch."""
    font = QFont(CJK_FONT_FAMILY)
    font.setPointSizeF(size * 72 / dpi)
    return font


def screen_measure(device: QPaintDevice) -> Measure:
    """How wide text is in the font that paints it on ``device`` (for ``draw_chart``)."""
    dpi = device.logicalDpiY()

    def width(text: str, size: float) -> float:
        return QFontMetricsF(chart_font(size, dpi), device).horizontalAdvance(text)

    return width


class _Painter:
    def __init__(self, painter: QPainter):
        self.painter = painter
        self.dpi = painter.device().logicalDpiY()
        self.fonts: dict[float, QFont] = {}

    def node(self, node) -> None:
        if isinstance(node, Group):  # also a Drawing
            self.painter.save()
            self.painter.setTransform(QTransform(*node.transform), True)
            for child in node.getContents():
                self.node(child)
            self.painter.restore()
        elif isinstance(node, Rect):
            self.rect(node)
        elif isinstance(node, Line):
            self.line(node)
        elif isinstance(node, String):
            self.string(node)
        else:
            raise TypeError(f"the chart painter does not paint {type(node).__name__}")

    def rect(self, rect: Rect) -> None:
        p = self.painter
        p.setPen(Qt.PenStyle.NoPen if rect.strokeColor is None
                 else QPen(_colour(rect.strokeColor), rect.strokeWidth))
        p.setBrush(Qt.BrushStyle.NoBrush if rect.fillColor is None else _colour(rect.fillColor))
        p.drawRect(QRectF(rect.x, rect.y, rect.width, rect.height))

    def line(self, line: Line) -> None:
        if line.strokeColor is not None:
            self.painter.setPen(QPen(_colour(line.strokeColor), line.strokeWidth))
            self.painter.drawLine(QPointF(line.x1, line.y1), QPointF(line.x2, line.y2))

    def string(self, text: String) -> None:
        p = self.painter
        font = self.fonts.get(text.fontSize)
        if font is None:
            font = self.fonts[text.fontSize] = chart_font(text.fontSize, self.dpi)
        advance = QFontMetricsF(font, p.device()).horizontalAdvance(text.text)
        shift = {"middle": advance / 2, "end": advance}.get(text.textAnchor, 0.0)
        p.save()
        p.translate(text.x - shift, text.y)
        p.scale(1, -1)  # the drawing's y axis points up; text must not be upside down
        p.setFont(font)
        p.setPen(_colour(text.fillColor))
        p.drawText(QPointF(0, 0), text.text)
        p.restore()


def paint_drawing(painter: QPainter, drawing: Drawing) -> None:
    """Paint ``drawing`` with its top left corner at the painter's origin."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.translate(0, drawing.height)
    painter.scale(1, -1)
    _Painter(painter).node(drawing)
    painter.restore()


def drawing_image(drawing: Drawing, scale: float = 2.0) -> QImage:
    """``drawing`` on white, ``scale`` pixels per unit (2: sharp when pasted into a document)."""
    image = QImage(round(drawing.width * scale), round(drawing.height * scale),
                   QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(scale)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    try:
        paint_drawing(painter, drawing)
    finally:
        painter.end()
    return image
