"""End to end in headless Chromium at a phone-sized viewport."""

import os
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SHOTS = (
    Path(os.environ.get("SCREENSHOT_DIR", ""))
    if os.environ.get("SCREENSHOT_DIR")
    else None
)


@pytest.fixture
def page(chromium):
    return chromium.new_context(viewport=PHONE, locale="zh-CN").new_page()


def _shot(page, name):
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_browser_community_staff_signs_in_and_finds_their_community(
    page, live_server, world
):
    """On a phone, community staff sign in to the Chinese admin, open their
    community and see its counts, and another community is nowhere."""
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "community")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("text=红色物业治理平台")
    _shot(page, "admin-index")
    page.goto(f"{live_server.url}/admin/grids/community/")
    assert page.locator("text=端庄社区").count() >= 1
    assert page.locator("text=楼北社区").count() == 0
    _shot(page, "admin-communities")
    page.goto(f"{live_server.url}/admin/grids/person/")
    masked = world.people["G1"][0].mobile
    assert f"{masked[:3]}****{masked[-4:]}" in page.content()
    _shot(page, "admin-people")


def test_browser_resident_front_page_reads_well_on_a_phone(page, live_server, db):
    """The resident front page fits a phone screen with no horizontal scroll."""
    page.goto(f"{live_server.url}/")
    assert page.locator("h1").inner_text().startswith("红色物业")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    font_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font_size >= 18
    _shot(page, "resident-home")
