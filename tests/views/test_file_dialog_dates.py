"""The file dialog speaks Chinese on an English-language desktop too: its 修改日期 column is
written as a Chinese clerk reads dates, not "11/30/26 8:44 AM". Each case starts the program's
application in a process of its own, with the desktop's language in its environment."""

import json
import os
import re
import subprocess
import sys

import pytest

from desktop.app import chinese_system_dates

SHOW_DIALOG = """
import json, sys
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QTreeView
from desktop.app import create_application
from views.file_dialogs import safe_dialog
app = create_application()
dialog = safe_dialog(None, "t", sys.argv[1], "*", QFileDialog.AcceptMode.AcceptOpen)
dialog.show()
view = dialog.findChild(QTreeView)
model = view.model()
for _ in range(500):
    app.processEvents()
    if model.rowCount(view.rootIndex()):
        break
index = model.index(0, 3, view.rootIndex())
print(json.dumps({"date": model.data(index), "header": model.headerData(3, Qt.Orientation.Horizontal)}))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="Windows shows its own file dialog")
@pytest.mark.parametrize("desktop_language", [{"LANG": "en_US.UTF-8"}, {"LC_ALL": "en_US.UTF-8"},
                                              {"LANG": "C.UTF-8"}])
def test_modified_dates_are_written_the_chinese_way(tmp_path, desktop_language):
    (tmp_path / "花名册.xlsx").write_bytes(b"x")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_") and k != "LANG"}
    env.update(desktop_language, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", SHOW_DIALOG, str(tmp_path)], capture_output=True,
                            text=True, encoding="utf-8", env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["header"] == "修改日期"
    assert re.fullmatch(r"\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d{2}", shown["date"]), shown["date"]


def test_only_the_time_category_changes():
    env = {"LC_ALL": "en_US.UTF-8", "LC_NUMERIC": "de_DE.UTF-8"}
    chinese_system_dates(env)
    assert env == {"LANG": "en_US.UTF-8", "LC_NUMERIC": "de_DE.UTF-8", "LC_TIME": "zh_CN.UTF-8"}
    chinese = {"LANG": "zh_CN.UTF-8"}
    chinese_system_dates(chinese)
    assert chinese == {"LANG": "zh_CN.UTF-8"}
