"""Benchmark the staff list of cases against a bare DRF endpoint on the same table.

Run from the project root::

    .venv/bin/python bench/petitions_list.py [--cases 200000] [--requests 300]
        [--database-url URL | --sqlite] [--keep] [--profile]

It builds a throw-away database (PostgreSQL ``bench_petitions`` by default),
migrates it, loads the demo community, bulk-inserts cases spread over three
years, then, in one process and on that one database, times
``GET /api/v1/petitions/`` (50 rows, token-authenticated as community staff,
scoped) against a bare ``APIView`` that returns 50 rows of the same table via
``.values()`` with the same authentication and permission classes. Requests
alternate between the two endpoints so that both see the same machine state.
It also counts the queries of the list for 5 and for 50 rows.

The bare endpoint lives here only: it is a yardstick, not part of the API.
"""

import argparse
import cProfile
import datetime
import gc
import io
import logging
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
import types
import warnings
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_petitions"
STAFF_LOGIN = "dz_community"
COMMUNITY_NAME = "端庄社区"
NEIGHBOUR_NAME = "西关社区（压测）"
BARE_PATH = "/bench/bare-petitions/"
LIST_PATH = "/api/v1/petitions/"
AIM_RATIO = 0.35
AIM_QUERIES = 4
BATCH_SIZE = 5_000
SEED = 20_240_601


# --- Command line and database -------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Staff list of cases against a bare .values() endpoint."
    )
    parser.add_argument(
        "--cases",
        type=int,
        default=200_000,
        help="cases the table must hold (default 200,000)",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=300,
        help="timed requests per endpoint (default 300)",
    )
    parser.add_argument(
        "--warmup", type=int, default=30, help="untimed requests per endpoint"
    )
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "--database-url",
        help=f"database to use (default {DEFAULT_DATABASE_URL}); never db.sqlite3",
    )
    target.add_argument(
        "--sqlite",
        action="store_true",
        help="use a SQLite file in a temporary directory (quick runs)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the database at the end, so that a rerun skips seeding",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile 100 list requests with cProfile and print the top",
    )
    return parser.parse_args(argv)


def _pg_admin_connection(url: str):
    import psycopg2

    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    return connection, parts.path.lstrip("/")


