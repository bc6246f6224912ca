"""Messages residents receive at each step, once each, short enough for one
SMS, and never to a phone that stopped them."""

import datetime

import pytest
from django.utils import timezone

from core import notifications
from core.messages import PARAM_MAX, RESIDENT_MESSAGES, message_render, notify_resident
from core.models import Notification
from petitions.links import petition_short_link
from petitions.services import petition_transition
from tests.deliberation.factories import MeetingFactory, ProposalFactory, TopicFactory
from tests.volunteers.factories import ActivityFactory, SignUpFactory, WishFactory

PHONE = "13912345678"
#: A deployment's address of this length leaves room for every message.
SITE_URL = "https://wy.example.cn"
SIGN = "【红色物业】"
#: Long values: a six-digit case id, titles and places longer than PARAM_MAX.
LONG_VALUES = {
    "number": "261231-123456",
    "title": "红色议事会暨逢四说事联席会议扩大会议",
    "when": "12-31 19:30",
    "place": "端庄社区党群服务中心三楼会议室",
    "code": "123456",
    "minutes": 5,
}


def _kinds_sent(phone=PHONE) -> list[str]:
    return list(
        Notification.objects.filter(phone=phone)
        .order_by("id")
        .values_list("kind", flat=True)
    )


def test_every_resident_message_fits_one_sms(settings, db):
    """Each kind, rendered in Chinese with long values, the case's short link
    and the sign, is at most 70 characters: one SMS."""
    settings.SITE_URL = SITE_URL
    link = f"{SITE_URL}/t/{'2n9c'}{'x' * 8}"
    for kind in RESIDENT_MESSAGES:
        _subject, text, params = message_render(kind, {**LONG_VALUES, "link": link})
        assert len(SIGN + text) <= 70, (kind, len(SIGN + text), text)
        assert all(
            len(p) <= PARAM_MAX or p in (link, LONG_VALUES["number"]) for p in params
        )
        assert "%(" not in text and text.isascii() is False


def test_resident_who_stopped_messages_gets_none(db, monkeypatch):
    """A registered opt-out checker (退订) stops every resident message."""
    monkeypatch.setattr(notifications, "OPT_OUT_CHECKERS", [lambda p: p == PHONE])
    assert (
        notify_resident(kind="closed", dedupe_key="k", phone=PHONE, number="1") is None
    )
    assert not Notification.objects.exists()
    assert notify_resident(
        kind="closed", dedupe_key="k2", phone="13900000001", number="1"
    )


def test_short_link_opens_its_case_only(client, world, submit, settings):
    """The short link in a message redirects to the case's tracking page; a
    changed signature answers 404."""
    settings.SITE_URL = SITE_URL
    petition = submit()
    link = petition_short_link(petition)
    assert link.startswith(f"{SITE_URL}/t/") and len(link) <= len(SITE_URL) + 16
    path = link.removeprefix(SITE_URL)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/track/{petition.tracking_token}/"
    assert client.get(path[:-1] + ("A" if path[-1] != "A" else "B")).status_code == 404
    assert client.get("/t/zz").status_code == 404


def test_case_steps_each_send_their_message_once(world, submit, relay):
    """Received, accepted (once, also by a dispatch), resolved with the link,
    reopened, resolved again, closed: each step's message, once."""
    staff = world.users["community"]
    petition = submit()
    relay()
    for action, extra in [
        ("accept", {}),
        ("resolve", {"note": "已修好"}),
        ("reopen", {"note": "还在漏"}),
        ("resolve", {"note": "换了水管"}),
    ]:
        actor = None if action == "reopen" else staff
        petition = petition_transition(
            petition=petition, action=action, actor=actor, **extra
        )
        relay()
    petition_transition(petition=petition, action="confirm", rating="satisfied")
    relay()
    relay()
    assert _kinds_sent() == [
        "report_received",
        "accepted",
        "resolved",
        "reopened",
        "resolved",
        "closed",
    ]
    received = Notification.objects.filter(phone=PHONE).order_by("id").first()
    assert petition.number in received.body
    assert petition_short_link(petition) in received.body


def test_merged_and_rejected_cases_tell_their_reporter(world, submit, relay):
    """A case merged into another, and a case not taken, tell their reporter."""
    staff = world.users["community"]
    first = submit()
    second = submit(reporter_phone="13900000002")
    third = submit(reporter_phone="13900000003")
    petition_transition(petition=second, action="merge", actor=staff, merge_into=first)
    petition_transition(petition=third, action="reject", actor=staff, note="重复")
    relay()
    assert _kinds_sent("13900000002") == ["report_received", "merged"]
    assert _kinds_sent("13900000003") == ["report_received", "rejected"]


def test_wish_claimed_and_fulfilled_tell_the_wisher(world, relay):
    """The wisher hears that a volunteer claimed the wish and that it came true."""
    from volunteers.services import wish_claim, wish_fulfil

    wish = WishFactory(community=world.c1, status="published", wisher_phone=PHONE)
    wish = wish_claim(wish=wish, name="张志愿", phone="13900000004")
    wish_fulfil(wish=wish, phone="13900000004")
    relay()
    relay()
    assert _kinds_sent() == ["wish_claimed", "wish_fulfilled"]


def test_day_before_reminders_reach_residents_once(world):
    """The day before, a volunteer signed up for an activity and a resident
    whose proposal is on a meeting's agenda are reminded, once."""
    from deliberation.tasks import remind_meetings_task
    from volunteers.tasks import remind_activities_task

    tomorrow = datetime.timedelta(hours=20)
    SignUpFactory(
        activity=ActivityFactory(community=world.c1, starts_in=tomorrow), phone=PHONE
    )
    meeting = MeetingFactory(
        body__community=world.c1, body__fengsi=True, starts_in=tomorrow, hours=1
    )
    proposal = ProposalFactory(community=world.c1, proposer_phone="13900000005")
    TopicFactory(meeting=meeting, source="proposal", proposal=proposal)
    for _ in range(2):
        remind_activities_task()
        remind_meetings_task()
    assert _kinds_sent() == ["activity_tomorrow"]
    assert _kinds_sent("13900000005") == ["meeting_tomorrow"]
    when = f"{timezone.localtime(meeting.starts_at):%m-%d %H:%M}"
    assert when in Notification.objects.get(phone="13900000005").body


@pytest.mark.parametrize("kind", sorted(RESIDENT_MESSAGES))
def test_resident_message_is_sent_through_the_gateway(kind, db, fake_sms):
    """Every kind reaches the fake gateway with its template and values."""
    values = {**LONG_VALUES, "link": "https://wy.example.cn/t/1abcdefgh"}
    assert notify_resident(kind=kind, dedupe_key=kind, phone=PHONE, **values)
    [request] = fake_sms.sent
    assert request["TemplateId"] == fake_sms.templates[kind]
    assert len(request["TemplateParamSet"]) == len(RESIDENT_MESSAGES[kind].params)
