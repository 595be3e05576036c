"""Finding people and organizations registered twice: weighted rules, a threshold, reasons.

Registers built from years of spreadsheets hold the same person under an old 15-digit ID and the
18-digit one, with a mistyped digit, with a variant character in her name, or with no ID at all.
Each pair of records is scored by weighted rules (CiviCRM's dedupe rules are the model): the
weights and the threshold are office settings an administrator adjusts; a pair at or above the
threshold is offered with the Chinese reasons that scored it; a pair a clerk declared "不是重复"
is remembered and never offered again.

Speed: pairs are only ever looked for among records sharing an indexed key (birth date and
pinyin of the name, phone, ID number): never all pairs. 100,000 people take well under 3 s.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

from .crypto import phone_hash, unseal, unseal_all
from .db import database, placeholders
from .entities import DuplicateDismissal, User
from .i18n import Message, msg, tr_noop
from .validators import ID_CHECK_CHARS, id_check_char, to_halfwidth

KINDS = ("people", "orgs")
CHUNK = 400  # ids or keys per IN (…): well under SQLite's limit of bound values
# A phone shared by more people than this is an office's or a community centre's, not a
# sign that they are one person.
MAX_PHONE_GROUP = 8


@dataclass(frozen=True)
class Rule:
    """One weighted rule: ``weight`` points when it holds for a pair (negative: evidence against)."""

    code: str
    label: str  # Chinese (tr_noop), shown as the reason
    weight: int


PERSON_RULES: tuple[Rule, ...] = (
    Rule("same_id", tr_noop("身份证号相同"), 100),
    Rule("id_upgrade", tr_noop("身份证号 15→18 位相同"), 100),
    Rule("id_typo", tr_noop("身份证号只差一位（有一个校验位不对）"), 50),
    Rule("id_swap", tr_noop("身份证号相邻两位颠倒（有一个校验位不对）"), 50),
    Rule("name_birth", tr_noop("同名同生日"), 70),
    Rule("variant_birth", tr_noop("同生日，姓名为异体字或繁简字"), 70),
    Rule("homophone_birth", tr_noop("同生日，姓名同音"), 60),
    Rule("phone_name", tr_noop("同电话，姓名相近"), 60),
    Rule("name_alike", tr_noop("姓名相同或为异体字"), 20),
    Rule("same_township", tr_noop("同属一个镇（街道）"), 10),
    Rule("ids_differ", tr_noop("身份证号不同"), -50),
    Rule("sex_differs", tr_noop("性别不同"), -40),
    Rule("birth_differs", tr_noop("出生日期不同"), -40),
)

ORG_RULES: tuple[Rule, ...] = (
    Rule("credit_code", tr_noop("统一社会信用代码相同"), 100),
    Rule("same_name", tr_noop("名称相同（不计全半角、括号、“筹”和空格）"), 90),
    Rule("short_name", tr_noop("简称与另一个的名称相同"), 70),
    Rule("name_core", tr_noop("去掉“协会”“服务中心”等后缀后名称相同"), 50),
    Rule("same_township", tr_noop("同属一个镇（街道）"), 10),
    Rule("codes_differ", tr_noop("统一社会信用代码不同"), -60),
)

RULES: dict[str, tuple[Rule, ...]] = {"people": PERSON_RULES, "orgs": ORG_RULES}
DEFAULT_THRESHOLD = 60
THRESHOLD_KEY = "dedupe.threshold.{kind}"
WEIGHT_KEY = "dedupe.weight.{kind}.{code}"


@dataclass(frozen=True)
class RuleSet:
    """The weights in force and the threshold a pair must reach to be offered."""

    kind: str
    weights: dict[str, int]
    threshold: int

    def label(self, code: str) -> str:
        return next(r.label for r in RULES[self.kind] if r.code == code)


def rule_set(kind: str) -> RuleSet:
    """The office's rules for ``kind`` (settings; the defaults above where none is stored)."""
    from .settings import get_setting

    def number(key: str, default: int) -> int:
        text = get_setting(key).strip()
        try:
            return int(text) if text else default
        except ValueError:
            return default

    weights = {r.code: number(WEIGHT_KEY.format(kind=kind, code=r.code), r.weight) for r in RULES[kind]}
    return RuleSet(kind, weights, number(THRESHOLD_KEY.format(kind=kind), DEFAULT_THRESHOLD))


