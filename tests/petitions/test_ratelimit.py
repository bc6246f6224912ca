"""The report form under a flood (core.ratelimit): a client stores no more
reports than its limit, and the refusal is a Chinese page with Retry-After."""

import uuid

from django.conf import settings
from django.urls import reverse

from core.ratelimit import parse_rate
from petitions.models import Petition
from tests.conftest import TEST_NOW

REPORTS_PER_MINUTE, _period = parse_rate(settings.RATE_LIMITS["report"]["ip"][0])


def _report(client, building, category, phone, **extra):
    url = reverse("petitions:report-building", args=[building.pk])
    return client.post(
        f"{url}?category={category.code}",
        {
            "description": "楼道灯不亮",
            "place_detail": "1单元",
            "reporter_name": "刘阿姨",
            "reporter_phone": phone,
            "idempotency_key": str(uuid.uuid4()),
        },
        **extra,
    )


def test_ratelimit_flood_of_300_reports_stores_no_more_than_the_limit(
    client, building, category, pinned_clock
):
    """300 reports from one client within a minute store only the per-minute
    limit; the rest are answered 429 with Retry-After and a Chinese page."""
    pinned_clock.move_to(TEST_NOW)  # the start of a calendar minute
    statuses = []
    for n in range(300):
        phone = f"139{n:08d}"  # a new number each time: the address is limited
        statuses.append(_report(client, building, category, phone).status_code)
    assert Petition.objects.count() == REPORTS_PER_MINUTE
    assert statuses.count(302) == REPORTS_PER_MINUTE
    assert statuses.count(429) == 300 - REPORTS_PER_MINUTE
    refused = _report(client, building, category, "13800000000")
    assert refused.status_code == 429
    # The flood has used up the hour too: wait for the end of that window.
    assert 60 < int(refused["Retry-After"]) <= 3600
    assert "请求过于频繁" in refused.content.decode()


def test_ratelimit_window_passes_and_reports_are_taken_again(
    client, building, category, pinned_clock
):
    """Once the minute is over, the same client may report again."""
    pinned_clock.move_to(TEST_NOW)
    for n in range(REPORTS_PER_MINUTE + 1):
        _report(client, building, category, f"139{n:08d}")
    pinned_clock.shift(60)
    response = _report(client, building, category, "13700000000")
    assert response.status_code == 302
    assert Petition.objects.count() == REPORTS_PER_MINUTE + 1


def test_ratelimit_per_phone_holds_across_addresses(client, building, category):
    """One number used from many addresses is limited by the per-phone rate."""
    per_phone, _period = parse_rate(settings.RATE_LIMITS["report"]["phone"][0])
    for n in range(per_phone + 3):
        _report(client, building, category, "139 1234 5678", REMOTE_ADDR=f"10.0.0.{n}")
    assert Petition.objects.filter(reporter_phone="13912345678").count() == per_phone
