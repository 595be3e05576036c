"""One chart on screen, drawn at the widget's size, with 复制图片 and 另存为 PNG… in its menu."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSettings, QSize, Qt
from PySide6.QtGui import QAction, QFontInfo, QGuiApplication, QImage, QPainter
from PySide6.QtWidgets import QMessageBox, QSizePolicy, QWidget

from desktop.reports.charts import ChartDrawing, ChartSpec, draw_chart
from desktop.reports.output import ExportError, atomic_output

from .chart_painter import chart_image, paint_chart, screen_measure
from .i18n import tr_msg
from .tasks import ask_save_path, file_stem

MIN_SIZE = QSize(300, 200)


class ChartView(QWidget):
    """``spec`` (desktop/reports/charts.py) laid out again whenever the widget's size changes."""

    def __init__(self, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.spec: ChartSpec | None = None
        self._drawing: ChartDrawing | None = None
        self._font_size = 0
        self.setMinimumSize(MIN_SIZE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)  # as the lists' tables
        self.copy_action = QAction(self.tr("复制图片"), self)
        self.copy_action.triggered.connect(self.copy_image)
        self.save_action = QAction(self.tr("另存为 PNG…"), self)
        self.save_action.triggered.connect(lambda: self.save_image())
        for action in (self.copy_action, self.save_action):
            action.setEnabled(False)  # until there is a chart
            self.addAction(action)
        self.setToolTip(self.tr("右键可复制图片或另存为 PNG"))

    def set_spec(self, spec: ChartSpec) -> None:
        self.spec = spec
        self.setAccessibleName(spec.title)
        self.copy_action.setEnabled(True)
        self.save_action.setEnabled(True)
        self._drawing = None
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(440, 260)

    def drawing(self) -> ChartDrawing | None:
        """The chart laid out at the widget's size in the widget's font size (kept until either changes)."""
        if self.spec is None:
            return None
        size = QFontInfo(self.font()).pixelSize()
        if self._drawing is None or (self._drawing.width, self._drawing.height, self._font_size) != (
                self.width(), self.height(), size):
            self._drawing = draw_chart(self.spec, self.width(), self.height(), size, screen_measure(self))
            self._font_size = size
        return self._drawing

    def paintEvent(self, event) -> None:
        drawing = self.drawing()
        if drawing is not None:
            painter = QPainter(self)
            try:
                paint_chart(painter, drawing)
            finally:
                painter.end()

    def image(self) -> QImage:
        """The chart as shown, at twice its size (sharp when pasted into a report)."""
        return chart_image(self.drawing(), 2.0)

    def copy_image(self) -> None:
        if self.spec is not None:
            QGuiApplication.clipboard().setImage(self.image())

    def save_image(self) -> Path | None:
        if self.spec is None:
            return None
        path = ask_save_path(self, self.settings, self.tr("另存为 PNG"), file_stem(self.spec.title), ".png")
        if path is None:
            return None
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not self.image().save(buffer, "PNG"):
            raise RuntimeError("the chart could not be encoded as PNG")
        try:
            with atomic_output(path) as tmp:
                tmp.write_bytes(bytes(data))
        except ExportError as e:
            QMessageBox.warning(self, self.tr("另存为 PNG"), tr_msg(e.message))
            return None
        return path
