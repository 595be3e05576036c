"""The print preview of a long roster: from the PDF to the first pages on screen.

Run: QT_QPA_PLATFORM=offscreen python tests/bench/bench_print_preview.py [--members 3000]
The floor is a bare QPdfView (no buttons, nothing else) loading the same file and showing its
first pages in a window of the same size; also printed: QtPdf only rendering the pages shown
(two landscape pages fit), and, for comparison, Qt's QPrintPreviewDialog painting the same PDF
as printer images (how the preview worked before: every page rendered at 300 dpi before anything
shows). Target: the preview within 1.5x the floor, whatever the page count. Best of three.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QSize
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QApplication

from desktop.context import build_context
from desktop.reports.roster import export_roster

TARGET_RATIO = 1.5


def settle(app: QApplication, rounds: int = 20) -> None:
    for _ in range(rounds):
        app.processEvents()


def wait_for_text(app: QApplication, view) -> None:
    """Until the view shows the page's text (QtPdf may draw pages after the window shows)."""
    from PySide6.QtGui import QColor

    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        settle(app, 2)
        image = view.viewport().grab().toImage()
        step = max(image.width() // 200, 1)
        for y in range(0, image.height() // 2, 3):
            if any(QColor(image.pixel(x, y)).lightness() < 60 for x in range(0, image.width(), step)):
                return
    raise SystemExit("the preview showed no text within 30 s")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=3000)
    args = parser.parse_args()
    app = QApplication(sys.argv)
    from desktop.app import load_cjk_font
    from views.pdf_preview import PdfPreviewDialog
    from views.printing import PdfPages

    load_cjk_font(app)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_roster import populate

    with tempfile.TemporaryDirectory(prefix="jinguo-bench-preview-") as folder:
        ctx = build_context(Path(folder) / "bench.db")
        org_id = populate(args.members)
        path = Path(folder) / "roster.pdf"
        started = time.perf_counter()
        export_roster(path, "organization", org_id, "pdf", "strokes", None, False, None, ctx.user)
        produced = time.perf_counter() - started

        # Each from a fresh load of the file (QtPdf keeps what it parsed), best of three.
        floors, bares, previews = [], [], []
        for _ in range(3):
            started = time.perf_counter()
            bare = QPdfView()
            bare_pages = PdfPages(path)
            bare.setDocument(bare_pages.document)
            bare.setPageMode(QPdfView.PageMode.MultiPage)
            bare.setZoomMode(QPdfView.ZoomMode.FitInView)
            bare.resize(880, 850)
            bare.show()
            wait_for_text(app, bare)
            bares.append(time.perf_counter() - started)
            bare.close()
            bare.deleteLater()
            settle(app)

            started = time.perf_counter()
            pages = PdfPages(path)
            points = pages.document.pagePointSize(0)
            width = 850
            for index in range(min(2, pages.page_count)):
                pages.document.render(index, QSize(width, round(width * points.height() / points.width())))
            floors.append(time.perf_counter() - started)

            started = time.perf_counter()
            dialog = PdfPreviewDialog(PdfPages(path), "花名册")
            dialog.resize(900, 900)
            dialog.show()
            wait_for_text(app, dialog.view)  # the first pages are on screen
            previews.append(time.perf_counter() - started)
            dialog.close()
            dialog.deleteLater()
            settle(app)
        floor, bare_view, preview = min(floors), min(bares), min(previews)

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        pages.configure(printer)
        old = QPrintPreviewDialog(printer)
        old.paintRequested.connect(pages.paint)
        old.resize(900, 900)
        started = time.perf_counter()
        old.show()
        settle(app)
        before = time.perf_counter() - started
        old.close()
        ctx.close()

    ratio = preview / bare_view if bare_view else float("inf")
    print(f"members={args.members} pages={pages.page_count} pdf_s={produced:.2f}")
    print(f"preview_shown_s={preview:.3f} floor_bare_qpdfview_s={bare_view:.3f} ratio={ratio:.1f} "
          f"(target {TARGET_RATIO}); render_shown_pages_only_s={floor:.3f}")
    print(f"qt_print_preview_dialog_s={before:.2f} (the former preview: printer images of every page)")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
