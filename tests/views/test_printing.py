"""Printing a report prints the pages of its PDF."""

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWidget
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from views import tasks
from views.pdf_preview import PdfPreviewDialog
from views.printing import PdfPages, print_preview


def make_pdf(path: Path, pages: int, pagesize=A4) -> Path:
    c = canvas.Canvas(str(path), pagesize=pagesize)
    for n in range(pages):
        c.drawString(72, 72, f"page {n + 1}")
        c.showPage()
    c.save()
    return path


def print_to_pdf(pages: PdfPages, out: Path, resolution: int = 150) -> PdfReader:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    printer.setResolution(resolution)
    pages.configure(printer)
    pages.paint(printer)
    return PdfReader(out)


def is_landscape(page) -> bool:
    box = page.mediabox
    return float(box.width) > float(box.height)


@pytest.mark.parametrize(("count", "pagesize", "wide"), [(3, A4, False), (2, landscape(A4), True)])
def test_every_page_is_printed_in_its_orientation(qapp, tmp_path, count, pagesize, wide):
    source = make_pdf(tmp_path / "report.pdf", count, pagesize)
    pages = PdfPages(source)
    assert pages.page_count == count
    printed = print_to_pdf(pages, tmp_path / "printed.pdf")
    assert len(printed.pages) == count
    assert all(is_landscape(p) == wide for p in printed.pages)
    width = float(printed.pages[0].mediabox.width)
    assert abs(width - float(pagesize[0])) < 3  # A4, as in the report


def test_a_page_range_chosen_in_the_print_dialog_is_respected(qapp, tmp_path):
    pages = PdfPages(make_pdf(tmp_path / "report.pdf", 5))
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "out.pdf"))
    printer.setFromTo(2, 3)
    pages.configure(printer)
    pages.paint(printer)
    assert len(PdfReader(tmp_path / "out.pdf").pages) == 2


def test_a_file_that_is_not_a_pdf_is_refused(qapp, tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    with pytest.raises(OSError):
        PdfPages(bad)


def test_print_preview_produces_the_pdf_off_the_gui_thread_and_previews_it(qtbot, ctx, tmp_path, monkeypatch):
    monkeypatch.setattr(tasks, "show_internal_error", pytest.fail)
    parent = QWidget()
    qtbot.addWidget(parent)
    produced = []

    def produce(path, job):
        job.step(0, 1)
        produced.append(path)
        make_pdf(path, 4, landscape(A4))

    task = print_preview(parent, "花名册", produce)
    with qtbot.waitSignal(task.finished, timeout=10000):
        pass
    dialog = parent.findChild(PdfPreviewDialog)
    assert dialog is not None and dialog.windowTitle() == "花名册"
    assert dialog.pdf_pages.page_count == 4
    assert dialog.printer.pageLayout().orientation().name == "Landscape"
    assert not produced[0].parent.exists()  # the temporary PDF is gone once read
    out = tmp_path / "printed.pdf"
    dialog.printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    dialog.printer.setOutputFileName(str(out))
    dialog.printer.setResolution(100)
    dialog.print_to(dialog.printer)
    assert len(PdfReader(out).pages) == 4
    dialog.close()


def _dense_pdf(path: Path) -> Path:
    """A landscape page of small Chinese text and zeros, like a roster's."""
    from desktop.reports import pdf

    rows = [[f"{n:03d}", "王秀英", "320102********0000", "13800000000", "0.0"] for n in range(40)]
    pdf.build_pdf(path, [pdf.para("青禾县志愿者花名册 0000", pdf.styles().title),
                         pdf.Table(rows)], pagesize=landscape(A4))
    return path


def _on_screen_page(view) -> tuple:
    """The first page as the preview shows it: its white rectangle in the view's viewport."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QColor, QImage

    image = view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    white = lambda x, y: QColor(image.pixel(x, y)).rgb() & 0xFFFFFF == 0xFFFFFF  # noqa: E731
    xs = [x for x in range(image.width()) if white(x, 20)]
    y0 = next(y for y in range(image.height()) if white(xs[0] + 1, y))
    y1 = y0
    while y1 + 1 < image.height() and white(xs[0] + 1, y1 + 1):
        y1 += 1
    box = QRect(xs[0], y0, xs[-1] - xs[0] + 1, y1 - y0 + 1)
    return image.copy(box), box


def _lightness_difference(a, b) -> float:
    from PySide6.QtGui import QColor

    total = count = 0
    for y in range(0, a.height(), 2):
        for x in range(0, a.width(), 2):
            total += abs(QColor(a.pixel(x, y)).lightness() - QColor(b.pixel(x, y)).lightness())
            count += 1
    return total / count


def _on_white(image):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter

    sheet = QImage(image.size(), QImage.Format.Format_RGB32)
    sheet.fill(Qt.GlobalColor.white)
    painter = QPainter(sheet)
    painter.drawImage(0, 0, image)
    painter.end()
    return sheet


def test_the_preview_draws_the_pdf_at_the_zooms_resolution(qtbot, tmp_path):
    """At 适合页面 and at another zoom, the page on screen is the PDF rendered at that very size (as a
    PDF reader shows it), not a printer image scaled down (broken strokes, misdrawn zeros)."""
    from PySide6.QtCore import QSize, Qt

    pages = PdfPages(_dense_pdf(tmp_path / "dense.pdf"))
    dialog = PdfPreviewDialog(pages, "花名册")
    qtbot.addWidget(dialog)
    dialog.resize(900, 800)
    dialog.show()
    qtbot.waitExposed(dialog)
    for zoom in ("fit", "out"):
        if zoom == "out":
            qtbot.mouseClick(dialog.zoom_out_button, Qt.MouseButton.LeftButton)
        qtbot.wait(300)  # QtPdf renders the visible pages in the background
        shown, box = _on_screen_page(dialog.view)
        assert box.width() > 400
        crisp = _on_white(pages.document.render(0, box.size()))
        assert _lightness_difference(shown, crisp) < 1.0, zoom
    assert dialog.zoom_label.text() != "" and dialog.shown_zoom() > 0.5
    # what Qt's print preview showed: the page rendered for a 300 dpi printer, then scaled down
    points = pages.document.pagePointSize(0)
    printer_image = pages.document.render(0, QSize(round(points.width() / 72 * 300),
                                                   round(points.height() / 72 * 300)))
    scaled = _on_white(printer_image).scaled(box.size(), Qt.AspectRatioMode.IgnoreAspectRatio)
    assert _lightness_difference(scaled, _on_white(pages.document.render(0, box.size()))) > 3
