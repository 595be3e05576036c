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


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(ms from starting the process to its first line of output — printed once the window is
    shown —, ms to its end, that line). The first figure is what a clerk waits for; the second
    adds the program's exit, which nobody waits for."""
    started = time.perf_counter()
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                          env=env) as process:
        line = process.stdout.readline().strip()
        shown = time.perf_counter()
        process.stdout.read()
        if process.wait() != 0:
            raise SystemExit(f"{args} failed")
    return (shown - started) * 1000, (time.perf_counter() - started) * 1000, line


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="jinguo-bench-"))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", JINGUO_DATA_DIR=str(workdir / "data"))
    db = args.db or workdir / "demo.db"
    # The program runs from compiled bytecode once installed (pip and the bundle both compile it);
    # from a source tree under PYTHONDONTWRITEBYTECODE each start would compile ~40 modules first.
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *(str(root / p) for p in
                    ("desktop", "models", "views", "resources"))], check=True, capture_output=True)
    if not db.exists():
        _, wall, _ = run([sys.executable, "-m", "desktop", "demo", "--db", str(db),
                       "--people", str(args.people)], env)
        print(f"demo_people={args.people} wall_ms={wall:.0f} target_ms=60000")
    for attempt in range(3):
        bare_shown, bare_wall, bare = run([sys.executable, "-c", BARE_WINDOW], env)
        login_shown, login_wall, login = run(
            [sys.executable, "-m", "desktop", "--db", str(db), "--smoke-login"], env)
        app_shown, app_wall, smoke = run([sys.executable, "-m", "desktop", "--db", str(db), "--smoke"], env)
        print(f"run={attempt} floor_bare_window shown_ms={bare_shown:.0f} ({bare}, exited {bare_wall:.0f}) | "
              f"login shown_ms={login_shown:.0f} ({login}, exited {login_wall:.0f}) "
              f"login_ratio={login_shown / bare_shown:.2f} (goal 1.5) | "
              f"main window shown_ms={app_shown:.0f} ({smoke}, exited {app_wall:.0f}) "
              f"window_ratio={app_shown / bare_shown:.2f} (goal 2.5)")

if __name__ == "__main__":
    main()
