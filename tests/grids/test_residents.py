"""Residents' verified phones (grids.residents): SMS codes, remembered
devices, 我的, stopping messages, and verifying a report from its tracking page."""

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Notification, OutboxMessage
from grids.models import PhoneCode, RememberedDevice, ResidentContact
from grids.residents.services import phone_code_request
from petitions.models import Petition
from petitions.services import petition_submit
from tests.grids.factories import resident_verify
from tests.petitions.factories import CategoryFactory

PHONE = "13912345678"
VERIFY = "/me/verify/"


def _ask(client, phone=PHONE, **extra):
    """Ask for a code on the verify page; return the response."""
    return client.post(VERIFY, {"step": "send", "phone": phone}, **extra)


def _texted(phone=PHONE) -> str:
    """The six digits of the last text sent to ``phone`` (console backend)."""
    body = Notification.objects.filter(phone=phone).latest("created_at").body
    return re.search(r"\b(\d{6})\b", body).group(1)


def _send(client, django_capture_on_commit_callbacks, phone=PHONE):
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client, phone)
    assert response.status_code == 200
    return _texted(phone)


def _check(client, digits, phone=PHONE, next_url=""):
    return client.post(
        VERIFY, {"step": "check", "phone": phone, "code": digits, "next": next_url}
    )


def test_residents_code_is_texted_once_and_kept_only_hashed(
    client, db, django_capture_on_commit_callbacks
):
    """Asking for a code texts six digits through the outbox; neither the
    code row nor the outbox row holds the digits."""
    digits = _send(client, django_capture_on_commit_callbacks)
    code = PhoneCode.objects.get()
    assert digits not in (code.code_hash, code.salt)
    assert all(digits not in str(m.kwargs) for m in OutboxMessage.objects.all())
    assert Notification.objects.filter(phone=PHONE).count() == 1
    lifetime = (code.expires_at - code.created_at).total_seconds()
    assert lifetime == settings.PHONE_CODE_LIFETIME == 300


def test_residents_right_code_remembers_the_device_for_30_days(
    client, db, django_capture_on_commit_callbacks
):
    """The right code sets a signed HttpOnly cookie; 我的 then opens, and
    the device is remembered for 30 days, not 31."""
    digits = _send(client, django_capture_on_commit_callbacks)
    response = _check(client, digits, next_url="/me/")
    assert response.status_code == 302 and response["Location"] == "/me/"
    cookie = response.cookies[settings.RESIDENT_COOKIE_NAME]
    assert cookie["httponly"] and int(cookie["max-age"]) == 30 * 86400
    assert PHONE not in cookie.value
    page = client.get("/me/")
    assert page.status_code == 200 and "139****5678" in page.content.decode()
    device = RememberedDevice.objects.get()
    assert device.expires_at - device.created_at == datetime.timedelta(days=30)
    assert ResidentContact.objects.get(phone=PHONE).verified_at is not None


def test_residents_device_expires_and_can_be_signed_out(client, db, pinned_clock):
    """After 30 days, or after signing out, the device proves nothing."""
    resident_verify(client)
    assert client.get("/me/").status_code == 200
    client.post("/me/logout/")
    assert client.get("/me/").status_code == 302
    assert RememberedDevice.objects.get().revoked_at is not None
    resident_verify(client)
    pinned_clock.shift(datetime.timedelta(days=30, seconds=1))
    assert client.get("/me/")["Location"].startswith(VERIFY)


def test_residents_five_wrong_tries_end_the_code(
    client, db, django_capture_on_commit_callbacks
):
    """Five wrong tries and the right code no longer works."""
    digits = _send(client, django_capture_on_commit_callbacks)
    wrong = f"{(int(digits) + 1) % 1_000_000:06d}"
    for _ in range(settings.PHONE_CODE_MAX_TRIES):
        assert _check(client, wrong).status_code == 400
    response = _check(client, digits)
    assert response.status_code == 400 and "错误次数过多" in response.content.decode()
    assert not RememberedDevice.objects.exists()


def test_residents_code_dies_after_five_minutes(
    client, db, pinned_clock, django_capture_on_commit_callbacks
):
    """A code typed six minutes later is refused."""
    digits = _send(client, django_capture_on_commit_callbacks)
    pinned_clock.shift(datetime.timedelta(minutes=6))
    response = _check(client, digits)
    assert response.status_code == 400 and "重新获取" in response.content.decode()


