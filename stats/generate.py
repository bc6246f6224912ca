"""Generate a realistic district for benchmarks: ``manage.py generate_district``.

At the default size it writes one district of 10 subdistricts, 60 communities,
500 grids, about 700 compounds (some 三无, some staff housing under a
supervising unit), 15 property companies, the four tiers of party
organisations, 100,000 households with one registered resident each, staff and
their roles, party members, 1,000,000 resident reports over the last three
years, monthly deliberation meetings with decisions and action items, volunteer
activities with verified hours, micro-wishes and major matters.

How it stays fast: every id is allocated here (``max(id) + 1`` onwards; the
command refuses a database that already has a district unless forced, so no
one else is writing), rows are built as plain tuples, and they are written in
one transaction by ``COPY`` on PostgreSQL and by ``executemany`` elsewhere
(SQLite, for the tests). No model ``save()``, no signals, no services: so no
audit rows per object, no outbox messages and no notifications. On PostgreSQL
the secondary indexes and foreign keys of the case table are dropped for the
load and rebuilt after it, which is several times faster than keeping them
up to date row by row; the sequences are reset at the end.

What it leaves out, to stay in minutes: the timeline of each case
(``PetitionEvent``) and of wishes and major matters, photos, login accounts,
the members of bodies and teams (many-to-many), proposals, owners' votes,
two-way service lists and emergency stations. Everything that roll-ups and
list pages read is there.

The same ``seed`` and ``now`` give the same rows. Names of places and people
are made up from syllables; phone numbers are random.
"""

# Generated data wants repeatable, not secure, randomness.
# ruff: noqa: S311

import base64
import bisect
import datetime
import io
import json
import math
import random
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.models import (
    ActionItem,
    ActionItemUpdate,
    AgendaTopic,
    Attendance,
    DeliberationBody,
    MajorMatter,
    Meeting,
)
from grids.models import (
    Building,
    Community,
    Compound,
    District,
    Grid,
    Household,
    OwnersCommittee,
    PartyMember,
    PartyOrganization,
    Person,
    PropertyCompany,
    Role,
    Subdistrict,
    Unit,
)
from petitions.models import Category, Department, Petition
from volunteers.models import Activity, Registration, SignUp, Team, Wish

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
# Asia/Shanghai has kept UTC+8 without daylight saving since 1991, so local days
# are fixed 86,400-second blocks: that keeps the arithmetic in integers.
OFFSET = 8 * 3600
DAY = 86_400
HOUR = 3600

BASE_HOUSEHOLDS = 100_000
BASE_PETITIONS = 1_000_000
#: Expected meetings of a community's deliberation hall a month (at scale 1).
MEETINGS_PER_MONTH = 0.95
ACTIVITIES_PER_MONTH = 1.5
WISHES_PER_MONTH = 1.2
MATTERS_PER_YEAR = 0.3
AUTO_CLOSE_DAYS = 7
#: From this many cases on, PostgreSQL loads the case table without its
#: secondary indexes and foreign keys and rebuilds them after.
DEFER_INDEXES_FROM = 50_000


class GenerateRefused(Exception):
    """Nothing was generated: the options make no district, or the database
    already holds one and ``force`` was not given."""


@dataclass(frozen=True)
class Shape:
    """What to build: the organisation is fixed, volumes follow ``scale``."""

    subdistricts: int = 10
    communities: int = 60
    grids: int = 500
    companies: int = 15
    scale: float = 1.0
    years: int = 3
    seed: int = 1

    @property
    def households(self) -> int:
        return max(1, round(BASE_HOUSEHOLDS * self.scale))

    @property
    def petitions(self) -> int:
        return round(BASE_PETITIONS * self.scale)


@dataclass
class GenerateResult:
    district_id: int
    first: datetime.date
    last: datetime.date
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


# --- Names -------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华霞平刚桂兰玉萍红建国志海燕文辉鹏飞"
    "宇浩然欣怡涵萱桐远佳琪俊晓东春梅淑珍凤德福永利宁安康泽瑞翔鑫磊晨曦"
)
DISTRICT_NAMES = ["明湖区", "景川区", "青峰区", "嘉禾区", "康平区", "云溪区"]
SUBDISTRICT_NAMES = [
    "湖西", "古楼", "柳园", "凤凰", "东城", "北城", "南湖", "建设", "光明", "朝阳",
    "站前", "滨河", "文化", "振兴", "龙山", "青年", "新华", "运河", "金桥", "东关",
]  # fmt: skip
COMMUNITY_NAMES = [
    "端庄", "楼北", "向阳", "育新", "幸福", "和平", "民主", "兴华", "春晖", "利民",
    "翠苑", "文苑", "锦绣", "丰收", "清泉", "梨园", "杏坛", "枫林", "朝晖", "晨光",
    "曙光", "长江", "黄河", "泰山", "铁塔", "月湖", "西关", "南关", "北关", "新城",
    "书香", "馨园", "怡和", "嘉禾", "福泽", "瑞祥", "祥和", "康宁", "永安", "长青",
    "松竹", "桃园", "荷花", "芙蓉", "牡丹", "紫荆", "银杏", "湖滨", "水城", "古城",
    "明珠", "星光", "阳光", "东方", "北斗", "长安", "凯旋", "龙湾", "凤鸣", "花园",
    "柳岸", "荷塘", "金柳", "新苑", "华苑", "双庙", "三里", "七里", "铁西", "光岳",
]  # fmt: skip
COMPOUND_FIRST = [
    "民生", "端庄", "湖西", "柳园", "金色", "阳光", "翡翠", "东方", "锦华", "世纪",
    "和谐", "富贵", "书香", "水岸", "香榭", "龙湖", "盛世", "福泽", "惠民", "丽景",
    "御景", "滨湖", "幸福", "康居", "祥瑞", "凤凰", "紫荆", "绿城", "华府", "星河",
    "春天", "怡景", "安居", "嘉和", "建业", "恒大", "碧桂", "鲁西", "运河", "古城",
]  # fmt: skip
COMPOUND_SUFFIX = ["小区", "花园", "家园", "新村", "苑", "名邸", "嘉园", "华庭", "雅居"]
STAFF_HOUSING = [
    ("供电公司宿舍", "国网供电公司"),
    ("二中宿舍", "区第二中学"),
    ("棉纺厂宿舍", "原国棉一厂"),
    ("粮食局宿舍", "区粮食和物资储备局"),
    ("人民医院宿舍", "区人民医院"),
    ("交通局宿舍", "区交通运输局"),
    ("水利局宿舍", "区水利局"),
    ("税务局宿舍", "区税务局"),
]
COMPANY_WORDS = [
    "安居", "民晟", "中房", "金秋", "恒信", "嘉和", "宜家", "润泽", "鑫源", "华瑞",
    "万家", "德馨", "锦程", "康居", "诚信", "明德", "顺和", "天泽", "瑞景", "丰泰",
]  # fmt: skip
WORK_UNITS = [
    "区人民医院", "区税务局", "第一中学", "区教育和体育局", "供电公司", "区财政局",
    "区市场监督管理局", "城市管理局", "区实验小学", "区住房和城乡建设局",
]  # fmt: skip
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
DEPARTMENTS = ["派出所", "城市管理", "民政", "司法调解", "市场监管"]

# --- Resident reports ----------------------------------------------------------


class CaseProfile(NamedTuple):
    """How a category's cases look: how many, when, where, and who else helps."""

    weight: float
    #: Multipliers for January … December, or None for an even year.
    season: tuple[float, ...] | None
    #: Share of cases reported for the community, not a building.
    unplaced: float
    #: Share referred to a department (联动处理).
    referred: float
    departments: tuple[str, ...]
    #: Descriptions; ``{b}`` is the building.
    texts: tuple[str, ...]


CASE_PROFILE = {
    "leak": CaseProfile(
        9,
        (1, 1, 1, 1, 1.2, 1.8, 2.2, 2.0, 1.2, 1, 1, 1),
        0.0,
        0.01,
        ("城市管理",),
        ("{b}顶楼楼道漏水，墙皮脱落", "{b}卫生间渗水到楼下", "{b}外墙渗水"),
    ),
    "pipe": CaseProfile(
        8,
        None,
        0.0,
        0.01,
        ("城市管理",),
        ("{b}单元下水道堵塞，污水外溢", "{b}化粪池满溢", "{b}厨房下水不畅"),
    ),
    "aircon-drip": CaseProfile(
        2,
        (0.2, 0.2, 0.3, 0.5, 1.5, 3.5, 4.5, 4, 1.5, 0.4, 0.2, 0.2),
        0.0,
        0.0,
        (),
        ("楼上空调滴水到{b}阳台", "{b}空调冷凝水乱排"),
    ),
    "paid-repair": CaseProfile(
        18,
        None,
        0.0,
        0.0,
        (),
        ("{b}入户维修水龙头", "{b}更换门锁", "{b}灯具维修", "{b}燃气灶维修"),
    ),
    "road": CaseProfile(
        6,
        (1.2, 1.3, 1.2, 1, 1, 1.1, 1.2, 1.1, 1, 1, 1, 1.1),
        0.05,
        0.05,
        ("城市管理",),
        ("小区主干道路面破损有坑", "{b}门前路面塌陷", "人行道砖松动"),
    ),
    "facilities": CaseProfile(
        12,
        None,
        0.05,
        0.02,
        ("城市管理",),
        ("健身器材损坏", "{b}单元门禁失灵", "{b}楼道灯不亮", "路灯不亮"),
    ),
    "parking": CaseProfile(
        12,
        None,
        0.05,
        0.10,
        ("城市管理", "派出所"),
        ("{b}门口车辆乱停，老人出行不便", "私家车占用消防车位", "僵尸车长期占位"),
    ),
    "fire-lane": CaseProfile(
        6,
        (1.4, 1.4, 1.2, 1, 0.9, 0.8, 0.8, 0.8, 0.9, 1, 1.2, 1.4),
        0.05,
        0.08,
        ("派出所", "城市管理"),
        ("消防通道被私家车堵住", "{b}楼道飞线充电", "{b}楼道堆放杂物"),
    ),
    "greening": CaseProfile(
        10,
        (0.6, 0.6, 1, 1.3, 1.4, 1.4, 1.4, 1.3, 1.1, 1, 0.7, 0.6),
        0.05,
        0.0,
        (),
        ("绿化带杂草丛生", "{b}旁树枝遮挡窗户", "垃圾清运不及时"),
    ),
    "dispute": CaseProfile(
        7,
        None,
        0.25,
        0.25,
        ("司法调解", "派出所"),
        ("楼上装修噪音扰民，协商未果", "{b}邻居养狗扰民", "{b}漏水纠纷"),
    ),
    "elevator": CaseProfile(
        2,
        None,
        0.25,
        0.02,
        ("民政",),
        ("建议为{b}加装电梯", "建议增设电动车充电桩", "建议增加休息座椅"),
    ),
    "property-complaint": CaseProfile(
        8,
        None,
        0.05,
        0.08,
        ("市场监管",),
        ("物业保洁不到位", "物业收费不透明", "物业维修拖延"),
    ),
}
#: For a category of a deployment that the profiles above do not know.
DEFAULT_PROFILE = CaseProfile(3, None, 0.05, 0.02, (), ("{b}问题反映",))
CHANNELS = [
    ("web", 35), ("qr", 20), ("chat_group", 20), ("phone", 15), ("visit", 7),
    ("meeting", 3),
]  # fmt: skip
RATING_COMMENTS = ["处理及时，谢谢！", "师傅很负责", "还行", "太慢了", "问题还在"]
#: Cases a local hour of the day (0–23).
HOUR_WEIGHTS = (
    0.3, 0.2, 0.1, 0.1, 0.1, 0.3, 0.8, 2.0, 3.5, 4.0, 3.8, 3.0,
    2.2, 2.5, 3.2, 3.4, 3.0, 2.6, 2.8, 3.0, 2.6, 1.8, 1.0, 0.6,
)  # fmt: skip