def pg_create_database(url: str) -> bool:
    """Create the database of ``url`` unless it exists; return whether it was made."""
    from psycopg2 import sql

    connection, name = _pg_admin_connection(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                return False
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    finally:
        connection.close()


def pg_drop_database(url: str) -> None:
    from psycopg2 import sql

    connection, name = _pg_admin_connection(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )
    finally:
        connection.close()


def _refuse_developer_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(urlsplit(url).path.removeprefix("/")).resolve()
        if path == (PROJECT_DIR / "db.sqlite3").resolve():
            sys.exit("Refusing to benchmark on the developer's db.sqlite3.")


# --- Seeding -------------------------------------------------------------------

# (code, name, group, default handler, accept hours, resolve hours, repair kind,
#  weight): the share of each kind roughly follows a city's 12345 line.
CATEGORIES = [
    ("repair-public", "公共设施报修", "repair", "property", 2, 72, "public", 22),
    ("repair-paid", "户内有偿维修", "repair", "property", 2, 48, "paid", 10),
    ("environment", "环境卫生", "environment", "property", 2, 24, "", 16),
    ("fire-lane", "消防通道堵塞", "safety", "grid", 1, 12, "", 7),
    ("parking", "停车管理", "parking", "property", 2, 72, "", 12),
    ("dispute", "邻里纠纷", "dispute", "grid", 4, 120, "", 8),
    ("facilities", "配套设施", "facilities", "community", 4, 240, "", 7),
    ("suggestion", "意见建议", "suggestion", "community", 24, 360, "", 6),
    ("complaint", "物业服务投诉", "complaint", "community", 2, 120, "", 12),
]
DEPARTMENTS = ["区城管局", "区住建局", "区市场监管局", "供电公司", "自来水公司"]
DESCRIPTIONS = [
    "{b}楼道灯不亮，晚上上下楼很不方便，请尽快维修。",
    "{b}单元门禁坏了，外来人员随意进出。",
    "{b}门口的垃圾桶已经满了两天没人清运，气味很大。",
    "有车辆长期占用{b}旁边的消防通道。",
    "{b}楼顶漏水，顶层住户天花板发霉。",
    "楼上住户晚上装修噪音太大，影响休息。",
    "小区健身器材松动，老人孩子使用有安全隐患。",
    "{b}电梯经常停运，老人上下楼困难。",
    "物业保洁不到位，{b}楼道很久没有打扫。",
    "建议在{b}附近增加电动车充电桩。",
    "{b}下水道堵塞，污水外溢。",
    "小区绿化带被人种菜，希望恢复绿化。",
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
    "彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金"
    "石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
    "万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志文凤春海燕"
CHANNELS = [
    ("web", 45),
    ("qr", 20),
    ("phone", 20),
    ("visit", 6),
    ("meeting", 3),
    ("chat_group", 6),
]
# Final states of cases older than a month; the rest are spread over open states.
SETTLED_STATUSES = [
    ("closed", 86),
    ("rejected", 4),
    ("awaiting_resident", 2),
    ("referred", 3),
    ("on_hold", 1),
    ("in_progress", 1),
    ("submitted", 1),
    ("dispatched", 2),
]
RECENT_STATUSES = [
    ("submitted", 12),
    ("accepted", 10),
    ("dispatched", 14),
    ("in_progress", 20),
    ("awaiting_resident", 12),
    ("closed", 26),
    ("rejected", 2),
    ("referred", 2),
    ("on_hold", 2),
]
RATINGS = [("satisfied", 80), ("fairly", 14), ("dissatisfied", 6)]


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


@contextmanager
def _keep_given_timestamps(model):
    """Let bulk_create write our ``created_at``/``updated_at`` instead of now()."""
    fields = [model._meta.get_field("created_at"), model._meta.get_field("updated_at")]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, (auto_now, auto_now_add) in zip(fields, saved, strict=True):
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def seed_reference_data():
    """Return the categories, departments, places and handlers cases draw on."""
    from grids.models import Building, Community, Role
    from petitions.models import Category, Department

    # Draw on the categories the demo (or a deployment) defines; bring our own
    # only where there are none yet.
    existing = list(Category.objects.filter(is_active=True))
    if existing:
        categories = [(category, 1) for category in existing]
    else:
        categories = []
        for position, (code, name, group, handler, acc, res, kind, weight) in enumerate(
            CATEGORIES
        ):
            category, _ = Category.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "group": group,
                    "default_handler": handler,
                    "accept_hours": acc,
                    "resolve_hours": res,
                    "repair_kind": kind,
                    "allows_anonymous": group in ("suggestion", "complaint", "dispute"),
                    "position": position,
                },
            )
            categories.append((category, weight))
    departments = [Department.objects.get_or_create(name=n)[0] for n in DEPARTMENTS]
    community = Community.objects.get(name=COMMUNITY_NAME)
    # A neighbour outside the staff member's scope, so that scoping filters rows.
    neighbour, _ = Community.objects.get_or_create(
        subdistrict=community.subdistrict, name=NEIGHBOUR_NAME
    )
    buildings = list(
        Building.objects.filter(compound__community=community).select_related(
            "compound", "grid"
        )
    )
    handlers_by_grid: dict[int, list[int]] = {}
    for person_id, grid_id in Role.objects.filter(
        kind__in=[Role.Kind.GRID_WORKER, Role.Kind.PROPERTY_STEWARD],
        grid__community=community,
    ).values_list("person_id", "grid_id"):
        handlers_by_grid.setdefault(grid_id, []).append(person_id)
    community_handlers = list(
        Role.objects.filter(
            kind=Role.Kind.COMMUNITY_STAFF, community=community
        ).values_list("person_id", flat=True)
    )
    return (
        categories,
        departments,
        community,
        neighbour,
        buildings,
        handlers_by_grid,
        community_handlers,
    )


