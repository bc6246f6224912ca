"""An owner votes on an elevator from a small phone (375×667)."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from deliberation.models import OwnerVote
from deliberation.services import major_matter_party_review, major_matter_voting_open
from tests.browser.test_admin_phone import _shot
from tests.deliberation.factories import MajorMatterFactory
from tests.grids.factories import resident_verify

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 375, "height": 667}


def _voting_matter(world):
    staff = world.users["community"]
    matter = MajorMatterFactory(
        compound=world.households["G1"][0].unit.building.compound,
        kind="elevator",
        title="1号楼加装电梯",
    )
    major_matter_party_review(matter=matter, actor=staff, passed=True, opinion="同意")
    now = timezone.now()
    return major_matter_voting_open(
        matter=matter,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=7),
        actor=staff,
    )


def test_browser_verified_owner_votes_and_the_tally_moves(
    browser,
    live_server,
    world,
):
    """From the community's deliberation page a verified owner opens the
    elevator, votes 同意 in two taps, and the count moves from 0 to 1 of 4;
    the vote is on 我的; nothing is wider than the screen."""
    matter = _voting_matter(world)
    owner = world.people["G1"][0]
    name = settings.RESIDENT_COOKIE_NAME
    cookie = resident_verify(Client(), owner.mobile).cookies[name].value
    context = browser.new_context(viewport=SMALL_PHONE, locale="zh-CN")
    context.add_cookies([{"name": name, "value": cookie, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/c/{world.c1.pk}/deliberation/")
    page.click("#owner-votes a")
    page.wait_for_url(f"**/matters/{matter.pk}/")
    assert "4 户中已有 0 户投票" in page.locator("#tally").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(page, "evote-1-before")
    page.check("input[name=choice][value=agree]")
    page.click(".vote-form button[type=submit]")
    page.wait_for_load_state()
    assert (
        "4 户中已有 1 户投票（网上 1 户，纸质 0 户）"
        in page.locator("#tally").inner_text()
    )
    assert "您已投票" in page.locator("#my-vote").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(page, "evote-2-voted")
    assert OwnerVote.objects.get().channel == "online"
    page.goto(f"{live_server.url}/me/")
    assert "1号楼加装电梯" in page.content()
