"""Time every staff admin list and the phone workbench's pages on a generated
district, for two logins.

Run from the project root, on a database filled by ``generate_district``::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_district \\
        .venv/bin/python bench/admin_pages.py [--runs 5] [--warmup 2] [--workers 2]

It makes (or reuses) two logins: ``bench_admin``, a superuser, and
``bench_community``, community staff of the community with the most cases.
It counts each page's queries in-process, then starts gunicorn (``--workers``
processes, production settings) on the same database and times each page over
HTTP: the median of ``--runs`` requests after ``--warmup``, each page right
after the admin index so that both see the same machine. It prints, per page
and login, the median, its ratio to the admin index of the same run, and the
query count. The aim (issue 14): every page at most 15 times the index.
"""

import argparse
import contextlib
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
AIM = 15.0
LOGINS = ("bench_admin", "bench_community")
PASSWORD = "Bench@2024-admin-pages"  # noqa: S105 - a throw-away bench login


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default="", help="regex of page names to time")
    return parser.parse_args(argv)


def _environment() -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=env.get("DJANGO_SECRET_KEY", "bench-only-secret-" + "x" * 40),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_LOG_LEVEL="WARNING",
        # The resident's report is posted many times from one address here.
        RATE_LIMITS_ENABLED="false",
        # Production serves hashed static files: collected once, here.
        DJANGO_STATIC_ROOT=str(PROJECT / "bench" / "out" / "static"),
    )
    # Production settings want a cache and a broker; nothing is queued here.
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
    if "DATABASE_URL" not in env:
        sys.exit("Set DATABASE_URL to a database filled by generate_district.")
    return env


def _setup() -> None:
    os.environ.update(_environment())
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=PROJECT,
        env=_environment(),
        check=True,
    )
    sys.path.insert(0, str(PROJECT))
    import django

    django.setup()


# --- logins --------------------------------------------------------------------


def ensure_logins():
    """Return {username: user}: a superuser and the busiest community's staff."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from grids.models import Person, Role
    from grids.services import role_assign, staff_account_create
    from petitions.models import Petition

    User = get_user_model()
    users = {}
    admin = User.objects.filter(username=LOGINS[0]).first()
    if admin is None:
        admin = User.objects.create_superuser(LOGINS[0], password=PASSWORD)
    users[LOGINS[0]] = admin
    staff = User.objects.filter(username=LOGINS[1]).first()
    if staff is None:
        busiest = (
            Petition.objects.values("community")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        from grids.models import Community

        community = Community.objects.get(pk=busiest["community"])
        person = Person.objects.create(community=community, name="压测社区干部")
        role_assign(
            actor=None,
            person=person,
            kind=Role.Kind.COMMUNITY_STAFF,
            community=community,
        )
        staff = staff_account_create(
            actor=None, person=person, username=LOGINS[1], password=PASSWORD
        )
    users[LOGINS[1]] = staff
    return users


# --- the pages -------------------------------------------------------------------


def _changelist(model: str) -> str:
    return f"/admin/{model}/"


def pages_for(client, user) -> dict[str, str]:
    """Return {name: url} of every admin list the user works with: page 1, page
    2, the last page, a search and each filter; and a case page."""
    from petitions.models import Petition
    from petitions.selectors import petition_list

    pages = {"admin index": "/admin/"}
    lists = {
        "cases": "petitions/petition",
        "households": "grids/household",
        "residents": "grids/person",
        "sign-ups": "volunteers/signup",
    }
    if user.is_superuser:
        lists.update(
            {
                "audit rows": "core/auditevent",
                "notifications": "core/notification",
                "outbox": "core/outboxmessage",
            }
        )
    for label, model in lists.items():
        url = _changelist(model)
        response = client.get(url)
        if response.status_code != 200:
            continue
        cl = response.context["cl"]
        pages[f"{label}: page 1"] = url
        if cl.paginator.num_pages > 1:
            pages[f"{label}: page 2"] = f"{url}?p=2"
            pages[f"{label}: last page"] = f"{url}?p={cl.paginator.num_pages}"
        for spec in cl.filter_specs:
            choices = [
                c
                for c in spec.choices(cl)
                if c.get("query_string") and not c["selected"]
            ]
            if len(choices) > 1:
                pages[f"{label}: filter {spec.title}"] = (
                    url + choices[1]["query_string"]
                )
    case = petition_list(user=user).order_by("-id").first() or Petition.objects.last()
    pages["cases: search by case number"] = (
        f"/admin/petitions/petition/?q={case.number}"
    )
    pages["cases: search in descriptions"] = "/admin/petitions/petition/?q=漏水"
    pages["case page"] = f"/admin/petitions/petition/{case.pk}/change/"
    pages.update(workbench_pages(user, case))
    return pages


def workbench_pages(user, case) -> dict[str, str]:
    """The phone workbench (/staff/): 待办, a case, patrols, the visits due,
    a household file under care and a grid's page."""
    from grids.models import Household
    from grids.scoping import scope_queryset
    from grids.selectors import grid_list, under_care_q

    cared = (
        scope_queryset(Household.objects.filter(under_care_q()), user)
        .order_by("pk")
        .first()
    )
    grid = grid_list(user=user).order_by("pk").first()
    pages = {
        "workbench: to do": "/staff/",
        "workbench: case": f"/staff/cases/{case.pk}/",
        "workbench: patrols": "/staff/patrol/",
        "workbench: visits due": "/staff/visits/",
    }
    if cared is not None:
        pages["workbench: household file"] = f"/staff/households/{cared.pk}/"
    if grid is not None:
        pages["workbench: grid page"] = f"/staff/grids/{grid.pk}/"
    return pages


