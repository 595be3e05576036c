"""Fixed vocabularies: code values stored in the database and their Chinese labels."""

from __future__ import annotations

from .i18n import tr_noop


class Choices:
    """An ordered code → label vocabulary; order is the domain's order (e.g. stages)."""

    def __init__(self, *pairs: tuple[str, str]):
        self.pairs = pairs
        self.labels = dict(pairs)

    def __iter__(self):
        return iter(self.pairs)

    def __contains__(self, code: object) -> bool:
        return code in self.labels

    def codes(self) -> list[str]:
        return [code for code, _ in self.pairs]

    def label(self, code: str | None) -> str:
        return self.labels.get(code, "") if code else ""

    def index(self, code: str) -> int:
        return self.codes().index(code)


REGION_LEVELS = Choices(
    ("county", tr_noop("县（区）")),
    ("township", tr_noop("镇（街道）")),
    ("village", tr_noop("村（社区）")),
)

# The level of the office itself (本单位): a county's federation, a township's, or a city's (which
# mostly rolls up its counties' report packages: models/units.py).
OFFICE_LEVELS = Choices(
    ("county", tr_noop("县（市、区）")),
    ("township", tr_noop("乡镇（街道）")),
    ("city", tr_noop("市（地区、州、盟）")),
)

ORG_KINDS = Choices(
    ("registered", tr_noop("登记注册")),
    ("grassroots", tr_noop("草根组织（备案）")),
)

LEGAL_FORMS = Choices(
    ("social_group", tr_noop("社会团体")),
    ("service_org", tr_noop("社会服务机构（民办非企业单位）")),
    ("foundation", tr_noop("基金会")),
)

INCUBATION_STAGES = Choices(
    ("sprouting", tr_noop("萌芽期")),
    ("startup", tr_noop("初创期")),
    ("developing", tr_noop("发展期")),
    ("graduated", tr_noop("出壳")),
)

PERSON_ROLES = Choices(
    ("cadre", tr_noop("妇工")),
    ("social_worker", tr_noop("社工")),
    ("volunteer", tr_noop("义工")),
)

SOCIAL_WORKER_LEVELS = Choices(
    ("assistant", tr_noop("助理社会工作师")),
    ("regular", tr_noop("社会工作师")),
    ("senior", tr_noop("高级社会工作师")),
)

SEXES = Choices(("F", tr_noop("女")), ("M", tr_noop("男")))

MEMBERSHIP_ROLES = Choices(
    ("leader", tr_noop("负责人")),
    ("core", tr_noop("骨干")),
    ("member", tr_noop("成员")),
)

VENUE_LEVELS = Choices(
    ("city", tr_noop("市级")),
    ("town", tr_noop("镇级")),
    ("village", tr_noop("村级")),
)

VENUE_KINDS = Choices(
    ("women_children_home", tr_noop("妇女儿童之家")),
    ("women_micro_home", tr_noop("妇女微家")),
    ("activity_center", tr_noop("妇女儿童活动中心")),
    ("other", tr_noop("其他")),
)

PROJECT_SOURCES = Choices(
    ("venture", tr_noop("公益创投")),
    ("purchase", tr_noop("政府购买服务")),
    ("micro_venture", tr_noop("微创投")),
    ("federation", tr_noop("妇联自有")),
    ("other", tr_noop("其他")),
)

PROJECT_STATUSES = Choices(
    ("applied", tr_noop("申报")),
    ("approved", tr_noop("立项")),
    ("in_progress", tr_noop("实施中")),
    ("closed", tr_noop("结项")),
    ("rejected", tr_noop("未中标")),
    ("terminated", tr_noop("终止")),
)

# A round's source: the projects it funds get the same code (PROJECT_SOURCES).
ROUND_SOURCES = Choices(
    ("venture", tr_noop("公益创投")),
    ("micro_venture", tr_noop("微创投")),
    ("other", tr_noop("其他")),
)

# 征集 → 初审 → 培训/修改 → 评审 → 入选 / 未入选 → 立项 (models/venture.py)
APPLICATION_STATUSES = Choices(
    ("collected", tr_noop("征集")),
    ("screened", tr_noop("初审")),
    ("revising", tr_noop("培训/修改")),
    ("reviewing", tr_noop("评审")),
    ("selected", tr_noop("入选")),
    ("not_selected", tr_noop("未入选")),
    ("established", tr_noop("立项")),
)

TRAINING_KINDS = Choices(
    ("training", tr_noop("培训")),
    ("supervision", tr_noop("督导")),
    ("exchange", tr_noop("交流")),
)

USER_ROLES = Choices(
    ("admin", tr_noop("管理员")),
    ("clerk", tr_noop("录入员")),
    ("viewer", tr_noop("查看员")),
)

AUDIT_ACTIONS = Choices(
    ("create", tr_noop("新建")),
    ("update", tr_noop("修改")),
    ("archive", tr_noop("归档")),
    ("restore", tr_noop("恢复")),
    ("stage", tr_noop("推进阶段")),
    ("correct", tr_noop("更正")),
    ("override", tr_noop("破例")),
    ("delete", tr_noop("删除")),
    ("export", tr_noop("导出")),
    ("login", tr_noop("登录")),
    ("login_failed", tr_noop("登录失败")),
    ("lock", tr_noop("锁定账户")),
    ("password", tr_noop("设置密码")),
    ("merge", tr_noop("合并")),
    ("unmerge", tr_noop("撤销合并")),
    ("key", tr_noop("密钥")),
)
