"""A person's membership of an organization: joined with a role, ended with a date."""

from __future__ import annotations

import datetime as dt

from . import audit
from .choices import MEMBERSHIP_ROLES
from .db import database
from .entities import Membership, Organization, Person, User
from .errors import ValidationFailed
from .i18n import Message, msg


def active_membership(person: Person | int, organization: Organization | int,
                      today: dt.date | None = None) -> Membership | None:
    day = today or dt.date.today()
    return (
        Membership.select()
        .where((Membership.person == person) & (Membership.organization == organization)
               & (Membership.end_on.is_null() | (Membership.end_on >= day)))
        .first()
    )


def add_membership(
    user: User | None,
    person: Person | None,
    organization: Organization | None,
    role: str,
    start_on: dt.date | None,
) -> Membership:
    errors: dict[str, Message] = {}
    if person is None:
        errors["person"] = msg("请选择人员")
    if organization is None:
        errors["organization"] = msg("请选择组织")
    if role not in MEMBERSHIP_ROLES:
        errors["role"] = msg("请选择角色")
    if start_on is not None and start_on > dt.date.today():
        errors["start_on"] = msg("日期不能晚于今天")
    with database.atomic():
        if not errors:
            current = active_membership(person, organization)
            if current is not None:
                since = current.start_on.isoformat() if current.start_on else ""
                errors["person"] = msg(
                    "{name}已是“{org}”的{role}（{since}起），不能重复加入",
                    name=person.name, org=organization.name,
                    role=MEMBERSHIP_ROLES.label(current.role), since=since,
                )
        if errors:
            raise ValidationFailed(errors)
        return audit.create(Membership, user, person=person, organization=organization,
                            role=role, start_on=start_on)


def end_membership(user: User | None, membership: Membership, end_on: dt.date | None) -> Membership:
    if end_on is None:
        raise ValidationFailed({"end_on": msg("请填写退出日期")})
    if membership.end_on is not None:
        ended = membership.end_on.isoformat()
        raise ValidationFailed({"end_on": msg("该成员关系已于 {day} 结束", day=ended)})
    if membership.start_on is not None and end_on < membership.start_on:
        raise ValidationFailed(
            {"end_on": msg("退出日期不能早于加入日期 {day}", day=membership.start_on.isoformat())}
        )
    return audit.update(membership, user, end_on=end_on)
