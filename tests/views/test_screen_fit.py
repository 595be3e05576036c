"""Every window fits the office's screen: 1366×768 and 1024×768, less a 40-pixel task bar.

The crawl (tests/screen_fit_driver.py) runs in a process of its own, on Qt's offscreen platform
with one screen of that size: it shows the main window on every page, opens each page's new-record
form, its first record (a form or a detail, and the dialogs the detail's buttons open) and the
dialogs of the page's own buttons, and reports where each window and its buttons ended up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.demo import fill_demo
from desktop.paths import is_server_url

ROOT = Path(__file__).resolve().parents[2]
TASK_BAR = 40
SCREENS = [(1366, 768), (1024, 768)]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """A small demo county (every list has rows, so every record's form and detail open)."""
    from desktop.context import build_context

    path = tmp_path_factory.mktemp("fit") / "demo.db"
    ctx = build_context(path)
    fill_demo(people=300, seed=7)
    ctx.close()
    return path


@pytest.mark.parametrize(("width", "height"), SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def test_every_window_and_its_buttons_fit_the_screen(demo_db, tmp_path, width, height, database_location):
    if is_server_url(database_location):
        pytest.skip("the windows are the same on a server; the crawl runs on a demo file")
    area_h = height - TASK_BAR
    out = tmp_path / "seen.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT), JINGUO_DATA_DIR=str(tmp_path / "data"))
    env.pop("QT_QPA_PLATFORM", None)
    run = subprocess.run([sys.executable, "-m", "tests.screen_fit_driver", str(demo_db), str(width),
                          str(area_h), str(out)], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=240)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(out.read_text())

    names = [s["name"] for s in seen]
    assert sum(n.startswith("主窗口") for n in names) >= 14  # every page was shown
    assert len(seen) >= 50  # and the forms and dialogs behind them
    assert any("新建培训" in n for n in names)  # the form that was 760 px tall
    for venture in ("创投 › 打开 › 创投轮次：", "确定入选名单：", "结项评估：", "记录督导：", "新建创投轮次"):
        assert any(venture in n for n in names), venture  # the rounds' windows were looked at

    problems = []
    for s in seen:
        x, y, w, h = s["frame"]
        if x < 0 or y < 0 or x + w > width or y + h > area_h:
            problems.append(f"{s['name']}: {w}×{h} at ({x}, {y}) is not inside {width}×{area_h}")
        for text, bx, by, bw, bh in s["buttons"]:
            if not (x <= bx and bx + bw <= x + w and y <= by and by + bh <= y + h):
                problems.append(f"{s['name']}: button {text!r} at ({bx}, {by}) is outside the window")
        problems += [f"{s['name']}: wrapped text cut off: {text!r}" for text in s["cut"]]
    main = [s for s in seen if s["name"].startswith("主窗口")]
    assert all(s["frame"][2:] == [width, area_h] for s in main)  # maximized on a small screen
    assert problems == []
