"""What the office does with an organization: register, edit, advance, archive, restore."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from . import audit
from .choices import INCUBATION_STAGES, LEGAL_FORMS, ORG_KINDS
from .db import database
from .entities import Organization, OrganizationServiceArea, OrganizationStage, Region, User
from .errors import ValidationFailed, clean_title
from .i18n import Message, msg
from .rules import check_stage_transition, incubation_overdue
from .validators import InvalidValue, check_credit_code, check_phone


@dataclass
class OrganizationData:
    """What the form gathers; the initial stage is used only when registering."""

    name: str = ""
    short_name: str = ""
    kind: str = "grassroots"
    legal_form: str | None = None
    credit_code: str = ""
    supervisor: str = ""
    region_id: int | None = None
    address: str = ""
    contact_person: str = ""
    contact_phone: str = ""
    founded_on: dt.date | None = None
    registered_on: dt.date | None = None
    alliance_member: bool = False
    alliance_joined_on: dt.date | None = None
    group_member: bool = False
    group_member_since: dt.date | None = None
    notes: str = ""
    service_area_ids: list[int] = field(default_factory=list)
    initial_stage: str | None = None
    initial_stage_on: dt.date | None = None

    @classmethod
    def from_organization(cls, org: Organization) -> OrganizationData:
        names = {f.name for f in dataclasses.fields(cls)}
        data = cls(**{k: v for k, v in org.__data__.items() if k in names and v is not None})
        data.region_id = org.region_id
        data.legal_form = org.legal_form
        data.credit_code = org.credit_code or ""
        data.service_area_ids = [
            link.service_area_id
            for link in OrganizationServiceArea.select().where(
                OrganizationServiceArea.organization == org
            )
        ]
        return data


def clean_organization(data: OrganizationData) -> tuple[dict, dict[str, Message]]:
    """Normalise and check every field; returns the column values and the errors per field."""
    errors: dict[str, Message] = {}
    values: dict = {}
    name = clean_title(data.name, "组织名称", "name", errors)
    values["name"] = name
    values["short_name"] = data.short_name.strip()
    if data.kind not in ORG_KINDS:
        errors["kind"] = msg("请选择组织类型")
    values["kind"] = data.kind
    values["credit_code"] = None
    values["legal_form"] = None
    values["registered_on"] = None
    if data.kind == "registered":
        if data.legal_form not in LEGAL_FORMS:
            errors["legal_form"] = msg("登记注册的组织须选择登记类型")
        values["legal_form"] = data.legal_form
        values["registered_on"] = data.registered_on
        if not data.credit_code.strip():
            errors["credit_code"] = msg("登记注册的组织须填写统一社会信用代码")
        else:
            try:
                values["credit_code"] = check_credit_code(data.credit_code)
            except InvalidValue as e:
                errors["credit_code"] = e.message
    elif data.credit_code.strip():
        errors["credit_code"] = msg("草根组织没有统一社会信用代码；已登记的请把类型改为“登记注册”")
    values["contact_phone"] = ""
    if data.contact_phone.strip():
        try:
            values["contact_phone"] = check_phone(data.contact_phone)
        except InvalidValue as e:
            errors["contact_phone"] = e.message
    today = dt.date.today()
    for key in ("founded_on", "registered_on", "alliance_joined_on", "group_member_since"):
        day = getattr(data, key)
        if day is not None and day > today:
            errors[key] = msg("日期不能晚于今天")
    if data.alliance_member and data.alliance_joined_on is None:
        errors["alliance_joined_on"] = msg("请填写加入公益联盟的日期")
    if data.group_member and data.group_member_since is None:
        errors["group_member_since"] = msg("请填写成为团体会员的日期")
    if data.region_id is not None and not Region.select().where(Region.id == data.region_id).exists():
        errors["region_id"] = msg("所选的行政区划不存在")
    values.update(
        supervisor=data.supervisor.strip(),
        region=data.region_id,
        address=data.address.strip(),
        contact_person=data.contact_person.strip(),
        founded_on=data.founded_on,
        alliance_member=data.alliance_member,
        alliance_joined_on=data.alliance_joined_on if data.alliance_member else None,
        group_member=data.group_member,
        group_member_since=data.group_member_since if data.group_member else None,
        notes=data.notes.strip(),
    )
    return values, errors


def _check_unique(values: dict, errors: dict[str, Message], exclude_id: int | None) -> None:
    for key, label in (("name", "名称"), ("credit_code", "统一社会信用代码")):
        if key in errors or not values.get(key):
            continue
        query = Organization.select().where(getattr(Organization, key) == values[key])
        if exclude_id is not None:
            query = query.where(Organization.id != exclude_id)
        clash = query.first()
        if clash:
            state = "（已归档）" if clash.archived else ""
            errors[key] = msg(
                "{label}与已有组织“{name}”{state}重复", label=label, name=clash.name, state=state
            )


def _set_service_areas(org: Organization, area_ids: list[int], user: User | None) -> None:
    current = {
        link.service_area_id
        for link in OrganizationServiceArea.select().where(OrganizationServiceArea.organization == org)
    }
    wanted = set(area_ids)
    if current == wanted:
        return
    OrganizationServiceArea.delete().where(
        (OrganizationServiceArea.organization == org)
        & OrganizationServiceArea.service_area.not_in(wanted)
    ).execute()
    OrganizationServiceArea.insert_many(
        [{"organization": org, "service_area": a} for a in sorted(wanted - current)]
    ).execute()
    audit.touch(org)
    audit.record(
        user, "update", org, {"service_areas": [sorted(current), sorted(wanted)]}, org.name
    )


def save_organization(
    data: OrganizationData, user: User | None, existing: Organization | None = None
) -> Organization:
    """Register a new organization or update ``existing``; raises ValidationFailed, saving nothing."""
    values, errors = clean_organization(data)
    if existing is None and data.initial_stage is not None:
        problem = check_stage_transition(None, None, data.initial_stage, data.initial_stage_on)
        if problem:
            errors["initial_stage_on"] = problem
    with database.atomic():
        _check_unique(values, errors, existing.id if existing else None)
        if errors:
            raise ValidationFailed(errors)
        if existing is None:
            if data.initial_stage is not None:
                values.update(incubation_stage=data.initial_stage, stage_since=data.initial_stage_on)
            org = audit.create(Organization, user, **values)
            if data.initial_stage is not None:
                OrganizationStage.create(
                    organization=org, stage=data.initial_stage, entered_on=data.initial_stage_on
                )
        else:
            org = audit.update(existing, user, **values)
        _set_service_areas(org, data.service_area_ids, user)
    return org


def advance_stage(
    org: Organization, user: User | None, stage: str, on: dt.date | None, note: str = ""
) -> Organization:
    problem = check_stage_transition(org.incubation_stage, org.stage_since, stage, on, note)
    if problem:
        raise ValidationFailed({"stage": problem})
    with database.atomic():
        OrganizationStage.create(organization=org, stage=stage, entered_on=on, note=note.strip())
        return audit.update(org, user, "stage", incubation_stage=stage, stage_since=on)


def correct_stage_date(stage: OrganizationStage, user: User | None, on: dt.date | None,
                       reason: str, today: dt.date | None = None) -> OrganizationStage:
    """Correct the day a stage of the 孵化历程 was entered (a date typed wrong), with the reason in
    the audit trail. The stages keep their order: the day stays between its neighbours' days."""
    errors: dict[str, Message] = {}
    if on is None:
        errors["on"] = msg("请填写正确的日期")
    elif on > (today or dt.date.today()):
        errors["on"] = msg("日期不能晚于今天")
    if not reason.strip():
        errors["reason"] = msg("请填写更正原因")
    with database.atomic():
        stage = OrganizationStage.get_by_id(stage.id)  # as stored now
        org = stage.organization
        if "on" not in errors:
            rows = list(OrganizationStage.select().where(OrganizationStage.organization == org)
                        .order_by(OrganizationStage.entered_on, OrganizationStage.id))
            index = next(i for i, row in enumerate(rows) if row.id == stage.id)
            before = rows[index - 1] if index > 0 else None
            after = rows[index + 1] if index + 1 < len(rows) else None
            if before is not None and on < before.entered_on:
                errors["on"] = msg("不能早于上一阶段“{stage}”的日期 {day}", day=before.entered_on.isoformat(),
                                   stage=INCUBATION_STAGES.label(before.stage))
            elif after is not None and on > after.entered_on:
                errors["on"] = msg("不能晚于下一阶段“{stage}”的日期 {day}", day=after.entered_on.isoformat(),
                                   stage=INCUBATION_STAGES.label(after.stage))
        if errors:
            raise ValidationFailed(errors)
        old = stage.entered_on
        if old == on:
            return stage
        stage.entered_on = on
        stage.save()
        audit.record(user, "correct", stage, {"entered_on": [old.isoformat(), on.isoformat()],
                                              "reason": [None, reason.strip()]},
                     f"{org.name}：{INCUBATION_STAGES.label(stage.stage)}")
        if after is None and org.stage_since == old:  # the current stage: the organization says when
            audit.update(org, user, "correct", stage_since=on)
        return stage


def next_stages(org: Organization) -> list[str]:
    codes = INCUBATION_STAGES.codes()
    if org.incubation_stage is None:
        return codes
    return codes[codes.index(org.incubation_stage) + 1 :]


def incubation_started(org: Organization) -> dt.date | None:
    first = (
        OrganizationStage.select(OrganizationStage.entered_on)
        .where(OrganizationStage.organization == org)
        .order_by(OrganizationStage.entered_on)
        .first()
    )
    return first.entered_on if first else None


def is_incubation_overdue(org: Organization, today: dt.date | None = None) -> bool:
    return incubation_overdue(org.incubation_stage, incubation_started(org), today)
