"""The print preview window: a report's PDF pages drawn by QtPdf at the zoom's resolution."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QMargins, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .printing import PdfPages

log = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("printing", text)


ZOOM_STEP = 1.25
ZOOM_RANGE = (0.1, 8.0)


class PdfPreviewDialog(QDialog):
    """The report's PDF pages, drawn by QtPdf at the resolution of the zoom on screen (as crisp
    as the PDF in a PDF reader at every zoom, never a printer image scaled down), with 打印…."""

    def __init__(self, pages: PdfPages, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.pdf_pages = pages
        pages.setParent(self)
        self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self.printer.setDocName(title)
        pages.configure(self.printer)
        self.view = QPdfView(self)
        self.view.setObjectName("preview")
        self.view.setDocument(pages.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setPageSpacing(12)
        self.view.setDocumentMargins(QMargins(12, 12, 12, 12))
        # The vertical scroll bar always takes its room: appearing and going as the fitted page
        # grew and shrank with the room it left, it flipped for ever on some window sizes (the
        # window hung at 1024×768).
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)

        self.fit_page_button = self._button(_tr("适合页面"), lambda: self.fit(QPdfView.ZoomMode.FitInView))
        self.fit_width_button = self._button(_tr("适合宽度"), lambda: self.fit(QPdfView.ZoomMode.FitToWidth))
        self.zoom_out_button = self._button(_tr("缩小"), lambda: self.zoom_by(1 / ZOOM_STEP))
        self.zoom_in_button = self._button(_tr("放大"), lambda: self.zoom_by(ZOOM_STEP))
        self.actual_size_button = self._button(_tr("实际大小"), lambda: self.zoom_to(1.0))
        self.zoom_label = QLabel(self)
        self.zoom_label.setObjectName("zoom")
        self.pages_label = QLabel(_tr("共 {n} 页").format(n=pages.page_count), self)
        self.print_button = self._button(_tr("打印…"), self.choose_printer)
        self.print_button.setDefault(True)
        self.close_button = self._button(_tr("关闭"), self.reject)
        bar = QHBoxLayout()
        for widget in (self.fit_page_button, self.fit_width_button, self.zoom_out_button,
                       self.zoom_in_button, self.actual_size_button, self.zoom_label, self.pages_label):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        bar.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.view.zoomFactorChanged.connect(self._show_zoom)
        self.view.zoomModeChanged.connect(self._show_zoom)
        for keys, slot in ((QKeySequence.StandardKey.ZoomIn, lambda: self.zoom_by(ZOOM_STEP)),
                           (QKeySequence.StandardKey.ZoomOut, lambda: self.zoom_by(1 / ZOOM_STEP)),
                           (QKeySequence.StandardKey.Print, self.choose_printer)):
            QShortcut(keys, self, slot)
        self._show_zoom()
        self.resize(900, 1000)

    def _button(self, text: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(text, self)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    def fit(self, mode: QPdfView.ZoomMode) -> None:
        self.view.setZoomMode(mode)

    def zoom_to(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(min(max(factor, ZOOM_RANGE[0]), ZOOM_RANGE[1]))

    def zoom_by(self, step: float) -> None:
        self.zoom_to(self.shown_zoom() * step)

    def shown_zoom(self) -> float:
        """The scale on screen (1.0: the paper's size at the screen's resolution)."""
        mode = self.view.zoomMode()
        if mode == QPdfView.ZoomMode.Custom or not self.pdf_pages.page_count:
            return self.view.zoomFactor()
        points = self.pdf_pages.document.pagePointSize(0)
        room = self.view.viewport().size()
        margins = 2 * 12
        screen_dpi = self.logicalDpiX()
        page_w = points.width() / 72 * screen_dpi
        page_h = points.height() / 72 * screen_dpi
        by_width = (room.width() - margins) / page_w
        if mode == QPdfView.ZoomMode.FitToWidth:
            return by_width
        return min(by_width, (room.height() - margins) / page_h)

    def _show_zoom(self, *_args) -> None:
        self.zoom_label.setText(f"{round(self.shown_zoom() * 100)}%")

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self._show_zoom)  # once the view has its new size

    def choose_printer(self) -> None:
        dialog = QPrintDialog(self.printer, self)
        dialog.setMinMax(1, max(self.pdf_pages.page_count, 1))
        dialog.accepted.connect(lambda: self.print_to(self.printer))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def print_to(self, printer: QPrinter) -> None:
        """Each page as an image at the printer's resolution (the PDF's own look on paper)."""
        progress = QProgressDialog(_tr("正在打印…"), _tr("取消"), 0, self.pdf_pages.page_count, self)
        progress.setWindowTitle(self.windowTitle())
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(500)

        def step(done: int, total: int) -> bool:
            progress.setMaximum(total)
            progress.setValue(done)
            return not progress.wasCanceled()

        try:
            self.pdf_pages.paint(printer, step)
        except OSError as e:
            log.warning("printing: %s", e)
            QMessageBox.warning(self, self.windowTitle(), _tr("打印机没有启动，请检查打印机后重试。"))
        finally:
            progress.close()
            progress.deleteLater()
