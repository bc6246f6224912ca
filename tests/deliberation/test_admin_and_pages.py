"""Running a meeting in the admin, and the residents' deliberation pages."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from deliberation.models import Meeting, Proposal
from deliberation.views import sign_in_url
from grids.models import Person
from tests.deliberation.factories import (
    MajorMatterFactory,
    MeetingFactory,
    ProposalFactory,
)
from tests.grids.factories import resident_verify


@pytest.fixture
def meeting(body):
    """A meeting of community C1's 红色议事会 that began ten minutes ago."""
    return MeetingFactory(body=body, starts_in=-datetime.timedelta(minutes=10))


def _step(client, meeting, **data):
    url = reverse("admin:deliberation_meeting_step", args=[meeting.pk])
    return client.post(url, data, follow=True)


def test_staff_run_a_meeting_in_the_admin(client, world, meeting, submit):
    """Add a case as a topic, check someone in, decide, give an action item,
    try to close without minutes, close with them, print the minutes."""
    petition = submit()
    client.force_login(world.users["community"])
    page = client.get(reverse("admin:deliberation_meeting_change", args=[meeting.pk]))
    assert "<svg" in page.content.decode()  # the sign-in QR code
    _step(
        client, meeting, step="topic", petition_number=petition.number, title="楼道漏水"
    )
    _step(client, meeting, step="check_in", name="王社区")
    topic = meeting.topics.get()
    _step(
        client,
        meeting,
        step="decide",
        topic=topic.pk,
        decision="adopted",
        text="物业一周内修复",
        votes_for=8,
    )
    owner = Person.objects.get(user=world.users["grid"])
    _step(
        client,
        meeting,
        step="action_item",
        topic=topic.pk,
        title="督促物业修复",
        owner=owner.pk,
        due_date=(timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
    )
    refused = _step(client, meeting, step="close", text="")
    assert "没有会议纪要不能结束会议" in refused.content.decode()
    _step(client, meeting, step="close", text="议定物业一周内修复漏水")
    meeting.refresh_from_db()
    assert meeting.status == "closed" and meeting.attendance.count() == 1
    minutes = client.get(
        reverse("admin:deliberation_meeting_minutes", args=[meeting.pk])
    )
    body = minutes.content.decode()
    assert "物业一周内修复" in body and "督促物业修复" in body and "王社区" in body
    assert petition.events.filter(action="note").count() == 2


def test_major_matter_steps_in_the_admin_respect_the_gate(client, world):
    """Counting votes before the party organisation passed it is refused."""
    compound = world.households["G1"][0].unit.building.compound
    matter = MajorMatterFactory(compound=compound, kind="elevator", title="加装电梯")
    client.force_login(world.users["community"])
    page = reverse("admin:deliberation_majormatter_change", args=[matter.pk])
    offered = client.get(page).context["step_form"]
    assert [s.action for s in offered.steps] == ["party_pass", "party_send_back"]
    url = reverse("admin:deliberation_majormatter_step", args=[matter.pk])
    refused = client.post(url, {"action": "owners_decide"}, follow=True)
    assert "此步骤当前不可办理" in refused.content.decode()
    matter.refresh_from_db()
    assert matter.status == "raised"
    client.post(url, {"action": "party_pass", "note": "同意提交业主表决"})
    for household in world.households["G1"] + world.households["G2"]:
        client.post(
            url,
            {"action": "record_vote", "household": household.pk, "choice": "agree"},
        )
    client.post(url, {"action": "owners_decide"})
    matter.refresh_from_db()
    assert matter.status == "owners_passed" and matter.votes.count() == 4
    offered = client.get(page).context["step_form"]
    assert [s.action for s in offered.steps] == ["publicise"]


def test_resident_signs_in_by_qr_during_the_meeting(client, meeting):
    """The QR page (with the code shown in the room now) signs the resident in
    with their verified phone while the meeting runs."""
    resident_verify(client, "13912345678")
    response = client.post(sign_in_url(meeting), {"name": "刘阿姨"})
    assert response.status_code == 200 and "已签到" in response.content.decode()
    attendance = meeting.attendance.get()
    assert (attendance.name, attendance.phone) == ("刘阿姨", "13912345678")


def test_sign_in_from_a_stale_or_missing_code_is_refused(client, meeting):
    """A photo of the QR code sent home stops working within two windows; a
    page without a code is refused too, with a clear Chinese message."""
    resident_verify(client, "13912345678")
    old = sign_in_url(meeting)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=250)):
        stale = client.post(old, {"name": "刘阿姨"})
    bare = reverse("deliberation:sign-in", args=[meeting.sign_in_token])
    missing = client.post(bare, {"name": "刘阿姨"})
    for response in (stale, missing):
        assert response.status_code == 403
        assert "请扫描会场" in response.content.decode()
    assert not meeting.attendance.exists()


