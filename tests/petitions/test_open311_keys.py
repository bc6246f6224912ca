"""Open311 keys: stored hashed, shown once, sent in a header, throttled per key
and bound to the communities a client may file in."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from core.keys import key_hash
from core.models import AuditEvent
from core.ratelimit import parse_rate
from petitions.models import Open311Client, Petition
from petitions.open311.services import open311_client_create, open311_client_new_key
from tests.petitions.factories import Open311ClientFactory

URL = "/open311/v2/requests.json"


def _filing(category, building, **extra):
    return {
        "service_code": category.code,
        "address_id": str(building.pk),
        "description": "楼道水管漏水",
        "phone": "13912345678",
        **extra,
    }


def test_open311_client_create_stores_only_the_hash(world):
    """The key is returned once; the database holds its SHA-256 and prefix."""
    client, key = open311_client_create(name="12345 热线", communities=[world.c1])
    stored = Open311Client.objects.filter(pk=client.pk).values().get()
    assert key not in str(stored)
    assert stored["key_hash"] == key_hash(key)
    assert stored["prefix"] == key[:8]
    assert AuditEvent.objects.filter(action="open311client.create").exists()


def test_open311_key_in_header_files_a_case(client, world, category, building):
    """``X-API-Key`` works like the spec's ``api_key`` parameter."""
    open311_client, key = open311_client_create(name="热线", communities=[world.c1])
    response = client.post(URL, _filing(category, building), HTTP_X_API_KEY=key)
    assert response.status_code == 200, response.content
    assert Petition.objects.get().open311_client == open311_client
    response = client.post(URL, _filing(category, building, api_key=key))
    assert response.status_code == 200
    open311_client.refresh_from_db()
    assert open311_client.last_used_at is not None


def test_open311_new_key_retires_the_old_one(client, world, category, building):
    """After a new key is made, the old key is refused with 403."""
    open311_client, old = open311_client_create(name="热线", communities=[world.c1])
    new = open311_client_new_key(client=open311_client)
    refused = client.post(URL, _filing(category, building), HTTP_X_API_KEY=old)
    assert refused.status_code == 403
    taken = client.post(URL, _filing(category, building), HTTP_X_API_KEY=new)
    assert taken.status_code == 200


def test_open311_client_files_only_in_its_communities(client, world, category):
    """A client bound to C1 is refused (403) in C3 and writes nothing."""
    open311_client = Open311ClientFactory(communities=[world.c1])
    foreign = world.households["G4"][0].unit.building
    response = client.post(
        URL, _filing(category, foreign), HTTP_X_API_KEY=open311_client.api_key
    )
    assert response.status_code == 403
    assert "api_key" in response.json()[0]["description"]
    assert not Petition.objects.exists()


def test_open311_key_is_throttled(client, world, category, building):
    """Past the per-key limit a client gets the spec's error list with 429 and
    Retry-After, and nothing more is stored."""
    per_minute, _period = parse_rate(settings.RATE_LIMITS["open311"]["key"][0])
    open311_client = Open311ClientFactory(communities=[world.c1])
    statuses = [
        client.post(
            URL,
            _filing(category, building, phone=f"139{n:08d}"),
            HTTP_X_API_KEY=open311_client.api_key,
        ).status_code
        for n in range(per_minute + 3)
    ]
    assert statuses.count(200) == per_minute
    assert statuses[-3:] == [429, 429, 429]
    assert Petition.objects.count() == per_minute
    refused = client.post(
        URL, _filing(category, building), HTTP_X_API_KEY=open311_client.api_key
    )
    assert refused.json()[0]["code"] == 429
    assert int(refused["Retry-After"]) >= 1


@pytest.mark.parametrize("username", ["district"])
def test_open311_admin_shows_the_key_once(client, world, username):
    """District staff make a client in the admin: the key is in the message of
    that answer only, and works."""
    client.force_login(world.users[username])
    response = client.post(
        reverse("admin:petitions_open311client_add"),
        {"name": "12345 热线", "communities": [world.c1.pk]},
        follow=True,
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    [key] = re.findall(r"[A-Za-z0-9_-]{43}", " ".join(messages))
    made = Open311Client.objects.get()
    assert made.key_hash == key_hash(key)
    assert list(made.communities.all()) == [world.c1]
    page = client.get(reverse("admin:petitions_open311client_change", args=[made.pk]))
    assert key not in page.content.decode()
