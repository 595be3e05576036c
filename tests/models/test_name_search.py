"""Names found by full pinyin and initials, people sorted by their surname's reading: the stored
forms, the SQL on both backends, and the migration's refill of existing rows."""

import pytest

from models.entities import Organization, Person, Region, Venue
from models.name_search import match_rank, matches, name_condition, narrow_pinyin, spelled
from models.person_listing import PersonFilter, PersonListing
from models.pickers import venues
from models.schema import fill_name_columns
from models.sortkey import name_forms, person_key

# The surnames the issue names, each read as a surname (pinyin-pro's table).
SURNAMES = {"曾": "zeng1", "单": "shan4", "解": "xie4", "仇": "qiu2", "区": "ou1", "查": "zha1",
            "覃": "qin2", "朴": "piao2", "盖": "ge3", "翟": "zhai2", "缪": "miao4", "乐": "yue4",
            "尉迟": "yu4 chi2", "万俟": "mo4 qi2"}


@pytest.mark.parametrize(("surname", "reading"), SURNAMES.items())
def test_a_polyphonic_surname_is_read_as_a_surname(surname, reading):
    assert person_key(surname + "红梅") == f"{reading} hong2 mei2"
    # elsewhere the character keeps its everyday reading (曾经 céng, 单位 dān, 音乐 yuè → lè …)
    assert not name_forms(surname + "红梅")[0].startswith(reading + " ")


def test_people_sort_by_the_surname_reading():
    names = ["陈红", "曹红", "曾红", "单红", "戴红", "解红", "谢红", "尉迟红", "魏红", "万俟红", "马红"]
    assert sorted(names, key=person_key) == [
        "曹红", "陈红", "戴红", "马红", "万俟红", "单红", "魏红", "解红", "谢红", "尉迟红", "曾红"]


def test_what_counts_as_typed_pinyin():
    assert spelled("BCY") == "bcy" and spelled("bai cai'yue") == "baicaiyue" and spelled("ｂｃｙ") == "bcy"
    assert spelled("wang2") == "wang2"
    assert spelled("白cy") == "" and spelled("3201") == "" and spelled("  ") == ""
    assert matches("lsc", "西湖镇 / 柳树村") and matches("柳树", "西湖镇 / 柳树村")
    assert not matches("lsz", "西湖镇 / 柳树村") and matches("", "任何")
    assert match_rank("lsc", "西湖镇 / 柳树村") == 0  # the village's own name starts so
    assert match_rank("js", "江苏省") == 0 and match_rank("js", "北京市") == 1
    assert match_rank("京", "北京市") == 1 and match_rank("北", "北京市") == 0
    assert match_rank("jx", "江苏省") is None


def test_prefix_search_in_sql_on_both_backends(ctx):
    for name in ("白彩月", "白菜", "蔡白", "张子怡", "邹子", "Zoe赵"):
        Person.create(name=name)

    def found(text, anywhere=False):
        query = Person.select(Person.name).where(name_condition(Person, text, anywhere))
        return sorted(n for (n,) in query.order_by(Person.name_key).tuples())

    assert found("bcy") == ["白彩月"]
    assert found("bc") == ["白彩月", "白菜"]
    assert found("baicai") == ["白彩月", "白菜"]
    assert found("cb") == ["蔡白"]
    assert found("z") == sorted(["张子怡", "邹子", "Zoe赵"])  # a prefix of z: no upper bound
    assert found("zz") == ["张子怡", "邹子"] and found("zzy") == ["张子怡"]
    assert found("zoe") == ["Zoe赵"]  # Latin letters in a name are in its forms
    assert found("cy") == [] and found("cy", anywhere=True) == ["白彩月"]
    assert found("白") == ["白彩月", "白菜", "蔡白"]


def test_the_migration_refills_every_name(ctx):
    Person.create(name="曾丽")
    org = Organization.create(name="阳光互助会", kind="grassroots")
    Region.create(name="西湖镇", level="township")
    for model in (Person, Organization, Region):
        model.update(name_key="", name_pinyin="", name_initials="").execute()
    for model in (Person, Organization, Region):
        fill_name_columns(ctx.db, model)
    assert Person.get().name_key == "zeng1 li4" and Person.get().name_initials == "zl"
    stored = Organization.get_by_id(org.id)
    assert (stored.name_pinyin, stored.name_initials) == ("yangguanghuzhuhui", "yghzh")
    assert Region.get().name_initials == "xhz"


def test_venues_of_the_same_name_are_told_apart_by_their_place(ctx):
    county = Region.create(name="青禾县", level="county")
    town = Region.create(name="西湖镇", level="township", parent=county)
    willow = Region.create(name="柳树村", level="village", parent=town)
    east = Region.create(name="东关街道", level="township", parent=county)
    for region in (willow, east):
        Venue.create(name="妇女儿童之家", level="village", kind="women_children_home", region=region)
    Venue.create(name="巾帼微家", level="village", kind="women_children_home", region=willow)
    assert sorted(label for _id, label in venues()) == [
        "妇女儿童之家（东关街道）", "妇女儿童之家（西湖镇 / 柳树村）", "巾帼微家"]


@pytest.mark.sqlite_only
def test_sqlite_reads_a_narrow_pinyin_search_off_the_pinyin_indexes(ctx):
    """``bcy`` (few names start so): not 100,000 entries of the list's index checked in name
    order; ``w`` (thousands): the list's index, in name order (bench_finding.py)."""
    def plan(text):
        query = PersonListing().apply_filter(Person.select(Person.id), PersonFilter(text=text))
        sql, params = query.sql()
        return str(ctx.db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall())

    assert "person_initials" in plan("bcy") and "person_pinyin" in plan("bcy")
    assert "person_list" not in plan("bcy")
    assert "person_list" in plan("w") and "person_list" in plan("zhang")


def test_what_reaches_past_the_first_syllable():
    assert [t for t in ("w", "zh", "zhang", "li", "xiao", "er") if narrow_pinyin(t)] == []
    assert all(narrow_pinyin(t) for t in ("bcy", "wx", "baicai", "zhangs", "xiaoh"))
    assert not narrow_pinyin("白") and not narrow_pinyin("3201")

