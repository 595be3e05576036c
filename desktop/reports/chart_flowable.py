"""A chart (desktop/reports/charts.py) on a PDF page: its shapes drawn on reportlab's canvas,
vector graphics with the text in the embedded font."""

from __future__ import annotations

from reportlab.platypus import Flowable

from .charts import Block, ChartDrawing, Label, Rule
from .pdf import SANS, register_fonts

_DRAW_TEXT = {"start": "drawString", "middle": "drawCentredString", "end": "drawRightString"}


class ChartFlowable(Flowable):
    def __init__(self, drawing: ChartDrawing):
        super().__init__()
        self.drawing = drawing
        self.width, self.height = drawing.width, drawing.height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        register_fonts()
        canvas = self.canv
        for shape in self.drawing.shapes:
            if isinstance(shape, Block):
                canvas.setFillColorRGB(*shape.colour)
                canvas.rect(shape.x, shape.y, shape.width, shape.height, stroke=0, fill=1)
            elif isinstance(shape, Rule):
                canvas.setStrokeColorRGB(*shape.colour)
                canvas.setLineWidth(shape.thickness)
                canvas.line(shape.x1, shape.y1, shape.x2, shape.y2)
            elif isinstance(shape, Label):
                canvas.setFillColorRGB(*shape.colour)
                canvas.setFont(SANS, shape.size)
                getattr(canvas, _DRAW_TEXT[shape.anchor])(shape.x, shape.y, shape.text)
            else:
                raise TypeError(f"no way to draw {type(shape).__name__}")
