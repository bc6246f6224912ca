"""The deliberation admin is scoped like every other admin."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from deliberation.services import meeting_close
from tests.deliberation.factories import (
    BodyFactory,
    MajorMatterFactory,
    MeetingFactory,
)


@pytest.fixture
def bodies(world):
    """A 逢四 deliberation hall in community C1 and one in C3."""
    return {
        name: BodyFactory(community=community, name=name, fengsi=True)
        for name, community in [("端庄议事厅", world.c1), ("楼北议事厅", world.c3)]
    }


def test_admin_bodies_are_scoped(client, world, bodies):
    """Community staff list their community's body only."""
    client.force_login(world.users["community"])
    response = client.get(reverse("admin:deliberation_deliberationbody_changelist"))
    assert [b.name for b in response.context["cl"].result_list] == ["端庄议事厅"]


def test_minutes_and_api_need_deliberation_rights(client, world, body):
    """A steward, without deliberation rights, can read neither minutes nor API."""
    meeting = MeetingFactory(body=body, starts_in=datetime.timedelta(0), hours=1)
    client.force_login(world.users["steward"])
    assert (
        client.get(
            reverse("admin:deliberation_meeting_minutes", args=[meeting.pk])
        ).status_code
        == 403
    )
    assert client.get("/api/v1/meetings/").status_code == 403


def test_admin_cannot_set_a_major_matters_state(client, world):
    """Status and decisions are read-only in the admin: the gate lives in the
    services, so a form post cannot mark a matter decided."""
    compound = world.households["G1"][0].unit.building.compound
    matter = MajorMatterFactory(compound=compound, kind="elevator", title="加装电梯")
    client.force_login(world.users["community"])
    url = reverse("admin:deliberation_majormatter_change", args=[matter.pk])
    response = client.post(
        url,
        {
            "compound": compound.pk,
            "kind": "elevator",
            "title": "加装电梯",
            "party_org": matter.party_org.pk,
            "status": "owners_passed",
            "owners_decided_at": timezone.now().isoformat(),
            "votes-TOTAL_FORMS": "0",
            "votes-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302  # the form was valid and saved
    matter.refresh_from_db()
    assert matter.status == "raised" and matter.owners_decided_at is None


def test_passed_matter_kind_cannot_be_changed_in_the_admin(
    client, world, passed_matter
):
    """What the party passed is fixed: the kind (and its threshold) cannot be
    edited afterwards."""
    client.force_login(world.users["community"])
    url = reverse("admin:deliberation_majormatter_change", args=[passed_matter.pk])
    form = client.get(url).context["adminform"].form
    assert "kind" not in form.fields


def test_admin_meetings_list_opens(client, world, bodies):
    """Meetings of the body show in the list."""
    from deliberation.services import meetings_create_ahead

    meetings_create_ahead(
        body=bodies["端庄议事厅"],
        until=timezone.localdate() + datetime.timedelta(days=40),
    )
    client.force_login(world.users["community"])
    response = client.get(reverse("admin:deliberation_meeting_changelist"))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= 3


def test_admin_moving_a_meeting_goes_on_its_timeline(client, world, bodies):
    """A new time typed in the admin is a move through the service: the
    meeting's timeline says from when it was moved."""
    from deliberation.models import Meeting
    from deliberation.services import meetings_create_ahead

    meetings_create_ahead(
        body=bodies["端庄议事厅"],
        until=timezone.localdate() + datetime.timedelta(days=20),
    )
    meeting = Meeting.objects.filter(body=bodies["端庄议事厅"]).first()
    old = timezone.localtime(meeting.starts_at)
    new = old + datetime.timedelta(days=1, hours=1)
    client.force_login(world.users["community"])
    response = client.post(
        reverse("admin:deliberation_meeting_change", args=[meeting.pk]),
        {
            "starts_at_0": f"{new:%Y-%m-%d}",
            "starts_at_1": f"{new:%H:%M:%S}",
            "ends_at_0": f"{new:%Y-%m-%d}",
            "ends_at_1": f"{new + datetime.timedelta(hours=2):%H:%M:%S}",
            "place": "党群服务中心",
            "minutes": "",
            "topics-TOTAL_FORMS": 0,
            "topics-INITIAL_FORMS": 0,
            "attendance-TOTAL_FORMS": 0,
            "attendance-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting.refresh_from_db()
    assert timezone.localtime(meeting.starts_at) == new
    assert meeting.place == "党群服务中心"
    move = meeting.events.get(action="move")
    assert f"{old:%Y-%m-%d %H:%M}" in move.note
    assert move.actor == world.users["community"]
    assert list(meeting.events.values_list("action", flat=True)) == ["plan", "move"]


def test_closed_meeting_is_read_only_in_the_admin(client, world, body):
    """A closed meeting's minutes and time cannot be edited."""
    meeting = meeting_close(
        meeting=MeetingFactory(body=body, starts_in=datetime.timedelta(0), hours=1),
        actor=world.users["community"],
        minutes="原纪要",
    )
    client.force_login(world.users["community"])
    form = (
        client.get(reverse("admin:deliberation_meeting_change", args=[meeting.pk]))
        .context["adminform"]
        .form
    )
    assert "minutes" not in form.fields and "starts_at" not in form.fields


def test_cancel_step_cancels(client, world, body):
    """The admin's cancel step really cancels the meeting."""
    meeting = MeetingFactory(body=body, starts_in=datetime.timedelta(days=2), hours=1)
    client.force_login(world.users["community"])
    client.post(
        reverse("admin:deliberation_meeting_step", args=[meeting.pk]),
        {"step": "cancel", "text": "台风"},
    )
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"


@pytest.mark.parametrize("object_id", ["abc", "1%00"])
def test_odd_object_ids_are_not_a_crash(client, world, object_id):
    """Odd ids in admin addresses answer like a missing object."""
    client.force_login(world.users["community"])
    for model in ("meeting", "majormatter"):
        response = client.get(f"/admin/deliberation/{model}/{object_id}/change/")
        assert response.status_code in (302, 404)
