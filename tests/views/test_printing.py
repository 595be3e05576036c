"""Printing a report prints the pages of its PDF."""

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from views import tasks
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
    dialog = parent.findChild(QPrintPreviewDialog)
    assert dialog is not None and dialog.windowTitle() == "花名册"
    assert dialog.pdf_pages.page_count == 4
    assert dialog.printer.pageLayout().orientation().name == "Landscape"
    assert not produced[0].parent.exists()  # the temporary PDF is gone once read
    out = tmp_path / "printed.pdf"
    dialog.printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    dialog.printer.setOutputFileName(str(out))
    dialog.printer.setResolution(100)
    dialog.paintRequested.emit(dialog.printer)
    assert len(PdfReader(out).pages) == 4
    dialog.close()
