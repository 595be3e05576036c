"""Imports write the search forms (full pinyin, initials) as a save does: what was imported is
found by typing its initials."""

from desktop.importing import ImportOptions, apply_import, plan_import, read_sheet
from models.entities import Organization, Person
from models.name_search import name_condition


def test_imported_people_and_organizations_are_found_by_initials(ctx, tmp_path):
    """The bulk import writes the search forms as a save does, also for a renamed person."""
    path = tmp_path / "people.csv"
    path.write_text("姓名,身份证号,所在组织\n曾彩月,11010519491231002X,阳光互助会\n", encoding="utf-8")
    apply_import(plan_import(read_sheet(path, "people"), options=ImportOptions(create_orgs=True)), ctx.user)

    def found(model, text):
        return [n for (n,) in model.select(model.name).where(name_condition(model, text)).tuples()]

    assert found(Person, "zcy") == ["曾彩月"] and found(Organization, "yghzh") == ["阳光互助会"]
    path.write_text("姓名,身份证号\n白彩月,11010519491231002X\n", encoding="utf-8")
    plan = plan_import(read_sheet(path, "people"), options=ImportOptions(allow_renames=True))
    apply_import(plan, ctx.user)
    assert found(Person, "bcy") == ["白彩月"] and found(Person, "zcy") == []