def test_residents_send_limits_per_phone_and_per_address(client, db, pinned_clock):
    """One code a minute to a number, five asks an hour (refused asks count:
    a flood stays refused); an address asking for many numbers is stopped
    too; a refusal is a Chinese message and sends no text."""
    assert _ask(client).status_code == 200
    refused = _ask(client)
    assert refused.status_code == 429 and "过于频繁" in refused.content.decode()
    for n in range(3):
        pinned_clock.shift(datetime.timedelta(minutes=1))
        assert _ask(client, REMOTE_ADDR=f"10.0.0.{n}").status_code == 200
    pinned_clock.shift(datetime.timedelta(minutes=1))
    assert _ask(client, REMOTE_ADDR="10.0.1.1").status_code == 429  # 5 an hour
    assert PhoneCode.objects.count() == 4
    other = [_ask(client, f"1380000000{n}", REMOTE_ADDR="10.9.9.9") for n in range(5)]
    assert [r.status_code for r in other].count(200) == 3  # 3 a minute per address


def test_residents_verify_page_never_sends_elsewhere(client, db):
    """``next`` pointing at another site falls back to 我的 (no open redirect)."""
    code = phone_code_request(phone=PHONE, ip="10.0.0.1")
    from grids.residents.services import phone_code_text

    response = _check(client, phone_code_text(code), next_url="https://evil.example/")
    assert response["Location"] == "/me/"


def test_residents_mine_lists_cases_staff_filed_ones_too(
    client, world, django_assert_max_num_queries
):
    """我的 lists every case filed with the verified phone, those staff filed
    for the resident too, with links to their tracking pages; not others'."""
    building = world.households["G1"][0].unit.building
    category = CategoryFactory(name="漏水")
    own, _ = petition_submit(
        category=category, description="漏水", building=building, reporter_phone=PHONE
    )
    staffs, _ = petition_submit(
        category=category,
        description="电话反映漏水",
        building=building,
        reporter_phone=PHONE,
        channel="phone",
        filed_by=world.users["community"],
    )
    petition_submit(
        category=category,
        description="别人的",
        building=building,
        reporter_phone="13800000000",
    )
    resident_verify(client)
    with django_assert_max_num_queries(12):
        page = client.get("/me/").content.decode()
    for petition in (own, staffs):
        assert reverse("petitions:track", args=[petition.tracking_token]) in page
    assert page.count("/track/") == 2


def test_residents_stop_and_resume_messages(client, db):
    """退订 on 我的 is recorded for the phone; it can be undone."""
    resident_verify(client)
    client.post("/me/messages/", {"wanted": "0"})
    assert ResidentContact.objects.get(phone=PHONE).messages_stopped_at is not None
    assert "恢复短信通知" in client.get("/me/").content.decode()
    client.post("/me/messages/", {"wanted": "1"})
    assert ResidentContact.objects.get(phone=PHONE).messages_stopped_at is None


@pytest.fixture
def unverified_case(world):
    petition, _ = petition_submit(
        category=CategoryFactory(),
        description="楼道灯不亮",
        building=world.households["G1"][0].unit.building,
        reporter_phone=PHONE,
    )
    return petition


def test_residents_report_needs_no_code_and_is_marked_unverified(
    client, unverified_case, world
):
    """A report is stored without a code and shown to staff as unverified;
    its tracking page offers to verify with a code."""
    assert unverified_case.is_phone_unverified
    page = client.get(reverse("petitions:track", args=[unverified_case.tracking_token]))
    assert "用验证码验证" in page.content.decode()
    client.force_login(world.users["community"])
    admin = client.get(
        reverse("admin:petitions_petition_change", args=[unverified_case.pk])
    )
    assert "未验证" in admin.content.decode()


def test_residents_tracking_page_verifies_the_report(client, unverified_case):
    """From the tracking page through the code and back: the case is marked
    verified when the proved phone is its phone, not otherwise."""
    url = reverse("petitions:track-verify", args=[unverified_case.tracking_token])
    assert client.get(url)["Location"].startswith(VERIFY + "?next=")
    resident_verify(client, "13800000000")
    client.get(url)
    unverified_case.refresh_from_db()
    assert unverified_case.is_phone_unverified
    resident_verify(client, PHONE)
    client.get(url)
    unverified_case.refresh_from_db()
    assert unverified_case.phone_verified_at is not None
    assert unverified_case.events.filter(action="verify_phone").count() == 1


