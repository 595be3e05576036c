"""Finding duplicates: a register seeded with every kind is found with its reasons; look-alikes
are not offered; "不是重复" is remembered; the rules are the administrator's."""

from __future__ import annotations

import datetime as dt

import pytest

from models import audit
from models.duplicates import (
    dismiss,
    find,
    folded,
    id_neighbours,
    id_relation,
    org_key,
    rule_set,
    save_rule_set,
    upgraded_id,
)
from models.entities import Organization, Person, User
from models.indicators import summary_figures
from models.merge import merge
from models.periods import Period
from models.permissions import PermissionDenied
from models.summary import compute_summary
from models.validators import check_id_number, id_check_char


def resident_id(birth: str, serial: str, area: str = "320102") -> str:
    first17 = area + birth + serial
    return first17 + id_check_char(first17)


def broken(number: str, position: int) -> str:
    """``number`` with one digit changed so that its check character no longer fits."""
    for digit in "0123456789":
        if digit != number[position]:
            probe = number[:position] + digit + number[position + 1:]
            if id_check_char(probe[:17]) != probe[17]:
                return probe
    raise AssertionError("no broken form")


def person(user, name: str, **fields) -> Person:
    number = fields.get("id_number")
    if number and len(number) == 18 and id_check_char(number[:17]) == number[17]:
        resident = check_id_number(number)
        fields.setdefault("birth_date", resident.birth_date)
        fields.setdefault("sex", resident.sex)
    fields.setdefault("is_volunteer", True)
    return audit.create(Person, user, name=name, **fields)


@pytest.fixture
def register(user, county):
    """A register with one pair of each kind of duplicate, and look-alikes that are not."""
    east, west = county["east"].id, county["west"].id
    p: dict[str, Person] = {}
    old18 = resident_id("19650312", "042")
    old15 = old18[:6] + old18[8:17]
    assert upgraded_id(old15) == old18
    p["upgrade_a"] = person(user, "王秀英", id_number=old18, region=east)
    # An old 15-digit number, as registers of earlier years hold them (no form takes one today).
    p["upgrade_b"] = person(user, "王秀英", id_number=old15, region=west, birth_date=dt.date(1965, 3, 12))
    typo = resident_id("19720506", "128")
    p["typo_a"] = person(user, "赵桂兰", id_number=typo)
    p["typo_b"] = person(user, "赵桂兰", id_number=broken(typo, 3), birth_date=dt.date(1972, 5, 6))
    swap = resident_id("19881123", "466")
    swapped = swap[:14] + swap[15] + swap[14] + swap[16:]
    assert swapped != swap and id_check_char(swapped[:17]) != swapped[17]
    p["swap_a"] = person(user, "孙美玲", id_number=swap)
    p["swap_b"] = person(user, "孙美玲", id_number=swapped, birth_date=dt.date(1988, 11, 23))
    p["birth_a"] = person(user, "李娜", birth_date=dt.date(1990, 5, 1), region=east)
    p["birth_b"] = person(user, "李娜", id_number=resident_id("19900501", "024"), region=east)
    p["phone_a"] = person(user, "张丽", phone="13800001111")
    p["phone_b"] = person(user, "张莉", phone="13800001111")
    p["sound_a"] = person(user, "刘静", birth_date=dt.date(1985, 2, 2), region=west)
    p["sound_b"] = person(user, "刘晶", birth_date=dt.date(1985, 2, 2), region=west)
    p["variant_a"] = person(user, "陈丽华", birth_date=dt.date(1978, 8, 8))
    p["variant_b"] = person(user, "陳麗華", birth_date=dt.date(1978, 8, 8))
    # Look-alikes: a common name, different birth dates and townships.
    p["alike_a"] = person(user, "王芳", id_number=resident_id("19800101", "022"), region=east)
    p["alike_b"] = person(user, "王芳", id_number=resident_id("19920304", "046"), region=west)
    p["alike_c"] = person(user, "王芳", birth_date=dt.date(1975, 7, 7), region=west)
    o: dict[str, Organization] = {}

    def org(name: str, **fields) -> Organization:
        fields.setdefault("kind", "grassroots")
        return audit.create(Organization, user, name=name, **fields)

    o["prep_a"] = org("东关社区巾帼志愿服务队", region=east)
    o["prep_b"] = org("东关社区巾帼志愿服务队（筹）", region=east)
    o["width_a"] = org("阳光妇女互助会")
    o["width_b"] = org("【阳光】\u3000妇女互助会")
    o["short_a"] = org("西湖镇妇女儿童发展促进会", short_name="西湖妇促会")
    o["short_b"] = org("西湖妇促会")
    o["alike_a"] = org("西湖社区巾帼志愿服务队", region=west)
    return {"people": p, "orgs": o}


def pairs(kind: str) -> dict[tuple[int, int], object]:
    return {(c.first, c.second): c for c in find(kind)}


def pair_of(a, b) -> tuple[int, int]:
    return (min(a.id, b.id), max(a.id, b.id))


