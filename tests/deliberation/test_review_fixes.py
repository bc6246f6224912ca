"""Faults found in review of deliberation, each pinned so it cannot come back."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from deliberation.models import (
    ActionItem,
    AgendaTopic,
    DeliberationBody,
    MajorMatter,
    Meeting,
    Proposal,
)
from deliberation.services import (
    major_matter_decide,
    major_matter_party_review,
    meeting_close,
    meetings_create_ahead,
    owner_vote_record,
)
from grids.models import Household, Person
from tests.grids import factories as f


def _body(world, **extra):
    return DeliberationBody.objects.create(
        community=world.c1, name="逢四说事", kind="hall", rule="fengsi", **extra
    )


def test_unfinished_item_is_carried_into_the_next_meeting_only(world):
    """Creating two months ahead puts an open item on the next meeting alone."""
    body = _body(world)
    starts = timezone.now() - datetime.timedelta(days=3)
    last = Meeting.objects.create(
        body=body, starts_at=starts, ends_at=starts + datetime.timedelta(hours=1)
    )
    topic = AgendaTopic.objects.create(meeting=last, title="t", source="staff")
    item = ActionItem.objects.create(
        topic=topic,
        title="修路",
        owner=Person.objects.get(user=world.users["grid"]),
        due_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    meeting_close(meeting=last, actor=world.users["community"], minutes="纪要")
    meetings_create_ahead(
        body=body, until=timezone.localdate() + datetime.timedelta(days=62)
    )
    carried = AgendaTopic.objects.filter(carried_item=item)
    assert carried.count() == 1
    assert carried.get().meeting == body.meetings.filter(status="planned").earliest(
        "starts_at"
    )


@pytest.fixture
def passed_matter(world):
    compound = world.households["G1"][0].unit.building.compound
    matter = MajorMatter.objects.create(
        compound=compound,
        kind="fund_raise",
        title="筹集维修资金",
        party_org=f.PartyOrganizationFactory(community=world.c1),
    )
    return major_matter_party_review(
        matter=matter, actor=world.users["community"], passed=True, opinion="同意"
    )


def test_passed_matter_kind_cannot_be_changed_in_the_admin(
    client, world, passed_matter
):
    """What the party passed is fixed: the kind (and its threshold) cannot be
    edited afterwards."""
    client.force_login(world.users["community"])
    url = reverse("admin:deliberation_majormatter_change", args=[passed_matter.pk])
    form = client.get(url).context["adminform"].form
    assert "kind" not in form.fields


def test_vote_count_uses_one_register_for_total_and_votes(world, passed_matter):
    """Areas changed after voting do not make the votes exceed the total."""
    staff = world.users["community"]
    households = world.households["G1"] + world.households["G2"]
    for household in households[:3]:
        owner_vote_record(
            matter=passed_matter, household=household, choice="agree", actor=staff
        )
    Household.objects.filter(pk__in=[h.pk for h in households]).update(
        floor_area=Decimal(1)
    )
    decided = major_matter_decide(matter=passed_matter, actor=staff)
    assert Decimal(decided.outcome["voted_area"]) <= Decimal(
        decided.outcome["total_area"]
    )


def test_closed_meeting_is_read_only_in_the_admin(client, world):
    """A closed meeting's minutes and time cannot be edited."""
    meeting = meeting_close(
        meeting=Meeting.objects.create(
            body=_body(world),
            starts_at=timezone.now(),
            ends_at=timezone.now() + datetime.timedelta(hours=1),
        ),
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


@pytest.mark.parametrize("object_id", ["abc", "1%00"])
def test_odd_object_ids_are_not_a_crash(client, world, object_id):
    """Odd ids in admin addresses answer like a missing object."""
    client.force_login(world.users["community"])
    for model in ("meeting", "majormatter"):
        response = client.get(f"/admin/deliberation/{model}/{object_id}/change/")
        assert response.status_code in (302, 404)


def test_cancel_step_cancels(client, world):
    """The admin's cancel step really cancels the meeting."""
    starts = timezone.now() + datetime.timedelta(days=2)
    meeting = Meeting.objects.create(
        body=_body(world),
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
    )
    client.force_login(world.users["community"])
    client.post(
        reverse("admin:deliberation_meeting_step", args=[meeting.pk]),
        {"step": "cancel", "text": "台风"},
    )
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"


def test_public_page_masks_numbers_in_proposals(client, world):
    """A number typed into a proposal is masked on the public page."""
    Proposal.objects.create(
        community=world.c1,
        title="联系我 13912345678",
        text="或 139 1234 5678",
        proposer_phone="13911112222",
    )
    body = client.get(
        reverse("deliberation:community", args=[world.c1.pk])
    ).content.decode()
    assert "13912345678" not in body and "139 1234 5678" not in body
    assert "139****5678" in body


def test_minutes_and_api_need_deliberation_rights(client, world):
    """A steward, without deliberation rights, can read neither minutes nor API."""
    meeting = Meeting.objects.create(
        body=_body(world),
        starts_at=timezone.now(),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
    )
    client.force_login(world.users["steward"])
    assert (
        client.get(
            reverse("admin:deliberation_meeting_minutes", args=[meeting.pk])
        ).status_code
        == 403
    )
    assert client.get("/api/v1/meetings/").status_code == 403


def test_qr_sign_in_needs_a_phone(client, world):
    """Without a phone number the QR page does not sign anyone in."""
    meeting = Meeting.objects.create(
        body=_body(world),
        starts_at=timezone.now(),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
    )
    url = reverse("deliberation:sign-in", args=[meeting.sign_in_token])
    for _ in range(3):
        client.post(url, {"name": "路人"})
    assert not meeting.attendance.exists()


def test_body_compound_must_be_in_its_community(world):
    """A body of one community cannot hold another community's compound."""
    from grids.services import org_object_save

    body = DeliberationBody(
        community=world.c1,
        compound=world.households["G3"][0].unit.building.compound,
        name="x",
        kind="stool",
        rule="once",
    )
    with pytest.raises(ValidationError):
        org_object_save(actor=None, instance=body)


def test_moved_meeting_is_announced_again(world):
    """Moving a meeting sends a fresh reminder with the new time."""
    from deliberation.services import meeting_move
    from deliberation.tasks import remind_meetings_task

    starts = timezone.now() + datetime.timedelta(hours=20)
    meeting = Meeting.objects.create(
        body=_body(world),
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
    )
    assert remind_meetings_task() == 1
    meeting_move(meeting=meeting, starts_at=starts + datetime.timedelta(hours=2))
    assert remind_meetings_task() == 1
