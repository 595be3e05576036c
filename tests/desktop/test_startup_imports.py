"""What a start loads before the clerk sees a window: nothing for exports or servers. peewee is
imported without its database drivers (models/__init__); a server's database, opened later in the
same process, gets psycopg then."""

import json
import os
import subprocess
import sys

HEAVY = ("psycopg", "openpyxl", "reportlab", "PySide6.QtPdf")

LOGIN_START = f"""
import json, sys
sys.argv = ["jinguo", "--db", sys.argv[1], "--smoke-login"]
from desktop import app
shown = app.show_login
at_login = []

def show_login(location):
    dialog = shown(location)
    at_login.extend(m for m in ("peewee", "models.db", "desktop.database", "logging.handlers")
                    if m in sys.modules)
    return dialog

app.show_login = show_login
from desktop.cli import main
code = main()
print(json.dumps({{"code": code, "loaded": [m for m in {HEAVY!r} if m in sys.modules],
                  "at_login": at_login}}))
"""

WINDOW_START = """
import json, sys
sys.argv = ["jinguo", "--db", sys.argv[1], "--smoke"]
from PySide6 import QtCore
from desktop import app
from views import screen_fit

calls = []  # the application's screen-fit filter, called for an event
counted = screen_fit.ScreenFit.eventFilter
screen_fit.ScreenFit.eventFilter = lambda self, obj, event: calls.append(1) or counted(self, obj, event)
seen = {}

def window(*args):
    seen["calls_before"] = len(calls)  # the login's, a dialog's: none here
    return run_window(*args)

def look(when):
    seen[when] = {"qt_enums": "Qt" in QtCore.__dict__, "filter_calls": len(calls) - seen["calls_before"]}

def smoke(application, window, *args):
    look("shown")
    QtCore.QTimer.singleShot(0, lambda: look("first_turn"))
    return shown(application, window, *args)

run_window = app._run_main_window
app._run_main_window = window
shown = app._smoke
app._smoke = smoke
from desktop.cli import main
code = main()
look("end")
print(json.dumps({"code": code, **seen}))
"""

SERVER_LATER = """
import json, sys
from desktop.cli import main  # the program's own start: peewee without drivers
assert "psycopg" not in sys.modules
from desktop.database import open_database
from models.entities import Person
db = open_database(sys.argv[1])
print(json.dumps({"people": Person.select().count(), "server": type(db).__name__}))
db.close()
"""


def run(tmp_path, script: str, *args: str) -> str:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", JINGUO_DATA_DIR=str(tmp_path / "data"))
    result = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                            encoding="utf-8", env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_login_window_of_a_file_shows_before_the_database_layer_loads(tmp_path):
    """Nor does the start load a server driver or an export library; the database then opens
    behind the login (the window's start sets the log file up after it shows, too)."""
    db = tmp_path / "office.db"
    db.touch()  # an existing file: its login shows at once
    report = json.loads(run(tmp_path, LOGIN_START, str(db)))
    assert report == {"code": 0, "loaded": [], "at_login": []}
    assert db.stat().st_size > 0  # the database was really opened (made, here) after the login showed


def test_the_main_window_shows_before_qt_enums_and_application_filters_cost_time(tmp_path):
    """Until the main window has shown, Qt's namespace of enums is not built (~20 ms) and no
    filter written in Python watches every event of the application (called for thousands of
    events, and the first ones of Qt's internal classes make PySide6 build all its classes).
    Once the home page is filled, both are there as before: the enums for its cards, the
    filter fitting the windows opened from then on."""
    report = json.loads(run(tmp_path, WINDOW_START, str(tmp_path / "office.db")))
    assert report["code"] == 0  # shown, and its home page filled
    assert report["shown"] == {"qt_enums": False, "filter_calls": 0}
    assert report["first_turn"] == {"qt_enums": False, "filter_calls": 0}
    assert report["end"]["qt_enums"] and report["end"]["filter_calls"] > 0


def test_a_server_opened_after_a_start_without_drivers_works(tmp_path, server):
    report = json.loads(run(tmp_path, SERVER_LATER, server.fresh()))
    assert report == {"people": 0, "server": "ServerDatabase"}


def test_the_self_test_ends_when_its_reader_stops_after_the_first_line(tmp_path):
    """`jinguo --smoke | head -1`: the output closed under the running window ends the self-test
    instead of leaving it waiting for ever."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", JINGUO_DATA_DIR=str(tmp_path / "data"))
    with subprocess.Popen([sys.executable, "-m", "desktop", "--db", str(tmp_path / "office.db"), "--smoke"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env) as process:
        try:
            assert process.stdout.readline().startswith(b"shown_ms=")
            process.stdout.close()  # as head -1 does
            assert process.wait(timeout=60) in (0, 141)
        finally:
            if process.poll() is None:  # still waiting: the failure is the hang, not the test's
                process.kill()
