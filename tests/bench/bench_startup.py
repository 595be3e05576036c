"""Start-up time of the login window and of the main window on a large demo database, next to a
bare Qt window's (issue goals: the login within 1.5×, the main window within 2.5×).

Run: python tests/bench/bench_startup.py [--people 100000] [--db PATH]
Prints one line per figure; the floor is a bare PySide6 window started the same way.
"""

from __future__ import annotations

import argparse
import os
import statistics
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


def run(args: list[str], env: dict[str, str]) -> tuple[list[float], float, list[str]]:
    """(ms from starting the process to each line of its output — the first printed once the
    window is shown —, ms to its end, the lines). Time to the window is what a clerk waits for;
    the end adds the program's exit, which nobody waits for."""
    started = time.perf_counter()
    times, lines = [], []
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                          env=env) as process:
        for line in process.stdout:
            times.append((time.perf_counter() - started) * 1000)
            lines.append(line.strip())
        if process.wait() != 0:
            raise SystemExit(f"{args} failed")
    return times, (time.perf_counter() - started) * 1000, lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--runs", type=int, default=5)
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
    # One start of each first, not counted: the first start after a build reads everything from
    # disk (a clerk's PC after a reboot does too, for the program and a bare window alike).
    run([sys.executable, "-c", BARE_WINDOW], env)
    run([sys.executable, "-m", "desktop", "--db", str(db), "--smoke"], env)
    login_ratios, window_ratios = [], []
    for attempt in range(args.runs):
        (bare,), bare_end, _ = run([sys.executable, "-c", BARE_WINDOW], env)
        (login, ready), _, _ = run([sys.executable, "-m", "desktop", "--db", str(db), "--smoke-login"], env)
        (shown, filled), _, lines = run([sys.executable, "-m", "desktop", "--db", str(db), "--smoke"], env)
        login_ratios.append(login / bare)
        window_ratios.append(shown / bare)
        print(f"run={attempt} floor_bare_window_ms={bare:.0f} (exited {bare_end:.0f}) | "
              f"login_ms={login:.0f} login_ratio={login / bare:.2f} (goal 1.5; "
              f"database open and 登录 ready at {ready:.0f}) | "
              f"main_window_shown_ms={shown:.0f} window_ratio={shown / bare:.2f} (goal 2.5) | "
              f"home_filled_ms={filled:.0f} ({filled - shown:.0f} after showing; "
              f"in-process {' '.join(lines)})")
    print(f"median login_ratio={statistics.median(login_ratios):.2f} (goal 1.5) "
          f"window_ratio={statistics.median(window_ratios):.2f} (goal 2.5) over {args.runs} runs")

if __name__ == "__main__":
    main()
