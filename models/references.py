"""What still refers to a record, so a deletion can be refused with a useful message."""

from __future__ import annotations

from peewee import Model

from . import audit
from .db import database
from .entities import User
from .errors import ValidationFailed
from .i18n import msg, tr_noop

ENTITY_LABELS = {
    "region": tr_noop("行政区划"),
    "service_area": tr_noop("服务领域"),
    "organization": tr_noop("社会组织"),
    "organization_stage": tr_noop("孵化阶段记录"),
    "organization_service_area": tr_noop("组织的服务领域"),
    "person": tr_noop("人员"),
    "membership": tr_noop("组织成员"),
    "team": tr_noop("三工联动团队"),
    "team_assignment": tr_noop("团队分工"),
    "venue": tr_noop("活动阵地"),
    "booking": tr_noop("场地预约"),
    "project": tr_noop("项目"),
    "project_venue": tr_noop("项目阵地"),
    "activity": tr_noop("活动"),
    "service_record": tr_noop("志愿服务记录"),
    "training": tr_noop("培训"),
    "training_attendance": tr_noop("培训签到"),
    "user": tr_noop("操作员"),
    "audit_entry": tr_noop("操作日志"),
    "duplicate_dismissal": tr_noop("不是重复的记录"),
    "merge_record": tr_noop("合并记录"),
    "venture_round": tr_noop("创投轮次"),
    "round_attachment": tr_noop("轮次附件"),
    "venture_application": tr_noop("创投申报"),
    "application_venue": tr_noop("申报阵地"),
    "application_step": tr_noop("申报进程"),
    "review_criterion": tr_noop("评分项"),
    "reviewer": tr_noop("评审专家"),
    "review_score": tr_noop("评分"),
    "project_milestone": tr_noop("项目节点"),
    "supervision_visit": tr_noop("督导记录"),
    "project_payment": tr_noop("项目拨款"),
    "closing_evaluation": tr_noop("结项评估"),
}


def references_to(instance: Model) -> list[tuple[str, int, str]]:
    """(entity label, how many rows, one example name) for every table that points at ``instance``."""
    found = []
    for field, referrer in instance._meta.backrefs.items():
        query = referrer.select().where(field == instance.get_id())
        count = query.count()
        if count:
            first = query.order_by(referrer._meta.primary_key).first()
            found.append((ENTITY_LABELS.get(referrer._meta.table_name, referrer.__name__),
                          count, audit.display_name(first)))
    return found


def delete_unreferenced(instance: Model, user: User | None) -> None:
    """Delete ``instance``, or refuse (saving nothing) naming what still refers to it."""
    with database.atomic():
        refs = references_to(instance)
        if refs:
            parts = "、".join(
                f"{label} {count} 条" + (f"（如“{example}”）" if example else "")
                for label, count, example in refs
            )
            raise ValidationFailed(
                {"delete": msg("不能删除：{parts}仍在引用它。请先修改这些记录，或改为停用/归档。",
                               parts=parts)}
            )
        model = type(instance)
        query = model.delete().where(model._meta.primary_key == instance.get_id())
        if "version" in model._meta.fields:  # not a record another clerk changed meanwhile
            query = query.where(model.version == (instance.__data__.get("version") or 1))
        if not query.execute():
            raise audit.stale_record(instance, {}, dict(instance.__data__), deleting=True)
        before = audit.snapshot(instance)  # (a role that may not delete: rolled back with it)
        audit.record(user, "delete", instance, {k: [v, None] for k, v in before.items()},
                     audit.label(instance))
