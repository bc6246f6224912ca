"""Rate limits on anonymous writes (core.ratelimit): per client address, per
phone and per key, counted in the cache, answered 429 with Retry-After."""

import json

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

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
