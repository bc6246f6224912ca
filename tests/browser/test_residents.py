"""A resident on a small phone (375×667): report without a code, verify the
report by a texted code from its tracking page, find it on 我的; a meeting
sign-in from a stale QR code is refused."""

import datetime
import re
import time

import pytest
from django.utils import timezone

from core.models import Notification
from core.rotating import rotating_code
from deliberation.models import DeliberationBody, Meeting
from deliberation.views import SIGN_IN_CODE
from petitions.models import Petition
from tests.browser.test_admin_phone import _shot
from tests.petitions.factories import CategoryFactory

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 375, "height": 667}
PHONE = "13912345678"


@pytest.fixture
def phone_page(chromium):
    context = chromium.new_context(
        viewport=SMALL_PHONE, locale="zh-CN", has_touch=True, is_mobile=True
    )
    return Taps(context.new_page())


class Taps:
    """The page, counting the resident's taps (a tap on a field to type in
    it, on a choice, on a button)."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def tap(self, selector):
        self.count += 1
        self.page.click(selector)

    def type(self, selector, text):
        self.count += 1
        self.page.fill(selector, text)


def _texted_code() -> str:
    """The six digits the console backend 'texted' (the notification row)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        sent = Notification.objects.filter(phone=PHONE, sent_at__isnull=False).first()
        if sent is not None:
            return re.search(r"\b(\d{6})\b", sent.body)[1]
        time.sleep(0.2)
    raise AssertionError("no code was texted")


def _report(phone, base, building, category) -> float:
    """Report from the building's QR link without any code; return seconds."""
    started = time.monotonic()
    phone.page.goto(f"{base}/report/b/{building.pk}/")
    phone.tap(f"text={category.name}")
    phone.type("[name=description]", "楼道灯不亮，晚上看不见台阶")
    phone.type("[name=reporter_phone]", PHONE)
    phone.tap("button[type=submit]")
    phone.page.wait_for_url("**/track/**")
    return time.monotonic() - started


def test_browser_report_verify_by_code_and_find_it_on_mine(
    phone_page, live_server, world
):
    """Report in ≤5 taps without a code (marked unverified), verify it by the
    texted code from the tracking page, and see it listed on 我的."""
    category = CategoryFactory(name="公共照明")
    building = world.households["G1"][0].unit.building
    phone, base = phone_page, live_server.url
    seconds = _report(phone, base, building, category)
    report_taps = phone.count
    petition = Petition.objects.get()
    assert report_taps <= 5 and petition.phone_verified_at is None
    _shot(phone.page, "resident-1-tracking-unverified")

    phone.count = 0
    phone.tap("#verify-report a")
    phone.type("[name=phone]", PHONE)
    phone.tap("#verify-form button[type=submit]")
    phone.type("[name=code]", _texted_code())
    _shot(phone.page, "resident-2-code")
    phone.tap("#verify-form button[type=submit]")
    phone.page.wait_for_url(f"**/track/{petition.tracking_token}/")
    assert "您的报事已验证" in phone.page.content()
    petition.refresh_from_db()
    assert petition.phone_verified_at is not None
    verify_taps = phone.count

    phone.tap("header .me")
    phone.page.wait_for_url("**/me/")
    assert petition.number in phone.page.content()
    assert "139****5678" in phone.page.content()
    _shot(phone.page, "resident-3-mine")
    print(
        f"\nreport: {report_taps} taps, {seconds:.1f} s; "
        f"verify from the tracking page: {verify_taps} taps"
    )


def test_browser_meeting_sign_in_from_a_stale_qr_code_is_refused(
    phone_page, live_server, world
):
    """A QR photo taken ten minutes ago, opened at home, is refused with a
    clear Chinese message, and nobody is signed in."""
    body = DeliberationBody.objects.create(
        community=world.c1,
        name="红色议事会",
        kind="hall",
        rule="monthly_day",
        day_of_month=4,
    )
    starts = timezone.now() - datetime.timedelta(minutes=10)
    meeting = Meeting.objects.create(
        body=body, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2)
    )
    stale = rotating_code(SIGN_IN_CODE, meeting.pk, at=time.time() - 600)
    phone = phone_page
    phone.page.goto(
        f"{live_server.url}/meetings/{meeting.sign_in_token}/sign-in/?k={stale}"
    )
    message = phone.page.locator("#stale-code").inner_text()
    assert "签到码已过期" in message and "请扫描会场" in message
    _shot(phone.page, "resident-4-stale-sign-in")
    assert not meeting.attendance.exists()
