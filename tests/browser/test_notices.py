"""The residents' notices and meeting calendar on a small phone."""

import datetime

import pytest

from grids.notices.services import notice_attach, notice_create, notice_publish
from tests.browser.test_admin_phone import _shot
from tests.deliberation.factories import BodyFactory, MeetingFactory
from tests.grids.test_notices import _jpeg_with_gps

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 375, "height": 667}


def test_browser_resident_reads_a_notice_and_the_meetings_ahead(
    browser,
    live_server,
    world,
):
    """From the front page a resident opens the notices, the pinned one
    first, reads it with its photo, then the meetings ahead; nothing is wider
    than the 375-pixel screen."""
    staff = world.users["community"]
    for title, pinned in (("垃圾分类宣传", False), ("停水通知", True)):
        notice = notice_publish(
            actor=staff,
            notice=notice_create(
                actor=staff,
                community=world.c1,
                title=title,
                body="本周六 8:00–14:00 清洗水箱，暂停供水，请提前储水。" * 3,
                is_pinned=pinned,
            ),
        )
    notice_attach(actor=staff, notice=notice, upload=_jpeg_with_gps(), caption="范围")
    body = BodyFactory(community=world.c1, name="逢四说事联席会议")
    MeetingFactory(body=body, starts_in=datetime.timedelta(days=3), place="议事厅")

    page = browser.new_context(viewport=SMALL_PHONE, locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/")
    page.click(f"a[href='/c/{world.c1.pk}/notices/']")
    page.wait_for_load_state()
    titles = page.locator(".notice h2").all_inner_texts()
    assert "停水通知" in titles[0] and "垃圾分类宣传" in titles[1]
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(page, "notices-375")
    page.click(".notice h2 a >> nth=0")
    page.wait_for_load_state()
    assert page.locator("article.notice img").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.go_back()
    page.click(f"a[href='/c/{world.c1.pk}/meetings/']")
    page.wait_for_load_state()
    assert "逢四说事联席会议" in page.locator(".calendar").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(page, "meetings-375")


def test_browser_resident_reads_the_compounds_disclosure(
    browser,
    live_server,
    world,
):
    """From the front page a resident opens the disclosure of their compound:
    the public income with its balance, on a 375-pixel screen."""
    from decimal import Decimal

    from core import calendar
    from deliberation.disclosures.services import disclosure_entry_record

    compound = world.households["G1"][0].unit.building.compound
    disclosure_entry_record(
        actor=world.users["community"],
        compound=compound,
        kind="public_income",
        direction="in",
        title="电梯轿厢广告位租金",
        amount=Decimal("10800"),
        occurred_on=calendar.today(),
        receipts=[_jpeg_with_gps()],
    )
    page = browser.new_context(viewport=SMALL_PHONE, locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/")
    page.click(f"a[href='/c/{world.c1.pk}/disclosures/']")
    page.wait_for_load_state()
    income = page.locator("#account-public_income").inner_text()
    assert "电梯轿厢广告位租金" in income and "10800.00" in income
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(page, "disclosure-375")


def test_browser_resident_finds_the_service_centre_and_who_is_on_duty(
    browser,
    live_server,
    world,
):
    """From the front page a resident opens the service centres: the hours
    and today's turn on the rota, on a 375-pixel screen."""
    from tests.grids.test_centres import _centre, _shift

    _shift(world, _centre(world), 0)
    page = browser.new_context(viewport=SMALL_PHONE, locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/")
    page.click(f"a[href='/c/{world.c1.pk}/centres/']")
    page.wait_for_load_state()
    assert "周一至周五 8:30–17:30" in page.locator(".centre").inner_text()
    assert page.locator(".rota li.today").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(page, "centres-375")