# Actions of a case's life, in the order the event tuples carry them.
(
    A_ACCEPT,
    A_DISPATCH,
    A_START,
    A_HOLD,
    A_RESUME,
    A_REFER,
    A_RESOLVE,
    A_REOPEN,
    A_CONFIRM,
    A_AUTO_CLOSE,
    A_REJECT,
    A_MERGE,
) = range(12)

S = Petition.Status

# --- Deliberation and volunteers --------------------------------------------------

MEETING_TOPICS = [
    ("小区绿化补植", "春季补植绿化带，物业负责，业委会监督。"),
    ("增设电动车充电桩", "在楼北侧增设充电桩，消除飞线充电隐患。"),
    ("下水道疏通", "物业三日内完成疏通并回访。"),
    ("楼道杂物清理", "组织党员志愿者集中清理楼道杂物。"),
    ("停车秩序整治", "划定停车位，网格员每日巡查。"),
    ("老旧楼加装电梯意见征集", "入户征求意见，下次会议汇报。"),
    ("物业费收缴情况通报", "物业公开收支明细，接受居民监督。"),
    ("健身器材维修", "物业一周内完成维修。"),
    ("垃圾分类宣传", "组织志愿者开展入户宣传。"),
    ("路灯维修", "协调城市管理部门维修。"),
]
ACTIVITY_KINDS = [
    ("haircut", "爱心义剪", None),
    ("elderly", "重阳敬老", (10,)),
    ("health", "健康讲座进社区", None),
    ("fire", "消防安全检查", (11, 12, 1)),
    ("fraud", "防范电信诈骗宣传", None),
    ("cleanup", "美丽家园清洁行动", (3, 4, 5, 9)),
    ("other", "文明传递志愿服务", None),
]
WISHES = [
    ("elderly", "希望有人陪我去医院复查"),
    ("elderly", "想要一副老花镜"),
    ("elderly", "家里灯泡坏了，希望有人帮忙更换"),
    ("child", "想要一套课外书"),
    ("child", "想要一个新书包"),
    ("other", "希望有人帮忙修理轮椅"),
    ("other", "想学习使用智能手机"),
]
MATTERS = [
    ("elevator", "{c}加装电梯"),
    ("fund_use", "{c}使用专项维修资金维修屋面"),
    ("fee_change", "{c}调整物业服务收费标准"),
    ("common_parts", "{c}利用公共部位增设停车位"),
    ("company_change", "{c}选聘新物业服务企业"),
]


# --- Time ----------------------------------------------------------------------


class Clock:
    """Epoch seconds for every instant, rendered once per day and second."""

    def __init__(self, now: datetime.datetime, years: int):
        now = now.astimezone(TZ).replace(microsecond=0)
        self.now = int(now.timestamp())
        self.today = now.date()
        try:
            self.first = self.today.replace(year=self.today.year - years)
        except ValueError:  # 29 February
            self.first = self.today.replace(year=self.today.year - years, day=28)
        self.start = self.midnight(self.first)
        self.days = (self.today - self.first).days + 1
        self._day_text: dict[int, str] = {}
        self._second_text: list[str] | None = None

    def midnight(self, day: datetime.date) -> int:
        return int(datetime.datetime.combine(day, datetime.time(), TZ).timestamp())

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> int:
        return self.midnight(day) + hour * HOUR + minute * 60

    def date(self, epoch: int) -> datetime.date:
        return datetime.date.fromordinal(719_163 + (epoch + OFFSET) // DAY)

    def aware(self, epoch: int) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(epoch, TZ)

    def text(self, epoch: int) -> str:
        """Return ``epoch`` as PostgreSQL reads a timestamptz, in local time."""
        day, second = divmod(epoch + OFFSET, DAY)
        text = self._day_text.get(day)
        if text is None:
            text = self._day_text[day] = (
                f"{datetime.date.fromordinal(719_163 + day).isoformat()} "
            )
        if self._second_text is None:
            self._second_text = [
                f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+08"
                for s in range(DAY)
            ]
        return text + self._second_text[second]


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    out, month = [], first.replace(day=1)
    while month <= last:
        out.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out


def _month_key(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def _count(rng: random.Random, expected: float) -> int:
    """Return a whole count whose mean is ``expected`` (any non-negative float)."""
    return int(expected + rng.random())


# --- Writing -----------------------------------------------------------------------

_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class Loader:
    """Allocate ids and write rows: ``COPY`` on PostgreSQL, ``executemany`` else.

    Rows are tuples in the order of ``fields`` (attribute names); datetimes are
    epoch seconds, dates are ``datetime.date``, JSON is a dict.
    """

    CHUNK = 50_000

    def __init__(self, clock: Clock):
        self.clock = clock
        self.is_postgresql = connection.vendor == "postgresql"
        self.counts: dict[str, int] = defaultdict(int)
        self.models: list[type[models.Model]] = []
        self._next: dict[type[models.Model], int] = {}

    def ids(self, model: type[models.Model], count: int) -> range:
        """Reserve ``count`` ids of ``model`` and return them."""
        if model not in self._next:
            top = model.objects.aggregate(top=models.Max("pk"))["top"] or 0
            self._next[model] = top + 1
        start = self._next[model]
        self._next[model] = start + count
        return range(start, start + count)

    def id(self, model: type[models.Model]) -> int:
        return self.ids(model, 1)[0]

    def write(self, model, fields: list[str], rows: Iterable[tuple]) -> int:
        meta_fields = [model._meta.get_field(name) for name in fields]
        missing = {
            f.attname
            for f in model._meta.concrete_fields
            if not f.null
            and not f.primary_key
            and not f.generated
            and f.db_default is models.NOT_PROVIDED
        } - {f.attname for f in meta_fields}
        if missing:
            raise ValueError(f"{model.__name__}: no value for {sorted(missing)}")
        written = (
            self._copy(model, meta_fields, rows)
            if self.is_postgresql
            else self._insert(model, meta_fields, rows)
        )
        self.counts[model._meta.label] += written
        if model not in self.models:
            self.models.append(model)
        return written

    def _converter(self, model_field) -> Callable:
        text = self.clock.text

        def plain(value):
            return "\\N" if value is None else str(value)

        def string(value):
            return "\\N" if value is None else value.translate(_ESCAPE)

        def stamp(value):
            return "\\N" if value is None else text(value)

        def boolean(value):
            return "\\N" if value is None else ("t" if value else "f")

        def jsonb(value):
            if value is None:
                return "\\N"
            return json.dumps(value, ensure_ascii=False).translate(_ESCAPE)

        if isinstance(model_field, models.DateTimeField):
            return stamp
        if isinstance(model_field, models.BooleanField):
            return boolean
        if isinstance(model_field, models.JSONField):
            return jsonb
        if isinstance(model_field, models.CharField | models.TextField):
            return string
        return plain

    def _copy(self, model, meta_fields, rows) -> int:
        converters = [self._converter(f) for f in meta_fields]
        sql = "COPY {} ({}) FROM STDIN".format(
            connection.ops.quote_name(model._meta.db_table),
            ", ".join(connection.ops.quote_name(f.column) for f in meta_fields),
        )
        written = 0
        lines: list[str] = []
        with connection.cursor() as cursor:
            for row in rows:
                lines.append(
                    "\t".join([c(v) for c, v in zip(converters, row, strict=True)])
                )
                if len(lines) >= self.CHUNK:
                    written += self._send(cursor, sql, lines)
            written += self._send(cursor, sql, lines)
        return written

    @staticmethod
    def _send(cursor, sql, lines) -> int:
        if not lines:
            return 0
        count = len(lines)
        buffer = io.StringIO("\n".join(lines) + "\n")
        lines.clear()
        cursor.copy_expert(sql, buffer)
        return count

    def _insert(self, model, meta_fields, rows) -> int:
        aware = self.clock.aware
        preps = []
        for model_field in meta_fields:
            if isinstance(model_field, models.DateTimeField):
                preps.append(
                    lambda v, f=model_field: f.get_db_prep_save(
                        None if v is None else aware(v), connection
                    )
                )
            else:
                preps.append(lambda v, f=model_field: f.get_db_prep_save(v, connection))
        # Table and column names come from the models, never from input.
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            connection.ops.quote_name(model._meta.db_table),
            ", ".join(connection.ops.quote_name(f.column) for f in meta_fields),
            ", ".join(["%s"] * len(meta_fields)),
        )
        written = 0
        batch: list[list] = []
        with connection.cursor() as cursor:
            for row in rows:
                batch.append([p(v) for p, v in zip(preps, row, strict=True)])
                if len(batch) >= 5_000:
                    cursor.executemany(sql, batch)
                    written += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                written += len(batch)
        return written

    def reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), list(self._next))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


