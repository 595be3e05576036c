"""``jinguo import``: exit codes, the one JSON object, nothing written unless every row is good."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desktop.cli import build_parser
from desktop.importing.command import run as run_import

SAMPLES = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]


def jinguo(tmp_path, *args):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", JINGUO_DATA_DIR=str(tmp_path / "data"))
    return subprocess.run([sys.executable, "-m", "desktop", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", env=env, timeout=120)


def run(capsys, *args) -> tuple[int, str, str]:
    code = run_import(build_parser().parse_args(["import", *map(str, args)]))
    out, err = capsys.readouterr()
    return code, out, err


def rows_in(db: Path, table: str) -> int:
    with closing(sqlite3.connect(db)) as conn, conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_a_rejected_row_means_nothing_is_imported_and_exit_1(tmp_path):
    db = tmp_path / "office.db"
    result = jinguo(tmp_path, "import", "orgs", SAMPLES / "legacy-orgs.xlsx", "--db", db, "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report == {"rows": 7, "created": 0, "updated": 0, "rejected": [
        {"row": 6, "column": "统一社会信用代码", "reason": "统一社会信用代码校验位不正确，请核对是否抄错"}],
        "unchanged": 0, "renames": [], "possible_duplicates": [], "ignored_columns": ["序号（只是行的编号）"],
        "guessed_columns": [], "roster": None, "notices": []}
    assert "\\u" not in result.stdout  # Chinese as it is (ensure_ascii=False)
    assert rows_in(db, "organization") == 0 and rows_in(db, "import_batch") == 0


def test_skip_invalid_imports_the_good_rows(tmp_path):
    db = tmp_path / "office.db"
    result = jinguo(tmp_path, "import", "orgs", SAMPLES / "legacy-orgs.xlsx", "--db", db, "--json",
                    "--skip-invalid")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["rows"], report["created"], report["updated"]) == (7, 6, 0)
    assert [r["row"] for r in report["rejected"]] == [6]
    assert rows_in(db, "organization") == 6 and rows_in(db, "import_batch") == 1


def test_people_with_dry_run_update_and_skip_existing(tmp_path, capsys):
    db = tmp_path / "office.db"
    people = SAMPLES / "legacy-volunteers.xlsx"
    code, out, _ = run(capsys, "orgs", SAMPLES / "legacy-orgs.xlsx", "--db", db, "--skip-invalid")
    assert code == 0 and "新建 6 条" in out
    code, out, _ = run(capsys, "people", people, "--db", db, "--json", "--skip-invalid", "--dry-run",
                       "--create-orgs")
    report = json.loads(out)
    assert code == 0 and report["created"] == 170 and len(report["rejected"]) == 60
    assert rows_in(db, "person") == 0
    code, out, _ = run(capsys, "people", people, "--db", db, "--json", "--skip-invalid", "--create-orgs")
    assert code == 0 and json.loads(out)["created"] == 170 and rows_in(db, "person") == 170
    code, out, _ = run(capsys, "people", people, "--db", db, "--json", "--skip-invalid", "--skip-existing")
    assert code == 0 and (json.loads(out)["created"], json.loads(out)["updated"]) == (0, 0)
    code, out, _ = run(capsys, "people", people, "--db", db, "--skip-invalid", "--update")
    assert code == 0 and "无变化 170 条" in out
    code, out, _ = run(capsys, "people", people, "--db", db)
    assert code == 1 and "第 11 行 身份证号码：身份证号被 Excel 存成了数字" in out
    assert "没有导入任何数据" in out


@pytest.mark.parametrize("name, content, message", [
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "另存为"),
    ("broken.xlsx", b"PK\x03\x04 truncated", "已损坏"),
    ("empty.csv", b"", "空文件"),
])
def test_an_unreadable_file_exits_2_with_a_chinese_message(tmp_path, capsys, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    code, out, err = run(capsys, "people", path, "--db", tmp_path / "office.db", "--json")
    assert code == 2 and out == "" and message in err
    code, _, err = run(capsys, "people", tmp_path / "missing.xlsx", "--db", tmp_path / "office.db")
    assert code == 2 and "找不到文件" in err


def test_an_unknown_sheet_exits_2(tmp_path, capsys):
    code, _, err = run(capsys, "orgs", SAMPLES / "legacy-orgs.xlsx", "--db", tmp_path / "office.db",
                       "--sheet", "没有这张表")
    assert code == 2 and "社会组织名录" in err


def test_rejected_rows_are_saved_to_fix_and_import_again(tmp_path, capsys):
    db, fix = tmp_path / "office.db", tmp_path / "要改正的行.xlsx"
    code, out, _ = run(capsys, "orgs", SAMPLES / "legacy-orgs.xlsx", "--db", db, "--rejected", fix)
    assert code == 1 and f"另存为：{fix}" in out and rows_in(db, "organization") == 0
    workbook = load_workbook(fix, read_only=True)
    rows = [r for r in workbook.worksheets[0].iter_rows(values_only=True) if any(v is not None for v in r)]
    workbook.close()
    header_at = next(i for i, r in enumerate(rows) if "未导入原因" in r)
    header, data = rows[header_at], rows[header_at + 1:]
    assert len(data) == 1 and data[0][header.index("原行号")] == 6
    assert "校验位不正确" in data[0][header.index("未导入原因")]
    with closing(sqlite3.connect(db)) as conn, conn:  # an export of personal data, in the audit trail
        assert conn.execute("SELECT action, entity FROM audit_entry WHERE summary LIKE '%要改正的行.xlsx%'"
                            ).fetchall() == [("export", "import_batch")]

    code, out, _ = run(capsys, "orgs", SAMPLES / "legacy-orgs.xlsx", "--db", db, "--json",
                       "--rejected", tmp_path / "wrong.csv")
    assert code == 2 and out == "" and not (tmp_path / "wrong.csv").exists()
    code, out, _ = run(capsys, "orgs", SAMPLES / "legacy-orgs.xlsx", "--db", db, "--json",
                       "--rejected", tmp_path / "no-such-folder" / "rows.xlsx")
    assert code == 2 and out == "" and rows_in(db, "organization") == 0
