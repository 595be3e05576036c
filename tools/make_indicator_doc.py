"""Writes docs/indicators.md from the indicator table (models/indicators.py).

Run: ``python tools/make_indicator_doc.py`` after changing the table; tests/models/test_indicators.py
fails while the file is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from models.indicators import indicators_markdown  # noqa: E402

DOC = ROOT / "docs" / "indicators.md"


def main() -> None:
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(indicators_markdown(), encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