class _DeferredIndexes:
    """On PostgreSQL, drop a table's secondary indexes and constraints (not its
    primary key or check constraints) for a bulk load and put them back after:
    one sort per index instead of a million index insertions."""

    def __init__(self, model):
        self.table = model._meta.db_table
        self.constraints: list[tuple[str, str]] = []
        self.indexes: list[str] = []

    def __enter__(self):
        with connection.cursor() as cursor:
            # Dropping a foreign key touches the referenced tables, which must
            # have no deferred checks pending: run those now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') "
                "ORDER BY contype DESC, conname",
                [connection.ops.quote_name(self.table)],
            )
            self.constraints = cursor.fetchall()
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid) "
                "ORDER BY i.relname",
                [connection.ops.quote_name(self.table)],
            )
            indexes = cursor.fetchall()
            self.indexes = [definition for _name, definition in indexes]
            quoted = connection.ops.quote_name(self.table)
            for name, _definition in self.constraints:
                cursor.execute(
                    f"ALTER TABLE {quoted} DROP CONSTRAINT "
                    f"{connection.ops.quote_name(name)}"
                )
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            return False  # the transaction rolls the drops back
        quoted = connection.ops.quote_name(self.table)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for definition in self.indexes:
                cursor.execute(definition)
            # Unique constraints first: foreign keys may point at them.
            for name, definition in sorted(
                self.constraints, key=lambda c: not c[1].startswith("UNIQUE")
            ):
                cursor.execute(
                    f"ALTER TABLE {quoted} ADD CONSTRAINT "
                    f"{connection.ops.quote_name(name)} {definition}"
                )
        return False


# --- The organisation --------------------------------------------------------------


@dataclass(slots=True)
class _Place:
    """One household and where it is, as a case or a sign-up needs it."""

    household_id: int
    unit_id: int
    building_id: int
    building_number: str
    compound_id: int
    grid_id: int
    detail: str
    person_id: int
    name: str
    phone: str


@dataclass
class _Community:
    id: int
    subdistrict_id: int
    name: str
    households: int
    activity: float  # how readily residents report, relative
    late_share: float  # how often its handlers miss a deadline
    grid_ids: list[int] = field(default_factory=list)
    compounds: list[dict] = field(default_factory=list)
    places: list[_Place] = field(default_factory=list)
    staff: list[int] = field(default_factory=list)
    committee_id: int = 0
    grid_branch: dict[int, int] = field(default_factory=dict)
    team_id: int = 0
    members: list[_Place] = field(default_factory=list)  # homes of party members