def seed_cases(target: int) -> tuple[int, float]:
    """Bring the table up to ``target`` cases; return (inserted, seconds)."""
    from django.db import transaction
    from django.utils import timezone

    from petitions.models import Petition

    existing = Petition.objects.count()
    missing = target - existing
    if missing <= 0:
        return 0, 0.0
    started = time.perf_counter()
    (
        categories,
        departments,
        community,
        neighbour,
        buildings,
        handlers_by_grid,
        community_handlers,
    ) = seed_reference_data()
    # Seeded, so that two runs build the same table; nothing here is a secret.
    rng = random.Random(SEED + existing)  # noqa: S311
    now = timezone.now()
    span = datetime.timedelta(days=3 * 365).total_seconds()
    # Creation times sorted ascending, so ids follow time as in real life.
    offsets = sorted((rng.random() * span for _ in range(missing)), reverse=True)
    category_pairs = [(c, w) for c, w in categories]
    fallback_handlers = community_handlers or [None]
    run = f"{existing:x}"

    def make(index: int, offset: float) -> Petition:
        created = now - datetime.timedelta(seconds=offset)
        category = _weighted(rng, category_pairs)
        age_days = offset / 86_400
        status = _weighted(rng, SETTLED_STATUSES if age_days > 30 else RECENT_STATUSES)
        if rng.random() < 0.1:
            # The neighbour knows no buildings: its cases have a community only.
            place = {"community": neighbour}
            grid_id = None
        else:
            building = rng.choice(buildings)
            place = {
                "community": community,
                "grid_id": building.grid_id,
                "compound_id": building.compound_id,
                "building": building,
                "place_detail": (
                    f"{rng.randint(1, 3)}单元{rng.randint(1, 6)}0{rng.randint(1, 4)}"
                ),
            }
            grid_id = building.grid_id
        anonymous = category.allows_anonymous and rng.random() < 0.3
        accept_due = created + datetime.timedelta(hours=category.accept_hours)
        resolve_due = created + datetime.timedelta(hours=category.resolve_hours)
        petition = Petition(
            number=f"{timezone.localtime(created):%y%m%d}-b{run}-{index}",
            category=category,
            description=rng.choice(DESCRIPTIONS).format(
                b=place["building"].number if "building" in place else "小区"
            ),
            reporter_name=""
            if anonymous
            else rng.choice(SURNAMES)
            + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
            reporter_phone=""
            if anonymous
            else f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
            is_anonymous=anonymous,
            channel=_weighted(rng, CHANNELS),
            status=status,
            accept_due_at=accept_due,
            resolve_due_at=resolve_due,
            created_at=created,
            updated_at=created,
            **place,
        )
        if status != "submitted":
            accepted = created + datetime.timedelta(
                minutes=rng.uniform(5, category.accept_hours * 75)
            )
            petition.accepted_at = min(accepted, now)
            petition.updated_at = petition.accepted_at
            petition.version = 2
            pool = handlers_by_grid.get(grid_id) or fallback_handlers
            petition.handler_id = rng.choice(pool)
            if rng.random() < 0.05:
                petition.escalation_level = Petition.Level.COMMUNITY
        if status == "referred":
            petition.department = rng.choice(departments)
        if status in ("awaiting_resident", "closed"):
            resolved = petition.accepted_at + datetime.timedelta(
                hours=rng.uniform(1, category.resolve_hours * 1.2)
            )
            petition.resolved_at = min(resolved, now)
            petition.updated_at = petition.resolved_at
            petition.version = rng.randint(3, 5)
        if status == "closed":
            petition.closed_at = min(
                petition.resolved_at + datetime.timedelta(hours=rng.uniform(1, 72)),
                now,
            )
            petition.updated_at = petition.closed_at
            if rng.random() < 0.6:
                petition.rating = _weighted(rng, RATINGS)
        if status in ("rejected", "on_hold"):
            petition.updated_at = min(
                petition.accepted_at + datetime.timedelta(hours=rng.uniform(1, 48)),
                now,
            )
        return petition

    with _keep_given_timestamps(Petition):
        for start in range(0, missing, BATCH_SIZE):
            batch = [
                make(i, offsets[i])
                for i in range(start, min(start + BATCH_SIZE, missing))
            ]
            with transaction.atomic():
                Petition.objects.bulk_create(batch, batch_size=BATCH_SIZE)
            print(
                f"\r  seeded {min(start + BATCH_SIZE, missing):,} / {missing:,}",
                end="",
                flush=True,
            )
    print()
    _analyze()
    return missing, time.perf_counter() - started


