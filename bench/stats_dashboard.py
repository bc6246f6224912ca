"""Benchmark the statistics roll-ups on a generated district (PostgreSQL).

Run from the project root, after ``generate_district`` has filled the database::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_district \\
        .venv/bin/python bench/stats_dashboard.py [--runs 5]

It prints, from one run on one database:

1. the district summary endpoint served from the roll-ups against the same JSON
   computed live by GROUP BY over the case table (aim: >= 10x, identical JSON);
2. a full roll-up rebuild against one raw SQL GROUP BY over the same rows
   (aim: <= 2x its time), and an incremental refresh of the current month
   against the full rebuild (aim: >= 10x faster);
3. the query count of every dashboard endpoint for the district, a subdistrict
   and a community (aim: the same whatever the number of units shown).

It measures the data's last month and period, also when the district was
generated as of an earlier moment. It writes to the database it measures: a
superuser ``bench_stats`` (no password) if there is none, and the demo's
targets for the district, so that the targets endpoint has work to do.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent

#: The yardstick for a rebuild: one hand-written GROUP BY that counts the
#: roll-ups' case figures (not their duration ladders) over the same rows.
RAW_GROUP_BY = """
SELECT date_trunc('month', p.created_at AT TIME ZONE 'Asia/Shanghai')::date AS month,
       p.community_id, p.grid_id, c.property_company_id,
       count(*) AS received,
       count(*) FILTER (WHERE p.accepted_at IS NOT NULL) AS accepted,
       count(*) FILTER (WHERE p.accepted_at <= p.accept_due_at) AS accepted_on_time,
       count(*) FILTER (WHERE p.status = 'closed') AS closed,
       count(*) FILTER (WHERE p.status = 'closed'
                        AND p.resolved_at <= p.resolve_due_at) AS closed_on_time,
       count(*) FILTER (WHERE p.rating <> '') AS rated,
       count(*) FILTER (WHERE p.rating = 'satisfied') AS satisfied,
       count(*) FILTER (WHERE p.rating = 'fairly') AS fairly_satisfied,
       count(*) FILTER (WHERE p.reopen_count > 0) AS reopened,
       count(*) FILTER (WHERE p.department_id IS NOT NULL) AS referred,
       count(*) FILTER (WHERE k."group" = 'complaint') AS complaints,
       count(*) FILTER (WHERE p.status = 'closed' AND k."group" = 'dispute')
           AS disputes_mediated,
       sum(extract(epoch FROM p.accepted_at - p.created_at)) AS accept_seconds,
       sum(extract(epoch FROM p.closed_at - p.created_at))
           FILTER (WHERE p.status = 'closed') AS close_seconds
  FROM petitions_petition p
  JOIN petitions_category k ON k.id = p.category_id
  LEFT JOIN grids_compound c ON c.id = p.compound_id
 WHERE p.created_at >= %(start)s AND p.created_at < %(end)s
 GROUP BY 1, 2, 3, 4
"""
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_district"


def _setup(database_url: str):
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_DEBUG", "")
    import django

    django.setup()


def _timed(fn, runs: int) -> tuple[float, object]:
    """Median seconds of ``runs`` calls of ``fn`` and its last result."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _span():
    """The data's first and last month, and its number of cases."""
    from django.db.models import Max, Min

    from core import calendar
    from petitions.models import Petition

    span = Petition.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    cases = Petition.objects.count()
    if not cases:
        return None, None, 0
    # The data's own last month: a district generated with --now in the past
    # must be measured where its cases are.
    return calendar.month_of(span["first"]), calendar.month_of(span["last"]), cases


def _raw_runner(query, query_params):
    from django.db import connection, transaction

    def run():
        # The same memory for sorting as the rebuild gives itself.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute(query, query_params)
            return len(cursor.fetchall())

    return run


def bench_rollups(first, last, runs) -> None:
    """2. The full rebuild against a raw GROUP BY, the refresh against both."""
    from core import calendar
    from petitions.models import Petition
    from stats.services import (
        _bounds,
        case_rollup_query,
        stats_rebuild,
        stats_refresh_current,
    )

    start, end = _bounds(first, last)
    raw, same = (
        _raw_runner(RAW_GROUP_BY, {"start": start, "end": end}),
        _raw_runner(*case_rollup_query(start, end)),
    )
    raw()  # warm the cache for both sides alike
    full_runs = max(1, min(runs, 3))
    t_raw, groups = _timed(raw, full_runs)
    t_same, _groups = _timed(same, full_runs)
    t_full, rows = _timed(lambda: stats_rebuild(first=first, last=last), full_runs)
    if last == calendar.month_start(calendar.today()):
        t_inc, inc_rows = _timed(stats_refresh_current, runs)
    else:  # the refresh works on today's month: rebuild the data's last instead
        t_inc, inc_rows = _timed(lambda: stats_rebuild(first=last, last=last), runs)
    last_start, last_end = _bounds(last, last)
    in_last = Petition.objects.filter(
        created_at__gte=last_start, created_at__lt=last_end
    ).count()
    print("roll-up build                              seconds   rows")
    print(f"one raw SQL GROUP BY over the cases      {t_raw:9.3f}  {groups:6,}")
    print(f"  the same with the duration ladders     {t_same:9.3f}  {groups:6,}")
    print(f"full rebuild, all months                 {t_full:9.3f}  {rows:6,}")
    print(f"incremental refresh, current month       {t_inc:9.3f}  {inc_rows:6,}")
    print(f"  ({last:%Y-%m}: {in_last:,} cases)")
    ratio_full, ratio_inc = t_full / t_raw, t_full / t_inc
    print(
        f"rebuild / raw GROUP BY: {ratio_full:.2f}x (aim <= 2x) "
        f"{'ok' if ratio_full <= 2 else 'MISSED'}; "
        f"rebuild / the GROUP BY with ladders: {t_full / t_same:.2f}x"
    )
    print(
        f"rebuild / refresh: {ratio_inc:.1f}x (aim >= 10x) "
        f"{'ok' if ratio_inc >= 10 else 'MISSED'}\n"
    )


