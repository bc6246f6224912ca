"""The abuse list of issue 12, rerun from one anonymous client against a
running demo server: what changes that a resident did not do?

    scripts/serve.sh                       # the demo, on 127.0.0.1:8000
    .venv/bin/python bench/abuse.py        # in another shell, same checkout
    .venv/bin/python bench/abuse.py --url http://127.0.0.1:8123 --skip-flood

The script opens the server's database with the project's settings (the same
``DATABASE_URL``) for two things only: to set up, through the services as staff
would, what the attempts aim at (a meeting under way, an activity with one
place held by a real volunteer, a published wish, an open two-way list entry,
an open proposal), and to count what is stored before and after. Every attempt
itself is an anonymous HTTP request without a verified phone, like the one
client of the issue. It prints each attempt's answers and the counts; the
stored counts must not move, and the flood must store at most the limit.

The server's rate-limit counters outlive a run (per hour, per day): a second
run within the hour sees more 429s (the flood then stores nothing).
"""

import argparse
import collections
import datetime
import http.cookiejar
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """An anonymous phone browser: cookies, the CSRF token, no redirects
    followed (a 302 to the code page is an outcome)."""

    def __init__(self, base: str):
        if not base.startswith(("http://", "https://")):
            raise SystemExit("--url must be an http(s) address")
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def _csrf(self) -> str:
        for cookie in self.jar:
            if cookie.name == "csrftoken":
                return cookie.value
        self.get("/me/verify/")
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def get(self, path: str) -> tuple[int, str]:
        # The scheme is checked in __init__.
        return self._open(urllib.request.Request(self.base + path))  # noqa: S310

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": self._csrf(), **data}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked
            self.base + path, data=body, method="POST"
        )
        request.add_header("Referer", self.base + path)
        return self._open(request)

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, ""
        except urllib.error.HTTPError as error:
            where = error.headers.get("Location", "") or ""
            return error.code, where


def _outcome(answers: list[tuple[int, str]]) -> str:
    """Group the answers: 302 to the code page, 429, 403 …"""
    counts = collections.Counter()
    for status, where in answers:
        if status == 302 and "/me/verify/" in where:
            counts["302 → code page"] += 1
        else:
            counts[str(status)] += 1
    return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))


def _targets() -> dict:
    """What the attempts aim at, made as staff would (services, no HTTP)."""
    from django.utils import timezone

    from deliberation.models import DeliberationBody, Meeting
    from deliberation.services import proposal_submit
    from grids.models import Community
    from volunteers.models import Activity, ServiceItem, Wish
    from volunteers.services import activity_sign_up, wish_post, wish_review

    community = Community.objects.order_by("pk").first()
    body = DeliberationBody.objects.filter(community=community).first()
    now = timezone.now()
    meeting = Meeting.objects.create(
        body=body,
        starts_at=now - datetime.timedelta(minutes=10),
        ends_at=now + datetime.timedelta(hours=2),
        place="议事厅（abuse.py）",
    )
    activity = Activity.objects.create(
        community=community,
        title="爱心义剪（abuse.py）",
        kind="other",
        place="社区广场",
        starts_at=now - datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(hours=2),
        capacity=1,
    )
    victim = activity_sign_up(activity=activity, name="真志愿者", phone="13911110000")
    wish = wish_review(
        wish=wish_post(
            community=community, title="想要老花镜", text="", wisher_name="陈奶奶"
        ),
        actor=None,
        publish=True,
    )
    ServiceItem.objects.create(
        community=community, side="need", title="楼道照明维修", listed_by="3号楼"
    )
    proposal = proposal_submit(
        community=community,
        title="增设充电桩（abuse.py）",
        text="杜绝飞线充电",
        proposer_name="王大爷",
        proposer_phone="13911112222",
    )
    return {
        "community": community,
        "meeting": meeting,
        "activity": activity,
        "victim": victim,
        "wish": wish,
        "wishes": list(Wish.objects.filter(community=community, status="published")),
        "items": list(ServiceItem.objects.filter(community=community, status="open")),
        "proposal": proposal,
    }


def _stale_sign_in_path(meeting) -> str:
    """The address of a photo of the QR code taken ten minutes ago."""
    from django.urls import reverse

    from core.rotating import rotating_code
    from deliberation.views import SIGN_IN_CODE

    code = rotating_code(SIGN_IN_CODE, meeting.pk, at=time.time() - 600)
    return f"{reverse('deliberation:sign-in', args=[meeting.sign_in_token])}?k={code}"


def _stale_check_in_path(activity) -> str:
    from django.urls import reverse

    from core.rotating import rotating_code
    from volunteers.views import CHECK_IN_CODE

    code = rotating_code(CHECK_IN_CODE, activity.pk, at=time.time() - 600)
    path = reverse("volunteers:check-in", args=[activity.check_in_token])
    return f"{path}?k={code}"


def _fake(n: int) -> dict:
    return {"name": f"路人{n}", "phone": f"1390000{n:04d}"}


def _attempt(title: str, answers: list, before, after) -> bool:
    unchanged = before == after
    print(f"- {title}\n    answers: {_outcome(answers)}")
    print(f"    stored: {before} → {after}  {'unchanged' if unchanged else 'CHANGED'}")
    return unchanged


