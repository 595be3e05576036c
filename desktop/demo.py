"""A demo county (青禾县) for trying the program and for measuring it on big data.

Everything comes from one ``random.Random(seed)`` and the given ``today``, so the
same seed and day always give the same rows: a screenshot, a bug report or a
benchmark can be reproduced. Rows go in with ``models.db.insert_rows`` and
explicit primary keys, because ``Model.save()`` per row would take minutes for
100 000 people; that bypasses ``NamedMixin.save``, so ``name_key`` and the search forms are set here.
No Qt: ``jinguo demo`` and the benchmark run headless.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from peewee import Field, Model

from models import audit, crypto
from models.choices import LEGAL_FORMS, PROJECT_SOURCES, SOCIAL_WORKER_LEVELS
from models.db import IdSource, database, insert_rows, refresh_statistics
from models.entities import (
    Activity,
    Booking,
    Membership,
    Organization,
    OrganizationServiceArea,
    OrganizationStage,
    Person,
    Project,
    ProjectVenue,
    Region,
    ServiceArea,
    ServiceRecord,
    Team,
    TeamAssignment,
    Training,
    TrainingAttendance,
    User,
    Venue,
)
from models.i18n import Message, msg
from models.settings import set_settings
from models.sortkey import name_forms
from models.validators import CREDIT_CHARSET, credit_check_char, id_check_char

MIN_PEOPLE = 200  # below this the county cannot staff its teams and organizations

COUNT_LABELS = {
    "regions": "行政区划",
    "organizations": "社会组织",
    "organization_stages": "孵化阶段记录",
    "organization_service_areas": "组织服务领域",
    "people": "人员",
    "memberships": "组织成员",
    "teams": "三工联动团队",
    "team_assignments": "团队分工",
    "venues": "活动阵地",
    "bookings": "场地预约",
    "projects": "项目",
    "project_venues": "项目阵地",
    "activities": "活动",
    "service_records": "志愿服务记录",
    "trainings": "培训",
    "training_attendance": "培训签到",
    "venture_rounds": "创投轮次",
    "venture_applications": "创投申报",
}
"""Chinese names of the keys ``fill_demo`` returns (for the audit line and the CLI)."""

DEMO_MODELS = (Region, Organization, OrganizationStage, OrganizationServiceArea, Person, Membership, Team,
               TeamAssignment, Venue, Booking, Project, ProjectVenue, Activity, ServiceRecord, Training,
               TrainingAttendance)
"""The tables the demo fills."""

COUNTY = "青禾县"
COUNTY_CODE = "329901"  # fictional: no prefecture 3299 exists
FEDERATION = "青禾县妇女联合会"
AREA_CODE = "0517"
# The demo office is set up (models.setup_status): its rosters and summary carry a header.
DEMO_SETTINGS = {
    "office.name": FEDERATION, "office.county": COUNTY, "office.level": "county",
    "office.code": COUNTY_CODE, "office.parent_unit": "江州市妇女联合会",
    "report.issuer": "江州市妇女联合会", "report.unit_head": "周雅琴", "report.stats_head": "陈丽",
    "report.preparer": "李婷", "report.phone": f"{AREA_CODE}-87654321", "certificate.prefix": "青妇",
    "setup.service_areas": "2025-01-01",
}

# (name, is a street 街道, share of the population)
TOWNSHIPS = (
    ("东关街道", True, 1.6),
    ("城南街道", True, 1.4),
    ("西园街道", True, 1.2),
    ("白塔镇", False, 1.0),
    ("柳河镇", False, 0.9),
    ("石桥镇", False, 0.9),
    ("杏林镇", False, 0.8),
    ("双沟镇", False, 0.8),
    ("安澜镇", False, 0.7),
    ("临湖镇", False, 0.7),
)

# Surname shares per mille (roughly the national ones); rare two-character surnames last.
SURNAMES = (
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 22),
    ("赵", 22), ("吴", 20), ("周", 19), ("徐", 16), ("孙", 15), ("马", 14), ("朱", 13),
    ("胡", 13), ("郭", 11), ("何", 11), ("高", 11), ("林", 10), ("罗", 9), ("郑", 9),
    ("梁", 9), ("谢", 8), ("宋", 7), ("唐", 7), ("许", 7), ("韩", 7), ("冯", 6), ("邓", 6),
    ("曹", 6), ("彭", 5), ("曾", 5), ("肖", 5), ("田", 5), ("董", 5), ("袁", 5), ("潘", 4),
    ("于", 4), ("蒋", 4), ("蔡", 4), ("余", 4), ("杜", 4), ("叶", 4), ("程", 4), ("苏", 3),
    ("魏", 3), ("吕", 3), ("丁", 3), ("任", 3), ("沈", 3), ("姚", 3), ("卢", 3), ("姜", 3),
    ("崔", 3), ("钟", 3), ("谭", 3), ("陆", 3), ("汪", 3), ("范", 3), ("金", 2), ("石", 2),
    ("廖", 2), ("贾", 2), ("夏", 2), ("韦", 2), ("付", 2), ("方", 2), ("白", 2), ("邹", 2),
    ("孟", 2), ("熊", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2),
    ("段", 2), ("雷", 2), ("侯", 2), ("龙", 2), ("史", 2), ("陶", 1), ("黎", 1), ("贺", 1),
    ("顾", 1), ("毛", 1), ("郝", 1), ("龚", 1), ("邵", 1), ("万", 1), ("钱", 1), ("严", 1),
    ("武", 1), ("戴", 1), ("孔", 1), ("汤", 1), ("欧阳", 0.2), ("司马", 0.05),
    ("上官", 0.05), ("诸葛", 0.03), ("皇甫", 0.03), ("慕容", 0.02),
)
FEMALE_CHARS = (
    "秀英华玉兰芳丽娟敏静燕霞红梅萍琴云莲珍凤洁琳婷雪颖慧佳倩晶莉丹艳琼桂翠菊月春晓欣怡悦"
    "雅思文馨璐蕾瑶薇琪萱淑素美彩荣爱巧香娜霖妍"
)
MALE_CHARS = "伟强军勇杰涛明超刚平辉鹏华飞斌波宇浩凯健俊帆磊峰建国志文海东林成龙亮新德永"
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "157", "158", "159", "177", "180", "181", "182", "183", "186", "187", "188",
    "189", "191", "199",
)
ROADS = (
    "人民路", "解放路", "建设路", "文化路", "中山路", "青年路", "健康路", "长江路", "淮河路",
    "府前街", "鼓楼街", "新华路", "朝阳路", "迎宾大道", "滨河路", "光明路", "和平路", "振兴路",
)
VILLAGE_SURNAME_ROOTS = "王李张刘陈杨赵周吴孙朱胡高何马许徐蒋沈韩"
VILLAGE_SUFFIXES = "庄楼桥集湾营圩岗洼店寨沟塘墩"
VILLAGE_FEATURES = (
    "河口", "新桥", "东岗", "西湖", "南湾", "北圩", "柳树", "桃园", "杏花", "红星", "前进",
    "胜利", "团结", "友谊", "新华", "三里", "五里", "大营", "双井", "石门", "白沙", "青龙",
    "金牛", "凤凰", "荷花",
)
COMMUNITIES = (
    "幸福", "和平", "文昌", "人民", "健康", "阳光", "锦绣", "金桥", "翠园", "花园", "东苑",
    "西苑", "南苑", "北苑", "滨河", "新城", "解放", "建设", "朝阳", "长安", "丽景", "春江",
    "怡和", "康乐", "育才", "振兴", "望湖", "清风", "向阳", "紫薇",
)

# Organization name templates: (template, primary service area). {p} is a place.
GRASSROOTS_VILLAGE = (
    ("{p}妇女微家互助会", "婚姻家庭"),
    ("{p}姐妹互助会", "爱心助困"),
    ("{p}巾帼志愿服务队", "爱心助困"),
    ("{p}妈妈读书会", "家庭教育"),
    ("{p}巧娘手工坊", "就业创业"),
    ("{p}巾帼护河队", "妇女维权"),
    ("{p}邻里守望姐妹团", "助老服务"),
    ("{p}留守儿童爱心妈妈团", "青少年服务"),
    ("{p}家风家教宣讲队", "家庭教育"),
    ("{p}巾帼文艺队", "心理健康"),
    ("{p}女性健康互助小组", "心理健康"),
    ("{p}巾帼助老服务队", "助老服务"),
)
GRASSROOTS_TOWNSHIP = (
    ("{p}巾帼志愿服务队", "爱心助困"),
    ("{p}巾帼宣讲团", "妇女维权"),
    ("{p}女性创业互助会", "就业创业"),
    ("{p}家庭教育志愿服务队", "家庭教育"),
    ("{p}巾帼调解工作室", "婚姻家庭"),
    ("{p}爱心妈妈志愿服务队", "青少年服务"),
    ("{p}巧娘非遗手工坊", "就业创业"),
    ("{p}巾帼助老服务队", "助老服务"),
)
SERVICE_ORG_WORDS = (
    "阳光", "春晖", "向日葵", "暖心", "馨家", "同心", "启航", "益善", "和美", "慧心",
    "蒲公英", "萤火虫", "木棉", "紫藤", "春雨",
)
SERVICE_ORG_CORES = (
    ("家庭教育服务中心", "家庭教育"),
    ("社会工作服务中心", "爱心助困"),
    ("心理咨询服务中心", "心理健康"),
    ("居家养老服务中心", "助老服务"),
    ("儿童成长服务中心", "青少年服务"),
    ("妇女发展服务中心", "妇女维权"),
    ("婚姻家庭服务中心", "婚姻家庭"),
    ("就业创业服务中心", "就业创业"),
)
SOCIAL_GROUPS_COUNTY = (
    ("女企业家协会", "就业创业"),
    ("家庭教育促进会", "家庭教育"),
    ("巾帼志愿者协会", "爱心助困"),
    ("女性创业者协会", "就业创业"),
    ("女书画家协会", "心理健康"),
    ("女律师联谊会", "妇女维权"),
    ("女医师协会", "心理健康"),
    ("巧娘手工艺协会", "就业创业"),
    ("婚姻家庭研究会", "婚姻家庭"),
    ("老年妇女协会", "助老服务"),
)
SOCIAL_GROUPS_TOWNSHIP = (
    ("女性创业者协会", "就业创业"),
    ("巾帼志愿者协会", "爱心助困"),
    ("家庭文明促进会", "婚姻家庭"),
    ("女性文化促进会", "心理健康"),
)
FOUNDATIONS = (
    ("妇女儿童发展基金会", "爱心助困"),
    ("春蕾助学基金会", "青少年服务"),
    ("巾帼公益基金会", "爱心助困"),
    ("慈善助老基金会", "助老服务"),
)
SUPERVISORS = (FEDERATION,) * 6 + ("青禾县民政局", "青禾县教育局", "青禾县卫生健康委员会")

STAGE_NOTES = {
    "sprouting": ("入驻县妇联社会组织孵化基地", "签订孵化协议，财务托管", "完成需求评估"),
    "startup": ("完成民政登记", "建立章程和财务制度", "完成首期能力建设培训"),
    "developing": ("首次承接公益创投项目", "建立理事会，规范内部治理", "形成品牌服务项目"),
    "graduated": (
        "完成一年孵化期，通过出壳评估，已独立运营",
        "通过出壳评估，迁出孵化基地，可独立承接政府购买服务",
        "孵化期满，评估合格出壳，继续参加公益联盟活动",
    ),
}
ORG_ARCHIVE_REASONS = (
    "已办理注销登记",
    "组织自行解散",
    "连续两年未开展活动，经核实已停止运作",
    "与其他组织合并",
)
PERSON_ARCHIVE_REASONS = ("已迁出本县", "本人申请退出", "长期联系不上", "信息重复，已合并")
CADRE_TITLES = ("妇联执委", "妇联执委", "妇联执委", "妇联主席", "妇联副主席", "妇联兼职副主席", "")
SOCIAL_WORK_AGENCIES = (
    "青禾县春晖社会工作服务中心",
    "青禾县阳光社会工作服务中心",
    "青禾县同心社会工作服务中心",
    "青禾县民政局",
)

MICRO_HOME_THEMES = (
    "巧手", "书香", "和美", "暖心", "康乐", "红色", "法治", "文明", "睦邻", "阳光", "亲子",
    "健康", "非遗", "乐龄", "花香",
)
BOOKING_PURPOSES = (
    "巾帼志愿者例会", "亲子阅读活动", "家庭教育讲座", "手工编织培训", "心理健康沙龙",
    "法律知识宣讲", "项目推进会", "团队督导", "妇女议事会", "重阳节敬老活动",
)
BOOKING_SLOTS = ((9, 0, 90, 150), (14, 0, 90, 150), (19, 0, 60, 120))  # hour, minute, min, max

ACTIVITY_TITLES = {
    "青少年服务": ("暑期儿童安全教育课堂", "青少年自护教育讲座", "留守儿童“七彩课堂”",
               "四点半课堂作业辅导", "防溺水安全宣传"),
    "家庭教育": ("家庭教育公益讲座", "亲子共读绘本分享会", "“好家风”故事会", "新手父母育儿沙龙",
             "家长学校开学第一课"),
    "爱心助困": ("困难妇女儿童走访慰问", "春节“送温暖”慰问", "爱心义卖活动", "困境儿童微心愿认领"),
    "助老服务": ("重阳节敬老慰问", "空巢老人入户探访", "老年人智能手机使用课堂", "助老理发义诊"),
    "心理健康": ("女性心理健康团体辅导", "心理健康沙龙", "亲子沟通心理讲座", "减压工作坊"),
    "妇女维权": ("反家暴法律知识宣讲", "“三八”维权周法律咨询", "民法典进村居宣讲", "妇女权益保障法宣传"),
    "婚姻家庭": ("婚姻家庭纠纷调解", "最美家庭评选分享会", "婚前辅导讲座", "家风家训书写活动"),
    "就业创业": ("女性就业技能培训（面点）", "巾帼直播带货培训", "家政服务技能培训", "女性创业沙龙",
             "手工编织技能培训"),
}
GENERAL_TITLES = (
    "巾帼志愿者例会", "“三八”节巾帼风采展示", "妇女两癌筛查宣传", "垃圾分类入户宣传",
    "巾帼文明岗志愿服务", "三工联动入户走访",
)
SERVICE_CONTENTS = (
    "活动组织", "签到引导", "秩序维护", "入户走访", "宣传讲解", "后勤保障", "摄影记录", "陪伴照护",
)
# Volunteer hours 0.5–8 in half hours, most sessions 2–4 hours.
HOURS = tuple((Decimal(k) / 2).quantize(Decimal("0.1")) for k in range(1, 17))
HOURS_WEIGHTS = (2, 4, 5, 10, 8, 14, 8, 12, 4, 6, 2, 3, 1, 2, 1, 2)

PROJECT_BRANDS = (
    "护苗成长", "幸福家", "巾帼暖夕阳", "心晴驿站", "春蕾助学", "彩虹桥", "向阳花", "她力量",
    "邻里守望", "微光", "爱满家园", "成长伙伴", "温暖港湾", "巧手致富", "书香家庭", "平安家庭",
    "银龄相伴", "阳光少年", "花开有声", "家和万事兴", "同心圆", "木兰", "馨家园", "快乐童年",
    "法润万家", "就业直通车", "爱心妈妈", "最美夕阳红",
)
PROJECT_PHRASES = {
    "青少年服务": ("青少年自护教育", "留守儿童关爱", "青少年成长陪伴"),
    "家庭教育": ("家庭教育指导服务", "亲子阅读推广", "家长课堂"),
    "爱心助困": ("困境妇女儿童帮扶", "单亲母亲关爱"),
    "助老服务": ("空巢老人关爱", "居家养老服务"),
    "心理健康": ("妇女心理关爱", "青少年心理健康服务"),
    "妇女维权": ("妇女维权法律服务", "反家暴服务"),
    "婚姻家庭": ("婚姻家庭辅导", "家庭矛盾调解"),
    "就业创业": ("女性就业技能提升", "巾帼创业扶持"),
}
GENERAL_PHRASES = ("妇女儿童综合服务", "巾帼志愿服务")
# Yuan applied for, per source: (low, high) in hundreds of yuan.
PROJECT_AMOUNTS = {
    "venture": (200, 1000),
    "purchase": (500, 3000),
    "micro_venture": (20, 200),
    "federation": (50, 500),
    "other": (100, 800),
}
BATCHES = ("第一批", "第一批", "第二批", "第三批")

TRAINING_TOPICS = {
    "training": (
        "社会组织财务规范化管理培训", "公益项目申报书撰写实务", "女性社会组织负责人能力提升班",
        "志愿服务记录与时长认定培训", "家庭教育指导师初级培训", "社会组织登记与年检政策解读",
    ),
    "supervision": (
        "社工个案督导", "三工联动团队季度督导", "公益创投项目中期督导", "妇女微家运营督导",
    ),
    "exchange": (
        "女性社会组织孵化经验交流会", "妇女微家建设现场观摩交流", "公益创投项目路演交流",
        "巾帼志愿服务品牌经验分享会",
    ),
}
TRAINER_UNITS = (
    "青禾县妇联", "青禾县社会工作协会", "市社会组织孵化基地", "江淮学院社会工作系",
    "县家庭教育指导中心", "县人民法院", "市妇联",
)
TRAINING_HOURS = tuple(Decimal(h) for h in ("1.5", "2.0", "3.0", "3.5", "6.0", "12.0"))

_CENT = Decimal("0.01")


class DemoError(RuntimeError):
    """The demo cannot be written; the message tells the user what to do."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


