"""The staff dashboard in headless Chromium: on a phone and on a projector the
charts draw, the tiles fill with figures, nothing overflows and no script
fails."""

import datetime
import os
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from grids.models import Person
from petitions.models import Petition
from petitions.services import petition_submit, petition_transition
from stats.models import Target
from stats.services import stats_rebuild
from tests.conftest import PASSWORD
from tests.petitions.factories import CategoryFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}
#: Where the screenshots go (/tmp on Linux), to be looked at after a run.
SHOTS = Path(os.environ.get("SCREENSHOT_DIR") or tempfile.gettempdir())


@pytest.fixture
def figures(world):
    """Four months of cases: closed and rated in community C1 (whose compound
    the property company serves, enough cases to rank it), open and overdue
    in C2 and C3; a district target; then the roll-ups."""
    staff = world.users["community"]
    handler = Person.objects.get(user=staff)
    category = CategoryFactory()
    now = timezone.now()
    ratings = ["satisfied", "fairly", "satisfied", "dissatisfied"]
    for months_ago in range(4):
        for index in range(5):
            grid = ["G1", "G2", "G1", "G3", "G4"][index]
            petition, _created = petition_submit(
                category=category,
                description="楼道水管漏水，地面积水",
                building=world.households[grid][0].unit.building,
                place_detail="1单元 301",
                reporter_name="王大妈",
                reporter_phone="13912345678",
            )
            if grid in ("G1", "G2") and (months_ago + index) % 4:
                petition = petition_transition(
                    petition=petition, action="accept", actor=staff
                )
                petition = petition_transition(
                    petition=petition, action="dispatch", actor=staff, handler=handler
                )
                petition = petition_transition(
                    petition=petition, action="resolve", actor=staff, note="已修好"
                )
                petition_transition(
                    petition=petition,
                    action="confirm",
                    rating=ratings[(months_ago + index) % 4],
                )
            shift = datetime.timedelta(days=31 * months_ago + index, hours=1)
            Petition.objects.filter(pk=petition.pk).update(
                created_at=now - shift, accept_due_at=now - shift
            )
    Target.objects.create(
        district=world.district,
        metric=Target.Metric.SATISFACTION,
        value="0.90",
        due_on=timezone.localdate() + datetime.timedelta(days=200),
        note="满意度目标",
    )
    Target.objects.create(
        district=world.district,
        metric=Target.Metric.COMPLAINTS_CHANGE,
        value="-0.30",
        due_on=timezone.localdate() + datetime.timedelta(days=200),
    )
    today = timezone.localdate()
    stats_rebuild(first=today - datetime.timedelta(days=130), last=today)


def _open_dashboard(browser, live_server, viewport, query=""):
    """Sign in as district staff and open the dashboard; return the page and
    the script errors it reported."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    errors = []

    def on_console(message):
        # The browser asks for /favicon.ico on its own; the site has none.
        if message.type == "error" and not message.location.get("url", "").endswith(
            "/favicon.ico"
        ):
            errors.append(f"{message.text} {message.location.get('url', '')}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/admin/login/?next=/stats/dashboard/{query}")
    page.fill("#id_username", "district")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#dashboard[data-loaded=true]", timeout=15000)
    # Chart.js animates for a moment after drawing.
    page.wait_for_timeout(1200)
    return page, errors


def _assert_drawn(page):
    received = page.locator('[data-figure="received"]').inner_text()
    assert received.strip() == "20"
    for figure in ("closure_rate", "satisfaction_rate", "overdue"):
        text = page.locator(f'[data-figure="{figure}"]').inner_text()
        assert any(ch.isdigit() for ch in text), (figure, text)
    for chart in ("trend-chart", "children-chart", "overdue-chart"):
        box = page.locator(f"#{chart}").bounding_box()
        assert box and box["width"] > 200 and box["height"] > 150, (chart, box)
        drawn = page.evaluate(
            "id => { const c = window.Chart.getChart(id);"
            " return !!c && c.data.datasets.length > 0; }",
            chart,
        )
        assert drawn, chart
    assert page.locator("#ranking-table tbody tr").count() == 1
    assert page.locator("#targets-list .target").count() == 2
    assert page.locator("#page-error").is_hidden()
    assert page.locator(".status.is-error").count() == 0


def test_browser_dashboard_on_a_phone(browser, live_server, world, figures):
    """At 390 px the dashboard is one column: the charts draw, the tiles hold
    numbers, nothing scrolls sideways, the text stays readable, and a tap on a
    subdistrict's bar opens its dashboard."""
    page, errors = _open_dashboard(browser, live_server, PHONE)
    _assert_drawn(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    cards = page.locator(".card").evaluate_all(
        "cards => cards.map(c => c.getBoundingClientRect().left)"
    )
    assert len({round(left) for left in cards}) == 1, "one column"
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.tile-value')).fontSize)"
    )
    assert size >= 32
    page.screenshot(path=str(SHOTS / "dashboard-phone.png"), full_page=True)
    assert errors == []

    # Drill down: the table's first subdistrict opens its own dashboard.
    page.locator("#children-table tbody th a", has_text=world.s1.name).click()
    page.wait_for_selector("#dashboard[data-loaded=true]")
    assert world.s1.name in page.locator("h1").inner_text()
    assert page.locator("a[rel=up]").count() == 1
    assert errors == []


def test_browser_dashboard_on_a_projector(browser, live_server, world, figures):
    """At 1920×1080 the charts sit two by two with large figures, and a click
    on a bar opens that unit's dashboard."""
    page, errors = _open_dashboard(browser, live_server, PROJECTOR)
    _assert_drawn(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PROJECTOR["width"]
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.tile-value')).fontSize)"
    )
    assert size >= 48
    children = page.locator("#children").bounding_box()
    overdue = page.locator("#overdue").bounding_box()
    assert children["y"] == overdue["y"] and children["x"] < overdue["x"]
    page.screenshot(path=str(SHOTS / "dashboard-projector.png"), full_page=True)
    assert errors == []

    # A click on a subdistrict's closure bar opens that subdistrict.
    page.locator("#children-chart").scroll_into_view_if_needed()
    box = page.locator("#children-chart").bounding_box()
    x, y, name = page.evaluate(
        """() => {
          const chart = window.Chart.getChart('children-chart');
          const index = chart.data.datasets[0].data.findIndex(v => v > 0);
          const bar = chart.getDatasetMeta(0).data[index];
          return [(bar.base + bar.x) / 2, bar.y, chart.data.labels[index]];
        }"""
    )
    assert name == world.s1.name
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(f"**subdistrict={world.s1.pk}*")
    page.wait_for_selector("#dashboard[data-loaded=true]")
    assert world.s1.name in page.locator("h1").inner_text()
    assert page.locator("#children-table tbody tr").count() == 2  # C1, C2
    assert errors == []


def test_browser_dashboard_shows_an_api_refusal(browser, live_server, world, db):
    """A period the API refuses (end before start) reads as an error message,
    not as blank charts."""
    page, errors = _open_dashboard(
        browser, live_server, PHONE, query="%3Fstart%3D2026-05%26end%3D2026-01"
    )
    message = page.locator("#page-error")
    assert message.is_visible()
    assert "400" in message.inner_text()
    assert page.locator('.status.is-error[data-status-for="trend"]').is_visible()
    # The browser reports the failed requests themselves; no script error.
    assert all("400" in error for error in errors), errors
