"""Regions and service areas: validation, and deletion refused while something refers to them."""

import json

import pytest

from models.entities import AuditEntry, Region, ServiceArea
from models.errors import ValidationFailed
from models.organizations import OrganizationData, save_organization
from models.references import delete_unreferenced, references_to
from models.vocabularies import RegionData, RegionFilter, RegionListing, save_region, save_service_area


@pytest.fixture
def county(ctx):
    return save_region(RegionData(name="青禾县", level="county", code="321099"), ctx.user)


def test_region_levels_need_the_right_parent(ctx, county):
    with pytest.raises(ValidationFailed) as err:
        save_region(RegionData(name="东关街道", level="township"), ctx.user)
    assert str(err.value.errors["parent_id"]) == "请选择上级县（区）"
    town = save_region(RegionData(name="东关街道", level="township", parent_id=county.id), ctx.user)
    with pytest.raises(ValidationFailed) as err:
        save_region(RegionData(name="柳树村", level="village", parent_id=county.id), ctx.user)
    assert str(err.value.errors["parent_id"]) == "请选择上级镇（街道）"
    with pytest.raises(ValidationFailed) as err:
        save_region(RegionData(name="东关街道", level="township", parent_id=county.id), ctx.user)
    assert "已有“东关街道”" in str(err.value.errors["name"])
    with pytest.raises(ValidationFailed) as err:
        save_region(RegionData(name="柳树村", level="village", parent_id=town.id, code="12AB"), ctx.user)
    assert "6、9 或 12 位数字" in str(err.value.errors["code"])
    assert Region.select().count() == 2


def test_region_listing_filters_and_orders_by_level(ctx, county):
    town = save_region(RegionData(name="西湖镇", level="township", parent_id=county.id), ctx.user)
    save_region(RegionData(name="柳树村", level="village", parent_id=town.id), ctx.user)
    listing = RegionListing()
    rows = listing.fetch(RegionFilter(), None, False, 0, 10)
    assert [r.values[0] for r in rows] == ["青禾县", "西湖镇", "柳树村"]
    assert rows[2].values[2] == "西湖镇"
    assert listing.count(RegionFilter(text="西湖")) == 2  # itself and its village (by parent)
    assert listing.count(RegionFilter(level="village")) == 1


def test_deleting_a_referenced_region_is_refused_naming_the_referrers(ctx, county):
    town = save_region(RegionData(name="东关街道", level="township", parent_id=county.id), ctx.user)
    save_organization(OrganizationData(name="阳光志愿队", region_id=town.id), ctx.user)
    assert references_to(town) == [("社会组织", 1, "阳光志愿队")]
    with pytest.raises(ValidationFailed) as err:
        delete_unreferenced(county, ctx.user)
    assert "行政区划 1 条（如“东关街道”）" in str(err.value.errors["delete"])
    with pytest.raises(ValidationFailed) as err:
        delete_unreferenced(town, ctx.user)
    assert "社会组织 1 条（如“阳光志愿队”）" in str(err.value.errors["delete"])
    assert Region.select().count() == 2


def test_deleting_an_unreferenced_service_area_is_audited(ctx):
    area = save_service_area("社区营造", 20, True, ctx.user)
    delete_unreferenced(area, ctx.user)
    assert not ServiceArea.select().where(ServiceArea.name == "社区营造").exists()
    entry = AuditEntry.get(AuditEntry.action == "delete")
    assert entry.entity == "service_area" and json.loads(entry.changes)["name"] == ["社区营造", None]


def test_service_area_names_are_unique(ctx):
    with pytest.raises(ValidationFailed) as err:
        save_service_area(" 家庭教育 ", 1, True, ctx.user)
    assert str(err.value.errors["name"]) == "已有服务领域“家庭教育”"
