"""Print preview and printing of a report: the very pages of its PDF.

The report is produced as a PDF by the same export function the 导出 button uses (in a
worker thread, with progress and Cancel) and loaded with QtPdf. The preview draws the PDF's
pages at the zoom's own resolution (QPdfView), so they look as crisp as the PDF at every zoom;
printing renders each page as an image at the printer's resolution onto the paper. So the
preview, the paper and the PDF sent upward show the same pages.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    QMarginsF,
    QObject,
    QRect,
    QSize,
    QSizeF,
    Qt,
)
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from desktop.reports.output import Job

from .screen_fit import fit_to_screen
from .tasks import Task, run_task

log = logging.getLogger(__name__)

MAX_DPI = 300  # a page image at 1200 dpi would take half a gigabyte; 300 dpi prints sharp text


class PdfPages(QObject):
    """A PDF file as pages to paint on a printer."""

    def __init__(self, path: Path, parent: QObject | None = None):
        """Read into memory: the file can go at once (and is not held open on Windows)."""
        super().__init__(parent)
        self.buffer = QBuffer(self)
        self.buffer.setData(QByteArray(Path(path).read_bytes()))
        self.buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self.buffer)
        if self.document.status() != QPdfDocument.Status.Ready:
            raise OSError(f"cannot load {path}: {self.document.error()}")

    @property
    def page_count(self) -> int:
        return self.document.pageCount()

    def page_layout(self, index: int) -> QPageLayout:
        """The PDF page's size and orientation, with no margins (the PDF has its own)."""
        size = self.document.pagePointSize(index)
        landscape = size.width() > size.height()
        portrait_size = QSizeF(min(size.width(), size.height()), max(size.width(), size.height()))
        page_size = QPageSize(portrait_size, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
        orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
        return QPageLayout(page_size, orientation, QMarginsF())

    def configure(self, printer: QPrinter) -> None:
        """Paper size and orientation of the first page; the whole sheet is the page."""
        if self.page_count:
            printer.setPageLayout(self.page_layout(0))
        printer.setFullPage(True)

    def pages_to_print(self, printer: QPrinter) -> range:
        first, last = printer.fromPage(), printer.toPage()
        if first <= 0:
            return range(self.page_count)
        return range(first - 1, min(last or self.page_count, self.page_count))

    def paint(self, printer: QPrinter, step: Callable[[int, int], bool] | None = None) -> None:
        """Render each page to an image at the printer's resolution and draw it onto the sheet;
        ``step(done, total)`` is told after each page and stops the printing by returning False."""
        pages = self.pages_to_print(printer)
        painter = QPainter()
        for n, index in enumerate(pages):
            if step is not None and not step(n, len(pages)):
                break
            layout = self.page_layout(index)
            if layout.orientation() != printer.pageLayout().orientation():
                printer.setPageOrientation(layout.orientation())
            if n == 0:
                if not painter.begin(printer):
                    raise OSError("the printer could not be started")
            else:
                printer.newPage()
            target = painter.viewport()
            points = self.document.pagePointSize(index)
            dpi = min(printer.resolution(), MAX_DPI)
            pixels = QSize(round(points.width() / 72 * dpi), round(points.height() / 72 * dpi))
            image = self.document.render(index, pixels)
            fitted = pixels.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = target.x() + (target.width() - fitted.width()) // 2
            y = target.y() + (target.height() - fitted.height()) // 2
            painter.drawImage(QRect(x, y, fitted.width(), fitted.height()), image)
        if painter.isActive():
            painter.end()


def preview_pdf(parent: QWidget, path: Path, title: str) -> QDialog:
    """Open the preview (window-modal) on the pages of the PDF at ``path``."""
    from .pdf_preview import PdfPreviewDialog  # QtPdfWidgets: loaded when first used

    dialog = PdfPreviewDialog(PdfPages(path), title, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    fit_to_screen(dialog)
    dialog.open()
    return dialog


def render_check() -> str | None:
    """Render a one-page Chinese PDF as the preview does; return what is wrong, or None.

    For the built program's self-test: QtPdf and its libraries must be in the bundle, and a
    page must come out as dark text on white paper (not blank, not a black sheet).
    """
    from desktop.reports import pdf

    with tempfile.TemporaryDirectory(prefix="jinguo-print-check-") as folder:
        path = Path(folder) / "check.pdf"
        pdf.build_pdf(path, [pdf.para("巾帼枢纽打印自检 吉𠮷 " * 20, pdf.styles().title)])
        try:
            pages = PdfPages(path)
        except OSError as e:
            return f"QtPdf could not load a PDF: {e}"
        image = pages.document.render(0, QSize(300, 424))
    if image.isNull():
        return "QtPdf rendered an empty image"
    sheet = QImage(image.size(), QImage.Format.Format_RGB32)
    sheet.fill(Qt.GlobalColor.white)
    painter = QPainter(sheet)
    painter.drawImage(0, 0, image)
    painter.end()
    dark = sum(
        1 for y in range(0, sheet.height(), 2) for x in range(0, sheet.width(), 2)
        if QColor(sheet.pixel(x, y)).lightness() < 128
    )
    share = dark / ((sheet.height() // 2) * (sheet.width() // 2))
    if not 0.001 < share < 0.5:
        return f"the rendered page is not dark text on white ({share:.1%} dark)"
    return None


def _tr(text: str) -> str:
    return QCoreApplication.translate("printing", text)


def print_preview(parent: QWidget, title: str, produce: Callable[[Path, Job], Any]) -> Task:
    """Produce the report as a PDF in a temporary folder (off the GUI thread), then preview it.

    ``produce(path, job)`` is the report's own export function with its options bound.
    The temporary folder is removed once the PDF is read (or the work failed).
    """
    folder = tempfile.TemporaryDirectory(prefix="jinguo-print-")
    path = Path(folder.name) / "report.pdf"

    def show(_result: Any) -> None:
        try:
            preview_pdf(parent, path, title)
        except OSError as e:
            log.warning("print preview: %s", e)
            QMessageBox.warning(parent, title, _tr("无法读取生成的 PDF，请重试。"))

    task = run_task(parent, title, _tr("正在生成打印内容…"), lambda job: produce(path, job), show)
    task.finished.connect(lambda: folder.cleanup())  # a lambda keeps the folder alive until then
    return task