def _analyze() -> None:
    """Refresh the planner's statistics, as autovacuum would after a bulk load."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- The yardstick ---------------------------------------------------------------

BARE_COLUMNS = [
    "id",
    "number",
    "status",
    "category__code",
    "category__name",
    "description",
    "community__name",
    "grid__name",
    "compound__name",
    "building__number",
    "place_detail",
    "reporter_name",
    "reporter_phone",
    "is_anonymous",
    "channel",
    "handler__name",
    "escalation_level",
    "accept_due_at",
    "resolve_due_at",
    "rating",
    "created_at",
    "updated_at",
    "version",
]


def install_bench_urls() -> None:
    """Mount the project's URLs plus the bare endpoint under a temporary urlconf."""
    from django.conf import settings
    from django.urls import clear_url_caches, include, path
    from rest_framework.response import Response
    from rest_framework.settings import api_settings
    from rest_framework.views import APIView

    from petitions.models import Petition

    class BarePetitionValuesApi(APIView):
        """Return 50 rows of the case table as plain dicts: no scoping, no
        serializer, no pagination: what the list would cost with nothing on top."""

        authentication_classes = api_settings.DEFAULT_AUTHENTICATION_CLASSES
        permission_classes = api_settings.DEFAULT_PERMISSION_CLASSES

        def get(self, request):
            rows = Petition.objects.order_by("-created_at", "-id").values(
                *BARE_COLUMNS
            )[:50]
            return Response(list(rows))

    module = types.ModuleType("bench_petitions_urls")
    module.urlpatterns = [
        path(BARE_PATH.strip("/") + "/", BarePetitionValuesApi.as_view()),
        path("", include("config.urls")),
    ]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()


# --- Measuring -------------------------------------------------------------------


def make_client():
    from django.test import Client

    from accounts.models import User
    from accounts.services import api_token_create

    user = User.objects.get(username=STAFF_LOGIN)
    _token, key = api_token_create(user=user, name="bench")
    # "localhost" is in the default ALLOWED_HOSTS; "testserver" is not.
    return Client(
        SERVER_NAME="localhost",
        HTTP_AUTHORIZATION=f"Token {key}",
        HTTP_ACCEPT="application/json",
    )


def _get(client, url: str, expect_rows: int | None = None):
    response = client.get(url)
    if response.status_code != 200:
        sys.exit(
            f"GET {url} answered {response.status_code}: {response.content[:300]!r}"
        )
    if expect_rows is not None:
        data = response.json()
        rows = data["results"] if isinstance(data, dict) else data
        if len(rows) != expect_rows:
            sys.exit(f"GET {url} returned {len(rows)} rows, expected {expect_rows}")
    return response


def count_queries(client, url: str):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _get(client, url)
    return [q["sql"] for q in captured.captured_queries]


def time_interleaved(client, urls: dict[str, str], requests: int, warmup: int):
    """Return the per-request seconds of each url, requests alternating."""
    names = list(urls)
    for _ in range(warmup):
        for name in names:
            _get(client, urls[name])
    timings: dict[str, list[float]] = {name: [] for name in names}
    gc.collect()
    for i in range(requests):
        # Alternate who goes first, so neither always runs on a warm cache line.
        order = names if i % 2 == 0 else names[::-1]
        for name in order:
            started = time.perf_counter()
            client.get(urls[name])
            timings[name].append(time.perf_counter() - started)
    return timings


def profile_list(client, url: str, requests: int = 100) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(url)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(35)
    out.write("\n--- by own time ---\n")
    stats.sort_stats("tottime").print_stats(25)
    return out.getvalue()