def _insert(model: type[Model], fields: Sequence[Field], rows: list[tuple]) -> int:
    """Insert ``rows`` (values for ``fields``) with models.db.insert_rows (a prepared
    statement on SQLite, COPY on a server).

    peewee's ``insert_many`` renders every value into the SQL text in Python,
    about 10 µs a value here (20 s for 100 000 people); ``executemany`` binds
    them in C. The rows already hold what the fields' ``db_value`` would give
    (int, str, bool, date, datetime, Decimal quantized, None), and the sqlite3
    adapters peewee registers store them as peewee would. Fields left out get
    their model default, as with ``insert_many``.
    """
    fields, rows = _sealed(model, fields, rows)
    given = {f.name for f in fields}
    defaults = [f for f in model._meta.sorted_fields if f.name not in given and f.default is not None]
    columns = [f.column_name for f in (*fields, *defaults)]
    tail = tuple(f.default() if callable(f.default) else f.default for f in defaults)
    insert_rows(model._meta.table_name, columns, [row + tail for row in rows] if tail else rows)
    return len(rows)


def _sealed(model: type[Model], fields: Sequence[Field], rows: list[tuple]
            ) -> tuple[Sequence[Field], list[tuple]]:
    """``fields`` and ``rows`` as stored: the sensitive values encrypted (models.crypto) and, for
    people, the keyed hashes of their ID numbers and phones added as columns."""
    table = model._meta.table_name
    names = [f.name for f in fields]
    secret = set(crypto.sealed_names(model))
    sealed = [(i, f"{table}.{f.column_name}") for i, f in enumerate(fields) if f.name in secret]
    hashed = [(names.index(column), model._meta.fields[hash_column], hash_of)
              for (hashed_table, column), (hash_column, hash_of) in crypto.HASHED_COLUMNS.items()
              if hashed_table == table and column in names]
    if not rows or not (sealed or hashed):
        return fields, rows
    columns = [list(column) for column in zip(*rows, strict=True)]
    extra = [[hash_of(value) for value in columns[i]] for i, _field, hash_of in hashed]
    for i, context in sealed:
        columns[i] = crypto.seal_all(columns[i], context)
    stored = list(zip(*columns, *extra, strict=True))
    return (*fields, *(field for _i, field, _hash_of in hashed)), stored