@pytest.mark.parametrize(("key", "rule", "reason"), [
    ("upgrade", "id_upgrade", "身份证号 15→18 位相同"),
    ("typo", "id_typo", "身份证号只差一位（有一个校验位不对）"),
    ("swap", "id_swap", "身份证号相邻两位颠倒（有一个校验位不对）"),
    ("birth", "name_birth", "同名同生日"),
    ("phone", "phone_name", "同电话，姓名相近"),
    ("sound", "homophone_birth", "同生日，姓名同音"),
    ("variant", "variant_birth", "同生日，姓名为异体字或繁简字"),
])
def test_each_kind_of_duplicate_is_found_with_its_reason(register, key, rule, reason):
    people = register["people"]
    found = pairs("people")
    candidate = found.get(pair_of(people[f"{key}_a"], people[f"{key}_b"]))
    assert candidate is not None, f"{key} not offered"
    assert rule in candidate.rules
    assert reason in candidate.reasons_text()
    assert candidate.score >= rule_set("people").threshold


def test_look_alikes_are_not_offered(register):
    people = register["people"]
    found = pairs("people")
    alike = {people[k].id for k in ("alike_a", "alike_b", "alike_c")}
    assert not [p for p in found if set(p) & alike]
    # Only the seeded pairs: nothing else of the register is offered.
    assert len(found) == 7


def test_organizations_are_found_by_normalised_names(register):
    orgs = register["orgs"]
    found = pairs("orgs")
    prep = found[pair_of(orgs["prep_a"], orgs["prep_b"])]
    assert "same_name" in prep.rules and prep.score >= 90
    assert "same_name" in found[pair_of(orgs["width_a"], orgs["width_b"])].rules
    short = found[pair_of(orgs["short_a"], orgs["short_b"])]
    assert "简称与另一个的名称相同" in short.reasons_text()
    assert pair_of(orgs["prep_a"], orgs["alike_a"]) not in found


def test_a_pair_declared_not_a_duplicate_is_never_offered_again(register, user):
    people = register["people"]
    key = pair_of(people["phone_a"], people["phone_b"])
    assert key in pairs("people")
    dismiss("people", people["phone_b"].id, people["phone_a"].id, user)
    dismiss("people", people["phone_a"].id, people["phone_b"].id, user)  # twice: no error
    assert key not in pairs("people")
    assert len(pairs("people")) == 6


def test_administrators_adjust_the_rules_and_clerks_may_not(register, user):
    rules = rule_set("people")
    save_rule_set("people", {**rules.weights, "phone_name": 30}, 60, user)
    people = register["people"]
    assert pair_of(people["phone_a"], people["phone_b"]) not in pairs("people")
    save_rule_set("people", rules.weights, 95, user)
    assert set(pairs("people")) == {pair_of(people[f"{k}_a"], people[f"{k}_b"])
                                    for k in ("upgrade", "typo", "swap")}  # ID and name and birth
    clerk = User.create(username="clerk1", role="clerk")
    with pytest.raises(PermissionDenied):
        save_rule_set("people", rules.weights, 10, clerk)
    viewer = User.create(username="viewer1", role="viewer")
    with pytest.raises(PermissionDenied):
        dismiss("people", people["sound_a"].id, people["sound_b"].id, viewer)


def test_id_rules_and_name_forms():
    number = resident_id("19650312", "042")
    assert id_relation(number[:6] + number[8:17], number) == "id_upgrade"
    wrong = broken(number, 10)
    assert number in id_neighbours(wrong)
    assert id_relation(wrong, number) == "id_typo"
    assert id_relation(number, resident_id("19650312", "044")) is None  # both valid: two people
    assert folded("陳麗華") == folded("陈丽华")
    assert org_key("东关社区巾帼志愿服务队（筹）") == org_key("东关社区 巾帼志愿服务队")
    assert org_key("ＡＢ妇女（儿童）协会") == org_key("ab妇女儿童协会")


def _volunteers(day: dt.date) -> int:
    figures = summary_figures(compute_summary(Period.for_year(day.year), today=day).sections)
    return next(f.value for f in figures if f.indicator == "person.volunteer.count" and not f.disaggregation)


def test_summary_counts_each_person_once_after_merging_the_duplicates(register, user):
    today = dt.date.today()
    before = _volunteers(today)
    found = find("people")
    assert len(found) == 7
    for candidate in found:
        merge("people", candidate.first, candidate.second, user)
    assert _volunteers(today) == before - 7
    assert find("people") == []
    assert Person.select().where(Person.merged_into.is_null(False) & Person.archived).count() == 7


def test_the_fast_check_agrees_with_the_check_character():
    import random

    from models.duplicates import _check_ok

    rng = random.Random(11)
    for _ in range(20000):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        right = first17 + id_check_char(first17)
        assert _check_ok(right)
        wrong = first17 + next(c for c in "10X98765432" if c != right[17])
        assert not _check_ok(wrong)
