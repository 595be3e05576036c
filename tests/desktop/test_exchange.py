"""Report packages from township to county to city, as offices use them through ``jinguo unit`` and
``jinguo exchange``: the roll-up adds up over three levels; tampered, foreign, renamed, future and
hostile files are refused with nothing changed; re-imports, newer packages, reviews and receipts."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop.cli import main
from desktop.context import build_context
from models.exchange import add_up
from models.exchange_entities import LowerUnit, ReportPackage, ReportReview, UnitKey

from .exchange_units import PERIOD, Units, package_part, values_of

FINGERPRINT = re.compile(r"\d{4}( \d{4}){4}")


@pytest.fixture(scope="module")
def chain(tmp_path_factory, test_server):
    """Three townships (demo data, seeds 1–3) and their packages of 2025Q3: two under county A
    (320101), one under county B (320102)."""
    folder = tmp_path_factory.mktemp("units")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JINGUO_DATA_DIR", str(folder / "data"))
        units = Units(folder, test_server)
        towns = {
            "t1": units.make("甲镇妇联", "320101001", "township", "320101", seed=1),
            "t2": units.make("乙镇妇联", "320101002", "township", "320101", seed=2),
            "t3": units.make("丙镇妇联", "320102001", "township", "320102", seed=3),
        }
        packages = {name: units.export(where, folder=folder / "out") if (folder / "out").mkdir(
            exist_ok=True) is None else None for name, where in towns.items()}
        yield units, towns, packages
        units.drop()


@pytest.fixture
def run(capsys):
    def cli(*args) -> tuple[int, str, str]:
        code = main([*map(str, args)])
        out = capsys.readouterr()
        return code, out.out, out.err

    return cli


@pytest.fixture
def uppers(tmp_path, test_server):
    units = Units(tmp_path, test_server)
    yield units
    units.drop()


def county(uppers: Units, code: str = "320101", seed: int | None = None) -> Path | str:
    return uppers.make(f"县{code}妇联", code, "county", "320100", seed=seed)


def counts(where) -> tuple[int, int, int, int]:
    ctx = build_context(where)
    try:
        return (LowerUnit.select().count(), ReportPackage.select().count(),
                ReportPackage.select().where(ReportPackage.state == "current").count(),
                ReportReview.select().count())
    finally:
        ctx.close()


def number(value) -> Decimal:
    return Decimal(str(value))


def qualified(county: str, figures: dict) -> dict:
    return {(code, tuple((d, f"{county}／{v}" if d == "township" else v) for d, v in parts)): value
            for (code, parts), value in figures.items()}


def summed(*documents: dict) -> dict:
    total: dict = {}
    for document in documents:
        for key, value in values_of(document).items():
            total[key] = total.get(key, 0) + number(value)
    return total


# --- the unit -----------------------------------------------------------------------------


def test_setting_the_unit_makes_one_key_kept_in_the_database_and_shown_in_groups(uppers, run):
    where = uppers.location("unit")
    code, out, err = run("unit", "set", "--db", where, "--name", "青禾县妇联", "--code", "320101",
                         "--level", "county", "--parent-code", "320100")
    assert code == 0, err
    first = FINGERPRINT.search(out).group()
    code, out, _ = run("unit", "set", "--db", where, "--name", "青禾县妇女联合会", "--code", "320101",
                       "--level", "county", "--parent-code", "320100")
    assert code == 0 and FINGERPRINT.search(out).group() == first and "青禾县妇女联合会" in out
    ctx = build_context(where)
    assert UnitKey.select().count() == 1  # in the database, so in its backups
    ctx.close()
    code, _, err = run("unit", "set", "--db", where, "--name", "某镇", "--code", "32010",
                       "--level", "township", "--parent-code", "320101")
    assert code == 2 and "9 位数字" in err
    code, _, err = run("unit", "set", "--db", where, "--name", "某镇", "--code", "320199001",
                       "--level", "township", "--parent-code", "320101")
    assert code == 2 and "不在上级单位 320101 的辖区内" in err
    code, out, _ = run("unit", "set", "--db", where, "--name", "青禾市妇联", "--code", "320100",
                       "--level", "city")
    assert code == 0 and FINGERPRINT.search(out).group() == first  # the same unit's key, kept


# --- three levels -------------------------------------------------------------------------


def test_townships_roll_up_into_counties_and_counties_into_the_city(chain, uppers, run, tmp_path):
    _units, _towns, packages = chain
    a = county(uppers, "320101")
    b = county(uppers, "320102", seed=4)  # county B keeps records of its own too
    city = uppers.make("市妇联", "320100", "city")
    assert run("exchange", "import", "--db", a, packages["t1"], packages["t2"], "--trust-new")[0] == 0
    assert run("exchange", "import", "--db", b, packages["t3"], "--trust-new")[0] == 0

    town = {name: package_part(path, "figures.json") for name, path in packages.items()}
    own_b = tmp_path / "own_b.json"
    assert run("export", "summary", "--db", b, "--period", PERIOD, "-o", own_b)[0] == 0
    own_b_doc = json.loads(own_b.read_text("utf-8"))
    for where, parts, own in ((a, [town["t1"], town["t2"]], None), (b, [town["t3"]], own_b_doc)):
        out = tmp_path / "rollup.json"
        code, _, err = run("export", "summary", "--db", where, "--period", PERIOD, "--rollup", "-o", out)
        assert code == 0, err
        rolled = json.loads(out.read_text("utf-8"))
        expected = summed(*parts, *([own] if own else []))
        got = {k: number(v) for k, v in values_of(rolled).items()}
        assert {k: v for k, v in got.items() if v} == {k: v for k, v in expected.items() if v}
        assert got[("org.count", ())] > 0
        whole = [row for u in rolled["by_unit"] for row in u["values"] if row["indicator"] == "org.count"]
        assert sum(number(r["value"]) for r in whole) == got[("org.count", ())]  # the rows add up
        assert rolled["header"]["rollup"]["not_reported"] == []

    folder = tmp_path / "to_city"
    folder.mkdir()
    for where in (a, b):
        code, out, err = run("exchange", "export", "--db", where, "--period", PERIOD, "-o", folder)
        assert (code == 0 and "汇总了 1 个下级单位" in out) or "汇总了 2 个下级单位" in out, err
    code, out, err = run("exchange", "import", "--db", city, folder, "--trust-new")
    assert code == 0 and out.count("[新]") == 2, out + err
    named = tmp_path / "优盘" / "县A上报"  # a name without the suffix gets it
    named.parent.mkdir()
    assert run("exchange", "export", "--db", a, "--period", PERIOD, "-o", named)[0] == 0
    assert [p.name for p in named.parent.iterdir()] == ["县A上报.jgrpt"]
    out = tmp_path / "city.json"
    assert run("export", "summary", "--db", city, "--period", PERIOD, "--rollup", "-o", out)[0] == 0
    rolled = {k: number(v) for k, v in values_of(json.loads(out.read_text("utf-8"))).items()}
    # the city names each county's townships with the county: the demo's two counties share names
    expected = add_up([qualified("县320101", summed(town["t1"], town["t2"])),
                       qualified("县320102", summed(town["t3"], own_b_doc))])
    assert {k: v for k, v in rolled.items() if v} == {k: v for k, v in expected.items() if v}
    shared = {v for (_c, parts) in summed(town["t1"]) for d, v in parts if d == "township"} & {
        v for (_c, parts) in summed(town["t3"]) for d, v in parts if d == "township"}
    assert shared  # the same township names in both counties, kept apart at the city:
    name = sorted(shared)[0]
    for county_name in ("县320101", "县320102"):
        assert any(("township", f"{county_name}／{name}") in parts for (_c, parts) in rolled)
    assert rolled[("activity.volunteer_hours", ())] == sum(
        number(values_of(d)[("activity.volunteer_hours", ())]) for d in (*town.values(), own_b_doc))


def test_the_roll_up_as_pdf_and_excel_names_units_not_yet_reported(chain, uppers, run, tmp_path):
    _units, _towns, packages = chain
    a = county(uppers, "320101")
    assert run("exchange", "import", "--db", a, packages["t1"], "--trust-new")[0] == 0
    # 乙镇 is known (an earlier period came) but has not sent 2025Q3
    older = chain[0].export(chain[1]["t2"], period="2025Q2", folder=tmp_path)
    assert run("exchange", "import", "--db", a, older, "--trust-new")[0] == 0
    pdf = tmp_path / "r.pdf"
    code, _, err = run("export", "summary", "--db", a, "--period", PERIOD, "--rollup", "-o", pdf)
    assert code == 0, err
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "汇总" in text and "甲镇妇联" in text and "合计" in text
    assert "尚未报送的单位：乙镇妇联（320101002）" in text.replace("\n", "")
    from openpyxl import load_workbook

    xlsx = tmp_path / "r.xlsx"
    assert run("export", "summary", "--db", a, "--period", PERIOD, "--rollup", "-o", xlsx)[0] == 0
    cells = [c for row in load_workbook(xlsx).active.iter_rows(values_only=True) for c in row if c]
    assert any("甲镇妇联（320101001）" == c for c in cells) and any("尚未报送" in str(c) for c in cells)
    status = json.loads(run("exchange", "status", "--db", a, "--period", PERIOD, "--json")[1])
    assert {u["code"]: u["status"] for u in status["units"]} == {"320101001": "reported",
                                                                "320101002": "overdue"}


# --- refusals -----------------------------------------------------------------------------


def _rezip(source: Path, target: Path, change) -> Path:
    with zipfile.ZipFile(source) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    from desktop.exchange.package import _zip

    target.write_bytes(_zip(change(parts)))  # laid out as the program lays packages out
    return target


def test_changed_bytes_other_keys_renamed_periods_and_foreign_files_are_refused(chain, uppers, run,
                                                                                 tmp_path):
    units, towns, packages = chain
    a = county(uppers, "320101")
    assert run("exchange", "import", "--db", a, packages["t1"], "--trust-new")[0] == 0
    before = counts(a)
    bad = tmp_path / "bad"
    bad.mkdir()
    data = packages["t2"].read_bytes()
    for i, at in enumerate(range(0, len(data), max(1, len(data) // 40))):  # one changed byte anywhere
        changed = bytearray(data)
        changed[at] ^= 0x01
        (bad / f"byte{i}.jgrpt").write_bytes(bytes(changed))

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other = Ed25519PrivateKey.generate()

    def resign(parts, claim_own_key: bool):  # signed with another key
        manifest = json.loads(parts["manifest.json"])
        manifest["made_at"] = "2099-01-01T00:00:00+08:00"  # "newer" than the one held
        if not claim_own_key:
            manifest["sender"]["public_key"] = other.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
        parts["manifest.json"] = json.dumps(manifest).encode()
        parts["signature"] = base64.b64encode(other.sign(parts["manifest.json"]))
        return parts

    _rezip(packages["t1"], bad / "甲镇_resigned.jgrpt", lambda p: resign(p, True))
    resigned = _rezip(packages["t1"], tmp_path / "甲镇_newkey.jgrpt", lambda p: resign(p, False))
    _rezip(packages["t1"], bad / "甲镇_unsigned_edit.jgrpt", lambda p: {
        **p, "figures.json": p["figures.json"].replace(b'"value": 1', b'"value": 9', 1)})
    _rezip(packages["t1"], bad / "extra.jgrpt", lambda p: {**p, "../../evil.txt": b"x"})
    q2 = units.export(towns["t1"], period="2025Q2", folder=tmp_path)
    shutil.copy(q2, bad / f"甲镇妇联_{PERIOD}.jgrpt")  # another period's package, renamed
    (bad / "note.jgrpt").write_text("不是数据包", encoding="utf-8")
    (bad / "cut.jgrpt").write_bytes(data[: len(data) // 2])  # damaged (half a zip)
    shutil.copy(packages["t3"], bad / "foreign.jgrpt")  # a township of county B
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", b"{}")
        z.writestr("figures.json", b"0" * (40 * 1024 * 1024))
        z.writestr("signature", b"AA==")
    (bad / "bomb.jgrpt").write_bytes(bomb.getvalue())
    _rezip(packages["t1"], bad / "deep.jgrpt", lambda p: {**p, "manifest.json": b"[" * 200_000})

    code, out, err = run("exchange", "import", "--db", a, bad, "--json", "--trust-new")
    assert code == 1, err
    report = json.loads(out)
    assert report["imported"] == 0 and report["refused"] == len(list(bad.iterdir()))
    reasons = {Path(f["file"]).name: f["reason"] for f in report["files"]}
    assert all(f["status"] == "refused" and f["reason"] for f in report["files"])
    assert "签名不符" in reasons["甲镇_resigned.jgrpt"]
    assert "被改动过" in reasons["甲镇_unsigned_edit.jgrpt"]
    assert "格式不符" in reasons["extra.jgrpt"]
    assert "文件名写的是 2025Q3" in reasons[f"甲镇妇联_{PERIOD}.jgrpt"]
    assert "不是巾帼枢纽的上报数据包" in reasons["note.jgrpt"]
    assert "损坏" in reasons["cut.jgrpt"]
    assert "不是本单位" in reasons["foreign.jgrpt"] and "下级单位" in reasons["foreign.jgrpt"]
    assert "过大" in reasons["bomb.jgrpt"]
    assert "清单读不出" in reasons["deep.jgrpt"]
    assert counts(a) == before

    # without --trust-new a re-signed package is refused as a new key, naming both fingerprints
    code, out, _ = run("exchange", "import", "--db", a, resigned)
    assert code == 1 and "新的密钥" in out and FINGERPRINT.search(out)
    assert counts(a) == before


def test_a_future_period_and_an_unknown_form_version_are_refused(chain, uppers, run, tmp_path,
                                                                 monkeypatch):
    from desktop.exchange import package as package_module
    from desktop.exchange.package import build_package
    from models.units import current_unit, signing_key

    _units, towns, packages = chain
    a = county(uppers, "320101")
    ctx = build_context(towns["t1"])
    document = package_part(packages["t1"], "figures.json")
    document["header"]["period"]["code"] = "2099Q1"
    (tmp_path / "future.jgrpt").write_bytes(
        build_package(current_unit(), signing_key(), "2099Q1", document, None, "0.1.0"))
    monkeypatch.setattr(package_module, "FORM_VERSION", 7)
    (tmp_path / "newer.jgrpt").write_bytes(build_package(
        current_unit(), signing_key(), PERIOD, package_part(packages["t1"], "figures.json"), None, "9.0"))
    ctx.close()
    code, out, _ = run("exchange", "import", "--db", a, tmp_path / "future.jgrpt", tmp_path / "newer.jgrpt",
                       "--trust-new")
    assert code == 1
    assert "2099年第1季度 尚未开始" in out
    assert "报表格式第 7 版" in out and "只认识到第 1 版" in out
    assert counts(a) == (0, 0, 0, 0)


def test_unusable_input_exits_2_and_a_dry_run_changes_nothing(chain, uppers, run, tmp_path):
    _units, _towns, packages = chain
    unset = uppers.location("unset")
    build_context(unset).close()
    code, _, err = run("exchange", "import", "--db", unset, packages["t1"])
    assert code == 2 and "尚未设置本单位" in err
    a = county(uppers, "320101")
    code, _, err = run("exchange", "import", "--db", a, tmp_path / "missing.jgrpt")
    assert code == 2 and "找不到" in err
    code, _, err = run("exchange", "import", "--db", a, tmp_path)  # a folder without packages
    assert code == 2 and "没有上报数据包" in err
    if not isinstance(a, str):  # the database itself is never opened as a file (its locks)
        code, out, _ = run("exchange", "import", "--db", a, a)
        assert code == 1 and "正在使用的数据库" in out
    code, out, _ = run("exchange", "import", "--db", a, packages["t1"], "--trust-new", "--dry-run", "--json")
    assert code == 0 and json.loads(out)["files"][0]["status"] == "new"
    assert counts(a) == (0, 0, 0, 0)


# --- re-imports, newer packages, review, receipts ---------------------------------------------


def test_same_is_idempotent_newer_replaces_older_waits_for_choice_and_accepted_waits(chain, uppers, run,
                                                                                    tmp_path):
    units, towns, packages = chain
    a = county(uppers, "320101")
    first = packages["t1"]
    assert run("exchange", "import", "--db", a, first, "--trust-new")[0] == 0
    code, out, _ = run("exchange", "import", "--db", a, first)
    assert code == 0 and "[相同]" in out
    assert counts(a) == (1, 1, 1, 0)
    newer = units.export(towns["t1"], folder=tmp_path)
    code, out, _ = run("exchange", "import", "--db", a, newer)
    assert code == 0 and "[替换]" in out
    assert counts(a) == (1, 2, 1, 0)  # the old one kept in the history
    code, out, _ = run("exchange", "import", "--db", a, first)  # held already (as history): 相同
    assert code == 0 and "[相同]" in out
    later = tmp_path / "later"
    later.mkdir()
    assert run("exchange", "accept", "--db", a, "--unit", "320101001", "--period", PERIOD)[0] == 0
    newest = units.export(towns["t1"], folder=later)
    code, out, _ = run("exchange", "import", "--db", a, newest)
    assert code == 0 and "[待接受]" in out
    status = json.loads(run("exchange", "status", "--db", a, "--period", PERIOD, "--json")[1])
    assert status["units"][0]["status"] == "accepted" and status["units"][0]["waiting"] == 1
    current = json.loads(run("exchange", "status", "--db", a, "--period", PERIOD, "--json")[1])
    assert current["units"][0]["sha256"] != _sha(newest)  # the accepted one still counts
    assert run("exchange", "accept", "--db", a, "--unit", "320101001", "--period", PERIOD,
               "--take-waiting")[0] == 0
    status = json.loads(run("exchange", "status", "--db", a, "--period", PERIOD, "--json")[1])
    assert status["units"][0]["sha256"] == _sha(newest) and status["units"][0]["waiting"] == 0


def test_an_older_package_is_refused_unless_chosen(chain, uppers, run, tmp_path):
    units, towns, packages = chain
    a = county(uppers, "320101")
    newer = units.export(towns["t1"], folder=tmp_path)
    assert run("exchange", "import", "--db", a, newer, "--trust-new")[0] == 0
    code, out, _ = run("exchange", "import", "--db", a, packages["t1"])
    assert code == 1 and "更旧" in out and counts(a) == (1, 1, 1, 0)
    code, out, _ = run("exchange", "import", "--db", a, packages["t1"], "--take-older")
    assert code == 0 and "[替换]" in out and counts(a) == (1, 2, 1, 0)


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_returned_period_leaves_the_roll_up_and_its_receipt_tells_the_township(chain, uppers, run,
                                                                                tmp_path):
    _units, _towns, packages = chain
    a = county(uppers, "320101")
    assert run("exchange", "import", "--db", a, packages["t1"], packages["t2"], "--trust-new")[0] == 0
    code, _, err = run("exchange", "return", "--db", a, "--unit", "320101002", "--period", PERIOD,
                       "--note", "志愿服务时长与台账不符，请核对后重报")
    assert code == 0, err
    status = json.loads(run("exchange", "status", "--db", a, "--period", PERIOD, "--json")[1])
    assert [u["status"] for u in status["units"]] == ["reported", "returned"]
    out = tmp_path / "r.json"
    assert run("export", "summary", "--db", a, "--period", PERIOD, "--rollup", "-o", out)[0] == 0
    rolled = json.loads(out.read_text("utf-8"))
    assert [u["code"] for u in rolled["header"]["rollup"]["units"]] == ["320101001"]
    receipt = tmp_path / "回执.jgrcpt"
    assert run("exchange", "receipt", "--db", a, "--unit", "320101002", "--period", PERIOD,
               "-o", receipt)[0] == 0
    # the township: an unknown upper key is confirmed first, then the note shows in its status
    town = uppers.make("乙镇妇联", "320101002", "township", "320101")
    code, out, _ = run("exchange", "import", "--db", town, receipt)
    assert code == 1 and "密钥指纹" in out
    assert run("exchange", "import", "--db", town, receipt, "--trust-new")[0] == 0
    assert "[相同]" in run("exchange", "import", "--db", town, receipt)[1]
    code, out, _ = run("exchange", "status", "--db", town, "--period", PERIOD)
    assert code == 0 and "退回：志愿服务时长与台账不符" in out
    # another county's receipt is refused
    b = county(uppers, "320102")
    assert run("exchange", "import", "--db", b, packages["t3"], "--trust-new")[0] == 0
    foreign = tmp_path / "foreign.jgrcpt"
    assert run("exchange", "receipt", "--db", b, "--unit", "320102001", "--period", PERIOD,
               "-o", foreign)[0] == 0
    code, out, _ = run("exchange", "import", "--db", town, foreign, "--trust-new")
    assert code == 1 and "不是上级单位发给本单位的" in out


def test_the_register_goes_up_without_people(chain, run, tmp_path):
    units, towns, _packages = chain
    path = units.export(towns["t1"], folder=tmp_path, with_register=True)
    register = package_part(path, "register.json")
    assert register and set(register[0]) == {"name", "kind", "legal_form", "credit_code", "stage",
                                              "service_areas", "township"}
    manifest = package_part(path, "manifest.json")
    assert manifest["counts"]["organizations"] == len(register)


def test_an_office_set_in_the_setup_guide_can_sign_and_names_its_upper_unit_by_its_code(ctx):
    from models.office import OfficeData, save_office
    from models.units import current_unit, signing_key

    save_office(OfficeData("甲镇妇联", "township", "320101001", "青禾县妇联"), ctx.user)
    assert signing_key() is not None
    assert current_unit().parent_code == "320101"


def test_the_key_travels_in_a_backup(uppers, run, tmp_path):
    where = county(uppers, "320101")
    first = FINGERPRINT.search(run("unit", "show", "--db", where)[1]).group()
    backup = tmp_path / "backup.db"
    assert run("backup", "--db", where, "-o", backup)[0] == 0
    copy = tmp_path / "restored.db"
    shutil.copy(backup, copy)
    assert FINGERPRINT.search(run("unit", "show", "--db", copy)[1]).group() == first


@pytest.mark.sqlite_only
def test_a_version_6_database_gets_the_exchange_tables_and_can_set_its_unit(tmp_path, run):
    import sqlite3

    from models.exchange_entities import EXCHANGE_MODELS

    path = tmp_path / "v6.db"
    build_context(path).close()
    con = sqlite3.connect(path)
    for model in EXCHANGE_MODELS:
        con.execute(f'DROP TABLE "{model._meta.table_name}"')
    con.execute("PRAGMA user_version = 6")
    con.commit()
    con.close()
    code, out, err = run("unit", "set", "--db", path, "--name", "甲镇妇联", "--code", "320101001",
                         "--level", "township", "--parent-code", "320101")
    assert code == 0 and FINGERPRINT.search(out), err
    # Backed up before migrating; the copy (personal data in clear) is removed once the upgraded
    # file checks (schema 12 encrypts).
    assert not (tmp_path / "v6.v6.bak.db").exists()


def test_a_unit_set_on_the_settings_page_gets_its_key_when_it_first_sends(ctx, tmp_path):
    from desktop.exchange.service import export_package
    from models.periods import parse_period
    from models.settings import set_settings
    from models.units import signing_key

    set_settings({"office.name": "甲镇妇联", "office.level": "township", "office.code": "320101001"},
                 ctx.user)
    assert signing_key() is None
    path, _ = export_package(tmp_path, parse_period(PERIOD))
    assert signing_key() is not None
    assert package_part(path, "manifest.json")["sender"]["parent_code"] == "320101"
