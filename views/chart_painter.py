"""Paints a chart (desktop/reports/charts.py) with QPainter: the shapes the PDF gets, on screen
and in copied or saved PNG images, with the text in the bundled CJK font (the application
registers it at start: desktop/app.load_cjk_font)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPaintDevice, QPainter, QPen

from desktop.reports.charts import Block, ChartDrawing, Colour, Label, Measure, Rule
from resources import CJK_FONT_FAMILY


def _colour(colour: Colour) -> QColor:
    return QColor.fromRgbF(*colour)


def chart_font(size: float, dpi: float) -> QFont:
    """The CJK font at ``size`` chart units, a unit being a pixel on screen, on a device of
    ``dpi`` dots per inch."""
    font = QFont(CJK_FONT_FAMILY)
    font.setPointSizeF(size * 72 / dpi)
    return font


def screen_measure(device: QPaintDevice) -> Measure:
    """How wide text is in the font that paints it on ``device`` (for ``draw_chart``)."""
    dpi = device.logicalDpiY()

    def width(text: str, size: float) -> float:
        return QFontMetricsF(chart_font(size, dpi), device).horizontalAdvance(text)

    return width


def paint_chart(painter: QPainter, drawing: ChartDrawing) -> None:
    """Paint ``drawing`` with its top left corner at the painter's origin (the chart's y axis
    points up, the painter's down)."""
    dpi = painter.device().logicalDpiY()
    fonts: dict[float, QFont] = {}
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    top = drawing.height
    for shape in drawing.shapes:
        if isinstance(shape, Block):
            painter.fillRect(QRectF(shape.x, top - shape.y - shape.height, shape.width, shape.height),
                             _colour(shape.colour))
        elif isinstance(shape, Rule):
            painter.setPen(QPen(_colour(shape.colour), shape.thickness))
            painter.drawLine(QPointF(shape.x1, top - shape.y1), QPointF(shape.x2, top - shape.y2))
        elif isinstance(shape, Label):
            font = fonts.get(shape.size)
            if font is None:
                font = fonts[shape.size] = chart_font(shape.size, dpi)
            advance = QFontMetricsF(font, painter.device()).horizontalAdvance(shape.text)
            shift = {"middle": advance / 2, "end": advance}.get(shape.anchor, 0.0)
            painter.setFont(font)
            painter.setPen(_colour(shape.colour))
            painter.drawText(QPointF(shape.x - shift, top - shape.y), shape.text)
        else:
            raise TypeError(f"the chart painter does not paint {type(shape).__name__}")
    painter.restore()


def chart_image(drawing: ChartDrawing, scale: float = 2.0) -> QImage:
    """``drawing`` on white, ``scale`` pixels per unit (2: sharp when pasted into a document)."""
    image = QImage(round(drawing.width * scale), round(drawing.height * scale),
                   QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(scale)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    try:
        paint_chart(painter, drawing)
    finally:
        painter.end()
    return image