def count_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the caches a deployment would have warm
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response.status_code != 200:
        return -response.status_code
    return len(queries)


# --- timing over HTTP ---------------------------------------------------------------


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(workers: int):
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            f"--workers={workers}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ],
        cwd=PROJECT,
        env=_environment(),
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310
            break
        except urllib.error.HTTPError:
            break  # it answers (503: no worker or schedule runs for a bench)
        except OSError:
            time.sleep(0.1)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def session_cookie(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    # The backend that loads the user (the first one only refuses lockouts).
    session[BACKEND_SESSION_KEY] = "grids.backends.RolePermissionBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _fetch(base: str, url: str, cookie: str) -> float:
    request = urllib.request.Request(  # noqa: S310 - our own server
        base + urllib.parse.quote(url, safe="/?=&%"), headers={"Cookie": cookie}
    )
    began = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status}")
    return (time.perf_counter() - began) * 1000


def time_pages(base, pages, cookie, runs, warmup) -> dict[str, tuple[float, float]]:
    """Return {name: (median ms, median ms of the index in the same rounds)}."""
    results = {}
    for name, url in pages.items():
        for _ in range(warmup):
            _fetch(base, "/admin/", cookie)
            _fetch(base, url, cookie)
        index, page = [], []
        for _ in range(runs):
            index.append(_fetch(base, "/admin/", cookie))
            page.append(_fetch(base, url, cookie))
        results[name] = (statistics.median(page), statistics.median(index))
    return results


# --- the resident's report (issue 14, item 6) --------------------------------------


def report_target() -> tuple[int, str]:
    """A building of the busiest community and a category it takes."""
    from grids.models import Building
    from petitions.models import Category

    staff = ensure_logins()[LOGINS[1]]
    community = staff.person.roles.filter(community__isnull=False).first().community
    building = Building.objects.filter(compound__community=community).first()
    return building.pk, Category.objects.filter(is_active=True).first().code


def report_queries(building: int, category: str) -> int:
    """The queries of one report POST, counted in-process (form read first)."""
    import uuid

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    path = f"/report/b/{building}/?category={category}"
    client.get(path)
    data = {
        "description": "楼道灯不亮了（压测）",
        "reporter_phone": "13912345678",
        "idempotency_key": str(uuid.uuid4()),
    }
    with CaptureQueriesContext(connection) as queries:
        response = client.post(path, data)
    if response.status_code != 302:
        raise RuntimeError(f"report POST answered {response.status_code}")
    return len(queries)


def time_report(base: str, building: int, category: str, runs: int) -> float:
    """Median ms of a resident's report POST over HTTP (form read before each)."""
    from _stack import Resident

    port = int(base.rsplit(":", 1)[1])
    resident = Resident("127.0.0.1", port, building, category)
    times = []
    for i in range(runs):
        resident.prepare()
        began = time.perf_counter()
        status = resident.report(f"楼道灯不亮了（压测 {i}）")
        times.append((time.perf_counter() - began) * 1000)
        if status != 302:
            raise RuntimeError(f"report POST answered {status}")
    return statistics.median(times)


def main(argv=None) -> int:
    args = parse_args(argv)
    _setup()
    import urllib.parse  # noqa: F401 - used by _fetch

    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # responses carry their template context
    users = ensure_logins()
    plans = {}
    for username, user in users.items():
        client = Client()
        client.force_login(user)
        pages = pages_for(client, user)
        if args.only:
            pages = {
                k: v
                for k, v in pages.items()
                if re.search(args.only, k) or k == "admin index"
            }
        plans[username] = (
            pages,
            {n: count_queries(client, u) for n, u in pages.items()},
        )
    building, category = report_target()
    rows, worst = [], 0.0
    with gunicorn(args.workers) as base:
        report_ms = time_report(base, building, category, args.runs + args.warmup)
        for username, (pages, queries) in plans.items():
            cookie = session_cookie(users[username])
            timed = time_pages(base, pages, cookie, args.runs, args.warmup)
            for name, (median, index) in timed.items():
                ratio = median / index if index else float("inf")
                if name != "admin index":
                    worst = max(worst, ratio)
                rows.append((username, name, median, ratio, queries[name]))
    print(f"{'login':16} {'page':44} {'ms':>9} {'× index':>8} {'queries':>8}")
    for username, name, median, ratio, queries in rows:
        print(f"{username:16} {name[:44]:44} {median:9.1f} {ratio:8.1f} {queries:8d}")
    print(
        f"\nResident's report POST: {report_ms:.1f} ms (median), "
        f"{report_queries(building, category)} queries (aim ≤ 15)."
    )
    print(f"Worst page: {worst:.1f}× the admin index (aim ≤ {AIM:.0f}×).")
    return 0 if worst <= AIM else 1


if __name__ == "__main__":
    sys.exit(main())
