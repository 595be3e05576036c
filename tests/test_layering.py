"""models/ and the headless parts of desktop/ must work with PySide6 impossible to import."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
# desktop/ modules the CLI and scheduled work run without a window: exports, imports, backups.
HEADLESS = (
    "desktop.database", "desktop.context", "desktop.paths", "desktop.auth", "desktop.backup",
    "desktop.cli_export", "desktop.cli_backup", "desktop.importing.reading", "desktop.importing.plan",
    "desktop.importing.apply", "desktop.importing.files", "desktop.importing.command",
    "desktop.reports.summary", "desktop.reports.roster", "desktop.reports.certificate",
    "desktop.reports.table_export", "desktop.divisions", "desktop.demo_file",
)
FORBIDDEN = ("PySide6", "desktop", "views")

BLOCKER = textwrap.dedent(
    """
    import importlib, json, sys

    class BlockPySide6:
        def find_spec(self, name, path=None, target=None):
            if name == "PySide6" or name.startswith("PySide6."):
                raise ImportError(f"PySide6 is blocked in this test: {name}")
            return None

    sys.meta_path.insert(0, BlockPySide6())
    for name in list(sys.modules):
        if name == "PySide6" or name.startswith("PySide6."):
            del sys.modules[name]
    try:
        import PySide6.QtCore  # noqa: F401
    except ImportError:
        pass
    else:
        raise SystemExit("the blocker does not block")
    for name in json.loads(sys.argv[1]):
        importlib.import_module(name)
    leaked = sorted(m for m in sys.modules if m == "PySide6" or m.startswith("PySide6."))
    print(json.dumps({"imported": json.loads(sys.argv[1]), "leaked": leaked}))
    """
)


def model_modules() -> list[str]:
    return sorted(f"models.{p.stem}" for p in MODELS.glob("*.py") if p.stem != "__init__")


def test_model_modules_are_found():
    assert {"models.audit", "models.schema", "models.validators"} <= set(model_modules())


def test_models_and_headless_desktop_import_without_pyside6():
    names = ["models", *model_modules(), *HEADLESS]
    result = subprocess.run(
        [sys.executable, "-c", BLOCKER, json.dumps(names)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"imported": names, "leaked": []}


def test_the_blocker_really_blocks():
    """Importing a Qt-using module under the blocker must fail, or the test above proves nothing."""
    script = BLOCKER.replace("json.loads(sys.argv[1])", '["PySide6.QtWidgets"]')
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "PySide6 is blocked" in result.stderr


def imported_modules(path: Path) -> list[str]:
    """Absolute module names a file imports; a relative import leaving models/ counts as such."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                found.append(node.module or "")
            elif node.level >= 2:  # from .. import x: out of models/, into the project root
                found.append(node.module or "")
                found.extend(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("path", sorted(MODELS.glob("*.py")), ids=lambda p: p.name)
def test_models_source_imports_no_qt_desktop_or_views(path):
    bad = [
        name for name in imported_modules(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    ]
    assert bad == [], f"{path.name} imports {bad}"


def test_the_source_scan_notices_a_forbidden_import(tmp_path):
    sample = tmp_path / "bad.py"
    sample.write_text("from PySide6.QtCore import QObject\nfrom ..desktop import paths\n")
    assert imported_modules(sample) == ["PySide6.QtCore", "desktop", "paths"]
