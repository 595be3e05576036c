"""The Linux bundle's smaller ICU data (scripts/shrink_icu.py): Qt still sorts Chinese by pinyin,
names English and Chinese months and maps case with it, and it is a fraction of the size."""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not (shutil.which("icupkg") and shutil.which("gcc")),
    reason="needs Linux, icupkg (icu-devtools) and gcc, as the Linux build does")

CHECK = """
from PySide6.QtCore import QCollator, QLocale
c = QCollator(QLocale("zh_CN"))
print(",".join(sorted(["张三", "李四", "王五", "曾六", "阿七"], key=c.sortKey)))
print(QLocale("en_US").monthName(5), QLocale("zh_CN").monthName(5), QLocale("zh_CN").toUpper("straße"))
"""


def shrink_module():
    spec = importlib.util.spec_from_file_location("shrink_icu", ROOT / "scripts" / "shrink_icu.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def qt_icu_data() -> Path:
    import PySide6

    found = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    if not found:
        pytest.skip("this PySide6 has no ICU data library of its own")
    return found[0]


def run_with(library_folder: Path | None) -> str:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    if library_folder is not None:  # found before the RUNPATH of Qt's own ICU libraries
        env["LD_LIBRARY_PATH"] = str(library_folder)
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                            encoding="utf-8", env=env, timeout=60, check=True)
    return result.stdout


def test_the_smaller_icu_data_serves_what_qt_reads(tmp_path):
    original = qt_icu_data()
    small = shrink_module().shrink(original, tmp_path)
    assert small.name == original.name
    assert small.stat().st_size < original.stat().st_size / 2
    env = dict(os.environ, LD_DEBUG="libs", QT_QPA_PLATFORM="offscreen", LD_LIBRARY_PATH=str(tmp_path))
    loaded = subprocess.run([sys.executable, "-c", "import PySide6.QtCore"], capture_output=True,
                            text=True, env=env, timeout=60).stderr
    assert f"trying file={small}" in loaded  # the test really runs Qt on the smaller data
    output = run_with(tmp_path)
    assert output == run_with(None)
    assert output.splitlines() == ["阿七,曾六,李四,王五,张三", "May 五月 STRASSE"]  # ICU reads 曾 céng