def save_rule_set(kind: str, weights: dict[str, int], threshold: int, user: User | None) -> None:
    """An administrator's weights and threshold (settings: only a role that may change them)."""
    from .settings import set_settings

    values = {WEIGHT_KEY.format(kind=kind, code=code): str(int(w)) for code, w in weights.items()}
    values[THRESHOLD_KEY.format(kind=kind)] = str(int(threshold))
    set_settings(values, user)


@dataclass(frozen=True)
class Candidate:
    """Two records that may be one: ``first`` < ``second`` (ids), the score, the rules that held."""

    kind: str
    first: int
    second: int
    score: int
    rules: tuple[str, ...]  # codes, strongest first
    reasons: tuple[Message, ...]

    def reasons_text(self, translate=None) -> str:
        return "；".join(m.render(translate) for m in self.reasons)

    def as_json(self) -> dict:
        return {"first": self.first, "second": self.second, "score": self.score,
                "rules": list(self.rules), "reasons": [str(m) for m in self.reasons]}


# -- names ------------------------------------------------------------------------------------

@cache
def variant_forms() -> dict[str, str]:
    """Each character with a variant form (繁简、异体字) → the form names are compared by
    (``resources/variants.txt``, generated from Unihan by tools/make_variant_table.py)."""
    from resources import resource_path

    table: dict[str, str] = {}
    for line in resource_path("variants.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            for char in line[1:]:
                table[char] = line[0]
    return table


def folded(name: str) -> str:
    """A name with every character in the form its variants share, spaces left out."""
    forms = variant_forms()
    return "".join(forms.get(c, c) for c in to_halfwidth(name) if not c.isspace())


def _one_char_apart(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


# -- ID numbers --------------------------------------------------------------------------------

def upgraded_id(number: str) -> str | None:
    """The 18-digit number an old 15-digit one became (the century inserted, the check
    character computed), or None when ``number`` is not a 15-digit number."""
    if len(number) != 15 or not number.isdigit():
        return None
    first17 = number[:6] + "19" + number[6:]
    return first17 + id_check_char(first17)


def _check_ok(number: str) -> bool:
    """Whether an 18-character number passes its check character. The weights of GB 11643 are
    2^(17-i) mod 11, and 13 = 2 (mod 11): the weighted sum is twice the first 17 digits read in
    base 13, which int() works out in C (the check of 100,000 numbers took 0.6 s digit by digit)."""
    return (len(number) == 18 and number[:17].isdigit()
            and ID_CHECK_CHARS[2 * int(number[:17], 13) % 11] == number[17])


def id_relation(a: str, b: str) -> str | None:
    """How two ID numbers of one person may differ: ``id_upgrade`` (15 → 18), ``id_typo`` (one
    character, one of them failing its check), ``id_swap`` (two adjacent characters swapped, one
    failing its check); None otherwise."""
    a, b = a.upper(), b.upper()
    if upgraded_id(a) == b or upgraded_id(b) == a:
        return "id_upgrade"
    if len(a) != 18 or len(b) != 18 or a == b or (_check_ok(a) and _check_ok(b)):
        return None
    diff = [i for i in range(18) if a[i] != b[i]]
    if len(diff) == 1:
        return "id_typo"
    if len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]:
        return "id_swap"
    return None


def id_neighbours(number: str) -> set[str]:
    """The valid 18-character numbers a number failing its check may have been meant to be: one
    character changed, or two adjacent ones swapped."""
    number = number.upper()
    if len(number) != 18 or not number[:17].isdigit() or _check_ok(number):
        return set()
    found: set[str] = set()
    for i in range(18):
        for c in (ID_CHECK_CHARS if i == 17 else "0123456789"):
            if c != number[i]:
                probe = number[:i] + c + number[i + 1:]
                if _check_ok(probe):
                    found.add(probe)
    for i in range(17):
        probe = number[:i] + number[i + 1] + number[i] + number[i + 2:]
        if probe != number and _check_ok(probe):
            found.add(probe)
    return found


# -- people ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PersonFacts:
    """What the rules compare of a person (a registered one, or an import row)."""

    id: int
    name: str
    pinyin: str
    id_number: str
    birth_date: dt.date | None
    sex: str | None
    phone: str
    region_id: int | None


PERSON_COLUMNS = "id, name, name_pinyin, id_number, birth_date, sex, phone, region_id"


def _facts(row: tuple) -> PersonFacts:
    """A person's facts from a raw row of PERSON_COLUMNS, the ID number and phone decrypted."""
    pid, name, pinyin, number, birth, sex, phone, region = row
    number, phone = unseal(number, "person.id_number"), unseal(phone, "person.phone")
    if isinstance(birth, str):  # SQLite hands dates back as text in raw queries
        birth = dt.date.fromisoformat(birth)
    return PersonFacts(pid, name, pinyin or "", number or "", birth, sex, phone or "", region)


def person_rules(a: PersonFacts, b: PersonFacts) -> set[str]:
    """The codes of the rules that hold for two people."""
    held: set[str] = set()
    relation = id_relation(a.id_number, b.id_number) if a.id_number and b.id_number else None
    if a.id_number and a.id_number.upper() == b.id_number.upper():
        relation = "same_id"
    if relation:
        held.add(relation)
    elif a.id_number and b.id_number:
        held.add("ids_differ")  # two different numbers, neither a slip of the other
    same_name = a.name == b.name
    variant = not same_name and folded(a.name) == folded(b.name)
    homophone = not (same_name or variant) and bool(a.pinyin) and a.pinyin == b.pinyin
    same_birth = a.birth_date is not None and a.birth_date == b.birth_date
    if same_birth and same_name:
        held.add("name_birth")
    elif same_birth and variant:
        held.add("variant_birth")
    elif same_birth and homophone:
        held.add("homophone_birth")
    elif same_name or variant:
        held.add("name_alike")
    if a.phone and a.phone == b.phone and (same_name or variant or homophone
                                           or _one_char_apart(folded(a.name), folded(b.name))):
        held.add("phone_name")
    if a.region_id is not None and a.region_id == b.region_id:
        held.add("same_township")
    if a.sex and b.sex and a.sex != b.sex:
        held.add("sex_differs")
    if a.birth_date and b.birth_date and a.birth_date != b.birth_date and not relation:
        held.add("birth_differs")  # an ID typo may be in its birth date: that says nothing
    return held


def score(rules: RuleSet, held: Iterable[str], first: int, second: int) -> Candidate:
    codes = sorted(held, key=lambda c: (-rules.weights.get(c, 0), c))
    total = max(0, min(100, sum(rules.weights.get(c, 0) for c in codes)))
    return Candidate(rules.kind, first, second, total, tuple(codes),
                     tuple(msg(rules.label(c)) for c in codes))


def _rows(sql: str, params: Iterable = ()) -> list[tuple]:
    return list(database.execute_sql(sql, tuple(params)).fetchall())


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def person_blocks() -> set[tuple[int, int]]:
    """The pairs of people sharing an indexed key: birth date and pinyin of the name, a phone
    (not one shared by many), an ID and its 15→18 form or a mistyped neighbour. Archived
    people (and the dropped halves of merges) are left out."""
    pairs: set[tuple[int, int]] = set()
    pairs.update(_rows(
        "SELECT a.id, b.id FROM person a JOIN person b ON b.birth_date = a.birth_date "
        "AND b.name_pinyin = a.name_pinyin AND b.id > a.id AND NOT b.archived "
        "WHERE a.birth_date IS NOT NULL AND a.name_pinyin <> '' AND NOT a.archived"))
    pairs.update(_rows(
        "SELECT a.id, b.id FROM person a JOIN person b ON b.phone_hash = a.phone_hash AND b.id > a.id "
        "AND NOT b.archived WHERE a.phone_hash IN (SELECT phone_hash FROM person WHERE phone_hash "
        f"IS NOT NULL AND NOT archived GROUP BY phone_hash HAVING COUNT(*) BETWEEN 2 AND {MAX_PHONE_GROUP}) "
        "AND NOT a.archived"))
    # The ID numbers are encrypted: they are decrypted once and paired here (a 15-digit number
    # with its 18-digit form, a number failing its check with the neighbours it may be a slip of).
    holders: dict[str, list[int]] = defaultdict(list)
    rows = _rows("SELECT id, id_number FROM person WHERE id_number IS NOT NULL AND NOT archived")
    numbers = unseal_all([sealed for _pid, sealed in rows], "person.id_number")
    odd: list[tuple[int, str]] = []  # old 15-digit numbers and numbers failing their check
    for (pid, _sealed), number in zip(rows, numbers, strict=True):
        if number:
            number = number.upper()
            holders[number].append(pid)
            if len(number) != 18 or not _check_ok(number):
                odd.append((pid, number))
    for pid, number in odd:
        upgraded = upgraded_id(number)
        for probe in (upgraded,) if upgraded else id_neighbours(number):
            for other in holders.get(probe, ()):
                if other != pid:
                    pairs.add((min(pid, other), max(pid, other)))
    return pairs


def people_facts(ids: Iterable[int]) -> dict[int, PersonFacts]:
    found: dict[int, PersonFacts] = {}
    for chunk in _chunks(sorted(set(ids))):
        sql = f"SELECT {PERSON_COLUMNS} FROM person WHERE id IN ({placeholders(len(chunk))})"
        for row in _rows(sql, chunk):
            facts = _facts(row)
            found[facts.id] = facts
    return found


def dismissed(kind: str) -> set[tuple[int, int]]:
    """The pairs a clerk declared "不是重复"."""
    return set(DuplicateDismissal.select(DuplicateDismissal.first, DuplicateDismissal.second)
               .where(DuplicateDismissal.kind == kind).tuples())


def find_people(rules: RuleSet | None = None, everything: bool = False) -> list[Candidate]:
    """The pairs of people at or above the threshold (``everything``: every pair blocked
    together, scored), highest score first; pairs declared "不是重复" are left out."""
    rules = rules or rule_set("people")
    pairs = person_blocks() - dismissed("people")
    facts = people_facts(i for pair in pairs for i in pair)
    found = [score(rules, person_rules(facts[a], facts[b]), a, b) for a, b in pairs
             if a in facts and b in facts]
    return _ranked(found, rules, everything)


def _ranked(found: list[Candidate], rules: RuleSet, everything: bool) -> list[Candidate]:
    kept = [c for c in found if everything or c.score >= rules.threshold]
    return sorted(kept, key=lambda c: (-c.score, c.first, c.second))


# -- organizations -----------------------------------------------------------------------------

_PREPARING = re.compile(r"[(（]筹[)）]|筹备组|筹备处|筹委会|筹$")
_MARKS = re.compile(r"[\s()（）\[\]【】〔〕<>《》「」“”\"'‘’·・.\-—_、,，:：;；]+")
# Suffixes of the form of an organization, left out for the weaker "same core name" rule.
ORG_SUFFIXES = ("志愿服务队", "服务队", "志愿队", "服务中心", "中心", "协会", "联合会", "促进会",
                "服务社", "服务站", "工作室", "俱乐部", "联盟", "团队", "小组", "有限公司")


def org_key(name: str) -> str:
    """An organization's name as it is compared: half-width, lower case, variant forms folded,
    without brackets, spaces, marks or the 筹 of a group in preparation."""
    text = to_halfwidth(name).lower()
    text = _PREPARING.sub("", _MARKS.sub("", text))
    return folded(_PREPARING.sub("", text))


def org_core(key: str) -> str:
    """``org_key`` without the suffixes that only say what form the organization takes."""
    stripped = True
    while stripped:
        stripped = False
        for suffix in ORG_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix) + 1:
                key, stripped = key[: -len(suffix)], True
                break
    return key


