"""Rate limits on anonymous writes (core.ratelimit): per client address, per
phone and per key, counted in the cache, answered 429 with Retry-After."""

import datetime
import json

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.ratelimit import parse_rate, ratelimit_hit, ratelimited_response
from deliberation.models import Proposal


def test_ratelimit_proposal_flood_is_refused(client, world):
    """The proposal form refuses a flood from one client like the report form."""
    url = reverse("deliberation:community", args=[world.c1.pk])
    per_minute, _period = parse_rate(settings.RATE_LIMITS["proposal"]["ip"][0])
    statuses = [
        client.post(
            url,
            {
                "title": f"增设充电桩 {n}",
                "text": "楼下电动车充电难",
                "name": "张三",
                "phone": f"138{n:08d}",
            },
        ).status_code
        for n in range(per_minute + 5)
    ]
    assert statuses.count(429) == 5
    assert Proposal.objects.count() == per_minute


def test_ratelimit_api_clients_get_json(db):
    """A refused API or Open311 hit answers JSON with Retry-After."""
    request = RequestFactory().post("/open311/v2/requests.json")
    refused = None
    for _ in range(200):
        refused = refused or ratelimit_hit(request, "open311", key="k")
    response = ratelimited_response(request, refused)
    assert response.status_code == 429
    assert json.loads(response.content)["code"] == "throttled"
    assert int(response["Retry-After"]) >= 1


def test_ratelimit_unknown_group_is_a_programming_error(db):
    """A view naming a group missing from settings fails loudly, not open."""
    with pytest.raises(KeyError):
        ratelimit_hit(RequestFactory().post("/"), "no-such-group")


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("10/m", (10, 60)), ("5/h", (5, 3600)), ("3/d", (3, 86400)), ("5/15m", (5, 900))],
)
def test_ratelimit_parse_rate(rate, expected):
    """Rates are written count/period: s, m, h, d, optionally with a multiple."""
    assert parse_rate(rate) == expected


#: Resident pages that only read (a POST there changes nothing).
#: Pages that take no POST (the WeChat binding pages refuse one: 405).
READ_ONLY = {
    "site:home",
    "volunteers:community",
    "residents:me",
    "petitions:track",
    "residents:wechat",
    "residents:wechat-done",
    "site:notices",
    "site:notice",
    "site:centres",
    "deliberation:calendar",
    "deliberation:disclosure",
}


def _resident_posts(world) -> dict:
    """Every resident page that takes a POST, by URL name, with its address."""
    from tests.deliberation.factories import (
        MajorMatterFactory,
        MeetingFactory,
        ProposalFactory,
    )
    from tests.petitions.factories import CategoryFactory, PetitionFactory
    from tests.volunteers.factories import (
        ActivityFactory,
        ServiceItemFactory,
        WishFactory,
    )

    c1 = world.c1.pk
    building = world.households["G1"][0].unit.building
    token = PetitionFactory(building=building).tracking_token
    activity = ActivityFactory(community=world.c1)
    category = CategoryFactory().code
    matter = MajorMatterFactory(
        compound=building.compound,
        voting_opens_at=timezone.now(),
        voting_closes_at=timezone.now() + datetime.timedelta(days=7),
    )
    return {
        "petitions:report": f"/report/c/{c1}/?category={category}",
        "petitions:report-building": f"/report/b/{building.pk}/?category={category}",
        "petitions:track-confirm": f"/track/{token}/confirm/",
        "petitions:track-reopen": f"/track/{token}/reopen/",
        "petitions:track-verify": f"/track/{token}/verify/",
        "deliberation:sign-in": reverse(
            "deliberation:sign-in", args=[MeetingFactory().sign_in_token]
        ),
        "deliberation:community": f"/c/{c1}/deliberation/",
        "deliberation:support": f"/proposals/{ProposalFactory().pk}/support/",
        "deliberation:vote": f"/c/{c1}/matters/{matter.pk}/",
        "volunteers:wish-post": f"/c/{c1}/wishes/",
        "volunteers:sign-up": f"/activities/{activity.pk}/sign-up/",
        "volunteers:check-in": f"/activities/{activity.check_in_token}/check-in/",
        "volunteers:wish-claim": f"/wishes/{WishFactory().pk}/claim/",
        "volunteers:list-claim": f"/lists/{ServiceItemFactory().pk}/claim/",
        "volunteers:sign-up-cancel": f"/activities/{activity.pk}/cancel/",
        "volunteers:wish-fulfil": f"/wishes/{WishFactory().pk}/fulfil/",
        "volunteers:register": f"/c/{c1}/register/",
        "residents:verify": "/me/verify/",
        "residents:messages": "/me/messages/",
        "residents:logout": "/me/logout/",
    }


def test_ratelimit_every_anonymous_post_of_the_resident_site(client, world, settings):
    """Every page of the resident site that takes a POST is limited: with
    every limit at two a minute, the third POST from one address is a 429,
    whatever the page (a new page that takes a POST must be listed here)."""
    from django.urls import get_resolver

    settings.RATE_LIMITS = {group: {"ip": ["2/m"]} for group in settings.RATE_LIMITS}
    posts = _resident_posts(world)
    resolver = get_resolver()
    names = {
        f"{ns}:{pattern.name}"
        for ns in ("site", "petitions", "deliberation", "volunteers", "residents")
        for pattern in resolver.namespace_dict[ns][1].url_patterns
    }
    assert names - READ_ONLY == set(posts)
    verify_data = {"step": "check", "phone": "13912345678", "code": "123456"}
    refused = {}
    for name, url in posts.items():
        data = verify_data if name == "residents:verify" else {"phone": "13912345678"}
        statuses = [client.post(url, data).status_code for _ in range(3)]
        refused[name] = statuses[-1]
    assert refused == dict.fromkeys(posts, 429)
    code_asks = [
        client.post("/me/verify/", {"step": "send", "phone": f"1391234567{n}"})
        for n in range(3)
    ]
    assert code_asks[-1].status_code == 429


def test_ratelimit_per_phone_counts_the_verified_phone(client, world, settings):
    """Forms behind a verified phone post no number: their per-phone limits
    count the phone the device proved, so one phone cannot sign in at a
    meeting from many addresses past its limit."""
    from core.rotating import rotating_code
    from deliberation.views import SIGN_IN_CODE
    from tests.deliberation.factories import MeetingFactory
    from tests.grids.factories import resident_verify

    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "meeting_sign_in": {"ip": ["100/m"], "phone": ["2/h"]},
    }
    resident_verify(client, "13912345678")
    meeting = MeetingFactory()
    url = reverse("deliberation:sign-in", args=[meeting.sign_in_token])
    data = {"k": rotating_code(SIGN_IN_CODE, meeting.pk), "name": "王大妈"}
    statuses = [
        client.post(url, data, REMOTE_ADDR=f"10.0.0.{n}").status_code for n in range(3)
    ]
    assert statuses[-1] == 429 and 429 not in statuses[:-1]
