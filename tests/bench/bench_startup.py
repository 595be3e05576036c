"""Start-up time of the login window and of the main window on a large demo database, next to a
bare Qt window's (issue goals: the login within 1.5×, the main window within 2.5×).

Run: python tests/bench/bench_startup.py [--people 100000] [--db PATH]
Prints one line per figure; the floor is a bare PySide6 window started the same way.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_WINDOW = """
import sys, time
t = time.perf_counter()
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow(); w.show(); app.processEvents()
print(f"startup_ms={(time.perf_counter() - t) * 1000:.0f}")
"""


def run(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    out = subprocess.run(args, capture_output=True, text=True, env=env, check=True).stdout
    return (time.perf_counter() - started) * 1000, out.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="jinguo-bench-"))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", JINGUO_DATA_DIR=str(workdir / "data"))
    db = args.db or workdir / "demo.db"
    if not db.exists():
        wall, _ = run([sys.executable, "-m", "desktop", "demo", "--db", str(db),
                       "--people", str(args.people)], env)
        print(f"demo_people={args.people} wall_ms={wall:.0f} target_ms=60000")
    for attempt in range(3):
        bare_wall, bare = run([sys.executable, "-c", BARE_WINDOW], env)
        login_wall, login = run([sys.executable, "-m", "desktop", "--db", str(db), "--smoke-login"], env)
        app_wall, smoke = run([sys.executable, "-m", "desktop", "--db", str(db), "--smoke"], env)
        print(f"run={attempt} floor_bare_window_{bare} floor_wall_ms={bare_wall:.0f} | "
              f"jinguo_{login} login_wall_ms={login_wall:.0f} login_ratio={login_wall / bare_wall:.2f} "
              f"(goal 1.5) | jinguo_{smoke} window_wall_ms={app_wall:.0f} "
              f"window_ratio={app_wall / bare_wall:.2f} (goal 2.5)")


if __name__ == "__main__":
    main()
