"""The residents' page of property companies (红黑榜) on a small phone."""

from decimal import Decimal

import pytest

from core import calendar
from stats.models import CompanyEvaluation
from stats.services import evaluation_rebuild, honour_list_publish
from tests.browser.test_admin_phone import _shot
from tests.stats.test_evaluation import _cases, last_quarter

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 375, "height": 667}


def test_browser_resident_reads_the_honour_list_on_a_small_phone(
    browser,
    live_server,
    world,
):
    """From the site's front page a resident opens their community's property
    companies, reads last quarter's 红黑榜 with the company's score, opens the
    rules, and nothing is wider than the 375-pixel screen."""
    quarter = last_quarter()
    _cases(world, quarter)
    evaluation_rebuild(quarter=quarter)
    CompanyEvaluation.objects.filter(quarter=quarter, level="district").update(
        score=Decimal("86.4")
    )
    honour_list_publish(
        district=world.district, quarter=quarter, actor=world.users["district"]
    )
    page = browser.new_context(viewport=SMALL_PHONE, locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/")
    page.click(f"a[href='/c/{world.c1.pk}/companies/']")
    page.wait_for_load_state()
    assert page.url.endswith(f"/c/{world.c1.pk}/companies/")
    red = page.locator(".red-list li").first
    assert "民晟物业" in red.inner_text() and "86.4" in red.inner_text()
    assert calendar.quarter_label(quarter) in page.locator("h2").nth(1).inner_text()
    page.click(".honour-list details summary")
    assert page.locator(".honour-list details ul li").count() == 6
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(page, "honour-list-375")
