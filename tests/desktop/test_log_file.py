"""The log file: no full ID or mobile number in it (it goes to technical support), and a log
that cannot be written (a full disk, a folder that cannot be made) costs one line, not a
traceback on every line."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from desktop import paths
from desktop.cli import main
from desktop.context import build_context
from desktop.logging_setup import setup_logging
from models import audit, auth
from models.entities import Activity, Organization, Person, ServiceRecord

ROOT = Path(__file__).resolve().parents[2]
ID_NUMBER = "11010519491231002X"
MASKED = "110105********002X"
OTHER_ID = "32010219850301012X"


@pytest.fixture
def office(tmp_path, monkeypatch):
    """A database with a volunteer who served in 2025, and an administrator who logs in."""
    path = tmp_path / "office.db"
    ctx = build_context(path)
    admin = auth.create_first_admin("admin", "管理员", "admin-pass-1", "admin-pass-1")
    person = audit.create(Person, admin, name="王芳", id_number=ID_NUMBER, sex="F", is_volunteer=True)
    org = audit.create(Organization, admin, name="阳光妇女互助会", kind="grassroots")
    activity = audit.create(Activity, admin, title="家庭教育讲座", held_on=dt.date(2025, 3, 8),
                            organization=org)
    audit.create(ServiceRecord, admin, person=person, activity=activity, hours=Decimal("2.5"))
    ctx.close()
    monkeypatch.setenv("JINGUO_USER", "admin")
    monkeypatch.setenv("JINGUO_PASSWORD", "admin-pass-1")
    return path


def log_text() -> str:
    return paths.log_path().read_text(encoding="utf-8")


def test_the_certificate_command_leaves_no_full_id_number_in_the_log(office, tmp_path, capsys):
    """Before, the log kept the whole command line: ``--id-number 11010519491231002X``."""
    code = main(["export", "certificate", "--db", str(office), "--id-number", ID_NUMBER,
                 "--period", "2025", "-o", str(tmp_path / "证明.pdf")])
    assert code == 0, capsys.readouterr().err
    code = main(["export", "certificate", "--db", str(office), "--id-number", "110105 19491231 002x",
                 "--period", "2025", "-o", str(tmp_path / "证明2.pdf")])
    assert code == 0, capsys.readouterr().err
    code = main(["export", "certificate", "--db", str(office), "--id-number", OTHER_ID,
                 "--period", "2025", "-o", str(tmp_path / "没有.pdf")])
    assert code == 2 and OTHER_ID in capsys.readouterr().err  # the user still sees what was typed
    text = log_text()
    assert "export certificate" in text and MASKED in text
    digits = [ID_NUMBER, ID_NUMBER.lower(), "19491231", OTHER_ID, "19850301"]
    assert not any(d in text for d in digits), text


def test_every_log_line_masks_id_and_mobile_numbers(tmp_path):
    """Defence in depth: a message or a traceback that echoes a typed number is masked too."""
    log_file = tmp_path / "logs" / "jinguo.log"
    setup_logging(log_file)
    log = logging.getLogger("views.tasks")
    log.info("导出: 人员库中没有身份证号为 %s 的人员", OTHER_ID)
    try:
        raise ValueError(f"联系电话 13812345678 与 {ID_NUMBER} 不符")
    except ValueError:
        log.exception("failed")
    text = log_file.read_text(encoding="utf-8")
    assert "3201021985" not in text and ID_NUMBER not in text and "13812345678" not in text
    assert "320102********012X" in text and MASKED in text and "138****5678" in text


def jinguo(data_dir: Path, *args: object) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", JINGUO_DATA_DIR=str(data_dir))
    return subprocess.run([sys.executable, "-m", "desktop", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", env=env, timeout=120)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_a_full_log_disk_costs_one_chinese_line_not_a_traceback_per_line(tmp_path):
    db = tmp_path / "office.db"
    build_context(db).close()
    data = tmp_path / "data"
    (data / "logs").mkdir(parents=True, exist_ok=True)
    (data / "logs" / "jinguo.log").symlink_to("/dev/full")  # every write: "No space left on device"
    result = jinguo(data, "check", "--db", db)
    assert result.returncode == 0, result.stderr
    assert "数据库完好" in result.stdout
    assert "Traceback" not in result.stderr and "Logging error" not in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "日志" in result.stderr


def test_a_log_folder_that_cannot_be_made_costs_one_chinese_line(tmp_path):
    db = tmp_path / "office.db"
    build_context(db).close()
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / "logs").write_text("a file where the log folder should be")
    result = jinguo(data, "check", "--db", db)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "日志" in result.stderr