def test_sign_in_code_of_the_previous_window_is_still_accepted(client, meeting):
    """A resident who scanned just before the code changed is not turned away."""
    resident_verify(client, "13912345678")
    url = sign_in_url(meeting)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=120)):
        response = client.post(url, {"name": "刘阿姨"})
    assert response.status_code == 200 and meeting.attendance.count() == 1


def test_sign_in_without_a_verified_phone_goes_to_verify(client, meeting):
    """A device that proved no phone is sent to the code page and back."""
    url = sign_in_url(meeting)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("residents:verify") + "?next=")
    client.post(url, {"name": "路人"})
    assert not meeting.attendance.exists()


def test_resident_sign_in_outside_the_window_is_refused(client, meeting):
    """A day after the meeting the QR page refuses with the reason."""
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=meeting.starts_at - datetime.timedelta(days=1),
        ends_at=meeting.ends_at - datetime.timedelta(days=1),
    )
    resident_verify(client, "13912345678")
    response = client.post(sign_in_url(meeting), {"name": "刘阿姨"})
    assert response.status_code == 400 and "半小时" in response.content.decode()
    assert not meeting.attendance.exists()


def test_qr_sign_in_counts_one_device_once(client, meeting):
    """Twenty sign-ins from one verified phone with made-up names count once."""
    resident_verify(client, "13912345678")
    for n in range(20):
        client.post(
            sign_in_url(meeting), {"name": f"路人{n}", "phone": f"1390000{n:04d}"}
        )
    assert meeting.attendance.count() == 1


def test_residents_propose_support_and_read_decisions(client, world, meeting):
    """A resident proposes a topic, a neighbour supports it once, and closed
    meetings' decisions are on notice."""
    url = reverse("deliberation:community", args=[world.c1.pk])
    client.post(
        url,
        {
            "title": "增设充电桩",
            "text": "杜绝飞线充电",
            "name": "王大爷",
            "phone": "13911112222",
        },
    )
    proposal = Proposal.objects.get()
    support = reverse("deliberation:support", args=[proposal.pk])
    assert client.post(support)["Location"].startswith(reverse("residents:verify"))
    resident_verify(client, "13933334444")
    for _ in range(3):
        client.post(support, {"phone": "13955556666"})
    proposal.refresh_from_db()
    assert proposal.support_count == 2
    from deliberation.services import meeting_close, topic_add, topic_decide

    topic = topic_add(meeting=meeting, title="楼道照明", actor=world.users["community"])
    topic_decide(
        topic=topic,
        decision="adopted",
        decision_text="更换声控灯",
        actor=world.users["community"],
    )
    meeting_close(meeting=meeting, actor=world.users["community"], minutes="纪要")
    body = client.get(url).content.decode()
    assert "更换声控灯" in body and "增设充电桩" in body
    assert "13911112222" not in body


def test_public_page_masks_numbers_in_proposals(client, world):
    """A number typed into a proposal is masked on the public page."""
    ProposalFactory(
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


def test_admin_projects_the_rotating_sign_in_qr_code(client, world, meeting):
    """Staff project a page with the QR code of the sign-in address and its
    current code, reloading when the code changes; a meeting of another
    community answers 404, as absent ones do."""
    client.force_login(world.users["community"])
    url = reverse("admin:deliberation_meeting_sign_in_qr", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert "<svg" in page and 'http-equiv="refresh"' in page
    assert sign_in_url(meeting) in page
    change = client.get(reverse("admin:deliberation_meeting_change", args=[meeting.pk]))
    assert url in change.content.decode()
    other = MeetingFactory(body__community=world.c2)
    missing = reverse("admin:deliberation_meeting_sign_in_qr", args=[other.pk])
    assert client.get(missing).status_code == 404