def _sign_ins(client, t) -> bool:
    meeting = t["meeting"]
    before = meeting.attendance.count()
    stale = _stale_sign_in_path(meeting)
    bare = stale.split("?")[0]
    answers = [client.post(stale if n % 2 else bare, _fake(n)) for n in range(20)]
    return _attempt(
        "20 meeting sign-ins from home (a QR photo 10 minutes old, or none)",
        answers,
        before,
        meeting.attendance.count(),
    )


def _supports(client, t) -> bool:
    proposal = t["proposal"]
    proposal.refresh_from_db()
    before = proposal.support_count
    path = f"/proposals/{proposal.pk}/support/"
    answers = [client.post(path, {"phone": _fake(n)["phone"]}) for n in range(50)]
    proposal.refresh_from_db()
    return _attempt(
        "supporting a proposal 50 times", answers, before, proposal.support_count
    )


def _others_sign_up(client, t) -> bool:
    victim, activity = t["victim"], t["activity"]

    def state():
        victim.refresh_from_db()
        return (victim.status, victim.check_in_at is not None)

    before = state()
    answers = [
        client.post(f"/activities/{activity.pk}/cancel/", {"phone": victim.phone}),
        client.post(_stale_check_in_path(activity), {"phone": victim.phone}),
        client.post(
            _stale_check_in_path(activity).split("?")[0], {"phone": victim.phone}
        ),
    ]
    return _attempt(
        "cancelling and checking in another volunteer knowing the phone",
        answers,
        before,
        state(),
    )


def _fill_activity(client, t) -> bool:
    activity = t["activity"]
    before = activity.signups.count()
    path = f"/activities/{activity.pk}/sign-up/"
    answers = [client.post(path, _fake(n)) for n in range(30)]
    return _attempt(
        "filling the activity with 30 made-up volunteers",
        answers,
        before,
        activity.signups.count(),
    )


def _claims(client, t) -> bool:
    from volunteers.models import ServiceItem, Wish

    community = t["community"]

    def state():
        return (
            Wish.objects.filter(community=community, status="published").count(),
            ServiceItem.objects.filter(community=community, status="open").count(),
        )

    before = state()
    answers = [
        client.post(f"/wishes/{w.pk}/claim/", _fake(n))
        for n, w in enumerate(t["wishes"])
    ]
    answers += [
        client.post(f"/lists/{i.pk}/claim/", {"claimed_by": "路人"}) for i in t["items"]
    ]
    return _attempt(
        f"claiming every open wish ({len(t['wishes'])}) and list entry "
        f"({len(t['items'])})",
        answers,
        before,
        state(),
    )


def _codes(client) -> bool:
    import secrets

    from grids.models import PhoneCode

    phone = f"1392{secrets.randbelow(10**7):07d}"  # a number not asked for yet
    before = PhoneCode.objects.filter(phone=phone).count()
    answers = [
        client.post("/me/verify/", {"step": "send", "phone": phone}) for _ in range(20)
    ]
    after = PhoneCode.objects.filter(phone=phone).count()
    print(f"- 20 code requests for one number\n    answers: {_outcome(answers)}")
    print(f"    codes sent: {after - before} (limit: 1 a minute)")
    guesses = [
        client.post(
            "/me/verify/",
            {"step": "check", "phone": phone, "code": f"{n:06d}"},
        )
        for n in range(20)
    ]
    print(f"- 20 guesses of that code\n    answers: {_outcome(guesses)}")
    return after - before <= 1


def _flood(client, t) -> bool:
    from django.conf import settings

    from core.ratelimit import parse_rate
    from grids.models import Building
    from petitions.models import Category, Petition

    building = Building.objects.filter(compound__community=t["community"]).first()
    category = Category.objects.filter(is_active=True).first()
    path = f"/report/b/{building.pk}/?category={category.code}"
    client.get(path)
    before = Petition.objects.count()
    started = time.monotonic()
    answers = [
        client.post(
            path,
            {
                "description": f"灌水 {n}",
                "reporter_phone": f"139{n:08d}",
                "idempotency_key": str(uuid.uuid4()),
            },
        )
        for n in range(300)
    ]
    took = time.monotonic() - started
    stored = Petition.objects.count() - before
    limit, _period = parse_rate(settings.RATE_LIMITS["report"]["ip"][0])
    print(f"- 300 reports from one client in {took:.1f} s")
    print(f"    answers: {_outcome(answers)}")
    print(f"    stored: {stored} (limit {limit} a minute per address)")
    return stored <= limit


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--skip-flood", action="store_true")
    options = parser.parse_args()

    import django

    django.setup()
    targets = _targets()
    print(f"Against {options.url}, one anonymous client, no verified phone:\n")
    results = []
    for attempt in (_sign_ins, _supports, _others_sign_up, _fill_activity, _claims):
        results.append(attempt(Client(options.url), targets))
    results.append(_codes(Client(options.url)))
    if not options.skip_flood:
        results.append(_flood(Client(options.url), targets))
    print(f"\n{sum(results)} of {len(results)} attempts changed nothing they may not")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
