"""The deliberation API for dashboards: scoped, with fixed query counts."""

import datetime

import pytest
from django.utils import timezone

from grids.models import Person
from tests.deliberation.factories import ActionItemFactory, BodyFactory, MeetingFactory


def _meetings(world, community, n):
    """Make ``n`` past meetings in ``community``, each with a topic and an
    action item."""
    body = BodyFactory(community=community)
    owner = Person.objects.get(user=world.users["grid"])
    for i in range(n):
        meeting = MeetingFactory(
            body=body, starts_in=-datetime.timedelta(days=10 * (i + 1)), hours=1
        )
        ActionItemFactory(
            topic__meeting=meeting, owner=owner, due_date=timezone.localdate()
        )


@pytest.mark.parametrize("n", [2, 12])
def test_meeting_list_query_count_is_fixed(client, world, django_assert_num_queries, n):
    """Meetings with topics and action items cost the same queries for 2 or 12."""
    _meetings(world, world.c1, n)
    client.force_login(world.users["community"])
    # session, user, permissions (user, group, role), scope, count, meetings,
    # topics, action items
    with django_assert_num_queries(10):
        response = client.get("/api/v1/meetings/")
    assert response.json()["count"] == n


def test_meeting_list_is_scoped(client, world):
    """Another community's meetings are not listed."""
    _meetings(world, world.c1, 1)
    _meetings(world, world.c3, 1)
    client.force_login(world.users["community"])
    rows = client.get("/api/v1/meetings/").json()["results"]
    assert [r["community"] for r in rows] == ["端庄社区"]
    client.force_login(world.users["district"])
    assert client.get("/api/v1/meetings/").json()["count"] == 2


def test_action_items_and_major_matters_are_listed(client, world):
    """Dashboards read action items and major matters."""
    _meetings(world, world.c1, 1)
    client.force_login(world.users["community"])
    assert client.get("/api/v1/action-items/").json()["count"] == 1
    assert client.get("/api/v1/major-matters/").status_code == 200
