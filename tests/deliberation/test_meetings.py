"""Meetings: agenda from cases and proposals, sign-in, minutes, decisions and
action items that come back until they are done."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from deliberation.models import ActionItem, AgendaTopic, DeliberationBody
from deliberation.services import (
    action_item_add,
    action_item_update,
    attendance_sign_in,
    meeting_close,
    meetings_create_ahead,
    proposal_submit,
    proposal_support,
    topic_add,
    topic_decide,
)
from grids.models import Person
from grids.services import org_object_save
from tests.deliberation.factories import ActionItemFactory, MeetingFactory


def test_petition_discussed_gets_the_decision_on_its_timeline(world, body, submit):
    """A case put on the agenda and decided shows both steps to its resident."""
    petition = submit()
    staff = world.users["community"]
    meeting = MeetingFactory(body=body, starts_in=datetime.timedelta(0))
    topic = topic_add(
        meeting=meeting, title="楼道漏水维修方案", actor=staff, petition=petition
    )
    topic_decide(
        topic=topic,
        decision="adopted",
        decision_text="由维修资金列支，一周内完成",
        actor=staff,
        votes_for=9,
        votes_against=1,
    )
    notes = list(petition.events.filter(action="note").values_list("note", "is_public"))
    assert len(notes) == 2 and all(public for _note, public in notes)
    assert "一周内完成" in notes[1][0]
    assert petition.events.last().to_status == petition.status  # the case did not move


def test_unfinished_action_item_comes_back_until_done(world, body):
    """An unfinished item of the last meeting is on the next agenda by itself,
    once; when it is done it stops coming back."""
    staff = world.users["community"]
    owner = Person.objects.get(user=world.users["grid"])
    first, second, third = (
        MeetingFactory(body=body, starts_in=datetime.timedelta(days=days))
        for days in (-40, -10, 20)
    )
    topic = topic_add(meeting=first, title="消防通道清理", actor=staff)
    topic_decide(topic=topic, decision="adopted", decision_text="清理", actor=staff)
    item = action_item_add(
        topic=topic,
        title="清理3号楼消防通道",
        owner=owner,
        due_date=timezone.localdate(),
        actor=staff,
    )
    meeting_close(meeting=first, actor=staff, minutes="议定清理消防通道")
    carried = second.topics.get(carried_item=item)
    assert carried.source == "carried"
    meeting_close(meeting=second, actor=staff, minutes="跟进")
    assert third.topics.filter(carried_item=item).count() == 1
    action_item_update(
        item=item, status="done", progress=100, note="已清理", actor=staff
    )
    fourth = MeetingFactory(body=body, starts_in=datetime.timedelta(days=50))
    from deliberation.services import agenda_carry_over

    third_close = meeting_close(meeting=third, actor=staff, minutes="完成")
    assert third_close.status == "closed"
    assert agenda_carry_over(meeting=fourth) == 0
    assert item.updates.count() == 2


def test_unfinished_item_is_carried_into_the_next_meeting_only(world, fengsi_body):
    """Creating two months ahead puts an open item on the next meeting alone."""
    body = fengsi_body
    last = MeetingFactory(body=body, starts_in=-datetime.timedelta(days=3), hours=1)
    item = ActionItemFactory(
        topic__meeting=last,
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


def test_meeting_cannot_close_without_minutes(world, body):
    """Closing without minutes is refused and changes nothing."""
    meeting = MeetingFactory(body=body, starts_in=datetime.timedelta(0))
    with pytest.raises(ValidationError, match="会议纪要"):
        meeting_close(meeting=meeting, actor=world.users["community"], minutes="  ")
    meeting.refresh_from_db()
    assert meeting.status == "planned"
    closed = meeting_close(
        meeting=meeting, actor=world.users["community"], minutes="纪要"
    )
    assert closed.publish_until > timezone.localdate()


def test_sign_in_only_within_the_meeting_window_and_once(world, body):
    """Sign-in opens 30 minutes before and closes 30 minutes after; one phone
    signs in once; the attendee count comes from the sign-ins."""
    meeting = MeetingFactory(body=body, starts_in=datetime.timedelta(0))
    too_early = meeting.starts_at - datetime.timedelta(hours=1)
    with pytest.raises(ValidationError, match="半小时"):
        attendance_sign_in(
            meeting=meeting, name="张三", phone="13912345678", now=too_early
        )
    during = meeting.starts_at + datetime.timedelta(minutes=10)
    attendance_sign_in(meeting=meeting, name="张三", phone="13912345678", now=during)
    attendance_sign_in(meeting=meeting, name="张三", phone="139 1234 5678", now=during)
    attendance_sign_in(meeting=meeting, name="李四", method="staff", now=during)
    assert meeting.attendance.count() == 2


def test_action_item_cannot_be_due_before_its_meeting(world, body):
    """A due date before the meeting is refused."""
    staff = world.users["community"]
    meeting = MeetingFactory(body=body, starts_in=datetime.timedelta(days=5))
    topic = topic_add(meeting=meeting, title="议题", actor=staff)
    with pytest.raises(ValidationError, match="不能早于"):
        action_item_add(
            topic=topic,
            title="事项",
            owner=Person.objects.get(user=world.users["grid"]),
            due_date=timezone.localdate(),
            actor=staff,
        )
    assert not ActionItem.objects.exists()


def test_proposal_is_supported_once_per_phone(world, body):
    """Neighbours support a proposal; the same phone counts once."""
    proposal = proposal_submit(
        community=world.c1,
        title="增设电动车充电桩",
        text="杜绝飞线充电",
        proposer_name="王大爷",
        proposer_phone="13911112222",
    )
    assert proposal_support(proposal=proposal, phone="13933334444")
    assert not proposal_support(proposal=proposal, phone="13933334444")
    assert not proposal_support(proposal=proposal, phone="13911112222")
    proposal.refresh_from_db()
    assert proposal.support_count == 2
    topic = topic_add(
        meeting=MeetingFactory(body=body, starts_in=datetime.timedelta(days=3)),
        title=proposal.title,
        actor=world.users["community"],
        proposal=proposal,
    )
    proposal.refresh_from_db()
    assert topic.source == "proposal" and proposal.status == "scheduled"


def test_other_communitys_case_cannot_be_put_on_the_agenda(world, body, submit):
    """A case of another community is refused."""
    foreign = submit(building=world.households["G4"][0].unit.building)
    with pytest.raises(ValidationError):
        topic_add(
            meeting=MeetingFactory(body=body, starts_in=datetime.timedelta(days=1)),
            title="x",
            actor=None,
            petition=foreign,
        )


def test_cancelling_one_meeting_keeps_the_series(world, body):
    """A cancelled meeting stays cancelled; the periodic task does not remake it
    and the other meetings are untouched."""
    from deliberation.services import meeting_cancel, meetings_create_ahead

    until = timezone.localdate() + datetime.timedelta(days=70)
    made = meetings_create_ahead(body=body, until=until)
    first = body.meetings.order_by("starts_at").first()
    with pytest.raises(ValidationError):
        meeting_cancel(meeting=first, actor=world.users["community"], reason=" ")
    meeting_cancel(meeting=first, actor=world.users["community"], reason="台风停会")
    assert meetings_create_ahead(body=body, until=until) == 0
    assert body.meetings.count() == made
    assert body.meetings.filter(status="cancelled").count() == 1
    first.refresh_from_db()
    with pytest.raises(ValidationError):
        attendance_sign_in(meeting=first, name="x", now=first.starts_at)


def test_body_compound_must_be_in_its_community(world):
    """A body of one community cannot hold another community's compound."""
    body = DeliberationBody(
        community=world.c1,
        compound=world.households["G3"][0].unit.building.compound,
        name="x",
        kind="stool",
        rule="once",
    )
    with pytest.raises(ValidationError):
        org_object_save(actor=None, instance=body)


def test_raising_a_major_matter_writes_its_first_event(world):
    """A raised matter starts its timeline."""
    from deliberation.models import MajorMatter
    from deliberation.services import major_matter_raise
    from tests.grids import factories as f

    matter = major_matter_raise(
        matter=MajorMatter(
            compound=world.households["G1"][0].unit.building.compound,
            kind="fee_change",
            title="调整物业费",
            party_org=f.PartyOrganizationFactory(community=world.c1),
        ),
        actor=world.users["community"],
    )
    assert list(matter.events.values_list("action", flat=True)) == ["raise"]
