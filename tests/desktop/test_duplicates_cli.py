"""``jinguo duplicates`` and ``jinguo merge``: what they print, their exit codes, and roles."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from desktop.cli import main
from desktop.context import build_context
from models import audit
from models.auth import authenticate
from models.entities import MergeRecord, Person


@pytest.fixture
def register(database_location, capsys):
    """The demo county with one woman registered twice (same name and birth date)."""
    assert main(["demo", "--db", str(database_location), "--people", "200", "--seed", "3"]) == 0
    ctx = build_context(database_location)
    try:
        authenticate("admin", "admin-2025")  # unlocks the data key: ID numbers and phones are encrypted
        born = dt.date(1971, 9, 9)
        first = audit.create(Person, None, name="鲍春燕", birth_date=born, is_volunteer=True)
        second = audit.create(Person, None, name="鲍春燕", birth_date=born, phone="13512345678")
        ids = (first.id, second.id)
    finally:
        ctx.close()
    capsys.readouterr()
    return database_location, ids


@pytest.fixture
def jinguo(register, monkeypatch, capsys):
    location, _ids = register

    def run(user: str, password: str, *args) -> tuple[int, str, str]:
        monkeypatch.setenv("JINGUO_PASSWORD", password)
        code = main([str(a) for a in args[:2]] + ["--db", str(location), *map(str, args[2:]), "--user", user])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_duplicates_lists_the_pair_with_score_and_reason(register, jinguo):
    _location, (first, second) = register
    code, out, _err = jinguo("luru", "luru-2025", "duplicates", "people")
    assert code == 0
    assert f"鲍春燕（编号 {first}） ↔ 鲍春燕（编号 {second}）" in out and "同名同生日" in out
    code, out, _err = jinguo("luru", "luru-2025", "duplicates", "people", "--json")
    data = json.loads(out)
    assert code == 0 and data["threshold"] == 60
    found = [(c["first"], c["second"], c["rules"][0]) for c in data["candidates"]]
    assert found == [(first, second, "name_birth")]
    assert data["candidates"][0]["reasons"][0] == "同名同生日"
    code, out, _err = jinguo("luru", "luru-2025", "duplicates", "orgs", "--json")
    assert code == 0 and json.loads(out)["candidates"] == []


def test_merge_prints_its_id_and_undo_takes_it_back(register, jinguo):
    location, (first, second) = register
    code, out, err = jinguo("luru", "luru-2025", "merge", "people", first, second, "--field", "phone=drop",
                            "--json")
    assert code == 0, err
    result = json.loads(out)
    code, out, err = jinguo("luru", "luru-2025", "duplicates", "people", "--json")
    assert json.loads(out)["candidates"] == []
    ctx = build_context(location)
    try:
        authenticate("chakan", "chakan-2025")
        assert Person.get_by_id(first).phone == "13512345678"
        assert Person.get_by_id(second).merged_into_id == first
        assert MergeRecord.get_by_id(result["merge_id"]).kept_id == first
    finally:
        ctx.close()
    code, out, err = jinguo("luru", "luru-2025", "merge", "undo", result["merge_id"])
    assert code == 0 and "已撤销合并" in out
    code, out, err = jinguo("luru", "luru-2025", "merge", "undo", result["merge_id"])
    assert code == 2 and "撤销过了" in err
    code, out, err = jinguo("luru", "luru-2025", "duplicates", "people", "--json")
    assert len(json.loads(out)["candidates"]) == 1


def test_refusals_exit_2_with_a_message(register, jinguo):
    _location, (first, second) = register
    code, _out, err = jinguo("chakan", "chakan-2025", "duplicates", "people")
    assert code == 2 and "不能查重与合并" in err
    code, _out, err = jinguo("chakan", "chakan-2025", "merge", "people", first, second)
    assert code == 2 and "不能查重与合并" in err
    code, _out, err = jinguo("luru", "luru-2025", "merge", "people", first, 999999)
    assert code == 2 and "找不到编号为 999999 的人员" in err
    code, _out, err = jinguo("luru", "luru-2025", "merge", "people", first, second, "--field", "colour=drop")
    assert code == 2 and "没有这样的字段：colour" in err
    code, _out, err = jinguo("luru", "luru-2025", "merge", "undo", 4242)
    assert code == 2 and "找不到编号为 4242 的合并记录" in err