@dataclass(frozen=True)
class OrgFacts:
    id: int
    name: str
    short_name: str
    credit_code: str
    region_id: int | None
    key: str = field(compare=False, default="")
    core: str = field(compare=False, default="")


def org_facts(row: tuple) -> OrgFacts:
    oid, name, short, code, region = row
    key = org_key(name)
    return OrgFacts(oid, name, short or "", code or "", region, key, org_core(key))


def org_rules(a: OrgFacts, b: OrgFacts) -> set[str]:
    held: set[str] = set()
    if a.credit_code and a.credit_code == b.credit_code:
        held.add("credit_code")
    elif a.credit_code and b.credit_code:
        held.add("codes_differ")
    if a.key and a.key == b.key:
        held.add("same_name")
    elif a.core and a.core == b.core:
        held.add("name_core")
    if (a.short_name and org_key(a.short_name) == b.key) or (b.short_name and org_key(b.short_name) == a.key):
        held.add("short_name")
    if a.region_id is not None and a.region_id == b.region_id:
        held.add("same_township")
    return held


def all_org_facts() -> list[OrgFacts]:
    """Every organization in the register that is not archived (an office has hundreds)."""
    return [org_facts(row) for row in _rows(
        "SELECT id, name, short_name, credit_code, region_id FROM organization WHERE NOT archived")]