# --- Main ----------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_args(argv)
    tempdir = None
    if args.sqlite:
        tempdir = tempfile.TemporaryDirectory(prefix="bench_petitions_")
        url = f"sqlite:///{tempdir.name}/bench.sqlite3"
    else:
        url = args.database_url or DEFAULT_DATABASE_URL
    _refuse_developer_database(url)
    is_postgres = url.startswith(("postgres", "postgresql", "pgsql"))
    created_db = pg_create_database(url) if is_postgres else False
    # Drop what we made or own: the default bench database, or a fresh one.
    drop_at_end = (
        is_postgres and not args.keep and (created_db or args.database_url is None)
    )

    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DATABASE_URL"] = url
    # Measure as deployed: DEBUG keeps every query in memory and adds work.
    os.environ.setdefault("DJANGO_DEBUG", "False")
    sys.path.insert(0, str(PROJECT_DIR))
    os.chdir(PROJECT_DIR)

    import django

    # The bench serves no static files; whitenoise's warning about them is noise.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from petitions.models import Petition

    try:
        phase = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrate: {time.perf_counter() - phase:.1f} s")
        phase = time.perf_counter()
        # The demo files a few cases through the services, which log notices.
        logging.disable(logging.INFO)
        try:
            call_command("seed_demo", stdout=io.StringIO())
        finally:
            logging.disable(logging.NOTSET)
        print(f"seed_demo: {time.perf_counter() - phase:.1f} s")
        inserted, seconds = seed_cases(args.cases)
        if inserted:
            print(
                f"seeded {inserted:,} cases in {seconds:.1f} s "
                f"({inserted / seconds:,.0f} rows/s)"
            )
        else:
            print("cases already seeded; skipping")
        total = Petition.objects.count()
        vendor = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(
            connection.vendor, connection.vendor
        )

        install_bench_urls()
        client = make_client()
        list_50 = f"{LIST_PATH}?page_size=50"
        list_5 = f"{LIST_PATH}?page_size=5"
        _get(client, list_50, expect_rows=50)
        _get(client, BARE_PATH, expect_rows=50)

        queries_5 = count_queries(client, list_5)
        queries_50 = count_queries(client, list_50)
        timings = time_interleaved(
            client,
            {"list": list_50, "bare": BARE_PATH},
            requests=args.requests,
            warmup=args.warmup,
        )

        def rate(name):
            return len(timings[name]) / sum(timings[name])

        def ms(name):
            return statistics.median(timings[name]) * 1000

        ratio = rate("list") / rate("bare")
        width = 34
        rows = [
            (f"{LIST_PATH} (50 rows)", "list"),
            ("bare .values() (50 rows)", "bare"),
        ]
        print()
        print(f"cases in table: {total:,} ({vendor}); staff login {STAFF_LOGIN}")
        print(f"{args.requests} timed requests per endpoint, interleaved\n")
        print(f"{'endpoint':<{width}}{'req/s':>9}{'ms/req (median)':>18}")
        for label, name in rows:
            print(f"{label:<{width}}{rate(name):>9.1f}{ms(name):>18.2f}")
        verdict = "ok" if ratio >= AIM_RATIO else "BELOW AIM"
        print(f"ratio list/bare: {ratio:.2f} (aim >= {AIM_RATIO}) {verdict}")
        ok_queries = len(queries_5) == len(queries_50) <= AIM_QUERIES
        print(
            f"queries, list 5 rows: {len(queries_5)}   list 50 rows: {len(queries_50)}"
            f"   (aim: equal and <= {AIM_QUERIES}) {'ok' if ok_queries else 'MISSED'}"
        )
        if not ok_queries:
            print("\nqueries of the 50-row list:")
            for sql in queries_50:
                print(f"  {sql[:300]}")
        if args.profile:
            print("\ncProfile of 100 list requests (50 rows):")
            print(profile_list(client, list_50))
    finally:
        connections.close_all()
        if drop_at_end:
            pg_drop_database(url)
            print(f"dropped {urlsplit(url).path.lstrip('/')}")
        elif is_postgres:
            print(f"kept {urlsplit(url).path.lstrip('/')}")
        if tempdir is not None:
            tempdir.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
