import datetime as dt
import json

import pytest

from models.entities import AuditEntry, Membership, Person
from models.errors import ValidationFailed
from models.memberships import active_membership, add_membership, end_membership
from models.organizations import OrganizationData, save_organization


@pytest.fixture
def pair(ctx):
    org = save_organization(OrganizationData(name="阳光互助会"), ctx.user)
    person = Person.create(name="王秀英", is_volunteer=True)
    return org, person


def test_add_then_refuse_a_second_active_membership(ctx, pair):
    org, person = pair
    m = add_membership(ctx.user, person, org, "core", dt.date(2025, 1, 1))
    assert json.loads(AuditEntry.get(AuditEntry.entity == "membership").changes)["role"] == [None, "core"]
    with pytest.raises(ValidationFailed) as err:
        add_membership(ctx.user, person, org, "member", dt.date(2025, 2, 1))
    assert "王秀英已是“阳光互助会”的骨干（2025-01-01起）" in str(err.value.errors["person"])
    assert Membership.select().count() == 1
    end_membership(ctx.user, m, dt.date(2025, 6, 30))
    assert active_membership(person, org, dt.date(2025, 7, 1)) is None
    assert active_membership(person, org, dt.date(2025, 6, 30)) is not None  # ends that day
    add_membership(ctx.user, person, org, "member", dt.date(2025, 8, 1))  # may rejoin later
    assert Membership.select().count() == 2


def test_membership_input_is_checked(ctx, pair):
    org, person = pair
    with pytest.raises(ValidationFailed) as err:
        add_membership(ctx.user, None, None, "boss", dt.date.today() + dt.timedelta(days=1))
    assert set(err.value.errors) == {"person", "organization", "role", "start_on"}
    m = add_membership(ctx.user, person, org, "member", dt.date(2025, 3, 1))
    with pytest.raises(ValidationFailed) as err:
        end_membership(ctx.user, m, dt.date(2025, 2, 28))
    assert str(err.value.errors["end_on"]) == "退出日期不能早于加入日期 2025-03-01"
    end_membership(ctx.user, m, dt.date(2025, 3, 1))
    with pytest.raises(ValidationFailed):
        end_membership(ctx.user, Membership.get_by_id(m.id), dt.date(2025, 4, 1))
