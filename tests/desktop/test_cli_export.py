"""``jinguo export …`` as a user runs it, on a small demo county: files, exit codes, messages."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from desktop.cli import main
from desktop.context import build_context
from desktop.demo import fill_demo
from models.entities import Certificate, Organization, Person, ServiceRecord

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "demo.db"
    ctx = build_context(path)
    fill_demo(people=300, seed=11, today=TODAY)
    ctx.close()
    return path


@pytest.fixture
def export(demo_db, capsys):
    def run(*args):
        code = main(["export", *map(str, args), "--db", str(demo_db)])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_summary_for_a_year_as_excel_and_a_quarter_of_one_township_as_pdf(export, tmp_path):
    code, out, err = export("summary", "--period", "2026", "-o", tmp_path / "县.xlsx")
    assert code == 0, err
    assert "2026年" in out
    wb = load_workbook(tmp_path / "县.xlsx")
    assert len(wb.sheetnames) > 1
    cells = [c.value for row in wb.worksheets[0].iter_rows() for c in row]
    numbers = [v for v in cells if isinstance(v, int | float)]
    assert numbers and any(n > 0 for n in numbers)

    ctx_township = "东关街道"
    code, out, err = export("summary", "--period", "2026Q3", "--township", ctx_township,
                            "--format", "pdf", "-o", tmp_path / "镇.pdf")
    assert code == 0, err
    text = pdf_text(tmp_path / "镇.pdf")
    assert "2026年第3季度" in text and "第 1 页 共" in text


def test_summary_with_charts_adds_a_page_of_them_and_only_to_a_pdf(export, tmp_path):
    code, _out, err = export("summary", "--period", "2026", "--charts", "-o", tmp_path / "县.pdf")
    assert code == 0, err
    pages = [page.extract_text() for page in PdfReader(tmp_path / "县.pdf").pages]
    assert "社会组织孵化进程" in pages[-1] and "项目立项金额（按来源）" in pages[-1]
    assert not any("社会组织孵化进程" in page for page in pages[:-1])
    code, _out, err = export("summary", "--period", "2026", "--charts", "-o", tmp_path / "县.xlsx")
    assert code == 2 and "PDF" in err and not (tmp_path / "县.xlsx").exists()


def test_summary_as_json_by_its_suffix_or_format(export, tmp_path):
    code, _out, err = export("summary", "--period", "2026Q3", "--township", "东关街道",
                             "-o", tmp_path / "镇.json")
    assert code == 0, err
    document = json.loads((tmp_path / "镇.json").read_text(encoding="utf-8"))
    assert document["header"]["area"]["name"] == "东关街道"
    assert document["header"]["period"]["code"] == "2026Q3"
    figures = {(v["indicator"], json.dumps(v["disaggregation"], ensure_ascii=False)): v["value"]
               for v in document["values"]}
    assert figures[("org.count", "null")] > 0
    code, _out, err = export("summary", "--period", "2026Q3", "--township", "东关街道", "--format", "json",
                             "-o", tmp_path / "镇.txt")
    assert code == 0, err
    again = json.loads((tmp_path / "镇.txt").read_text(encoding="utf-8"))
    assert again["values"] == document["values"]


def test_roster_of_an_organization_in_stroke_order_and_of_all_volunteers(export, demo_db, tmp_path):
    ctx = build_context(demo_db)
    name = Organization.select(Organization.name).where(Organization.archived == False).first().name  # noqa: E712
    ctx.close()
    code, _out, err = export("roster", "--org", name, "-o", tmp_path / "org.pdf")
    assert code == 0, err
    assert name in pdf_text(tmp_path / "org.pdf")

    code, _out, err = export("roster", "--volunteers", "--order", "pinyin", "-o", tmp_path / "v.xlsx")
    assert code == 0, err
    ws = load_workbook(tmp_path / "v.xlsx").worksheets[0]
    ids = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "*" in c.value]
    assert ids and all(len(i) == 18 for i in ids)  # masked, kept as text


def test_table_export_of_people(export, tmp_path):
    code, _out, err = export("table", "people", "-o", tmp_path / "people.xlsx")
    assert code == 0, err
    ws = load_workbook(tmp_path / "people.xlsx").worksheets[0]
    assert "姓名" in [c.value for row in ws.iter_rows(max_row=4) for c in row]
    assert ws.max_row > 300 - 20


def test_certificate_for_a_volunteer_with_service_hours(export, demo_db, tmp_path):
    ctx = build_context(demo_db)
    record = ServiceRecord.select().join(Person).where(Person.id_number.is_null(False)).first()
    id_number, year = record.person.id_number, record.activity.held_on.year
    ctx.close()
    code, out, err = export("certificate", "--id-number", id_number, "--period", year,
                            "-o", tmp_path / "证明.pdf")
    assert code == 0, err
    assert "志愿服务记录证明" in pdf_text(tmp_path / "证明.pdf")
    ctx = build_context(demo_db)
    number = Certificate.select().order_by(Certificate.id.desc()).first().number
    ctx.close()
    assert number in out


@pytest.mark.parametrize(("args", "message"), [
    (("summary", "--period", "2026Q5"), "季度"),
    (("summary", "--period", "明年"), "报告期"),
    (("summary", "--period", "2026", "--township", "火星镇"), "火星镇"),
    (("roster", "--org", "不存在的协会"), "不存在的协会"),
    (("certificate", "--id-number", "110101199003070000", "--period", "2026"), "身份证号"),
])
def test_bad_input_is_refused_in_chinese_with_no_file(export, tmp_path, args, message):
    folder = tmp_path / "out"
    folder.mkdir()
    code, _out, err = export(*args, "-o", folder / "out.pdf")
    assert code == 2
    assert message in err
    assert not list(folder.iterdir())


def test_an_unwritable_folder_is_named_and_nothing_is_left(export, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    code, _out, err = export("table", "people", "-o", folder / "missing" / "people.xlsx")
    assert code == 2 and "不存在" in err
    code, _out, err = export("summary", "--period", "2026", "-o", folder / "report.doc")
    assert code == 2 and "--format" in err
    assert not list(folder.iterdir())


def test_the_installed_command_runs_headless(demo_db, tmp_path):
    target = tmp_path / "summary.pdf"
    result = subprocess.run([sys.executable, "-m", "desktop", "export", "summary", "--period", "2026",
                             "--db", str(demo_db), "-o", str(target)],
                            capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert result.returncode == 0, result.stderr
    assert target.stat().st_size > 1000
    assert "PySide6" not in result.stderr
