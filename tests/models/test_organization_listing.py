"""The Organizations list: each filter, pinyin and stage sorting, paging, flags, query count."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from models.archiving import archive_record
from models.choices import INCUBATION_STAGES
from models.entities import Organization, Region, ServiceArea
from models.organization_listing import NOT_INCUBATED, OrganizationFilter, OrganizationListing
from models.organizations import advance_stage
from models.validators import credit_check_char

LISTING = OrganizationListing()
RECENT = dt.date.today() - dt.timedelta(days=30)
C_CODE = "52321012MJ5678901" + credit_check_char("52321012MJ5678901")


def area(name: str) -> int:
    return ServiceArea.get(ServiceArea.name == name).id


@dataclass
class Sample:
    xiannv: Region
    shaobo: Region
    ids: dict[str, int]


@pytest.fixture
def sample(make_region, make_org, user) -> Sample:
    """Eight organizations across two townships (one name per letter of the tests below)."""
    county = make_region("江都区", "county")
    xiannv = make_region("仙女镇", "township", county)
    longchuan = make_region("龙川村", "village", xiannv)
    shaobo = make_region("邵伯镇", "township", county)
    shaobo_village = make_region("邵伯村", "village", shaobo)

    orgs = {
        "A": make_org("张庄妇女互助会", region_id=longchuan.id, initial_stage="sprouting",
                      initial_stage_on=dt.date(2023, 1, 5), service_area_ids=[area("家庭教育")]),
        "B": make_org("阿姨帮帮团", short_name="阿姨团", region_id=xiannv.id,
                      alliance_member=True, alliance_joined_on=dt.date(2024, 1, 1)),
        "C": make_org("北城社工服务中心", kind="registered", legal_form="service_org",
                      credit_code=C_CODE, region_id=shaobo.id, initial_stage="developing",
                      initial_stage_on=RECENT,
                      service_area_ids=[area("青少年服务"), area("心理健康")]),
        "D": make_org("爱心100%互助社", initial_stage="startup",
                      initial_stage_on=dt.date.today() - dt.timedelta(days=10)),
        "E": make_org("爱心1000互助社"),
        "F": make_org("编号0_1小组"),
        "G": make_org("编号001小组"),
        "H": make_org("旧城妇女之家", region_id=shaobo_village.id, initial_stage="sprouting",
                      initial_stage_on=dt.date(2022, 1, 1)),
    }
    advance_stage(orgs["H"], user, "graduated", dt.date(2023, 1, 1), note="已独立运营")
    archive_record(orgs["H"], user, "停止活动")
    return Sample(xiannv, shaobo, {key: org.id for key, org in orgs.items()})


def found(sample: Sample, **fields) -> set[str]:
    """Letters of the organizations the filter lets through; count() must agree with fetch()."""
    flt = OrganizationFilter(**fields)
    rows = LISTING.fetch(flt, None, False, 0, 1000)
    assert LISTING.count(flt) == len(rows)
    letter = {oid: key for key, oid in sample.ids.items()}
    return {letter[row.id] for row in rows}


# --- filters ----------------------------------------------------------------------------


def test_default_filter_shows_everything_not_archived(sample):
    assert found(sample) == set("ABCDEFG")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("互助", "ADE"),
        ("  妇女 ", "A"),
        ("阿姨团", "B"),
        ("5232", "C"),
        ("52321012mj", "C"),
        ("５２３２", "C"),
        ("MJ5678", ""),
        ("100%", "D"),
        ("%", "D"),
        ("0_1", "F"),
        ("_", "F"),
        ("\\", ""),
    ],
)
def test_text_matches_name_short_name_and_credit_code_prefix(sample, text, expected):
    assert found(sample, text=text) == set(expected)


def test_text_with_full_width_punctuation_finds_names_written_with_it(make_org):
    """Chinese names use full-width brackets; typing them must find the name."""
    make_org("阳光妈妈互助会（筹）", short_name="阳光（筹）")
    make_org("爱心１００％互助社")
    listing = OrganizationListing()
    assert listing.count(OrganizationFilter(text="互助会（筹）")) == 1
    assert listing.count(OrganizationFilter(text="阳光（筹")) == 1
    assert listing.count(OrganizationFilter(text="１００％")) == 1


def test_kind_filter(sample):
    assert found(sample, kind="registered") == set("C")
    assert found(sample, kind="grassroots") == set("ABDEFG")


@pytest.mark.parametrize(
    ("stage", "archived", "expected"),
    [
        ("sprouting", False, "A"),
        ("startup", False, "D"),
        ("developing", False, "C"),
        ("graduated", False, ""),
        ("graduated", None, "H"),
        (NOT_INCUBATED, False, "BEFG"),
    ],
)
def test_stage_filter(sample, stage, archived, expected):
    assert found(sample, stage=stage, archived=archived) == set(expected)


def test_service_area_filter(sample):
    assert found(sample, service_area_id=area("家庭教育")) == set("A")
    assert found(sample, service_area_id=area("心理健康")) == set("C")
    assert found(sample, service_area_id=area("助老服务")) == set()


def test_township_filter_includes_its_villages(sample):
    assert found(sample, township_id=sample.xiannv.id) == set("AB")
    assert found(sample, township_id=sample.shaobo.id) == set("C")
    assert found(sample, township_id=sample.shaobo.id, archived=None) == set("CH")


def test_alliance_filter(sample):
    assert found(sample, alliance_member=True) == set("B")
    assert found(sample, alliance_member=False) == set("ACDEFG")


def test_archived_filter(sample):
    assert found(sample, archived=True) == set("H")
    assert found(sample, archived=False) == set("ABCDEFG")
    assert found(sample, archived=None) == set("ABCDEFGH")


def test_filters_combine(sample):
    assert found(sample, text="互助", township_id=sample.xiannv.id) == set("A")
    assert found(sample, kind="grassroots", stage=NOT_INCUBATED, alliance_member=False) == set(
        "EFG"
    )


# --- row contents -----------------------------------------------------------------------------


def rows_by_letter(sample: Sample):
    rows = LISTING.fetch(OrganizationFilter(archived=None), None, False, 0, 100)
    by_id = {row.id: row for row in rows}
    return {key: by_id[oid] for key, oid in sample.ids.items()}


def test_rows_carry_labels_township_and_areas(sample):
    rows = rows_by_letter(sample)
    keys = [c.key for c in LISTING.columns]
    c = dict(zip(keys, rows["C"].values))
    assert c["name"] == "北城社工服务中心"
    assert c["kind"] == "登记注册" and c["credit_code"] == C_CODE
    assert c["stage"] == "发展期" and c["stage_since"] == RECENT
    assert c["township"] == "邵伯镇"
    assert set(c["areas"].split("、")) == {"青少年服务", "心理健康"}
    a, b = dict(zip(keys, rows["A"].values)), dict(zip(keys, rows["B"].values))
    assert a["township"] == "仙女镇" and b["township"] == "仙女镇"
    assert b["alliance"] is True and b["stage"] == "" and b["areas"] == ""
    assert rows["H"].archived and not rows["A"].archived


def test_only_overdue_incubation_is_flagged(sample):
    flagged = {key for key, row in rows_by_letter(sample).items() if row.flagged}
    assert flagged == {"A"}


# --- sorting and paging -----------------------------------------------------------------------


def names(rows) -> list[str]:
    return [row.values[0] for row in rows]


def test_name_sort_is_pinyin_not_code_point(make_org):
    for name in ("张家妇女会", "北关妇女会", "阿庄妇女会"):
        make_org(name)
    pinyin = ["阿庄妇女会", "北关妇女会", "张家妇女会"]
    assert sorted(pinyin) != pinyin  # code point order differs: 北 U+5317 < 张 < 阿 U+963F
    assert names(LISTING.fetch(OrganizationFilter(), "name", False, 0, 10)) == pinyin
    assert names(LISTING.fetch(OrganizationFilter(), None, False, 0, 10)) == pinyin
    assert names(LISTING.fetch(OrganizationFilter(), "name", True, 0, 10)) == pinyin[::-1]


def test_stage_sort_follows_the_stage_order(sample):
    flt = OrganizationFilter(archived=None)
    ascending = LISTING.fetch(flt, "stage", False, 0, 100)
    labels = [row.values[4] for row in ascending]
    order = ["", *(INCUBATION_STAGES.label(c) for c in INCUBATION_STAGES.codes())]
    assert labels == sorted(labels, key=order.index)
    staged = [row.id for row in ascending if row.values[4]]
    assert staged == [sample.ids[k] for k in "ADCH"]
    descending = LISTING.fetch(flt, "stage", True, 0, 100)
    assert [r.id for r in descending] == [r.id for r in ascending][::-1]


def test_township_sort_is_pinyin(sample):
    rows = LISTING.fetch(OrganizationFilter(), "township", False, 0, 100)
    townships = [row.values[6] for row in rows if row.values[6]]
    assert townships == ["邵伯镇", "仙女镇", "仙女镇"]


def test_unsortable_column_is_refused(sample):
    with pytest.raises(ValueError):
        LISTING.fetch(OrganizationFilter(), "areas", False, 0, 10)


@pytest.mark.parametrize(("sort_key", "descending"), [("name", False), ("stage", True),
                                                      ("township", False)])
def test_pages_are_disjoint_and_cover_every_row(make_org, sort_key, descending):
    for i in range(23):
        make_org(f"第{i:02d}互助组", initial_stage="sprouting" if i % 3 else None,
                 initial_stage_on=dt.date(2025, 1, 1) if i % 3 else None)
    flt = OrganizationFilter()
    whole = [row.id for row in LISTING.fetch(flt, sort_key, descending, 0, 100)]
    pages = [
        [row.id for row in LISTING.fetch(flt, sort_key, descending, offset, 5)]
        for offset in range(0, 25, 5)
    ]
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    assert [oid for page in pages for oid in page] == whole
    assert len(set(whole)) == 23 == LISTING.count(flt) == Organization.select().count()


def test_fetch_runs_one_query_per_page_and_count_one(sample, count_queries):
    flt = OrganizationFilter(archived=None)
    count_queries.reset()
    rows = LISTING.fetch(flt, "name", False, 0, 100)
    assert len(rows) == 8
    assert len(count_queries) == 1
    count_queries.reset()
    LISTING.fetch(flt, "stage", True, 0, 3)
    LISTING.fetch(flt, "stage", True, 3, 3)
    assert len(count_queries) == 2
    count_queries.reset()
    assert LISTING.count(flt) == 8
    assert len(count_queries) == 1
