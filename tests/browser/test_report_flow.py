"""The whole life of a leak report, end to end in headless Chromium on a phone."""

import pytest

from grids.models import Person
from petitions.models import Petition
from tests.browser.test_admin_phone import PHONE, _shot
from tests.conftest import PASSWORD
from tests.petitions.factories import CategoryFactory

pytestmark = pytest.mark.browser


def _phone(browser):
    return browser.new_context(viewport=PHONE, locale="zh-CN").new_page()


def _act(page, action, **fields):
    """Choose the step by its button (a link), fill its fields, and apply it."""
    chosen = page.locator(f".step-choices a[href*='step={action}']")
    if chosen.get_attribute("aria-current") is None:
        chosen.click()
        page.wait_for_load_state()
    for name, value in fields.items():
        selector = f"#step-form [name={name}]"
        if name == "handler":
            page.select_option(selector, str(value))
        else:
            page.fill(selector, value)
    page.click("#step-form input[type=submit]")
    page.wait_for_load_state()


def test_browser_leak_from_qr_to_rated_close(browser, live_server, world, client):
    """A resident reports a leak from the building's QR link on a phone, the grid
    worker accepts, dispatches and resolves it in the admin, the resident confirms
    and rates it, and the district reads it through the API and Open311."""
    category = CategoryFactory()
    building = world.households["G1"][0].unit.building
    world.c1.division_code = "371502010001"
    world.c1.save()

    resident = _phone(browser)
    petition = _resident_reports_a_leak(resident, live_server, building, category)

    worker = _phone(browser)
    handler = Person.objects.get(user=world.users["grid"])
    _worker_resolves(worker, live_server, petition, handler)
    petition.refresh_from_db()
    assert petition.status == "awaiting_resident"

    _resident_confirms_and_rates(resident)
    petition.refresh_from_db()
    assert (petition.status, petition.rating) == ("closed", "satisfied")

    client.force_login(world.users["district"])
    rows = client.get("/api/v1/petitions/").json()["results"]
    assert [(r["number"], r["status"]) for r in rows] == [(petition.number, "closed")]
    assert rows[0]["reporter_phone"] == "139****5678"
    open311 = client.get(
        "/open311/v2/requests.json", {"jurisdiction_id": "371502010001"}
    )
    assert [(r["service_request_id"], r["status"]) for r in open311.json()] == [
        (petition.number, "closed")
    ]


def _resident_reports_a_leak(resident, live_server, building, category) -> Petition:
    """Report a leak from the building's QR link; the tracking page shows the
    new case's number. Return the case."""
    resident.goto(f"{live_server.url}/report/b/{building.pk}/")
    _shot(resident, "report-1-categories")
    resident.click(f"text={category.name}")
    resident.fill("[name=description]", "卫生间顶部漏水，滴到地面")
    resident.fill("[name=place_detail]", "1单元 302")
    resident.fill("[name=reporter_name]", "刘阿姨")
    resident.fill("[name=reporter_phone]", "13912345678")
    _shot(resident, "report-2-form")
    resident.click("button[type=submit]")
    resident.wait_for_url("**/track/**")
    petition = Petition.objects.get()
    assert petition.number in resident.content()
    _shot(resident, "report-3-tracking")
    return petition


def _worker_resolves(worker, live_server, petition, handler):
    """Log in as the grid worker, find the case in my work list, and accept,
    dispatch, start and resolve it on its admin page."""
    worker.goto(f"{live_server.url}/admin/login/")
    worker.fill("#id_username", "grid")
    worker.fill("#id_password", PASSWORD)
    worker.click("input[type=submit]")
    worker.goto(f"{live_server.url}/admin/petitions/petition/?mine=")
    assert petition.number in worker.content()
    worker.goto(f"{live_server.url}/admin/petitions/petition/{petition.pk}/change/")
    _act(worker, "accept")
    _act(worker, "dispatch", handler=handler.pk)
    _act(worker, "start")
    _act(worker, "resolve", note="已更换漏水管件，请查看")
    _shot(worker, "report-4-admin-resolved")


def _resident_confirms_and_rates(resident):
    """Reload the tracking page, read the worker's note, and confirm the case
    as solved with a satisfied rating."""
    resident.reload()
    assert "已更换漏水管件" in resident.content()
    resident.check("input[name=rating][value=satisfied]")
    resident.fill("[name=comment]", "很及时，谢谢")
    resident.click("text=已解决，提交评价")
    resident.wait_for_load_state()
    _shot(resident, "report-5-rated")