def _yuan(hundreds: int) -> Decimal:
    return (Decimal(hundreds) * 100).quantize(_CENT)


@dataclass(slots=True)
class _Township:
    id: int
    name: str
    code: str
    villages: list[_Village] = field(default_factory=list)


@dataclass(slots=True)
class _Village:
    id: int
    name: str
    township: int  # index into _Builder.townships


@dataclass(slots=True)
class _Org:
    id: int
    name: str
    kind: str
    legal_form: str | None
    township: int
    region_id: int
    areas: list[int]
    founded_on: dt.date  # final value set by plan_incubation
    leader: int = 0  # person id, set by memberships
    registered_on: dt.date | None = None
    stages: list[tuple[str, dt.date]] = field(default_factory=list)
    archived_on: dt.date | None = None


@dataclass(slots=True)
class _Team:
    id: int
    name: str
    township: int
    founded_on: dt.date


@dataclass(slots=True)
class _Venue:
    id: int
    name: str
    level: str
    kind: str
    township: int
    region_id: int


@dataclass(slots=True)
class _Project:
    id: int
    org: _Org
    team: _Team | None
    status: str
    area: int
    start_on: dt.date | None
    end_on: dt.date | None
    venues: list[_Venue] = field(default_factory=list)


class _Builder:
    """Generates the county phase by phase; later phases draw on what earlier ones made."""

    def __init__(self, people: int, rng: random.Random, today: dt.date,
                 progress: Callable[[str], None] | None):
        self.n = people
        self.rng = rng
        self.today = today
        # created_at/updated_at of every row, as the text sqlite3 would store (saves 1 s per 100k).
        self.stamp = dt.datetime.combine(today, dt.time(9, 0)).isoformat(" ")
        self.progress = progress or (lambda _text: None)
        self.counts: dict[str, int] = {}
        self.keys: dict[tuple[str, bool], tuple[str, str, str]] = {}
        self.townships: list[_Township] = []
        self.villages: list[_Village] = []
        self.village_by_id: dict[int, _Village] = {}
        self.county_id = 0
        # People, by id.
        self.p_name: dict[int, str] = {}
        self.p_phone: dict[int, str] = {}
        self.p_active_by_town: list[list[int]] = []
        self.volunteers_by_town: list[list[int]] = []
        self.cadres_by_town: list[list[int]] = []
        self.workers_by_town: list[list[int]] = []
        self.primary_org: dict[int, int] = {}
        self.orgs: list[_Org] = []
        self.teams: list[_Team] = []
        self.venues: list[_Venue] = []
        self.projects: list[_Project] = []
        self.area_ids: dict[str, int] = {}
        self.id_sources: dict[type[Model], IdSource] = {}

    # helpers -----------------------------------------------------------------

    def new_id(self, model: type[Model]) -> int:
        """The id of a new ``model`` row (1, 2, … in an empty SQLite file; from the table's
        sequence on a server, so that later rows, the demo's or a clerk's, never collide)."""
        source = self.id_sources.get(model)
        if source is None:
            source = self.id_sources[model] = IdSource(model)
        return source.next()

    def key(self, name: str, person: bool = False) -> tuple[str, str, str]:
        """The name's sort key, full pinyin and initials (``NamedMixin.save``'s columns)."""
        cached = self.keys.get((name, person))
        if cached is None:
            cached = self.keys[name, person] = name_forms(name, person)
        return cached

    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def days_ago(self, low: int, high: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(low, high))

    def phone_of(self, person_id: int) -> str:
        return self.p_phone[person_id] or self.landline()

    def landline(self) -> str:
        return f"{AREA_CODE}-{self.rng.randint(80000000, 89999999)}"

    def area_for(self, name: str) -> int:
        """The service area of that name, or any when the office has renamed it."""
        return self.area_ids.get(name) or self.rng.choice(list(self.area_ids.values()))

    # phases ------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        self.area_ids = dict(
            ServiceArea.select(ServiceArea.name, ServiceArea.id).order_by(ServiceArea.id).tuples()
        )
        self.progress("正在生成行政区划…")
        self.make_regions()
        self.progress("正在生成人员…")
        self.make_people()
        self.progress("正在生成社会组织…")
        self.make_organizations()
        self.progress("正在生成三工联动团队…")
        self.make_teams()
        self.progress("正在生成活动阵地和场地预约…")
        self.make_venues()
        self.make_bookings()
        self.progress("正在生成项目…")
        self.make_projects()
        self.progress("正在生成活动和志愿服务记录…")
        self.make_activities()
        self.progress("正在生成培训…")
        self.make_trainings()
        return self.counts

    def make_regions(self) -> None:
        rng = self.rng
        rows: list[tuple] = []
        self.county_id = self.new_id(Region)
        rows.append((self.county_id, COUNTY, *self.key(COUNTY), "county", None, COUNTY_CODE, 0))
        village_names = [f"{s}{x}村" for s in VILLAGE_SURNAME_ROOTS for x in VILLAGE_SUFFIXES]
        village_names += [f"{f}村" for f in VILLAGE_FEATURES]
        community_names = [f"{c}社区" for c in COMMUNITIES]
        rng.shuffle(village_names)
        rng.shuffle(community_names)
        streets = towns = 0
        for t_index, (name, street, _share) in enumerate(TOWNSHIPS):
            # Division codes: streets 001–099, towns 101–199.
            if street:
                streets += 1
                code = f"{COUNTY_CODE}{streets:03d}"
            else:
                towns += 1
                code = f"{COUNTY_CODE}{100 + towns:03d}"
            town = _Township(self.new_id(Region), name, code)
            rows.append((town.id, name, *self.key(name), "township", self.county_id, code, t_index + 1))
            count = rng.randint(4, 8)
            if street:
                names = [(community_names.pop(), True) for _ in range(count)]
            else:
                seat = f"{name.removesuffix('镇')}社区"
                names = [(seat, True)] + [(village_names.pop(), False) for _ in range(count - 1)]
            # Communities (居委会) 001–199, villages (村委会) 200–399.
            communities = villages = 0
            for order, (vname, is_community) in enumerate(names, start=1):
                if is_community:
                    communities += 1
                    vcode = f"{code}{communities:03d}"
                else:
                    villages += 1
                    vcode = f"{code}{199 + villages:03d}"
                village = _Village(self.new_id(Region), vname, t_index)
                town.villages.append(village)
                self.villages.append(village)
                self.village_by_id[village.id] = village
                rows.append((village.id, vname, *self.key(vname), "village", town.id, vcode, order))
            self.townships.append(town)
        fields = (Region.id, Region.name, Region.name_key, Region.name_pinyin, Region.name_initials,
                  Region.level, Region.parent, Region.code, Region.sort_order)
        self.counts["regions"] = _insert(
            Region, (*fields, Region.created_at, Region.updated_at),
            [(*r, self.stamp, self.stamp) for r in rows],
        )

    def random_name(self, surnames: list[str], female: bool) -> str:
        chars = FEMALE_CHARS if female else MALE_CHARS
        rng = self.rng
        given = rng.choice(chars) if rng.random() < 0.3 else rng.choice(chars) + rng.choice(chars)
        return surnames.pop() + given

    def make_people(self) -> None:
        rng, n, today = self.rng, self.n, self.today
        towns = len(self.townships)
        surnames = rng.choices([s for s, _ in SURNAMES], [w for _, w in SURNAMES], k=n)
        town_of = rng.choices(range(towns), [share for _, _, share in TOWNSHIPS], k=n)
        # Every township gets cadres and social workers, so that each can staff its teams.
        order = list(range(n))
        rng.shuffle(order)
        n_cadres = max(round(0.03 * n), 2 * towns)
        n_workers = max(round(0.015 * n), towns + 2)
        cadres = order[:n_cadres]
        workers = order[n_cadres:n_cadres + n_workers]
        for k, index in enumerate(cadres + workers):
            if k < 2 * towns:
                town_of[index] = k % towns
            elif n_cadres <= k < n_cadres + towns:
                town_of[index] = (k - n_cadres) % towns
        is_cadre = set(cadres)
        is_worker = set(workers)
        # A few left the register (never cadres or social workers: teams still need them).
        first = n_cadres + n_workers
        is_archived = set(order[first:first + max(3, n // 100)])
        start = dt.date(1950, 1, 1).toordinal()
        last = min(dt.date(2006, 12, 31), today - dt.timedelta(days=18 * 366)).toordinal()
        levels = SOCIAL_WORKER_LEVELS.codes()
        used_ids: set[str] = set()
        used_phones: set[str] = set()
        self.p_active_by_town = [[] for _ in range(towns)]
        self.volunteers_by_town = [[] for _ in range(towns)]
        self.cadres_by_town = [[] for _ in range(towns)]
        self.workers_by_town = [[] for _ in range(towns)]
        rows = []
        for index in range(n):
            pid = self.new_id(Person)
            cadre = index in is_cadre
            worker = index in is_worker
            female = rng.random() < (0.95 if cadre else 0.85)
            name = self.random_name(surnames, female)
            sex = "F" if female else "M"
            id_number = birth = None
            if rng.random() >= 0.05:
                while True:
                    birth = dt.date.fromordinal(rng.randint(start, last))
                    digit = rng.choice("02468" if female else "13579")
                    first17 = (f"{COUNTY_CODE}{birth.year:04d}{birth.month:02d}{birth.day:02d}"
                               f"{rng.randrange(100):02d}{digit}")
                    if first17 not in used_ids:
                        break
                used_ids.add(first17)
                id_number = first17 + id_check_char(first17)
            phone = ""
            if rng.random() >= 0.07:
                while True:
                    phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
                    if phone not in used_phones:
                        break
                used_phones.add(phone)
            town = town_of[index]
            volunteer = rng.random() < 0.8
            archived = index in is_archived
            title = workplace = ""
            level = None
            if cadre:
                title = rng.choice(CADRE_TITLES)
                workplace = f"{self.townships[town].name}妇联"
            if worker:
                level = rng.choices(levels, (60, 35, 5))[0]
                workplace = rng.choice(SOCIAL_WORK_AGENCIES)
            archived_on = self.days_ago(10, 900) if archived else None
            reason = rng.choice(PERSON_ARCHIVE_REASONS) if archived else ""
            rows.append((
                pid, name, *self.key(name, person=True), id_number, birth, sex, phone,
                self.townships[town].id, cadre, worker, volunteer, level, title, workplace,
                archived, archived_on, reason, self.stamp, self.stamp,
            ))
            self.p_name[pid] = name
            self.p_phone[pid] = phone
            if archived:
                continue
            self.p_active_by_town[town].append(pid)
            if volunteer:
                self.volunteers_by_town[town].append(pid)
            if cadre:
                self.cadres_by_town[town].append(pid)
            if worker:
                self.workers_by_town[town].append(pid)
        fields = (
            Person.id, Person.name, Person.name_key, Person.name_pinyin, Person.name_initials,
            Person.id_number, Person.birth_date,
            Person.sex, Person.phone, Person.region, Person.is_cadre, Person.is_social_worker,
            Person.is_volunteer, Person.social_worker_level, Person.cadre_title, Person.workplace,
            Person.archived, Person.archived_on, Person.archived_reason, Person.created_at,
            Person.updated_at,
        )
        self.counts["people"] = _insert(Person, fields, rows)

    def org_name_pools(self) -> tuple[dict[str, list[tuple]], list[tuple]]:
        """Candidate (name, legal form, township, region id, area) per legal form, and grassroots."""
        rng = self.rng
        seat = 0
        registered: dict[str, list[tuple]] = {code: [] for code in LEGAL_FORMS.codes()}
        for word in SERVICE_ORG_WORDS:
            for core, area in SERVICE_ORG_CORES:
                registered["service_org"].append((f"{COUNTY}{word}{core}", None, area))
        for core, area in SOCIAL_GROUPS_COUNTY:
            registered["social_group"].append((f"{COUNTY}{core}", None, area))
        for t, town in enumerate(self.townships):
            for core, area in SOCIAL_GROUPS_TOWNSHIP:
                registered["social_group"].append((f"{town.name}{core}", t, area))
        for core, area in FOUNDATIONS:
            registered["foundation"].append((f"{COUNTY}{core}", None, area))
        pools: dict[str, list[tuple]] = {}
        for form, candidates in registered.items():
            rng.shuffle(candidates)
            pools[form] = []
            for name, t, area in candidates:
                t = rng.randrange(len(self.townships)) if t is None and rng.random() < 0.5 else t
                t = seat if t is None else t
                pools[form].append((name, form, t, self.townships[t].id, area))
        grassroots = []
        for village in self.villages:
            for template, area in GRASSROOTS_VILLAGE:
                grassroots.append((template.format(p=village.name), None, village.township,
                                   village.id, area))
        for t, town in enumerate(self.townships):
            for template, area in GRASSROOTS_TOWNSHIP:
                grassroots.append((template.format(p=town.name), None, t, town.id, area))
        rng.shuffle(grassroots)
        return pools, grassroots

    def make_organizations(self) -> None:
        rng, today = self.rng, self.today
        n_orgs = max(40, self.n // 200)
        pools, grassroots = self.org_name_pools()
        forms = LEGAL_FORMS.codes()
        picked: list[tuple] = []
        n_registered = round(0.4 * n_orgs)
        for k in range(n_registered):
            form = forms[k] if k < len(forms) else rng.choices(forms, (33, 60, 7))[0]
            pool = pools[form] or next((p for p in pools.values() if p), None)
            if pool is None:
                break
            picked.append(pool.pop())
        extra = 2
        while len(picked) < n_orgs:
            if grassroots:
                picked.append(grassroots.pop())
                continue
            # Only for very large counties: further squads of the township volunteer teams.
            for t, town in enumerate(self.townships):
                if len(picked) < n_orgs:
                    picked.append((f"{town.name}巾帼志愿服务队第{extra}分队", None, t, town.id,
                                   "爱心助困"))
            extra += 1
        rng.shuffle(picked)
        area_list = list(self.area_ids.values())
        for name, form, t, region_id, area in picked:
            areas = [self.area_for(area)]
            for extra_area in rng.sample(area_list, rng.randint(0, 2)):
                if extra_area not in areas:
                    areas.append(extra_area)
            kind = "registered" if form else "grassroots"
            org = _Org(self.new_id(Organization), name, kind, form, t, region_id, areas, today)
            self.orgs.append(org)
        covered = {a for org in self.orgs for a in org.areas}
        for area_id in area_list:
            if area_id not in covered:
                rng.choice([o for o in self.orgs if len(o.areas) < 3]).areas.append(area_id)
        self.plan_incubation()
        self.write_organizations(self.memberships())

    def plan_incubation(self) -> None:
        """Stages, dates, registration and archiving; every stage and some overdue ones."""
        rng, today = self.rng, self.today
        registered = [o for o in self.orgs if o.kind == "registered"]
        grassroots = [o for o in self.orgs if o.kind == "grassroots"]
        plans: dict[int, tuple[str, str]] = {}  # org id -> (final stage, timing)
        forced = [
            (grassroots[0], "sprouting", "current"),
            (grassroots[1], "sprouting", "overdue"),
            (registered[0], "startup", "current"),
            (registered[1], "developing", "current"),
            (registered[2], "graduated", "done"),
            (registered[3], "startup", "overdue"),
            (registered[4], "developing", "overdue"),
        ]
        for org, stage, timing in forced:
            plans[org.id] = (stage, timing)
        for org in self.orgs:
            if org.id in plans or rng.random() < 0.4:
                continue
            if org.kind == "grassroots":
                stage = "graduated" if rng.random() < 0.15 else "sprouting"
            else:
                stage = rng.choices(("startup", "developing", "graduated"), (25, 30, 45))[0]
            timing = "done" if stage == "graduated" else rng.choice(("current", "current", "overdue"))
            plans[org.id] = (stage, timing)
        stages = ("sprouting", "startup", "developing", "graduated")
        for org in self.orgs:
            plan = plans.get(org.id)
            if plan is None:
                org.founded_on = self.days_ago(90, 15 * 365)
                if org.kind == "registered":
                    org.registered_on = min(today, org.founded_on + dt.timedelta(rng.randint(0, 180)))
                continue
            final, timing = plan
            if timing == "done":
                began = self.days_ago(400, 4 * 365)
                span = min(rng.randint(330, 420), (today - began).days)
            elif timing == "overdue":
                began = self.days_ago(400, 900)
                span = (today - began).days
            else:
                began = self.days_ago(20, 330)
                span = (today - began).days
            if org.kind == "grassroots" and final != "sprouting":
                chain = ["sprouting", final]
            else:
                chain = list(stages[: stages.index(final) + 1])
            if timing == "done":
                # Graduation closes the (about one-year) span; earlier steps fall inside it.
                offsets = [*sorted(rng.sample(range(15, span), len(chain) - 2)), span]
            else:
                offsets = sorted(rng.sample(range(15, span + 1), len(chain) - 1))
            org.stages = [(chain[0], began)] + [
                (stage, began + dt.timedelta(days=d)) for stage, d in zip(chain[1:], offsets)
            ]
            org.founded_on = began - dt.timedelta(days=rng.randint(30 if org.kind == "registered"
                                                                   else 0, 500))
            if org.kind == "registered":
                # 萌芽期 is the time before registration; 初创期 begins with it.
                org.registered_on = org.stages[1][1]
        candidates = [o for o in self.orgs if not o.stages or o.stages[-1][0] == "graduated"]
        for org in rng.sample(candidates, min(len(candidates), 2 + len(self.orgs) // 150)):
            last = org.stages[-1][1] if org.stages else org.founded_on
            org.archived_on = self.day_between(min(last + dt.timedelta(days=30), today), today)

    def memberships(self) -> list[tuple]:
        """Membership rows; the first member of each organization leads it (and is its contact)."""
        rng, today = self.rng, self.today
        everyone = [pid for pool in self.p_active_by_town for pid in pool]
        weights = [3 if o.kind == "registered" else 1 for o in self.orgs]
        total = sum(weights)
        target = round(0.5 * self.n)
        rows = []
        for org, weight in zip(self.orgs, weights):
            pool = self.p_active_by_town[org.township] or everyone
            size = max(3, min(len(pool), round(target * weight / total * rng.uniform(0.5, 1.5))))
            members = rng.sample(pool, size)
            org.leader = members[0]
            cores = rng.randint(2, 5)
            latest = org.archived_on or today
            for k, pid in enumerate(members):
                role = "leader" if k == 0 else "core" if k <= cores else "member"
                start = org.founded_on if k == 0 else self.day_between(org.founded_on, latest)
                end = org.archived_on
                if end is None and role != "leader" and start < today and rng.random() < 0.05:
                    end = self.day_between(start + dt.timedelta(days=1), today)
                rows.append((pid, org.id, role, start, end, self.stamp, self.stamp))
                self.primary_org.setdefault(pid, org.id)
        return rows

    def write_organizations(self, memberships: list[tuple]) -> None:
        rng, today = self.rng, self.today
        org_rows, stage_rows, area_rows = [], [], []
        credits: set[str] = set()
        for org in self.orgs:
            town = self.townships[org.township]
            short = ""
            if org.kind == "registered" and rng.random() < 0.5:
                short = org.name.removeprefix(COUNTY).removesuffix("服务中心")
            credit = None
            while org.kind == "registered" and (credit is None or credit in credits):
                # 51 社会团体, 52 民办非企业单位, 53 基金会 + division code + organization code.
                body = "".join(rng.choices(CREDIT_CHARSET, k=9))
                first17 = f"5{LEGAL_FORMS.index(org.legal_form) + 1}{COUNTY_CODE}{body}"
                credit = first17 + credit_check_char(first17)
            if credit:
                credits.add(credit)
            stage, since = org.stages[-1] if org.stages else (None, None)
            until = org.archived_on or today
            alliance = rng.random() < 0.25
            joined = (self.day_between(max(org.founded_on, today - dt.timedelta(days=2200)), until)
                      if alliance else None)
            group = rng.random() < 0.15
            member_since = self.day_between(org.founded_on, until) if group else None
            village = self.village_by_id.get(org.region_id)
            if village:
                address = f"{town.name}{village.name}{rng.randint(1, 12)}组{rng.randint(1, 80)}号"
            else:
                address = f"{town.name}{rng.choice(ROADS)}{rng.randint(1, 300)}号"
            supervisor = (rng.choice(SUPERVISORS) if org.kind == "registered"
                          else f"{town.name}妇女联合会")
            reason = ""
            if org.archived_on is not None:
                deregistered = org.kind == "registered" and rng.random() < 0.5
                reason = ORG_ARCHIVE_REASONS[0] if deregistered else rng.choice(
                    ORG_ARCHIVE_REASONS[1:])
            org_rows.append((
                org.id, org.name, *self.key(org.name), short, org.kind, org.legal_form, credit,
                supervisor, org.region_id, address, self.p_name[org.leader],
                self.phone_of(org.leader), org.founded_on, org.registered_on, stage, since,
                alliance, joined, group, member_since, org.archived_on is not None,
                org.archived_on, reason, self.stamp, self.stamp,
            ))
            for index, (code, entered) in enumerate(org.stages):
                note = ""
                if code == "graduated" or rng.random() < 0.5:
                    note = rng.choice(STAGE_NOTES[code])
                if code == "startup" and org.kind == "registered" and index == 1:
                    note = "完成民政登记"
                stage_rows.append((org.id, code, entered, note,
                                   dt.datetime.combine(entered, dt.time(10, 0))))
            area_rows.extend((org.id, area) for area in org.areas)
        fields = (
            Organization.id, Organization.name, Organization.name_key, Organization.name_pinyin,
            Organization.name_initials, Organization.short_name,
            Organization.kind, Organization.legal_form, Organization.credit_code,
            Organization.supervisor, Organization.region, Organization.address,
            Organization.contact_person, Organization.contact_phone, Organization.founded_on,
            Organization.registered_on, Organization.incubation_stage, Organization.stage_since,
            Organization.alliance_member, Organization.alliance_joined_on,
            Organization.group_member, Organization.group_member_since, Organization.archived,
            Organization.archived_on, Organization.archived_reason, Organization.created_at,
            Organization.updated_at,
        )
        self.counts["organizations"] = _insert(Organization, fields, org_rows)
        self.counts["organization_stages"] = _insert(
            OrganizationStage,
            (OrganizationStage.organization, OrganizationStage.stage, OrganizationStage.entered_on,
             OrganizationStage.note, OrganizationStage.recorded_at),
            stage_rows,
        )
        self.counts["organization_service_areas"] = _insert(
            OrganizationServiceArea,
            (OrganizationServiceArea.organization, OrganizationServiceArea.service_area),
            area_rows,
        )
        self.counts["memberships"] = _insert(
            Membership,
            (Membership.person, Membership.organization, Membership.role, Membership.start_on,
             Membership.end_on, Membership.created_at, Membership.updated_at),
            memberships,
        )

    def make_teams(self) -> None:
        """1–3 teams per township; one township has no active social worker, one team no cadre."""
        rng = self.rng
        towns = len(self.townships)
        no_worker_town = rng.randrange(3, towns)
        no_cadre_town = rng.choice([t for t in range(towns) if t != no_worker_town])
        all_workers = [pid for pool in self.workers_by_town for pid in pool]
        team_rows, rows = [], []
        for t, town in enumerate(self.townships):
            count = rng.randint(1, 3)
            names = [f"{town.name}三工联动服务队"] + [
                f"{v.name}三工联动服务队" for v in rng.sample(town.villages, count - 1)
            ]
            for k, name in enumerate(names):
                team = _Team(self.new_id(Team), name, t, self.days_ago(200, 1100))
                self.teams.append(team)
                team_rows.append((team.id, name, *self.key(name), town.id, team.founded_on,
                                  f"{town.name}妇联牵头，妇工、社工、义工联动服务辖区妇女儿童",
                                  self.stamp, self.stamp))
                cadres = self.cadres_by_town[t]
                chosen = rng.sample(cadres, min(len(cadres), rng.randint(1, 2)))
                for pid in chosen:
                    rows.append(self.assignment(team, pid, "cadre", t == no_cadre_town and k == 0))
                workers = self.workers_by_town[t] or all_workers
                if t == no_worker_town:
                    if k == 0:
                        pid = rng.choice(workers)
                        chosen.append(pid)
                        rows.append(self.assignment(team, pid, "social_worker", ended=True))
                else:
                    for pid in rng.sample(workers, min(len(workers), rng.choice((1, 1, 2)))):
                        chosen.append(pid)
                        rows.append(self.assignment(team, pid, "social_worker"))
                # Each person has one duty in a team.
                volunteers = [p for p in self.volunteers_by_town[t] if p not in chosen]
                for pid in rng.sample(volunteers, min(len(volunteers), rng.randint(3, 10))):
                    rows.append(self.assignment(team, pid, "volunteer", rng.random() < 0.1))
        self.counts["teams"] = _insert(
            Team,
            (Team.id, Team.name, Team.name_key, Team.name_pinyin, Team.name_initials,
             Team.region, Team.founded_on, Team.description,
             Team.created_at, Team.updated_at),
            team_rows,
        )
        self.counts["team_assignments"] = _insert(
            TeamAssignment,
            (TeamAssignment.team, TeamAssignment.person, TeamAssignment.role,
             TeamAssignment.start_on, TeamAssignment.end_on, TeamAssignment.created_at,
             TeamAssignment.updated_at),
            rows,
        )

    def assignment(self, team: _Team, pid: int, role: str, ended: bool = False) -> tuple:
        """A TeamAssignment row starting soon after the team was founded; ended ones before today."""
        today = self.today
        start = self.day_between(team.founded_on,
                                 min(today, team.founded_on + dt.timedelta(days=60)))
        end = (self.day_between(start + dt.timedelta(days=30), today - dt.timedelta(days=1))
               if ended else None)
        return (team.id, pid, role, start, end, self.stamp, self.stamp)

    def make_venues(self) -> None:
        """Every level and kind; names are unique per region by construction."""
        rng = self.rng
        rows = []

        def add(name: str, level: str, kind: str, t: int, region_id: int, address: str,
                capacity: int) -> None:
            venue = _Venue(self.new_id(Venue), name, level, kind, t, region_id)
            self.venues.append(venue)
            pool = self.cadres_by_town[t] or self.p_active_by_town[t]
            manager = rng.choice(pool)
            rows.append((venue.id, name, *self.key(name), level, kind, region_id, address,
                         capacity, manager, self.phone_of(manager), self.stamp, self.stamp))

        seat = self.townships[0]
        add(f"{COUNTY}妇女儿童活动中心", "city", "activity_center", 0, seat.id,
            f"{seat.name}文化路{rng.randint(1, 99)}号", rng.randint(200, 500))
        add(f"{COUNTY}巾帼创业就业孵化基地", "city", "other", 0, seat.id,
            f"{seat.name}迎宾大道{rng.randint(100, 300)}号", rng.randint(80, 200))
        add(f"{COUNTY}妇女儿童之家（示范点）", "city", "women_children_home", 0, seat.id,
            f"{seat.name}府前街{rng.randint(1, 60)}号", rng.randint(100, 200))
        for t, town in enumerate(self.townships):
            street = f"{town.name}{rng.choice(ROADS)}{rng.randint(1, 200)}号"
            add(f"{town.name}妇女儿童之家", "town", "women_children_home", t, town.id,
                street, rng.randint(50, 200))
            if rng.random() < 0.5:
                add(f"{town.name}妇女儿童活动中心", "town", "activity_center", t, town.id,
                    f"{town.name}{rng.choice(ROADS)}{rng.randint(1, 200)}号", rng.randint(80, 300))
            if t == 1 or rng.random() < 0.3:
                add(f"{town.name}巾帼志愿服务站", "town", "other", t, town.id, street,
                    rng.randint(20, 60))
        micro = max(len(self.villages) // 2, self.n // 1000)
        for village in self.villages:
            town = self.townships[village.township]
            hall = f"{town.name}{village.name}党群服务中心"
            if rng.random() < 0.7:
                add(f"{village.name}妇女儿童之家", "village", "women_children_home",
                    village.township, village.id, f"{hall}二楼", rng.randint(20, 80))
            if rng.random() < 0.2:
                add(f"{village.name}妇女议事厅", "village", "other", village.township,
                    village.id, f"{hall}一楼", rng.randint(15, 40))
        themes = [(v, theme) for v in self.villages for theme in MICRO_HOME_THEMES]
        for village, theme in rng.sample(themes, min(micro, len(themes))):
            town = self.townships[village.township]
            add(f"{village.name}{theme}妇女微家", "village", "women_micro_home", village.township,
                village.id, f"{town.name}{village.name}{rng.randint(1, 12)}组{rng.randint(1, 80)}号",
                rng.randint(10, 30))
        self.counts["venues"] = _insert(
            Venue,
            (Venue.id, Venue.name, Venue.name_key, Venue.name_pinyin, Venue.name_initials,
             Venue.level, Venue.kind, Venue.region,
             Venue.address, Venue.capacity, Venue.manager, Venue.phone, Venue.created_at,
             Venue.updated_at),
            rows,
        )

    def venues_by_town(self) -> list[list[_Venue]]:
        venues: list[list[_Venue]] = [[] for _ in self.townships]
        for venue in self.venues:
            venues[venue.township].append(venue)
        return venues

    def bookers(self) -> tuple[list[list[_Org]], list[list[_Team]]]:
        """Organizations still active and teams, per township."""
        towns = len(self.townships)
        orgs: list[list[_Org]] = [[] for _ in range(towns)]
        teams: list[list[_Team]] = [[] for _ in range(towns)]
        for org in self.orgs:
            if org.archived_on is None:
                orgs[org.township].append(org)
        for team in self.teams:
            teams[team.township].append(team)
        return orgs, teams

    def make_bookings(self) -> None:
        """Distinct (day, slot) cells per venue, so bookings never overlap."""
        rng, today = self.rng, self.today
        first = today - dt.timedelta(days=300)
        days = 300 + 60
        orgs_by_town, teams_by_town = self.bookers()
        live = [org for orgs in orgs_by_town for org in orgs]
        weights = [3 if v.level != "village" else 1 for v in self.venues]
        per_venue = [0] * len(self.venues)
        for index in rng.choices(range(len(self.venues)), weights, k=max(120, self.n // 10)):
            per_venue[index] += 1
        rows = []
        for venue, count in zip(self.venues, per_venue):
            cells = sorted(rng.sample(range(days * len(BOOKING_SLOTS)),
                                      min(count, days * len(BOOKING_SLOTS))))
            orgs, teams = orgs_by_town[venue.township], teams_by_town[venue.township]
            for cell in cells:
                day = first + dt.timedelta(days=cell // len(BOOKING_SLOTS))
                hour, minute, low, high = BOOKING_SLOTS[cell % len(BOOKING_SLOTS)]
                starts = dt.datetime.combine(day, dt.time(hour, minute))
                ends = starts + dt.timedelta(minutes=rng.randrange(low, high + 1, 30))
                org_id = team_id = None
                if teams and (not orgs or rng.random() < 0.35):
                    team_id = rng.choice(teams).id
                else:
                    org_id = rng.choice(orgs or live).id
                rows.append((venue.id, org_id, team_id, starts, ends, rng.choice(BOOKING_PURPOSES),
                             rng.random() < 0.08, False, self.stamp, self.stamp))
        self.counts["bookings"] = _insert(
            Booking,
            (Booking.venue, Booking.organization, Booking.team, Booking.starts_at, Booking.ends_at,
             Booking.purpose, Booking.cancelled, Booking.for_office, Booking.created_at, Booking.updated_at),
            rows,
        )

    def project_timing(self, status: str) -> tuple[int, dt.date | None, dt.date | None]:
        """Year, start and end for a project in ``status``, consistent with ``today``."""
        rng, today = self.rng, self.today
        year = today.year
        if status in ("applied", "approved"):
            start = None
            if status == "approved":
                start = today + dt.timedelta(days=rng.randint(10, 60))
            end = start + dt.timedelta(days=rng.randint(180, 330)) if start else None
            return year, start, end
        if status == "rejected":
            return rng.randint(year - 3, year), None, None
        if status == "in_progress":
            start = self.days_ago(30, 300)
            return start.year, start, today + dt.timedelta(days=rng.randint(20, 200))
        year = rng.randint(year - 3, year - 1)
        start = dt.date(year, rng.randint(3, 6), rng.randint(1, 28))
        end = min(start + dt.timedelta(days=rng.randint(180, 360)), today - dt.timedelta(days=1))
        if status == "terminated":
            end = self.day_between(start + dt.timedelta(days=30), end)
        return year, start, end

    def make_projects(self) -> None:
        rng = self.rng
        n_projects = max(30, self.n // 150)
        sources = PROJECT_SOURCES.codes()
        statuses = ("applied", "approved", "in_progress", "closed", "rejected", "terminated")
        live = [o for o in self.orgs if o.archived_on is None]
        teams_by_town = self.bookers()[1]
        venues_by_town = self.venues_by_town()
        area_names = {v: k for k, v in self.area_ids.items()}
        used: set[tuple[str, int]] = set()
        rows, link_rows = [], []
        for index in range(n_projects):
            source = sources[index] if index < len(sources) else rng.choices(
                sources, (35, 25, 25, 10, 5))[0]
            status = statuses[index] if index < len(statuses) else rng.choices(
                statuses, (8, 6, 20, 50, 12, 4))[0]
            org = rng.choice(live)
            area = rng.choice(org.areas)
            year, start, end = self.project_timing(status)
            phrases = PROJECT_PHRASES.get(area_names[area], GENERAL_PHRASES)
            for _ in range(5):
                name = f"“{rng.choice(PROJECT_BRANDS)}”{rng.choice(phrases)}项目"
                if (name, year) not in used:
                    break
            used.add((name, year))
            low, high = PROJECT_AMOUNTS[source]
            applied = rng.randint(low, high)
            granted = None
            if status == "rejected":
                granted = _yuan(0) if rng.random() < 0.5 else None
            elif status != "applied":
                granted = _yuan(rng.randint(max(1, applied * 6 // 10), applied))
            planned = rng.randrange(50, 2001, 10)
            actual = None
            if status == "closed":
                actual = round(planned * rng.uniform(0.85, 1.3))
            elif status in ("in_progress", "terminated"):
                actual = round(planned * rng.uniform(0.1, 0.7))
            teams = teams_by_town[org.township]
            team = rng.choice(teams) if teams and rng.random() < 0.3 else None
            project = _Project(self.new_id(Project), org, team, status, area, start, end)
            self.projects.append(project)
            town_venues = venues_by_town[org.township]
            if town_venues and rng.random() < 0.4:
                project.venues = rng.sample(town_venues, min(len(town_venues), rng.randint(1, 2)))
                link_rows.extend((project.id, v.id) for v in project.venues)
            rows.append((
                project.id, name, *self.key(name), source, year, rng.choice(BATCHES), org.id,
                team.id if team else None, status, _yuan(applied), granted, planned, actual,
                start, end, f"由{org.name}承接；服务领域：{area_names[area]}；"
                f"服务范围：{self.townships[org.township].name}", self.stamp, self.stamp,
            ))
        self.counts["projects"] = _insert(
            Project,
            (Project.id, Project.name, Project.name_key, Project.name_pinyin, Project.name_initials,
             Project.source, Project.year,
             Project.batch, Project.organization, Project.team, Project.status,
             Project.amount_applied, Project.amount_granted, Project.planned_served,
             Project.actual_served, Project.start_on, Project.end_on, Project.description,
             Project.created_at, Project.updated_at),
            rows,
        )
        self.counts["project_venues"] = _insert(
            ProjectVenue, (ProjectVenue.project, ProjectVenue.venue), link_rows
        )

    def make_activities(self) -> None:
        """Activities of projects, organizations and teams, each with its volunteers' hours."""
        rng, today = self.rng, self.today
        n_activities = max(30, self.n // 10)
        earliest = today - dt.timedelta(days=3 * 365)
        area_names = {v: k for k, v in self.area_ids.items()}
        running = [p for p in self.projects
                   if p.start_on is not None and p.start_on <= today and p.end_on is not None]
        live = [o for o in self.orgs if o.archived_on is None]
        venues_by_town = self.venues_by_town()
        all_volunteers = [pid for pool in self.volunteers_by_town for pid in pool]
        target = round(1.5 * self.n)
        shares = [rng.uniform(0.3, 1.7) for _ in range(n_activities)]
        scale = target / sum(shares)
        rows, record_rows = [], []
        for share in shares:
            draw = rng.random()
            org = team = project = venue = None
            if running and draw < 0.35:
                project = rng.choice(running)
                org, team = project.org, project.team
                held = self.day_between(project.start_on, min(project.end_on, today))
                town = org.township
                area = project.area
                if project.venues:
                    venue = rng.choice(project.venues)
            elif draw < 0.75:
                org = rng.choice(live)
                held = self.day_between(max(org.founded_on, earliest), today)
                town = org.township
                area = rng.choice(org.areas)
            else:
                team = rng.choice(self.teams)
                held = self.day_between(max(team.founded_on, earliest), today)
                town = team.township
                area = None
            venue = venue or rng.choice(venues_by_town[town] or self.venues)
            titles = ACTIVITY_TITLES.get(area_names.get(area, ""), GENERAL_TITLES)
            pool = self.volunteers_by_town[town] or all_volunteers
            volunteers = rng.sample(pool, min(len(pool), max(1, round(share * scale))))
            participants = len(volunteers) + rng.randint(5, 80)
            activity_id = self.new_id(Activity)
            rows.append((activity_id, rng.choice(titles), held, venue.id,
                         org.id if org else None, team.id if team else None,
                         project.id if project else None, participants,
                         participants + rng.randint(0, 300), self.stamp, self.stamp))
            contents = rng.choices(SERVICE_CONTENTS, k=len(volunteers))
            hours = rng.choices(HOURS, HOURS_WEIGHTS, k=len(volunteers))
            record_rows.extend(
                (pid, activity_id, h, c, self.stamp, self.stamp)
                for pid, h, c in zip(volunteers, hours, contents)
            )
        self.counts["activities"] = _insert(
            Activity,
            (Activity.id, Activity.title, Activity.held_on, Activity.venue, Activity.organization,
             Activity.team, Activity.project, Activity.participants, Activity.people_served,
             Activity.created_at, Activity.updated_at),
            rows,
        )
        self.counts["service_records"] = _insert(
            ServiceRecord,
            (ServiceRecord.person, ServiceRecord.activity, ServiceRecord.hours,
             ServiceRecord.content, ServiceRecord.created_at, ServiceRecord.updated_at),
            record_rows,
        )

    def make_trainings(self) -> None:
        rng = self.rng
        n_trainings = max(20, self.n // 2000)
        kinds = list(TRAINING_TOPICS)
        halls = [v for v in self.venues if v.level != "village"]
        # Those who attend: organization members (with their organization), cadres, workers.
        attendees = sorted(set(self.primary_org)
                           | {p for pool in self.cadres_by_town for p in pool}
                           | {p for pool in self.workers_by_town for p in pool})
        rows, attendance_rows = [], []
        for index in range(n_trainings):
            kind = kinds[index] if index < len(kinds) else rng.choices(kinds, (60, 25, 15))[0]
            topic = rng.choice(TRAINING_TOPICS[kind])
            if kind == "supervision":
                topic = f"{topic}（第{rng.randint(1, 12)}期）"
            venue = rng.choice(halls)
            region = self.county_id if venue.level == "city" else venue.region_id
            trainer_name = self.random_name([rng.choice("王李张刘陈杨赵周吴孙")], rng.random() < 0.7)
            training_id = self.new_id(Training)
            rows.append((training_id, topic, self.days_ago(0, 3 * 365), kind,
                         f"{trainer_name}（{rng.choice(TRAINER_UNITS)}）", venue.id, region,
                         rng.choice(TRAINING_HOURS), self.stamp, self.stamp))
            for pid in rng.sample(attendees, min(len(attendees), rng.randint(15, 60))):
                attendance_rows.append((training_id, pid, self.primary_org.get(pid)))
        self.counts["trainings"] = _insert(
            Training,
            (Training.id, Training.topic, Training.held_on, Training.kind, Training.trainer,
             Training.venue, Training.region, Training.hours, Training.created_at,
             Training.updated_at),
            rows,
        )
        self.counts["training_attendance"] = _insert(
            TrainingAttendance,
            (TrainingAttendance.training, TrainingAttendance.person,
             TrainingAttendance.organization),
            attendance_rows,
        )


def ensure_empty() -> None:
    for model in (Region, Organization, Person, Team, Venue, Project, Activity, Training):
        if model.select().exists():
            raise DemoError(
                msg("数据库中已有数据，演示数据只能写入空数据库。"
                    "请用 --db 指定一个新文件，或服务器上新建的空数据库。")
            )


def fill_demo(
    people: int = 2000,
    seed: int = 2025,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Fill the bound, empty database with a demo county; returns the rows written per entity.

    The same ``seed`` and ``today`` give the same rows (only the audit line's
    time is the real one). Everything is written in one transaction.
    """
    if people < MIN_PEOPLE:
        raise DemoError(msg("演示数据至少需要 {n} 人。", n=MIN_PEOPLE))
    builder = _Builder(people, random.Random(seed), today or dt.date.today(), progress)
    with database.atomic():
        ensure_empty()
        counts = builder.run()
        admin = User.select().where(User.role == "admin").order_by(User.id).first()
        if progress:
            progress("正在生成公益创投和微创投轮次…")
        from .demo_venture import make_rounds

        for key, n in make_rounds(builder, admin).items():
            counts[key] = counts.get(key, 0) + n
        refresh_statistics(DEMO_MODELS)
        if progress:
            progress("正在写入操作日志…")
        set_settings(DEMO_SETTINGS, admin)
        summary = "，".join(f"{COUNT_LABELS[k]} {v}" for k, v in counts.items())
        audit.record(
            admin, "create", None, {k: [0, v] for k, v in counts.items()},
            summary=f"演示数据：{summary}", entity="demo",
        )
    return counts



# The demo's operators, one of each role; the passwords are printed by ``jinguo demo`` and listed
# in the README so a newcomer can log in. Never use them on real data.
DEMO_USERS: tuple[tuple[str, str, str, str], ...] = (
    ("admin", "演示管理员", "admin", "admin-2025"),
    ("luru", "演示录入员", "clerk", "luru-2025"),
    ("chakan", "演示查看员", "viewer", "chakan-2025"),
)


def create_demo_users() -> list[tuple[str, str, str]]:
    """Give the demo database its administrator and one clerk and one viewer;
    returns (username, role, password) for the command to print."""
    from models.auth import create_first_admin, create_user, scrub_deleted_keys

    with database.atomic():
        (name, shown, _role, password), *others = DEMO_USERS
        admin = create_first_admin(name, shown, password, password)
        for name, shown, role, password in others:
            create_user(admin, name, shown, role, password)
    scrub_deleted_keys()
    return [(name, role, password) for name, _shown, role, password in DEMO_USERS]