def test_residents_report_from_a_verified_device_is_verified(client, world):
    """A report whose phone the device proved is not marked unverified."""
    import uuid

    category = CategoryFactory()
    building = world.households["G1"][0].unit.building
    resident_verify(client)
    url = reverse("petitions:report-building", args=[building.pk])
    client.post(
        f"{url}?category={category.code}",
        {
            "description": "楼道灯不亮",
            "place_detail": "1单元",
            "reporter_name": "刘阿姨",
            "reporter_phone": "139 1234 5678",
            "idempotency_key": str(uuid.uuid4()),
        },
    )
    assert Petition.objects.get().phone_verified_at is not None


def test_residents_mine_needs_a_verified_phone(client, db):
    """我的 sends a device without a proved phone to the code page and back."""
    response = client.get("/me/")
    assert response["Location"] == VERIFY + "?next=%2Fme%2F"


def test_residents_verify_pages_run_few_queries(client, db):
    """The verify page answers without touching more than a few rows."""
    with CaptureQueriesContext(connection) as queries:
        client.get(VERIFY)
    assert len(queries) <= 2


def test_residents_mine_lists_what_each_app_keeps_under_the_phone(
    client, world, django_assert_num_queries
):
    """我的 gathers the sections each app declares: sign-ups, wishes claimed,
    双报到 registrations, meetings signed in at, proposals supported, votes
    cast; one query per section, whatever the number of rows."""
    from deliberation.models import Attendance, OwnerVote, ProposalSupport
    from tests.deliberation.factories import (
        BodyFactory,
        MajorMatterFactory,
        MeetingFactory,
        ProposalFactory,
    )
    from tests.volunteers.factories import (
        ActivityFactory,
        RegistrationFactory,
        SignUpFactory,
        WishFactory,
    )

    c1 = world.c1
    for n in range(3):
        SignUpFactory(
            activity=ActivityFactory(community=c1, title=f"义剪{n}"), phone=PHONE
        )
    WishFactory(community=c1, title="想要老花镜", claimer_phone=PHONE, status="claimed")
    RegistrationFactory(household=world.households["G1"][0], phone=PHONE)
    meeting = MeetingFactory(body=BodyFactory(community=c1, name="逢四说事"))
    Attendance.objects.create(meeting=meeting, name="刘阿姨", phone=PHONE)
    proposal = ProposalFactory(community=c1, title="增设充电桩")
    ProposalSupport.objects.create(proposal=proposal, phone=PHONE)
    SignUpFactory(activity=ActivityFactory(community=c1, title="别人的活动"))
    household = world.households["G1"][0]
    OwnerVote.objects.create(
        matter=MajorMatterFactory(
            compound=household.unit.building.compound, title="1号楼加装电梯"
        ),
        household=household,
        choice="agree",
        floor_area=household.floor_area,
        channel="online",
        phone=PHONE,
    )
    resident_verify(client)
    # device, contact, then one per section (cases, sign-ups, wishes,
    # registrations, sign-ins, proposals, votes)
    with django_assert_num_queries(9):
        page = client.get("/me/").content.decode()
    texts = ("义剪0", "义剪2", "想要老花镜", "双报到", "逢四说事", "增设充电桩")
    for text in (*texts, "1号楼加装电梯"):
        assert text in page
    assert "别人的活动" not in page


def test_residents_admin_superusers_sign_devices_out(client, world):
    """Superusers list remembered devices (numbers masked) and sign them out;
    community staff do not see them at all."""
    resident_verify(client)
    device = RememberedDevice.objects.get()
    url = reverse("admin:grids_remembereddevice_changelist")
    client.force_login(world.users["community"])
    assert client.get(url).status_code == 403
    client.force_login(world.users["superuser"])
    page = client.get(url).content.decode()
    assert "139****5678" in page and PHONE not in page
    client.post(url, {"action": "forget_selected", "_selected_action": [device.pk]})
    device.refresh_from_db()
    assert device.revoked_at is not None


def test_residents_report_form_offers_the_verified_phone(client, world):
    """A device that proved a phone finds it filled in on the report form."""
    category = CategoryFactory()
    building = world.households["G1"][0].unit.building
    url = reverse("petitions:report-building", args=[building.pk])
    assert PHONE not in client.get(f"{url}?category={category.code}").content.decode()
    resident_verify(client)
    page = client.get(f"{url}?category={category.code}").content.decode()
    assert f'value="{PHONE}"' in page