def org_blocks(orgs: list[OrgFacts]) -> set[tuple[int, int]]:
    """Pairs sharing a compared name, a core name, a short name equal to a name, or a code."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for org in orgs:
        groups["key", org.key].append(org.id)
        groups["core", org.core].append(org.id)
        if org.credit_code:
            groups["code", org.credit_code].append(org.id)
    for org in orgs:
        if org.short_name:
            short = org_key(org.short_name)
            if ("key", short) in groups:
                groups["key", short].append(org.id)
    pairs: set[tuple[int, int]] = set()
    for ids in groups.values():
        ids = sorted(set(ids))
        if 1 < len(ids) <= 50:
            pairs.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1:])
    return pairs


def find_orgs(rules: RuleSet | None = None, everything: bool = False) -> list[Candidate]:
    rules = rules or rule_set("orgs")
    orgs = all_org_facts()
    by_id = {o.id: o for o in orgs}
    pairs = org_blocks(orgs) - dismissed("orgs")
    found = [score(rules, org_rules(by_id[a], by_id[b]), a, b) for a, b in pairs]
    return _ranked(found, rules, everything)


def find(kind: str, rules: RuleSet | None = None, everything: bool = False) -> list[Candidate]:
    """The candidate pairs of ``kind`` (people | orgs)."""
    return find_people(rules, everything) if kind == "people" else find_orgs(rules, everything)


def dismiss(kind: str, first: int, second: int, user: User | None) -> None:
    """Remember that two records are not one ("不是重复"): the pair is never offered again."""
    from . import audit
    from .permissions import require

    require(user, "merge")
    a, b = min(first, second), max(first, second)
    with database.atomic():
        if DuplicateDismissal.get_or_none((DuplicateDismissal.kind == kind) & (DuplicateDismissal.first == a)
                                          & (DuplicateDismissal.second == b)) is not None:
            return
        audit.create(DuplicateDismissal, user, kind=kind, first=a, second=b)


def names_of(kind: str, ids: Iterable[int]) -> dict[int, str]:
    """The names of the people (or organizations) ``ids``, as the candidates are shown."""
    table = "person" if kind == "people" else "organization"
    names: dict[int, str] = {}
    for chunk in _chunks(sorted(set(ids))):
        names.update(_rows(f'SELECT id, name FROM "{table}" WHERE id IN ({placeholders(len(chunk))})', chunk))
    return names


# -- rows about to be imported -----------------------------------------------------------------

class PersonMatcher:
    """The registered people an import's rows may be, by the same rules: the register's people
    sharing a row's pinyin name or phone are read once, by index, for the whole sheet."""

    def __init__(self, names: Iterable[str], phones: Iterable[str]):
        from .sortkey import name_forms

        self.rules = rule_set("people")
        self.by_pinyin: dict[str, list[PersonFacts]] = defaultdict(list)
        self.by_phone: dict[str | None, list[PersonFacts]] = defaultdict(list)  # by keyed hash
        pinyins = sorted({name_forms(n, True)[1] for n in names if n} - {""})
        phone_of = {phone_hash(p): p for p in phones if p}
        phone_of.pop(None, None)
        for column, keys in (("name_pinyin", pinyins), ("phone_hash", sorted(phone_of))):
            for chunk in _chunks(keys):
                sql = (f"SELECT {PERSON_COLUMNS} FROM person WHERE {column} IN ({placeholders(len(chunk))}) "
                       "AND NOT archived")
                for row in _rows(sql, chunk):
                    facts = _facts(row)
                    if column == "name_pinyin":
                        self.by_pinyin[facts.pinyin].append(facts)
                    else:
                        self.by_phone[phone_hash(facts.phone)].append(facts)

    def matches(self, name: str, id_number: str, birth: dt.date | None, sex: str | None, phone: str,
                region_id: int | None) -> list[Candidate]:
        """The registered people a row probably is (score at or above the threshold), best first;
        ``first`` of each is the registered person's id."""
        from .sortkey import name_forms

        row = PersonFacts(0, name, name_forms(name, True)[1], id_number or "", birth, sex, phone or "",
                          region_id)
        seen: dict[int, PersonFacts] = {}
        for facts in [*self.by_pinyin.get(row.pinyin, ()), *self.by_phone.get(phone_hash(row.phone), ())]:
            seen[facts.id] = facts
        found = [score(self.rules, person_rules(row, facts), facts.id, 0) for facts in seen.values()]
        likely = [c for c in found if c.score >= self.rules.threshold]
        return sorted(likely, key=lambda c: (-c.score, c.first))
