"""The phone workbench in headless Chromium at 375×667: a new case walked to
resolved in a few taps, a patrol finding filed as a case, a visit due
recorded with the next one scheduled, the household file and the grid page;
and the admin's work list at 1366 px."""

import datetime
import io
import time

import pytest
from PIL import Image

from core import calendar
from grids.models import Patrol, PatrolFinding, Visit
from petitions.models import Petition, ReplyTemplate
from petitions.services import petition_submit
from tests.browser.test_admin_phone import _shot
from tests.conftest import PASSWORD
from tests.grids import factories as gf
from tests.petitions.factories import CategoryFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 667}
LAPTOP = {"width": 1366, "height": 768}


class Taps:
    """Count the taps a user makes (clicks and taps on buttons and links)."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def tap(self, selector):
        self.count += 1
        self.page.click(selector)
        self.page.wait_for_load_state()


def _signed_in(browser, live_server, username, viewport=PHONE, path="/staff/"):
    page = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
    page.goto(f"{live_server.url}{path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    return page


def _fits(page, width=PHONE["width"]):
    """Nothing on the page is wider than the screen."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _photo() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), "orange").save(buffer, format="JPEG")
    return {
        "name": "IMG_0001.jpg",
        "mimeType": "image/jpeg",
        "buffer": buffer.getvalue(),
    }


def test_browser_workbench_new_case_to_resolved_in_five_taps(
    browser, live_server, world
):
    """From 待办 a grid worker opens a new report of the grid and takes it to
    resolved: open, accept, dispatch (to me, chosen already), start, resolve
    with a ready reply: five taps, each page fits the phone."""
    ReplyTemplate.objects.create(title="已办结", text="问题已处理完毕，请您确认。")
    category = CategoryFactory()
    petition, _ = petition_submit(
        category=category,
        description="楼道水管漏水，地面积水",
        building=world.households["G1"][0].unit.building,
        place_detail="1单元 301",
        reporter_name="王大妈",
        reporter_phone="13912345678",
    )
    page = _signed_in(browser, live_server, "grid")
    page.wait_for_selector("#work-list")
    _fits(page)
    _shot(page, "workbench-1-todo")
    taps = Taps(page)
    started = time.perf_counter()
    taps.tap(f"a[href='/staff/cases/{petition.pk}/']")
    _fits(page)
    _shot(page, "workbench-2-case-new")
    for step in ("accept", "dispatch", "start"):
        assert page.locator("#step-form input[name=action]").input_value() == step
        if step == "dispatch":
            _shot(page, "workbench-3-dispatch-to-me")
        taps.tap("#step-form button.primary")
    assert page.locator("#step-form input[name=action]").input_value() == "resolve"
    _shot(page, "workbench-4-resolve")
    taps.tap("#step-form .templates button")
    seconds = time.perf_counter() - started
    _fits(page)
    _shot(page, "workbench-5-resolved")
    petition.refresh_from_db()
    assert petition.status == "awaiting_resident"
    assert petition.handler.user == world.users["grid"]
    assert "问题已处理完毕" in page.content()
    assert taps.count == 5
    print(f"\ncase walk: {taps.count} taps, {seconds:.2f} s scripted")


def test_browser_patrol_finding_filed_as_a_case(browser, live_server, world):
    """On patrol the grid worker logs a finding with a photo and files it as
    a case in one tap (the category is chosen already)."""
    CategoryFactory(code="fire-lane", name="消防通道堵塞、飞线充电", group="safety")
    building = world.households["G1"][0].unit.building
    page = _signed_in(browser, live_server, "grid", path="/staff/patrol/")
    _shot(page, "patrol-1-start")
    taps = Taps(page)
    taps.tap("form[action='/staff/patrol/start/'] button")
    patrol = Patrol.objects.get()
    page.select_option("#id_building", str(building.pk))
    page.select_option("#id_kind", "fire_lane")
    page.fill("#id_description", "3单元门口电动车飞线充电")
    page.set_input_files("#id_photo", files=[_photo()])
    _shot(page, "patrol-2-finding-form")
    taps.tap("#finding-form button")
    finding = PatrolFinding.objects.get()
    assert finding.photo
    _fits(page)
    _shot(page, "patrol-3-finding-logged")
    taps.tap(f"#finding-{finding.pk} form button")
    case = Petition.objects.get()
    assert (case.patrol_finding, case.channel) == (finding, "patrol")
    assert case.number in page.content()
    _fits(page)
    _shot(page, "patrol-4-filed-as-case")
    page.fill("#id_note", "巡查完毕，一处飞线已立案")
    taps.tap(f"form[action='/staff/patrols/{patrol.pk}/end/'] button")
    patrol.refresh_from_db()
    assert patrol.status == "ended"
    _shot(page, "patrol-5-ended")