class Generator:
    """Build the district step by step; each ``build_*`` writes its tables and
    keeps what later steps draw on (places, staff, party organisations)."""

    def __init__(self, shape: Shape, clock: Clock, loader: Loader):
        self.shape = shape
        self.clock = clock
        self.loader = loader
        self.rng = random.Random(shape.seed)
        self.communities: list[_Community] = []
        self.companies: list[dict] = []
        self.grid_worker: dict[int, int] = {}
        self.steward: dict[tuple[int, int], int] = {}
        self.company_of_compound: dict[int, int | None] = {}
        self.created = clock.start - 30 * DAY  # when the registry was filled in
        self.in_service: list[tuple] = []
        self.subdistrict_staff: dict[int, int] = {}

    # Small helpers --------------------------------------------------------------------

    def person_name(self) -> str:
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))

    def mobile(self) -> str:
        return f"1{self.rng.choice('35789')}{self.rng.randrange(10**9):09d}"

    def stamps(self, epoch: int | None = None) -> tuple[int, int]:
        """created_at and updated_at: never later than the generation's now
        (a meeting planned for next week was entered before today)."""
        epoch = self.created if epoch is None else min(epoch, self.clock.now)
        return epoch, epoch

    # District, subdistricts, communities, grids ---------------------------------------

    def build_district(self) -> None:
        taken = set(District.objects.values_list("name", flat=True))
        name = next((n for n in DISTRICT_NAMES if n not in taken), None)
        number = len(taken) + 1
        while name is None or name in taken:
            name = f"{DISTRICT_NAMES[0][:-1]}{number}区"
            number += 1
        codes = set(
            District.objects.exclude(division_code=None).values_list(
                "division_code", flat=True
            )
        )
        # "99…" is no province: generated codes never look like a real place.
        code = next(
            f"99{n:02d}00000000"
            for n in range(1, 100)
            if f"99{n:02d}00000000" not in codes
        )
        district_id = self.loader.id(District)
        self.loader.write(
            District,
            ["id", "created_at", "updated_at", "name", "division_code"],
            [(district_id, *self.stamps(), name, code)],
        )
        self.district_id, self.district_name, self.code = district_id, name, code
        # Tokens and credit codes must differ between districts of the same seed.
        self.tag_rng = random.Random(f"{self.shape.seed}:{code}")

    def build_territory(self) -> None:
        shape, rng, loader = self.shape, self.rng, self.loader
        subdistrict_ids = loader.ids(Subdistrict, shape.subdistricts)
        subdistricts = []
        for index, sid in enumerate(subdistrict_ids):
            base = SUBDISTRICT_NAMES[index % len(SUBDISTRICT_NAMES)]
            suffix = "" if index < len(SUBDISTRICT_NAMES) else str(index)
            subdistricts.append(
                (
                    sid,
                    *self.stamps(),
                    self.district_id,
                    f"{base}{suffix}街道",
                    f"{self.code[:6]}{index + 1:03d}000",
                )
            )
        loader.write(
            Subdistrict,
            ["id", "created_at", "updated_at", "district_id", "name", "division_code"],
            subdistricts,
        )
        # Communities over subdistricts, each with at least one.
        per_subdistrict = [1] * shape.subdistricts
        for _index in range(shape.communities - shape.subdistricts):
            per_subdistrict[rng.randrange(shape.subdistricts)] += 1
        community_ids = iter(loader.ids(Community, shape.communities))
        sizes = [rng.lognormvariate(0, 0.45) for _ in range(shape.communities)]
        community_households = _apportion(shape.households, sizes, minimum=1)
        rows, position = [], 0
        for s_index, count in enumerate(per_subdistrict):
            sid = subdistrict_ids[s_index]
            for c_index in range(count):
                cid = next(community_ids)
                base = COMMUNITY_NAMES[position % len(COMMUNITY_NAMES)]
                suffix = "" if position < len(COMMUNITY_NAMES) else str(position)
                name = f"{base}{suffix}社区"
                households = community_households[position]
                self.communities.append(
                    _Community(
                        id=cid,
                        subdistrict_id=sid,
                        name=name,
                        households=households,
                        activity=rng.uniform(0.6, 1.5),
                        late_share=rng.uniform(0.06, 0.30),
                    )
                )
                founded = datetime.date(rng.randint(1995, 2015), rng.randint(1, 12), 1)
                rows.append(
                    (
                        cid,
                        *self.stamps(),
                        sid,
                        name,
                        f"{self.code[:6]}{s_index + 1:03d}{c_index + 1:03d}",
                        founded,
                        f"{SUBDISTRICT_NAMES[s_index % 20]}路{rng.randint(1, 300)}号",
                    )
                )
                position += 1
        loader.write(
            Community,
            [
                "id",
                "created_at",
                "updated_at",
                "subdistrict_id",
                "name",
                "division_code",
                "founded_date",
                "address",
            ],
            rows,
        )
        self.subdistrict_ids = list(subdistrict_ids)
        self.subdistrict_names = {row[0]: row[4] for row in subdistricts}
        # Grids in proportion to households, at least one a community.
        weights = [c.households for c in self.communities]
        counts = _apportion(shape.grids, weights, minimum=1)
        grid_ids = iter(loader.ids(Grid, sum(counts)))
        rows = []
        for community, count in zip(self.communities, counts, strict=True):
            for number in range(1, count + 1):
                gid = next(grid_ids)
                community.grid_ids.append(gid)
                rows.append(
                    (
                        gid,
                        *self.stamps(),
                        community.id,
                        f"第{number}网格",
                        f"{community.name}第{number}网格群",
                    )
                )
        loader.write(
            Grid,
            ["id", "created_at", "updated_at", "community_id", "name", "chat_group"],
            rows,
        )

    def build_companies(self) -> None:
        rng, loader = self.rng, self.loader
        short = self.district_name[:-1]
        taken = set(PropertyCompany.objects.values_list("name", flat=True))
        ids = loader.ids(PropertyCompany, self.shape.companies)
        rows = []
        for index, cid in enumerate(ids):
            name = f"{short}{COMPANY_WORDS[index % len(COMPANY_WORDS)]}物业服务有限公司"
            if index >= len(COMPANY_WORDS):
                name = name.replace("物业", f"{index}物业", 1)
            while name in taken:
                name = "新" + name
            taken.add(name)
            credit = f"91{self.code[:6]}MA{index:03d}" + "".join(
                self.tag_rng.choices(CREDIT_CHARS, k=5)
            )
            self.companies.append(
                {
                    "id": cid,
                    "name": name,
                    # A few large companies serve most compounds.
                    "weight": rng.paretovariate(1.3),
                    "has_branch": rng.random() < 0.8,
                    "quality": rng.uniform(-0.06, 0.08),
                    "communities": defaultdict(int),
                }
            )
            rows.append(
                (
                    cid,
                    *self.stamps(),
                    self.district_id,
                    name,
                    credit,
                    f"0635-{rng.randint(2000000, 8999999)}",
                    f"{name[:4]}大厦{rng.randint(1, 30)}层",
                )
            )
        loader.write(
            PropertyCompany,
            [
                "id",
                "created_at",
                "updated_at",
                "district_id",
                "name",
                "credit_code",
                "contact_phone",
                "address",
            ],
            rows,
        )

    def build_compounds(self) -> None:
        """Compounds, owners' committees, buildings, units and households."""
        rng, loader = self.rng, self.loader
        compound_rows, committee_rows = [], []
        building_rows, unit_rows, household_rows = [], [], []
        company_weights = [c["weight"] for c in self.companies]
        for community in self.communities:
            n_compounds = rng.randint(8, 15)
            sizes = [rng.lognormvariate(0, 0.7) for _ in range(n_compounds)]
            households = _apportion(community.households, sizes, minimum=1)
            names: set[str] = set()
            buildings: list[list] = []
            for index in range(n_compounds):
                roll = rng.random()
                supervising = ""
                if roll < 0.10:  # 三无: no company, no committee, no supervisor
                    kind, company = "three_no", None
                elif roll < 0.16:
                    kind, company = "staff_housing", None
                else:
                    kind = "managed"
                    company = rng.choices(self.companies, weights=company_weights)[0]
                if kind == "staff_housing":
                    name, supervising = rng.choice(STAFF_HOUSING)
                else:
                    name = rng.choice(COMPOUND_FIRST) + rng.choice(COMPOUND_SUFFIX)
                while name in names:
                    name = rng.choice(COMPOUND_FIRST) + name
                names.add(name)
                style = (
                    "old"
                    if kind != "managed"
                    else rng.choices(["old", "mid", "high"], [40, 25, 35])[0]
                )
                grade = (
                    ""
                    if company is None
                    else {
                        "high": rng.choices("AB", [60, 40])[0],
                        "mid": rng.choices("ABC", [20, 50, 30])[0],
                        "old": rng.choices("BCD", [20, 50, 30])[0],
                    }[style]
                )
                compound_id = loader.id(Compound)
                self.company_of_compound[compound_id] = company and company["id"]
                if company is not None:
                    company["communities"][community.id] += 1
                compound_rows.append(
                    (
                        compound_id,
                        *self.stamps(),
                        community.id,
                        name,
                        f"{community.name[:-2]}路{rng.randint(1, 400)}号",
                        grade,
                        company and company["id"],
                        supervising,
                    )
                )
                committee_id = None
                if company is not None and rng.random() < (
                    0.6 if grade in "AB" else 0.3
                ):
                    committee_id = loader.id(OwnersCommittee)
                    elected = self.clock.first - datetime.timedelta(
                        days=rng.randint(0, 4 * 365)
                    )
                    committee_rows.append(
                        (
                            committee_id,
                            *self.stamps(),
                            compound_id,
                            f"{name}业主委员会",
                            elected,
                            elected + datetime.timedelta(days=5 * 365),
                        )
                    )
                compound = {
                    "id": compound_id,
                    "name": name,
                    "kind": kind,
                    "company": company and company["id"],
                    "committee": committee_id,
                    "households": households[index],
                    "buildings": [],
                }
                community.compounds.append(compound)
                floors, units, rooms = {
                    "old": (6, rng.randint(2, 3), 2),
                    "mid": (11, 2, 2),
                    "high": (rng.choice([18, 26]), 2, rng.randint(2, 3)),
                }[style]
                per_building = floors * units * rooms
                left = households[index]
                number = 0
                while left > 0:
                    number += 1
                    size = min(left, per_building)
                    left -= size
                    buildings.append(
                        [compound, f"{number}号楼", floors, units, rooms, size]
                    )
            # Every grid has at least one building: split the largest until so.
            while len(buildings) < len(community.grid_ids):
                largest = max(buildings, key=lambda b: b[5])
                if largest[5] < 2:
                    break
                half = largest[5] // 2
                largest[5] -= half
                compound = largest[0]
                count = sum(1 for b in buildings if b[0] is compound)
                buildings.append([compound, f"{count + 1}号楼", *largest[2:5], half])
            buildings.sort(key=lambda b: community.compounds.index(b[0]))
            for index, (compound, number, floors, units, rooms, size) in enumerate(
                buildings
            ):
                grid_id = community.grid_ids[
                    index * len(community.grid_ids) // len(buildings)
                ]
                building_id = loader.id(Building)
                compound["buildings"].append((building_id, grid_id))
                building_rows.append(
                    (
                        building_id,
                        *self.stamps(),
                        compound["id"],
                        grid_id,
                        number,
                        floors,
                    )
                )
                left = size
                for unit_number in range(1, units + 1):
                    if left <= 0:
                        break
                    unit_id = loader.id(Unit)
                    unit_rows.append(
                        (unit_id, *self.stamps(), building_id, f"{unit_number}单元")
                    )
                    for floor in range(1, floors + 1):
                        for room in range(1, rooms + 1):
                            if left <= 0:
                                break
                            left -= 1
                            household_id = loader.id(Household)
                            room_name = f"{floor}{room:02d}"
                            area = 55 + rng.randrange(9000) / 100
                            household_rows.append(
                                (
                                    household_id,
                                    *self.stamps(),
                                    unit_id,
                                    room_name,
                                    f"{area:.2f}",
                                )
                            )
                            community.places.append(
                                _Place(
                                    household_id=household_id,
                                    unit_id=unit_id,
                                    building_id=building_id,
                                    building_number=number,
                                    compound_id=compound["id"],
                                    grid_id=grid_id,
                                    detail=f"{unit_number}单元{room_name}",
                                    person_id=0,
                                    name="",
                                    phone="",
                                )
                            )
        stamp = ["id", "created_at", "updated_at"]
        loader.write(
            Compound,
            [
                *stamp,
                "community_id",
                "name",
                "address",
                "grade",
                "property_company_id",
                "supervising_unit",
            ],
            compound_rows,
        )
        loader.write(
            OwnersCommittee,
            [*stamp, "compound_id", "name", "elected_date", "term_end_date"],
            committee_rows,
        )
        loader.write(
            Building,
            [*stamp, "compound_id", "grid_id", "number", "floors"],
            building_rows,
        )
        loader.write(Unit, [*stamp, "building_id", "number"], unit_rows)
        loader.write(
            Household, [*stamp, "unit_id", "room", "floor_area"], household_rows
        )

    # Party organisations --------------------------------------------------------------

    def build_party(self) -> None:
        rng, loader = self.rng, self.loader
        rows = []
        established = self.clock.first - datetime.timedelta(days=3 * 365)

        def org(name, kind, parent, subdistrict, community=None, **attached):
            org_id = loader.id(PartyOrganization)
            rows.append(
                (
                    org_id,
                    *self.stamps(),
                    name,
                    kind,
                    parent,
                    subdistrict,
                    community,
                    attached.get("grid"),
                    attached.get("company"),
                    attached.get("committee"),
                    established,
                )
            )
            return org_id

        K = PartyOrganization.Kind
        working = {
            sid: org(f"{name}党工委", K.SUBDISTRICT_COMMITTEE, None, sid)
            for sid, name in self.subdistrict_names.items()
        }
        self.party_orgs = {"working": working, "property": {}, "committee": {}}
        average = self.shape.households / len(self.communities)
        for community in self.communities:
            # Smaller communities have a general branch instead of a committee.
            kind = (
                K.COMMUNITY_COMMITTEE
                if community.households >= average * 0.6
                else K.COMMUNITY_GENERAL_BRANCH
            )
            label = "党委" if kind == K.COMMUNITY_COMMITTEE else "党总支"
            community.committee_id = org(
                f"{community.name}{label}",
                kind,
                working[community.subdistrict_id],
                community.subdistrict_id,
                community.id,
            )
            for number, gid in enumerate(community.grid_ids, 1):
                if rng.random() < 0.85:
                    branch = org(
                        f"{community.name}第{number}网格党支部",
                        K.GRID_BRANCH,
                        community.committee_id,
                        community.subdistrict_id,
                        community.id,
                        grid=gid,
                    )
                    community.grid_branch[gid] = branch
                    if rng.random() < 0.5:
                        org(
                            f"{community.name}第{number}网格第一党小组",
                            K.PARTY_GROUP,
                            branch,
                            community.subdistrict_id,
                            community.id,
                            grid=gid,
                        )
            for compound in community.compounds:
                if compound["committee"] and rng.random() < 0.3:
                    self.party_orgs["committee"][compound["committee"]] = org(
                        f"{compound['name']}业委会党支部",
                        K.OWNERS_COMMITTEE_BRANCH,
                        community.committee_id,
                        community.subdistrict_id,
                        community.id,
                        committee=compound["committee"],
                    )
        by_id = {c.id: c for c in self.communities}
        for company in self.companies:
            if not company["has_branch"] or not company["communities"]:
                continue
            home = by_id[max(company["communities"], key=company["communities"].get)]
            company["branch"] = org(
                f"{company['name'].replace('服务有限公司', '')}党支部",
                K.PROPERTY_BRANCH,
                home.committee_id,
                home.subdistrict_id,
                home.id,
                company=company["id"],
            )
            company["home"] = home.id
        loader.write(
            PartyOrganization,
            [
                "id",
                "created_at",
                "updated_at",
                "name",
                "kind",
                "parent_id",
                "subdistrict_id",
                "community_id",
                "grid_id",
                "property_company_id",
                "owners_committee_id",
                "established_date",
            ],
            rows,
        )

    # People, staff and their roles ----------------------------------------------------

    def build_people(self) -> None:
        """One registered resident a household, staff, roles and party members."""
        rng, loader, clock = self.rng, self.loader, self.clock
        person_rows, role_rows, member_rows = [], [], []
        start = clock.first - datetime.timedelta(days=365)
        today = clock.today

        def person(community_id, household_id=None) -> tuple[int, str, str]:
            person_id = loader.id(Person)
            name, phone = self.person_name(), self.mobile()
            person_rows.append(
                (
                    person_id,
                    *self.stamps(),
                    community_id,
                    name,
                    rng.choice("MF"),
                    today - datetime.timedelta(days=rng.randrange(18 * 365, 85 * 365)),
                    phone,
                    household_id,
                    None
                    if household_id is None
                    else today - datetime.timedelta(days=rng.randrange(30, 25 * 365)),
                )
            )
            return person_id, name, phone

        def role(person_id, kind, **targets) -> None:
            row = dict.fromkeys(Role.TARGET_FIELDS)
            row.update(targets)
            role_rows.append(
                (
                    loader.id(Role),
                    *self.stamps(),
                    person_id,
                    kind,
                    start,
                    None,
                    *(row[f] for f in Role.TARGET_FIELDS),
                    "",
                )
            )

        K = Role.Kind
        first_community = {}
        for community in self.communities:
            first_community.setdefault(community.subdistrict_id, community.id)
            for place in community.places:
                place.person_id, place.name, place.phone = person(
                    community.id, place.household_id
                )
            for _index in range(3):
                staff_id = person(community.id)[0]
                community.staff.append(staff_id)
                role(staff_id, K.COMMUNITY_STAFF, community=community.id)
            role(
                community.staff[0], K.PARTY_SECRETARY, party_org=community.committee_id
            )
            for gid in community.grid_ids:
                worker = person(community.id)[0]
                self.grid_worker[gid] = worker
                role(worker, K.GRID_WORKER, grid=gid)
                if gid in community.grid_branch:
                    # 交叉任职: the grid worker is secretary of the grid branch.
                    role(
                        worker, K.PARTY_SECRETARY, party_org=community.grid_branch[gid]
                    )
            served = sorted(
                {
                    (grid_id, compound["company"])
                    for compound in community.compounds
                    if compound["company"]
                    for _building, grid_id in compound["buildings"]
                }
            )
            for grid_id, company_id in served:
                steward = person(community.id)[0]
                self.steward[grid_id, company_id] = steward
                role(
                    steward,
                    K.PROPERTY_STEWARD,
                    grid=grid_id,
                    property_company=company_id,
                )
                repairer = person(community.id)[0]
                role(
                    repairer, K.REPAIR_WORKER, grid=grid_id, property_company=company_id
                )
            role(
                rng.choice(community.places).person_id, K.DEPUTY, community=community.id
            )
            heads = {}
            for place in community.places:
                heads.setdefault(place.building_id, place)
            for building_id, place in heads.items():
                if rng.random() < 0.7:
                    role(place.person_id, K.BUILDING_HEAD, building=building_id)
            for compound in community.compounds:
                if compound["committee"]:
                    chair = next(
                        (
                            p
                            for p in community.places
                            if p.compound_id == compound["id"]
                        ),
                        None,
                    )
                    if chair is not None:
                        role(
                            chair.person_id,
                            K.OWNERS_COMMITTEE_CHAIR,
                            owners_committee=compound["committee"],
                        )
            # About 3% of residents are party members.
            stairwell: set[int] = set()
            branch_of = {
                c["branch"]: c for c in self.companies if c.get("home") == community.id
            }
            for place in community.places:
                if rng.random() >= 0.03:
                    continue
                roll = rng.random()
                company = self.company_of_compound.get(place.compound_id)
                branch = next(
                    (b for b, c in branch_of.items() if c["id"] == company), None
                )
                work_unit = work_org = ""
                reported = None
                if roll < 0.22:
                    kind, org = PartyMember.Kind.IN_SERVICE, None
                    work_unit = rng.choice(WORK_UNITS)
                    work_org = f"{work_unit}党委"
                    reported = clock.first + datetime.timedelta(
                        days=rng.randrange(clock.days)
                    )
                elif roll < 0.30 and branch is not None:
                    kind, org = PartyMember.Kind.PROPERTY_COMPANY, branch
                else:
                    kind = PartyMember.Kind.REGISTERED
                    org = community.grid_branch.get(
                        place.grid_id, community.committee_id
                    )
                member_rows.append(
                    (
                        loader.id(PartyMember),
                        *self.stamps(),
                        place.person_id,
                        kind,
                        community.id,
                        org,
                        place.grid_id,
                        work_unit,
                        work_org,
                        today
                        - datetime.timedelta(days=rng.randrange(2 * 365, 50 * 365)),
                        reported,
                    )
                )
                community.members.append(place)
                if kind == PartyMember.Kind.IN_SERVICE:
                    self.in_service.append((community, place, work_unit, work_org))
                if place.building_id not in stairwell:
                    stairwell.add(place.building_id)
                    role(
                        place.person_id,
                        K.STAIRWELL_PARTY_MEMBER,
                        building=place.building_id,
                    )
        for sid in self.subdistrict_ids:
            for _index in range(2):
                staff_id = person(first_community[sid])[0]
                role(staff_id, K.SUBDISTRICT_STAFF, subdistrict=sid)
                self.subdistrict_staff.setdefault(sid, staff_id)
        for _index in range(3):
            role(
                person(self.communities[0].id)[0],
                K.DISTRICT_STAFF,
                district=self.district_id,
            )
        by_id = {c.id: c for c in self.communities}
        for company in self.companies:
            if "branch" in company:
                instructor = self.subdistrict_staff[
                    by_id[company["home"]].subdistrict_id
                ]
                role(instructor, K.PARTY_INSTRUCTOR, property_company=company["id"])
        stamp = ["id", "created_at", "updated_at"]
        loader.write(
            Person,
            [
                *stamp,
                "community_id",
                "name",
                "gender",
                "birth_date",
                "mobile",
                "household_id",
                "moved_in_date",
            ],
            person_rows,
        )
        loader.write(
            Role,
            [
                *stamp,
                "person_id",
                "kind",
                "start_date",
                "end_date",
                *(f"{f}_id" for f in Role.TARGET_FIELDS),
                "note",
            ],
            role_rows,
        )
        loader.write(
            PartyMember,
            [
                *stamp,
                "person_id",
                "kind",
                "community_id",
                "party_org_id",
                "grid_id",
                "work_unit",
                "work_unit_party_org",
                "joined_party_date",
                "reported_date",
            ],
            member_rows,
        )

    # Resident reports -----------------------------------------------------------------

    def reference_data(self) -> None:
        """The seeds' categories and departments, shared with any already there."""
        from petitions.demo import categories_ensure

        self.categories = [category for category, _made in categories_ensure()]
        self.departments = {
            name: Department.objects.get_or_create(name=name)[0].pk
            for name in DEPARTMENTS
        }

    def case_times(self) -> tuple[list[int], list[int], list[int]]:
        """Return when each case came in (sorted), its community and category.

        More cases as the platform is adopted, more in summer, fewer at the
        Spring Festival and at weekends, most in office hours.
        """
        rng, clock, n = self.rng, self.clock, self.shape.petitions
        day_weights = []
        for offset in range(clock.days):
            day = clock.first + datetime.timedelta(days=offset)
            weight = 0.55 + 0.9 * offset / clock.days
            weight *= 1 + 0.15 * math.cos(
                2 * math.pi * (day.timetuple().tm_yday - 196) / 365.25
            )
            if day.month == 2:
                weight *= 0.8
            if day.weekday() >= 5:
                weight *= 0.85
            day_weights.append(weight)
        elapsed = (clock.now - clock.midnight(clock.today)) / DAY
        day_weights[-1] *= elapsed
        days = rng.choices(range(clock.days), weights=day_weights, k=n)
        hours = rng.choices(range(24), weights=HOUR_WEIGHTS, k=n)
        randrange, start, now = rng.randrange, clock.start, clock.now
        times = []
        for day, hour in zip(days, hours, strict=True):
            moment = start + day * DAY + hour * HOUR + randrange(HOUR)
            times.append(moment if moment < now else now - randrange(1, 6 * HOUR))
        times.sort()
        community_weights = [c.households * c.activity for c in self.communities]
        communities = rng.choices(range(len(self.communities)), community_weights, k=n)
        cumulative = []
        for month in range(12):
            running, weights = 0.0, []
            for category in self.categories:
                weight, season, *_rest = CASE_PROFILE.get(
                    category.code, DEFAULT_PROFILE
                )
                running += weight * (season[month] if season else 1)
                weights.append(running)
            cumulative.append(weights)
        month_of_day = [
            (clock.first + datetime.timedelta(days=offset)).month - 1
            for offset in range(clock.days)
        ]
        random_ = rng.random
        categories = []
        for moment in times:
            weights = cumulative[month_of_day[(moment - start) // DAY]]
            categories.append(bisect.bisect_right(weights, random_() * weights[-1]))
        return times, communities, categories

    def build_petitions(self) -> None:
        rng, clock, loader = self.rng, self.clock, self.loader
        times, community_of, category_of = self.case_times()
        ids = loader.ids(Petition, len(times))
        now = clock.now
        random_ = rng.random
        token_bytes = self.tag_rng.randbytes
        urlsafe = base64.urlsafe_b64encode
        channels, channel_weights = zip(*CHANNELS, strict=True)
        channel_picks = rng.choices(channels, channel_weights, k=len(times))
        handler_kind = Category.Handler
        cats = []
        for category in self.categories:
            _w, _s, unplaced, refer, departments, texts = CASE_PROFILE.get(
                category.code, DEFAULT_PROFILE
            )
            cats.append(
                (
                    category.pk,
                    category.accept_hours * HOUR,
                    category.resolve_hours * HOUR,
                    category.default_handler,
                    category.allows_anonymous,
                    unplaced,
                    refer,
                    [self.departments[d] for d in departments]
                    or list(self.departments.values()),
                    texts,
                )
            )
        quality = {c["id"]: c["quality"] for c in self.companies}
        day_label: dict[int, tuple[str, int]] = {}
        last_case: dict[int, int] = {}
        self.case_samples: dict[tuple[int, int], list[int]] = defaultdict(list)
        communities = self.communities
        grid_worker, steward = self.grid_worker, self.steward
        company_of = self.company_of_compound

        def rows():
            for index, t0 in enumerate(times):
                pk = ids[index]
                community = communities[community_of[index]]
                (
                    category_id,
                    acc_s,
                    res_s,
                    handled_by,
                    anonymous_ok,
                    unplaced,
                    refer_share,
                    departments,
                    texts,
                ) = cats[category_of[index]]
                place = None
                if community.places and random_() >= unplaced:
                    place = community.places[int(random_() * len(community.places))]
                company = place and company_of.get(place.compound_id)
                late_share = community.late_share - (quality[company] if company else 0)
                # Who would handle it.
                if place is None or handled_by == handler_kind.COMMUNITY:
                    handler = community.staff[int(random_() * 3)]
                elif handled_by == handler_kind.PROPERTY and company:
                    handler = steward.get((place.grid_id, company)) or grid_worker.get(
                        place.grid_id
                    )
                else:
                    handler = grid_worker.get(place.grid_id)
                accept_due, resolve_due = t0 + acc_s, t0 + res_s
                events = []
                department = merged_into = None
                rating = comment = ""
                roll = random_()
                previous = last_case.get(community.id)
                if roll < 0.025:
                    events.append((t0 + 60 + int(acc_s * 0.9 * random_()), A_REJECT))
                elif roll < 0.037 and previous is not None:
                    events.append((t0 + 60 + int(acc_s * 0.9 * random_()), A_MERGE))
                    merged_into = previous
                else:
                    if random_() < late_share * 0.6:
                        t = accept_due + 60 + int(acc_s * 3 * random_() ** 2)
                    else:
                        t = t0 + 60 + int((acc_s - 120) * random_() ** 1.5)
                    events.append((t, A_ACCEPT))
                    if random_() < 0.9:
                        t += 300 + int(5400 * random_())
                        events.append((t, A_DISPATCH))
                        t += 600 + int(min(res_s * 0.2, DAY) * random_())
                        events.append((t, A_START))
                    else:
                        handler = None
                    late = random_() < late_share
                    if random_() < 0.015:
                        t += HOUR + int(3 * DAY * random_())
                        events.append((t, A_HOLD))
                        t += DAY + int(10 * DAY * random_())
                        events.append((t, A_RESUME))
                    if random_() < refer_share:
                        department = departments[int(random_() * len(departments))]
                        t += 1800 + int(DAY * random_())
                        events.append((t, A_REFER))
                        late = late or random_() < 0.4
                    # A very few stick (about 200 a year at full size): the
                    # backlog that escalation is for.
                    if random_() >= 0.0006:
                        if late:
                            target = (
                                resolve_due + 600 + int(2.5 * res_s * random_() ** 1.5)
                            )
                        else:
                            target = t0 + int(res_s * (0.15 + 0.8 * random_()))
                        t = max(t + 600, target)
                        events.append((t, A_RESOLVE))
                        was_late = t > resolve_due
                        reopen = random_()
                        reopen_share = 0.10 if was_late else 0.035
                        rounds = (
                            0
                            if reopen >= reopen_share
                            else (2 if reopen < reopen_share * 0.1 else 1)
                        )
                        for _round in range(rounds):
                            t += HOUR + int(2 * DAY * random_())
                            events.append((t, A_REOPEN))
                            t += 1800 + int(res_s * 0.5 * random_())
                            events.append((t, A_RESOLVE))
                        if random_() < 0.65:
                            t += 600 + int(3 * DAY * random_() ** 2)
                            events.append((t, A_CONFIRM))
                            mood = random_()
                            if rounds:
                                rating = (
                                    "satisfied"
                                    if mood < 0.45
                                    else ("fairly" if mood < 0.75 else "dissatisfied")
                                )
                            elif was_late:
                                rating = (
                                    "satisfied"
                                    if mood < 0.55
                                    else ("fairly" if mood < 0.80 else "dissatisfied")
                                )
                            else:
                                rating = (
                                    "satisfied"
                                    if mood < 0.84
                                    else ("fairly" if mood < 0.96 else "dissatisfied")
                                )
                            if random_() < 0.3:
                                comment = RATING_COMMENTS[
                                    0
                                    if rating == "satisfied"
                                    else (2 if rating == "fairly" else 3)
                                ]
                        else:
                            t += AUTO_CLOSE_DAYS * DAY + int(HOUR * random_())
                            events.append((t, A_AUTO_CLOSE))
                # Where the case stands now.
                status = S.SUBMITTED
                accepted_at = resolved_at = closed_at = None
                reopen_count = 0
                version = 1
                updated = t0
                has_handler = has_department = has_merge = given_rating = False
                for moment, action in events:
                    if moment > now:
                        break
                    version += 1
                    updated = moment
                    if action == A_ACCEPT:
                        status, accepted_at = S.ACCEPTED, moment
                    elif action == A_DISPATCH:
                        status, has_handler = S.DISPATCHED, True
                    elif action == A_START:
                        status = S.IN_PROGRESS
                    elif action == A_HOLD:
                        status = S.ON_HOLD
                    elif action == A_RESUME:
                        status = S.DISPATCHED if has_handler else S.ACCEPTED
                    elif action == A_REFER:
                        status, has_department = S.REFERRED, True
                    elif action == A_RESOLVE:
                        status, resolved_at = S.AWAITING_RESIDENT, moment
                    elif action == A_REOPEN:
                        status = S.DISPATCHED if has_handler else S.ACCEPTED
                        reopen_count += 1
                        resolved_at = None
                    elif action == A_CONFIRM:
                        status, closed_at, given_rating = S.CLOSED, moment, True
                    elif action == A_AUTO_CLOSE:
                        status, closed_at = S.CLOSED, moment
                    elif action == A_REJECT:
                        status, closed_at = S.REJECTED, moment
                    else:
                        status, closed_at, has_merge = S.MERGED, moment, True
                # The level the escalation task would have raised it to.
                level = 0 if place is not None else 1
                if accepted_at is None and status == S.SUBMITTED and now > accept_due:
                    level = max(level, 1 + (now - accept_due) // acc_s)
                elif accepted_at is not None and accepted_at > accept_due:
                    level = max(level, 1 + (accepted_at - accept_due) // acc_s)
                done = resolved_at or (
                    now if status in (S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS) else None
                )
                if done is not None and done > resolve_due:
                    level = max(level, 1 + (done - resolve_due) // res_s)
                level = min(level, 2)
                if status != S.MERGED:
                    last_case[community.id] = pk
                day = (t0 + OFFSET) // DAY
                known = day_label.get(day)
                if known is None:
                    local = clock.date(t0)
                    known = (local.strftime("%y%m%d"), _month_key(local))
                    day_label[day] = known
                label, month = known
                samples = self.case_samples[community.id, month]
                if len(samples) < 4:
                    samples.append(pk)
                anonymous = anonymous_ok and random_() < 0.25
                text = texts[int(random_() * len(texts))].format(
                    b=place.building_number if place else "小区"
                )
                if anonymous:
                    name = phone = ""
                elif place is not None and random_() < 0.8:
                    name, phone = place.name, place.phone
                else:
                    name, phone = self.person_name(), self.mobile()
                yield (
                    pk,
                    t0,
                    updated,
                    f"{label}-{pk}",
                    urlsafe(token_bytes(18)).decode(),
                    category_id,
                    text,
                    {},
                    community.id,
                    place and place.grid_id,
                    place and place.compound_id,
                    place and place.building_id,
                    place.detail if place else "",
                    name,
                    phone,
                    anonymous,
                    channel_picks[index],
                    status,
                    handler if has_handler else None,
                    level,
                    department if has_department else None,
                    merged_into if has_merge else None,
                    accept_due,
                    resolve_due,
                    accepted_at,
                    resolved_at,
                    closed_at,
                    rating if given_rating else "",
                    comment if given_rating else "",
                    reopen_count,
                    version,
                )

        fields = [
            "id",
            "created_at",
            "updated_at",
            "number",
            "tracking_token",
            "category_id",
            "description",
            "answers",
            "community_id",
            "grid_id",
            "compound_id",
            "building_id",
            "place_detail",
            "reporter_name",
            "reporter_phone",
            "is_anonymous",
            "channel",
            "status",
            "handler_id",
            "escalation_level",
            "department_id",
            "merged_into_id",
            "accept_due_at",
            "resolve_due_at",
            "accepted_at",
            "resolved_at",
            "closed_at",
            "rating",
            "rating_comment",
            "reopen_count",
            "version",
        ]
        if loader.is_postgresql and len(times) >= DEFER_INDEXES_FROM:
            with _DeferredIndexes(Petition):
                loader.write(Petition, fields, rows())
        else:
            loader.write(Petition, fields, rows())

    # Deliberation ---------------------------------------------------------------------

    def build_deliberation(self) -> None:
        rng, clock, loader, scale = self.rng, self.clock, self.loader, self.shape.scale
        months = _months(clock.first, clock.today + datetime.timedelta(days=31))
        body_rows, meeting_rows, topic_rows, item_rows = [], [], [], []
        update_rows, attendance_rows, matter_rows = [], [], []
        now = clock.now
        for community in self.communities:
            bodies = [
                (
                    "红色议事会",
                    DeliberationBody.Kind.HALL,
                    None,
                    DeliberationBody.Rule.MONTHLY_DAY,
                    rng.randint(5, 25),
                    None,
                    None,
                    rng.choice([15, 19]),
                    True,
                    MEETINGS_PER_MONTH,
                )
            ]
            if rng.random() < 0.15:
                bodies.append(
                    (
                        "逢四说事联席会议",
                        DeliberationBody.Kind.JOINT,
                        None,
                        DeliberationBody.Rule.FENGSI,
                        None,
                        None,
                        None,
                        15,
                        True,
                        0.9,
                    )
                )
            for compound in community.compounds:
                if compound["kind"] == "three_no":
                    bodies.append(
                        (
                            f"{compound['name']}小板凳议事会",
                            DeliberationBody.Kind.STOOL,
                            compound["id"],
                            DeliberationBody.Rule.MONTHLY_WEEKDAY,
                            None,
                            1,
                            5,
                            10,
                            False,
                            0.33,
                        )
                    )
            owners = community.staff + [
                self.grid_worker[g] for g in community.grid_ids if g in self.grid_worker
            ]
            for (
                name,
                kind,
                compound_id,
                rule,
                day_of_month,
                nth,
                weekday,
                hour,
                monthly,
                per_slot,
            ) in bodies:
                body_id = loader.id(DeliberationBody)
                place = "红色物业议事厅" if compound_id is None else "小区广场"
                body_rows.append(
                    (
                        body_id,
                        *self.stamps(),
                        community.id,
                        compound_id,
                        f"{community.name}{name}" if compound_id is None else name,
                        kind,
                        community.committee_id,
                        rule,
                        day_of_month,
                        nth,
                        weekday,
                        datetime.time(hour, 0),
                        90,
                        place,
                        monthly,
                    )
                )
                open_items: list[list] = []  # [item id, title, done at, cancelled]
                next_planned = True
                for month in months:
                    if rule == DeliberationBody.Rule.FENGSI:
                        days = [month.replace(day=d) for d in (4, 14, 24)]
                    elif rule == DeliberationBody.Rule.MONTHLY_DAY:
                        days = [month.replace(day=day_of_month)]
                    else:
                        first_saturday = month + datetime.timedelta(
                            days=(weekday - month.weekday()) % 7
                        )
                        days = [first_saturday]
                    for day in days:
                        if day < clock.first:
                            continue
                        if day > clock.today and not next_planned:
                            continue
                        if _count(rng, per_slot * scale) == 0:
                            continue
                        starts = clock.at(day, hour)
                        meeting_id = loader.id(Meeting)
                        if starts + 90 * 60 > now:  # not over yet
                            next_planned = False
                            status, minutes, publish = "planned", "", None
                        elif rng.random() < 0.03:
                            # meeting_cancel keeps the reason in the minutes.
                            status, publish = "cancelled", None
                            minutes = "天气原因，改期召开。"
                        else:
                            status = "closed"
                            publish = day + datetime.timedelta(days=40)
                        position = 0
                        decisions = []
                        if status != "cancelled":
                            # Unfinished items of earlier meetings come back.
                            for item in open_items:
                                item_id, title, done_at, cancelled = item
                                if cancelled or (
                                    done_at is not None and done_at <= starts
                                ):
                                    continue
                                if (
                                    status == "planned"
                                    and done_at is not None
                                    and done_at <= now
                                ):
                                    continue
                                position += 1
                                topic_rows.append(
                                    (
                                        loader.id(AgendaTopic),
                                        *self.stamps(starts - 3 * DAY),
                                        meeting_id,
                                        f"未完成事项：{title}",
                                        AgendaTopic.Source.CARRIED,
                                        None,
                                        item_id,
                                        "" if status == "planned" else "deferred",
                                        ""
                                        if status == "planned"
                                        else "继续推进，下次会议汇报进展。",
                                        None,
                                        None,
                                        None,
                                        position,
                                    )
                                )
                            open_items = [
                                i
                                for i in open_items
                                if not i[3] and (i[2] is None or i[2] > starts)
                            ]
                        if status == "closed":
                            people = rng.sample(
                                community.places,
                                min(len(community.places), rng.randint(8, 20)),
                            )
                            seen = set()
                            for person in people:
                                if person.phone in seen:
                                    continue
                                seen.add(person.phone)
                                attendance_rows.append(
                                    (
                                        loader.id(Attendance),
                                        meeting_id,
                                        person.name,
                                        person.phone,
                                        person.person_id,
                                        "qr" if rng.random() < 0.8 else "staff",
                                        starts - 600 + rng.randrange(1500),
                                    )
                                )
                            attendees = len(seen)
                            for title, decision_text in rng.sample(
                                MEETING_TOPICS, rng.randint(1, 3)
                            ):
                                position += 1
                                topic_id = loader.id(AgendaTopic)
                                samples = self.case_samples.get(
                                    (community.id, _month_key(day)), []
                                )
                                petition = (
                                    rng.choice(samples)
                                    if samples and rng.random() < 0.35
                                    else None
                                )
                                decision = rng.choices(
                                    ["adopted", "deferred", "rejected", "referred"],
                                    [75, 10, 5, 10],
                                )[0]
                                against = rng.randint(0, max(0, attendees // 5))
                                topic_rows.append(
                                    (
                                        topic_id,
                                        *self.stamps(starts - 5 * DAY),
                                        meeting_id,
                                        title,
                                        AgendaTopic.Source.PETITION
                                        if petition
                                        else AgendaTopic.Source.STAFF,
                                        petition,
                                        None,
                                        decision,
                                        decision_text,
                                        max(0, attendees - against - 1),
                                        against,
                                        min(1, attendees),
                                        position,
                                    )
                                )
                                decisions.append(f"{title}：{decision_text}")
                                if decision != "adopted":
                                    continue
                                for _n in range(rng.randint(1, 2)):
                                    self._action_item(
                                        item_rows,
                                        update_rows,
                                        open_items,
                                        topic_id,
                                        title,
                                        rng.choice(owners),
                                        day,
                                        starts + 90 * 60,
                                    )
                            minutes = "；".join(decisions) or "听取居民意见。"
                        meeting_rows.append(
                            (
                                meeting_id,
                                *self.stamps(starts - 20 * DAY),
                                body_id,
                                day,
                                starts,
                                starts + 90 * 60,
                                place,
                                status,
                                minutes,
                                self.token(16),
                                publish,
                            )
                        )
            self._major_matters(community, matter_rows)
        stamp = ["id", "created_at", "updated_at"]
        loader.write(
            DeliberationBody,
            [
                *stamp,
                "community_id",
                "compound_id",
                "name",
                "kind",
                "host_id",
                "rule",
                "day_of_month",
                "nth",
                "weekday",
                "start_time",
                "duration_minutes",
                "place",
                "must_meet_monthly",
            ],
            body_rows,
        )
        loader.write(
            Meeting,
            [
                *stamp,
                "body_id",
                "series_date",
                "starts_at",
                "ends_at",
                "place",
                "status",
                "minutes",
                "sign_in_token",
                "publish_until",
            ],
            meeting_rows,
        )
        loader.write(
            AgendaTopic,
            [
                *stamp,
                "meeting_id",
                "title",
                "source",
                "petition_id",
                "carried_item_id",
                "decision",
                "decision_text",
                "votes_for",
                "votes_against",
                "votes_abstain",
                "position",
            ],
            topic_rows,
        )
        loader.write(
            ActionItem,
            [
                *stamp,
                "topic_id",
                "title",
                "owner_id",
                "due_date",
                "status",
                "progress",
                "done_at",
            ],
            item_rows,
        )
        loader.write(
            ActionItemUpdate,
            ["id", "item_id", "status", "progress", "note", "created_at"],
            update_rows,
        )
        loader.write(
            Attendance,
            [
                "id",
                "meeting_id",
                "name",
                "phone",
                "person_id",
                "method",
                "signed_in_at",
            ],
            attendance_rows,
        )
        loader.write(
            MajorMatter,
            [
                *stamp,
                "compound_id",
                "kind",
                "title",
                "description",
                "party_org_id",
                "status",
                "party_opinion",
                "party_decided_at",
                "outcome",
                "owners_decided_at",
            ],
            matter_rows,
        )

    def _action_item(
        self, item_rows, update_rows, open_items, topic_id, title, owner, day, ended
    ) -> None:
        """One action item of a decision: most done on time, some late, a few
        still open past their date or cancelled."""
        rng, clock, loader = self.rng, self.clock, self.loader
        item_id = loader.id(ActionItem)
        due = day + datetime.timedelta(days=rng.randint(7, 45))
        due_end = clock.at(due, 18)
        roll = rng.random()
        done_at = cancelled_at = None
        if roll < 0.72:
            done_at = ended + int((due_end - ended) * rng.random())
        elif roll < 0.88:
            done_at = due_end + rng.randint(1, 40) * DAY
        elif roll < 0.91:
            cancelled_at = due_end
        now = clock.now
        if done_at is not None and done_at <= now:
            status, progress, done, updated = "done", 100, done_at, done_at
        elif cancelled_at is not None and cancelled_at <= now:
            status, progress, done, updated = "cancelled", 0, None, cancelled_at
        else:
            started = rng.random() < 0.7
            status = "in_progress" if started else "open"
            progress, done, updated = (
                (rng.randint(2, 8) * 10 if started else 0),
                None,
                ended,
            )
        item_rows.append(
            (
                item_id,
                ended,
                updated,
                topic_id,
                title,
                owner,
                due,
                status,
                progress,
                done,
            )
        )
        update_rows.append(
            (loader.id(ActionItemUpdate), item_id, "open", 0, "已分派。", ended)
        )
        if status != "open":
            update_rows.append(
                (
                    loader.id(ActionItemUpdate),
                    item_id,
                    status,
                    progress,
                    {"done": "已完成", "cancelled": "情况变化，取消"}.get(
                        status, "推进中"
                    ),
                    updated,
                )
            )
        open_items.append([item_id, title, done_at, cancelled_at is not None])

    def _major_matters(self, community, matter_rows) -> None:
        rng, clock, loader = self.rng, self.clock, self.loader
        expected = MATTERS_PER_YEAR * self.shape.years * self.shape.scale
        now = clock.now
        for compound in community.compounds:
            if compound["kind"] != "managed":
                continue
            for _n in range(_count(rng, expected)):
                kind, title = rng.choice(MATTERS)
                raised = clock.start + rng.randrange(clock.now - clock.start)
                org = self.party_orgs["committee"].get(compound["committee"])
                if org is None and compound["buildings"]:
                    org = community.grid_branch.get(compound["buildings"][0][1])
                org = org or community.committee_id
                party_at = raised + rng.randint(3, 20) * DAY
                owners_at = party_at + rng.randint(15, 60) * DAY
                published_at = owners_at + rng.randint(3, 10) * DAY
                implemented_at = published_at + rng.randint(30, 180) * DAY
                sent_back = rng.random() < 0.1
                passed = rng.random() < 0.8
                status, party_decided, owners_decided, outcome = (
                    "raised",
                    None,
                    None,
                    {},
                )
                updated = raised
                if party_at <= now:
                    party_decided, updated = party_at, party_at
                    status = "sent_back" if sent_back else "party_passed"
                if not sent_back and owners_at <= now:
                    owners_decided, updated = owners_at, owners_at
                    status = "owners_passed" if passed else "owners_rejected"
                    owners = max(1, len(compound["buildings"]) * 30)
                    voted = int(owners * rng.uniform(0.7, 0.95))
                    agree = int(voted * (rng.uniform(0.6, 0.95) if passed else 0.4))
                    outcome = {
                        "passed": passed,
                        "failed": []
                        if passed
                        else [["consent_owners", "参与表决的业主同意未过半数。"]],
                        "total_area": f"{owners * 95}.00",
                        "total_owners": owners,
                        "voted_area": f"{voted * 95}.00",
                        "voted_owners": voted,
                        "agree_area": f"{agree * 95}.00",
                        "agree_owners": agree,
                        "special": kind in MajorMatter.SPECIAL_KINDS,
                    }
                if status == "owners_passed" and published_at <= now:
                    status, updated = "publicised", published_at
                if status == "publicised" and implemented_at <= now:
                    status, updated = "implemented", implemented_at
                matter_rows.append(
                    (
                        loader.id(MajorMatter),
                        raised,
                        updated,
                        compound["id"],
                        kind,
                        title.format(c=compound["name"]),
                        "经网格党支部前置研究后提交业主表决。",
                        org,
                        status,
                        "" if party_decided is None else "同意提交业主大会表决。",
                        party_decided,
                        outcome,
                        owners_decided,
                    )
                )

    # Volunteers -----------------------------------------------------------------------

    def build_volunteers(self) -> None:
        rng, clock, loader, scale = self.rng, self.clock, self.loader, self.shape.scale
        team_rows, registration_rows, activity_rows = [], [], []
        signup_rows, wish_rows = [], []
        months = _months(clock.first, clock.today)
        for community in self.communities:
            community.team_id = loader.id(Team)
            team_rows.append(
                (
                    community.team_id,
                    *self.stamps(),
                    community.id,
                    "红领管家志愿服务队",
                    None,
                    community.staff[1],
                )
            )
            teams = [community.team_id]
            for name in ["文明传递", "矛盾调处", "爱心接力", "美丽家园"]:
                team_id = loader.id(Team)
                teams.append(team_id)
                team_rows.append(
                    (
                        team_id,
                        *self.stamps(),
                        community.id,
                        f"{name}分队",
                        community.team_id,
                        None,
                    )
                )
            volunteers = (
                community.members + community.places[: max(30, len(community.members))]
            )
            for month in months:
                for _n in range(_count(rng, ACTIVITIES_PER_MONTH * scale)):
                    self._activity(
                        community, month, teams, volunteers, activity_rows, signup_rows
                    )
                for _n in range(_count(rng, WISHES_PER_MONTH * scale)):
                    self._wish(community, month, volunteers, wish_rows)
        for community, place, work_unit, work_org in self.in_service:
            registration_rows.append(
                (
                    loader.id(Registration),
                    *self.stamps(),
                    community.id,
                    place.household_id,
                    place.name,
                    place.phone,
                    work_unit,
                    work_org,
                    Registration.Status.CONFIRMED,
                    place.grid_id,
                    community.team_id,
                    20,
                    place.person_id,
                )
            )
        stamp = ["id", "created_at", "updated_at"]
        loader.write(
            Team, [*stamp, "community_id", "name", "parent_id", "leader_id"], team_rows
        )
        loader.write(
            Registration,
            [
                *stamp,
                "community_id",
                "household_id",
                "name",
                "phone",
                "work_unit",
                "work_unit_party_org",
                "status",
                "grid_id",
                "team_id",
                "yearly_target_hours",
                "person_id",
            ],
            registration_rows,
        )
        loader.write(
            Activity,
            [
                *stamp,
                "community_id",
                "title",
                "kind",
                "team_id",
                "place",
                "starts_at",
                "ends_at",
                "capacity",
                "beneficiaries",
                "check_in_token",
            ],
            activity_rows,
        )
        loader.write(
            SignUp,
            [
                "id",
                "activity_id",
                "name",
                "phone",
                "person_id",
                "status",
                "created_at",
                "check_in_at",
                "check_out_at",
                "verified_hours",
                "verified_at",
            ],
            signup_rows,
        )
        loader.write(
            Wish,
            [
                *stamp,
                "community_id",
                "title",
                "text",
                "beneficiary_kind",
                "wisher_name",
                "wisher_phone",
                "status",
                "claimer_name",
                "claimer_phone",
                "claimed_at",
                "published_at",
                "photo",
                "fulfilled_at",
                "confirmed_at",
                "rating",
            ],
            wish_rows,
        )

    def _activity(
        self, community, month, teams, volunteers, activity_rows, signup_rows
    ):
        rng, clock, loader = self.rng, self.clock, self.loader
        fitting = [k for k in ACTIVITY_KINDS if k[2] is None or month.month in k[2]]
        kind, title, _season = rng.choice(fitting)
        last = (month + datetime.timedelta(days=32)).replace(
            day=1
        ) - datetime.timedelta(days=1)
        day = month + datetime.timedelta(days=rng.randrange((last - month).days + 1))
        if day < clock.first:
            return
        starts = clock.at(day, rng.choice([9, 14]), rng.choice([0, 30]))
        hours = rng.choice([2, 2.5, 3])
        ends = starts + int(hours * HOUR)
        past = ends <= clock.now
        capacity = rng.randint(10, 40)
        activity_id = loader.id(Activity)
        activity_rows.append(
            (
                activity_id,
                *self.stamps(starts - 14 * DAY),
                community.id,
                title,
                kind,
                rng.choice(teams),
                "社区党群服务中心" if rng.random() < 0.6 else "小区广场",
                starts,
                ends,
                capacity,
                rng.randint(20, 150) if past else 0,
                self.token(16),
            )
        )
        if not volunteers:
            return
        wanted = min(len(volunteers), rng.randint(capacity // 2, capacity + 5))
        seen = set()
        for position, person in enumerate(rng.sample(volunteers, wanted)):
            if person.phone in seen:
                continue
            seen.add(person.phone)
            signed_up = min(clock.now, starts - rng.randint(1, 10 * DAY))
            status = "confirmed" if position < capacity else "waiting"
            if status == "confirmed" and rng.random() < 0.05:
                status = "cancelled"
            check_in = check_out = hours_text = verified = None
            if past and status == "confirmed" and rng.random() < 0.9:
                check_in = starts + rng.randrange(600)
                check_out = ends - rng.randrange(600)
                verified_at = ends + rng.randrange(3 * DAY)
                if verified_at <= clock.now:
                    served = hours if rng.random() < 0.85 else hours - 0.5
                    hours_text, verified = f"{served:.2f}", verified_at
            signup_rows.append(
                (
                    loader.id(SignUp),
                    activity_id,
                    person.name,
                    person.phone,
                    person.person_id,
                    status,
                    signed_up,
                    check_in,
                    check_out,
                    hours_text,
                    verified,
                )
            )

    def _wish(self, community, month, volunteers, wish_rows):
        rng, clock, loader = self.rng, self.clock, self.loader
        if not community.places:
            return
        created = clock.midnight(month) + rng.randrange(31 * DAY)
        if created >= clock.now or created < clock.start:
            return
        beneficiary, title = rng.choice(WISHES)
        wisher = rng.choice(community.places)
        claimer = rng.choice(volunteers)
        now = clock.now
        published = created + rng.randint(HOUR, 3 * DAY)
        claimed = published + rng.randint(HOUR, 20 * DAY)
        fulfilled = claimed + rng.randint(DAY, 14 * DAY)
        confirmed = fulfilled + rng.randint(HOUR, 7 * DAY)
        status, updated = "submitted", created
        stamps = {
            "published": None,
            "claimed": None,
            "fulfilled": None,
            "confirmed": None,
        }
        if rng.random() < 0.06:
            if published <= now:
                status, updated = "rejected", published
        else:
            limits = (1.0, 0.92, 0.95, 0.85)
            for (name, moment), chance in zip(
                [
                    ("published", published),
                    ("claimed", claimed),
                    ("fulfilled", fulfilled),
                    ("confirmed", confirmed),
                ],
                limits,
                strict=True,
            ):
                if moment > now or rng.random() >= chance:
                    break
                status, updated, stamps[name] = name, moment, moment
        has_claimer = stamps["claimed"] is not None
        wish_rows.append(
            (
                loader.id(Wish),
                created,
                updated,
                community.id,
                title,
                "",
                beneficiary,
                wisher.name,
                wisher.phone,
                status,
                claimer.name if has_claimer else "",
                claimer.phone if has_claimer else "",
                stamps["claimed"],
                stamps["published"],
                "",
                stamps["fulfilled"],
                stamps["confirmed"],
                rng.choices(["satisfied", "fairly"], [9, 1])[0]
                if stamps["confirmed"]
                else "",
            )
        )

    def build_fees(self) -> None:
        """Fee collection entered each month for every compound with a
        property company: most collect 85–97% of households, creeping up."""
        from stats.models import FeeCollection

        rng, clock = self.rng, self.clock
        # Entered after each month ends: up to last month.
        months = _months(clock.first, clock.today)[:-1]
        rows = []
        for community in self.communities:
            for compound in community.compounds:
                if not compound["company"]:
                    continue
                billed = compound["households"]
                fee = rng.choice([80, 100, 120, 150, 200])
                base = rng.uniform(0.82, 0.95)
                for index, month in enumerate(months):
                    rate = min(0.995, base + 0.001 * index + rng.uniform(-0.03, 0.03))
                    paid = min(billed, round(billed * rate))
                    rows.append(
                        (
                            compound["id"],
                            month,
                            billed,
                            paid,
                            billed * fee,
                            paid * fee,
                            "",
                            clock.at(month + datetime.timedelta(days=27), 17),
                        )
                    )
        self.loader.write(
            FeeCollection,
            [
                "compound",
                "month",
                "households_billed",
                "households_paid",
                "amount_due",
                "amount_collected",
                "note",
                "updated_at",
            ],
            rows,
        )

    def token(self, size: int) -> str:
        return base64.urlsafe_b64encode(self.tag_rng.randbytes(size * 3 // 4)).decode()


def _apportion(total: int, weights: list[float], *, minimum: int = 0) -> list[int]:
    """Split ``total`` in proportion to ``weights``, each share at least
    ``minimum`` (so the sum exceeds ``total`` when it is too small)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    shares = [max(minimum, int(r)) for r in raw]
    left = total - sum(shares)
    for index in sorted(
        range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True
    ):
        if left <= 0:
            break
        shares[index] += 1
        left -= 1
    return shares


# --- Entry point ----------------------------------------------------------------------


def generate_district(
    *,
    scale: float = 1.0,
    years: int = 3,
    seed: int = 1,
    subdistricts: int = 10,
    communities: int = 60,
    grids: int = 500,
    companies: int = 15,
    now: datetime.datetime | None = None,
    force: bool = False,
    log: Callable[[str], None] = lambda message: None,
) -> GenerateResult:
    """Write a generated district into the database and return what was written.

    Refuses (``GenerateRefused``) when a district exists unless ``force``: then a
    further district is added beside it, with names and codes of its own.
    """
    if not 0 < scale <= 100:
        raise GenerateRefused(_("The scale must be above 0 and at most 100."))
    if years < 1:
        raise GenerateRefused(_("Generate at least one year."))
    if not 1 <= subdistricts <= communities <= grids:
        raise GenerateRefused(
            _(
                "Give at least one subdistrict, at least as many communities as "
                "subdistricts and at least as many grids as communities."
            )
        )
    if companies < 1:
        raise GenerateRefused(_("Give at least one property company."))
    if not force and District.objects.exists():
        raise GenerateRefused(
            _(
                "The database already holds a district. Generated data is for an "
                "empty benchmark database; pass --force to add a district anyway."
            )
        )
    shape = Shape(
        subdistricts=subdistricts,
        communities=communities,
        grids=grids,
        companies=companies,
        scale=scale,
        years=years,
        seed=seed,
    )
    clock = Clock(now or timezone.now(), years)
    loader = Loader(clock)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with transaction.atomic():
        generator = Generator(shape, clock, loader)
        steps = [
            (_("district"), generator.build_district),
            (_("territory"), generator.build_territory),
            (_("property companies"), generator.build_companies),
            (_("compounds and households"), generator.build_compounds),
            (_("party organisations"), generator.build_party),
            (_("people and roles"), generator.build_people),
            (_("categories"), generator.reference_data),
            (_("cases"), generator.build_petitions),
            (_("deliberation"), generator.build_deliberation),
            (_("volunteers"), generator.build_volunteers),
            (_("fee collection"), generator.build_fees),
        ]
        for label, step in steps:
            began = time.perf_counter()
            step()
            seconds[label] = time.perf_counter() - began
            log(
                _("%(step)s: %(seconds).1f s")
                % {"step": label, "seconds": seconds[label]}
            )
        loader.reset_sequences()
        from core.services import audit_record

        district = District.objects.get(pk=generator.district_id)
        audit_record(
            actor=None,
            action="generate.district",
            target=district,
            changes={"seed": seed, "scale": scale, "years": years, **loader.counts},
        )
    if loader.is_postgresql:
        began = time.perf_counter()
        with connection.cursor() as cursor:
            for model in loader.models:
                cursor.execute(
                    f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}"
                )
        seconds["analyze"] = time.perf_counter() - began
    seconds["total"] = time.perf_counter() - started
    return GenerateResult(
        district_id=generator.district_id,
        first=clock.first,
        last=clock.today,
        counts=dict(loader.counts),
        seconds=seconds,
    )