def _bench_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.filter(is_superuser=True).first()
    if user is None:
        user = get_user_model().objects.create_superuser("bench_stats", password=None)
    client = Client(SERVER_NAME="localhost")  # in the default ALLOWED_HOSTS
    client.force_login(user)
    return client, user


def _summary_row(client, user, months, last, runs) -> None:
    from core import calendar
    from grids.models import District
    from stats.selectors import Area, stats_summary_live

    period_first = calendar.add_months(last, -(months - 1))
    district = District.objects.first()
    query = {
        "start": f"{period_first:%Y-%m}",
        "end": f"{last:%Y-%m}",
        "district": district.pk,
    }

    def served():
        response = client.get("/api/v1/stats/summary/", query)
        assert response.status_code == 200, response.content
        return response.json()

    served()
    t_api, api_json = _timed(served, runs * 4)
    area = Area("district", district.pk, district.name)
    t_live, live = _timed(
        lambda: json.loads(
            json.dumps(
                stats_summary_live(user=user, area=area, first=period_first, last=last)
            )
        ),
        max(1, min(runs, 3)),
    )
    # Open and overdue cases are counted live on both sides, a moment apart
    # (a case can fall overdue in between): compare the rest.
    same = {k: v for k, v in api_json.items() if k != "now"} == {
        k: v for k, v in live.items() if k != "now"
    }
    print(
        f"  {months:2d} months                      {t_api * 1000:9.1f} ms  "
        f"{t_live * 1000:10.1f} ms  {t_live / t_api:8.1f}x  "
        f"{'yes' if same else 'NO'}"
    )
    for key in api_json if not same else ():
        if api_json[key] != live.get(key):
            print(f"    differs in {key}: {api_json[key]} != {live.get(key)}")


def bench_summary(client, user, last, runs) -> None:
    """1. The summary endpoint from the roll-ups against the live GROUP BY."""
    print(
        "district summary                 roll-ups (API)   live GROUP BY   speed-up  "
        "same JSON"
    )
    for months in (12, 36):
        _summary_row(client, user, months, last, runs)
    print("  aim: >= 10x, identical JSON\n")


def _count_areas() -> tuple[dict, bool]:
    """Units of every level, the smallest and the largest of each."""
    from django.db.models import Count

    from grids.models import Community, District, Subdistrict

    by_size = Subdistrict.objects.annotate(n=Count("communities")).order_by("n", "pk")
    small_s, large_s = by_size.first(), by_size.last()
    by_grids = Community.objects.annotate(n=Count("grids")).order_by("n", "pk")
    small_c, large_c = by_grids.first(), by_grids.last()
    areas = {
        f"district ({Subdistrict.objects.count()})": {
            "district": District.objects.first().pk
        },
        f"subdistr. ({small_s.n})": {"subdistrict": small_s.pk},
        f"subdistr. ({large_s.n})": {"subdistrict": large_s.pk},
        f"community ({small_c.n})": {"community": small_c.pk},
        f"community ({large_c.n})": {"community": large_c.pk},
    }
    return areas, small_s.n == large_s.n or small_c.n == large_c.n


def bench_query_counts(client, last) -> None:
    """3. Queries per request (with the demo's targets, so targets has work)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grids.models import District
    from sampledata.demo.statistics import DEMO_TARGETS
    from stats.models import Target

    for district in District.objects.all():
        for metric, value, note in DEMO_TARGETS:
            Target.objects.get_or_create(
                district=district,
                metric=metric,
                due_on=last.replace(month=12, day=31),
                defaults={"value": value, "note": note},
            )
    areas, even = _count_areas()
    endpoints = {
        "summary": {},
        "series": {},
        "ranking": {"by": "community", "min_cases": 1},
        "drilldown": {},
        "targets": {},
    }
    period = {"start": f"{last.year - 1}-{last.month:02d}", "end": f"{last:%Y-%m}"}
    print("queries per request (units shown in brackets)")
    print(" " * 14 + "".join(f"{name:>17}" for name in areas))
    constant = True
    for endpoint, extra in endpoints.items():
        counts = []
        for unit in areas.values():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(
                    f"/api/v1/stats/{endpoint}/", {**period, **extra, **unit}
                )
            assert response.status_code == 200, response.content
            counts.append(len(queries))
        # Same level, different numbers of units: the same count.
        constant &= counts[1] == counts[2] and counts[3] == counts[4]
        print(f"  {endpoint:<12}" + "".join(f"{c:>17}" for c in counts))
    if even:
        print("  NOTE: the units of a level are all the same size here, so the")
        print("  check compares nothing; generate a district with uneven units.")
    print(f"  constant in the number of units: {'yes' if constant else 'NO'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    _setup(args.database_url)

    from django.db import connection

    from grids.models import Community, Grid, Subdistrict

    first, last, cases = _span()
    if not cases:
        print("No cases: run `python manage.py generate_district` first.")
        return 2
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']}; "
        f"{cases:,} cases from {first:%Y-%m} to {last:%Y-%m}; "
        f"{Subdistrict.objects.count()} subdistricts, "
        f"{Community.objects.count()} communities, {Grid.objects.count()} grids\n"
    )
    bench_rollups(first, last, args.runs)
    client, user = _bench_client()
    bench_summary(client, user, last, args.runs)
    bench_query_counts(client, last)
    return 0


if __name__ == "__main__":
    sys.exit(main())