def test_browser_visit_due_recorded_and_next_scheduled(browser, live_server, world):
    """A household of 独居老人 is due a visit: the grid worker finds it under
    visits, records the visit, and sees the next one scheduled a week on."""
    alone = gf.TagFactory(name="独居老人")
    gf.CarePlanFactory(community=world.c1, tag=alone, every_days=7)
    household = world.households["G1"][0]
    gf.HouseholdTagFactory(household=household, tag=alone, note="87岁，独居")
    page = _signed_in(browser, live_server, "grid", path="/staff/visits/")
    assert page.locator("#due-today").count() == 1
    _fits(page)
    _shot(page, "visit-1-due")
    page.click(f"#due-today a[href='/staff/households/{household.pk}/']")
    page.wait_for_load_state()
    _fits(page)
    _shot(page, "visit-2-household")
    page.fill("#id_met", "老人本人")
    page.fill("#id_findings", "老人身体尚好，药品充足，家中暖气正常")
    page.click("#visit-form button.primary")
    page.wait_for_load_state()
    visit = Visit.objects.get()
    next_due = calendar.local_date(visit.visited_at) + datetime.timedelta(days=7)
    assert f"{next_due:%Y-%m-%d}" in page.locator("#next-due").inner_text()
    assert "下次走访" in page.locator(".messages").inner_text()
    _fits(page)
    _shot(page, "visit-3-next-scheduled")


def test_browser_grid_page_and_building_fit_the_phone(browser, live_server, world):
    """一格多员: the grid's page lists who serves it; its buildings lead to
    the households."""
    building = world.households["G1"][0].unit.building
    gf.RoleFactory(
        person=world.people["G1"][0], kind="building_head", building=building
    )
    page = _signed_in(browser, live_server, "grid", path="/staff/grids/")
    assert page.locator("#serving").count() == 1
    _fits(page)
    _shot(page, "grid-1-serving")
    page.click(f"a[href='/staff/buildings/{building.pk}/']")
    page.wait_for_load_state()
    _fits(page)
    _shot(page, "grid-2-building")


def test_browser_admin_work_list_fits_a_laptop(browser, live_server, world):
    """At 1366 px the admin's work list shows every column, the deadline
    included, without scrolling sideways."""
    category = CategoryFactory()
    for n in range(3):
        petition_submit(
            category=category,
            description=f"楼道灯坏了{n}",
            building=world.households["G1"][0].unit.building,
            place_detail="1单元 301",
            reporter_name="王大妈",
            reporter_phone="13912345678",
        )
    page = _signed_in(
        browser,
        live_server,
        "grid",
        viewport=LAPTOP,
        path="/admin/petitions/petition/",
    )
    page.wait_for_selector("#result_list")
    _shot(page, "admin-1366-work-list")
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    # The list's own box does not scroll sideways either: every column shows.
    results = "document.querySelector('#changelist .results')"
    assert page.evaluate(f"{results}.scrollWidth <= {results}.clientWidth")
    box = page.locator("#changelist .results").bounding_box()
    deadline = page.locator("#result_list th.column-due_display").bounding_box()
    assert deadline["x"] + deadline["width"] <= box["x"] + box["width"]
    # A case number and a deadline each stay on one line.
    for column in ("number", "due_display"):
        cell = page.locator(f"#result_list .field-{column}").first.bounding_box()
        assert cell["height"] < 40, column
