"""Benchmark the staff list of cases against a bare DRF endpoint on the same table.

Run from the project root, on a database filled by ``generate_district``::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_district \\
        .venv/bin/python bench/petitions_list.py [--requests 300] [--profile]

In one process and on that one database it times ``GET /api/v1/petitions/``
(50 rows, as the staff of the community with the most cases, scoped) against a
bare ``APIView`` that returns 50 rows of the same table via ``.values()`` with
the same authentication and permission classes. Requests alternate between the
two endpoints so that both see the same machine state. It also counts the
queries of the list for 5 and for 50 rows.

The bare endpoint lives here only: it is a yardstick, not part of the API.
"""

import argparse
import cProfile
import gc
import io
import os
import pstats
import statistics
import sys
import time
import types
import warnings
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
BARE_PATH = "/bench/bare-petitions/"
LIST_PATH = "/api/v1/petitions/"
AIM_RATIO = 0.35
AIM_QUERIES = 4
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


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Staff list of cases against a bare .values() endpoint."
    )
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--profile", action="store_true", help="cProfile the list")
    return parser.parse_args(argv)


def _setup() -> None:
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to a database filled by generate_district.")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    # Measure as deployed: DEBUG keeps every query in memory and adds work.
    os.environ.setdefault("DJANGO_DEBUG", "False")
    sys.path.insert(0, str(PROJECT_DIR))
    os.chdir(PROJECT_DIR)
    # The bench serves no static files; whitenoise's warning about them is noise.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()


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


def make_client():
    """A client logged in as the busiest community's staff (bench/admin_pages.py)."""
    from django.test import Client

    sys.path.insert(0, str(PROJECT_DIR / "bench"))
    from admin_pages import LOGINS, ensure_logins

    # "localhost" is in the default ALLOWED_HOSTS; "testserver" is not.
    client = Client(SERVER_NAME="localhost", HTTP_ACCEPT="application/json")
    client.force_login(ensure_logins()[LOGINS[1]])
    return client


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


def count_queries(client, url: str) -> list[str]:
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


def report(timings, queries_5, queries_50, requests) -> None:
    def rate(name):
        return len(timings[name]) / sum(timings[name])

    def ms(name):
        return statistics.median(timings[name]) * 1000

    from django.db import connection

    from petitions.models import Petition

    ratio = rate("list") / rate("bare")
    width = 34
    print(f"\ncases in table: {Petition.objects.count():,} ({connection.vendor})")
    print(f"{requests} timed requests per endpoint, interleaved\n")
    print(f"{'endpoint':<{width}}{'req/s':>9}{'ms/req (median)':>18}")
    for label, name in ((f"{LIST_PATH} (50 rows)", "list"), ("bare (50 rows)", "bare")):
        print(f"{label:<{width}}{rate(name):>9.1f}{ms(name):>18.2f}")
    verdict = "ok" if ratio >= AIM_RATIO else "BELOW AIM"
    print(f"ratio list/bare: {ratio:.2f} (aim >= {AIM_RATIO}) {verdict}")
    ok_queries = len(queries_5) == len(queries_50) <= AIM_QUERIES
    print(
        f"queries, list 5 rows: {len(queries_5)}   list 50 rows: {len(queries_50)}"
        f"   (aim: equal and <= {AIM_QUERIES}) {'ok' if ok_queries else 'MISSED'}"
    )
    for sql in queries_50 if not ok_queries else ():
        print(f"  {sql[:300]}")


def main(argv=None) -> int:
    args = parse_args(argv)
    _setup()
    install_bench_urls()
    client = make_client()
    list_50, list_5 = f"{LIST_PATH}?page_size=50", f"{LIST_PATH}?page_size=5"
    _get(client, list_50, expect_rows=50)
    _get(client, BARE_PATH, expect_rows=50)
    queries_5, queries_50 = (
        count_queries(client, list_5),
        count_queries(client, list_50),
    )
    timings = time_interleaved(
        client,
        {"list": list_50, "bare": BARE_PATH},
        requests=args.requests,
        warmup=args.warmup,
    )
    report(timings, queries_5, queries_50, args.requests)
    if args.profile:
        print("\ncProfile of 100 list requests (50 rows):")
        print(profile_list(client, list_50))
    return 0


if __name__ == "__main__":
    sys.exit(main())
