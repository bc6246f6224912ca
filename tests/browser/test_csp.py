"""The Content-Security-Policy holds in a real browser: headless Chromium opens
the main admin pages, the dashboard and every resident page, and not one
resource or script is refused by the policy."""

import datetime

import pytest
from django.urls import reverse

from deliberation.views import sign_in_url
from petitions.services import petition_submit
from tests.conftest import PASSWORD
from tests.deliberation.factories import BodyFactory, MeetingFactory
from tests.petitions.factories import CategoryFactory
from tests.volunteers.factories import ActivityFactory
from volunteers.views import check_in_url

pytestmark = pytest.mark.browser

# Injected by the browser before any page script: the policy does not apply to
# it, and it collects every violation the page reports.
WATCH_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN"
    )
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.console_csp = console
    return page


@pytest.fixture
def places(world):
    """A case, a meeting with its sign-in code and an activity with its
    check-in code, so that every resident page has something to show."""
    petition, _created = petition_submit(
        category=CategoryFactory(),
        description="楼道灯不亮",
        building=world.households["G1"][0].unit.building,
        place_detail="1单元",
        reporter_name="王大妈",
        reporter_phone="13912345678",
    )
    begun = -datetime.timedelta(minutes=10)
    meeting = MeetingFactory(
        body=BodyFactory(community=world.c1), starts_in=begun, place="议事厅"
    )
    activity = ActivityFactory(community=world.c1, starts_in=begun, capacity=5)
    return {"petition": petition, "meeting": meeting, "activity": activity}


def _visit(page, url: str) -> list[str]:
    response = page.goto(url)
    assert response.status < 400, (url, response.status)
    assert "Content-Security-Policy" in {k.title() for k in response.headers}
    page.wait_for_load_state("networkidle")
    return [f"{url}: {v}" for v in page.evaluate("window.__csp")]


def test_browser_no_csp_violation_on_admin_dashboard_and_resident_pages(
    browser_page, live_server, world, places
):
    """Admin (index, lists, a case, a meeting, an export form), dashboard and
    resident pages load under the policy without a single violation."""
    page = browser_page
    base = live_server.url
    c1 = world.c1.pk
    building = world.households["G1"][0].unit.building.pk
    category = places["petition"].category.code
    resident = [
        "/",
        f"/report/c/{c1}/",
        f"/report/b/{building}/?category={category}",
        f"/track/{places['petition'].tracking_token}/",
        f"/c/{c1}/deliberation/",
        sign_in_url(places["meeting"]),  # to the code page: no phone proved yet
        "/me/verify/",
        f"/c/{c1}/volunteers/",
        check_in_url(places["activity"]),
        f"/c/{c1}/register/",
    ]
    violations = []
    for path in resident:
        violations += _visit(page, base + path)

    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "community")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#content")
    staff = [
        "/admin/",
        "/admin/petitions/petition/",
        reverse("admin:petitions_petition_change", args=[places["petition"].pk]),
        reverse("admin:deliberation_meeting_change", args=[places["meeting"].pk]),
        reverse("admin:deliberation_meeting_minutes", args=[places["meeting"].pk]),
        reverse("admin:deliberation_meeting_sign_in_qr", args=[places["meeting"].pk]),
        reverse("admin:volunteers_activity_check_in_qr", args=[places["activity"].pk]),
        reverse("admin:petitions_petition_file"),
        reverse("admin:petitions_petition_qr")
        + f"?compound={world.households['G1'][0].unit.building.compound_id}",
        "/admin/grids/person/",
        reverse("admin:grids_person_export"),
        "/admin/volunteers/activity/",
        "/stats/dashboard/",
    ]
    for path in staff:
        violations += _visit(page, base + path)
    assert page.locator("canvas").count() >= 1  # the dashboard drew its charts
    assert violations == []
    assert page.console_csp == []
