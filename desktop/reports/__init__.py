"""Reports and exports: Excel workbooks and PDFs, produced without a window.

The CLI and the window call the same functions here; each writes its file
through ``output.atomic_output`` so a failed or cancelled export leaves nothing.
"""
