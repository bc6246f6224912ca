"""The staff dashboard page: who may open it, the unit and period it hands to
its script, the breadcrumb, and the chart library served from our own files."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

URL = reverse("stats-dashboard")


def _config(response) -> dict:
    match = re.search(
        r'<script id="dashboard-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the page carries its settings in a json_script block"
    return json.loads(match.group(1))


def _this_month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def test_dashboard_page_opens_for_district_staff_with_local_chart_library(
    client, world
):
    """District staff get the page; Chart.js and the page script come from our
    static files (closed office networks have no CDN), and they exist."""
    client.force_login(world.users["district"])
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert any("/stats/vendor/chart.js/chart-4." in src for src in scripts)
    for src in scripts:
        assert src.startswith("/static/"), src
        assert "//" not in src
        assert finders.find(src.removeprefix("/static/")), src
    assert 'rel="stylesheet" href="/static/stats/dashboard.css"' in html
    assert "onclick" not in html.lower() and "<script>" not in html


def test_dashboard_anonymous_goes_to_admin_login(client, db):
    """Without a session the page sends the visitor to the admin sign-in."""
    response = client.get(f"{URL}?community=1")
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert "next=" in response.url


def test_dashboard_grid_worker_without_statistics_right_is_refused(client, world):
    """A grid worker is staff but holds no right to statistics: 403."""
    client.force_login(world.users["grid"])
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("username", ["district", "street", "community", "superuser"])
def test_dashboard_opens_for_every_role_with_the_right(client, world, username):
    """Community, subdistrict and district staff (and superusers) see it."""
    client.force_login(world.users[username])
    assert client.get(URL).status_code == 200


def test_dashboard_passes_unit_and_period_to_its_script(client, world):
    """The unit and months of the address reach the script unchanged, with the
    API addresses it reads and translated labels."""
    client.force_login(world.users["district"])
    response = client.get(
        URL, {"subdistrict": world.s1.pk, "start": "2026-01", "end": "2026-11"}
    )
    config = _config(response)
    assert config["query"] == {
        "start": "2026-01",
        "end": "2026-11",
        "subdistrict": world.s1.pk,
    }
    assert config["api"]["summary"] == reverse("stats-summary")
    assert config["api"]["drilldown"] == reverse("stats-drilldown")
    assert config["dashboard"] == URL
    assert config["labels"]["levels"]["community"]
    html = response.content.decode()
    assert 'name="start" value="2026-01"' in html
    assert f'name="subdistrict" value="{world.s1.pk}"' in html
    assert world.s1.name in html
    # Every download names the same unit and period.
    assert (
        f"{reverse('stats-series')}?start=2026-01&amp;end=2026-11"
        f"&amp;subdistrict={world.s1.pk}&amp;format=csv"
    ) in html


def test_dashboard_defaults_to_the_last_twelve_months(client, world):
    """With no period, or a malformed one, the page shows this month and the
    eleven before it."""
    client.force_login(world.users["community"])
    for query in ({}, {"start": "0000-01", "end": "2026-13"}):
        config = _config(client.get(URL, query))
        end = _this_month()
        year, month = int(end[:4]), int(end[5:])
        months = year * 12 + month - 1 - 11
        assert config["query"] == {
            "start": f"{months // 12}-{months % 12 + 1:02d}",
            "end": end,
        }


def test_dashboard_start_defaults_to_eleven_months_before_the_end(client, world):
    """An end without a start reads the twelve months up to that end."""
    client.force_login(world.users["community"])
    config = _config(client.get(URL, {"end": "2026-03"}))
    assert (config["query"]["start"], config["query"]["end"]) == (
        "2025-04",
        "2026-03",
    )


def test_dashboard_breadcrumb_leads_up_from_a_grid(client, world):
    """District staff on a grid see district › subdistrict › community › grid
    and an "up" link to the community."""
    client.force_login(world.users["district"])
    grid = world.grids["G1"]
    html = client.get(URL, {"grid": grid.pk, "start": "2026-01"}).content.decode()
    trail = re.search(r'<nav class="trail".*?</nav>', html, re.S).group(0)
    names = re.findall(r"<a [^>]*>([^<]+)</a>", trail)
    assert names[1:5] == [world.district.name, world.s1.name, world.c1.name, "G1"]
    assert f'community={world.c1.pk}" rel="up"' in trail


def test_dashboard_breadcrumb_starts_at_the_users_own_level(client, world):
    """Community staff are not led up to a subdistrict or district they do not
    run: the trail goes from all their units to their community."""
    client.force_login(world.users["community"])
    html = client.get(URL, {"grid": world.grids["G1"].pk}).content.decode()
    trail = re.search(r'<nav class="trail".*?</nav>', html, re.S).group(0)
    assert world.c1.name in trail
    assert world.s1.name not in trail and world.district.name not in trail


def test_dashboard_unit_outside_the_users_scope_is_404(client, world):
    """A community of another subdistrict, or a malformed id, is not found."""
    client.force_login(world.users["community"])
    assert client.get(URL, {"community": world.c3.pk}).status_code == 404
    assert client.get(URL, {"community": "x"}).status_code == 404
    assert client.get(URL, {"grid": 10**30}).status_code == 404
    assert client.get(URL, {"grid": "1\x00"}).status_code == 404


def test_dashboard_page_query_count_is_fixed(
    client, world, django_assert_max_num_queries
):
    """The page reads the session, the user, their rights (user, group and role
    permissions), then the unit with its parents and the user's scope, whatever
    the size of the unit; the figures themselves come from the API."""
    client.force_login(world.users["district"])
    with django_assert_max_num_queries(5):
        assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(URL, {"grid": world.grids["G1"].pk}).status_code == 200


def test_admin_index_links_the_dashboard_for_those_who_may_read_it(client, world):
    client.force_login(world.users["district"])
    assert "/stats/dashboard/" in client.get("/admin/").content.decode()
    client.force_login(world.users["grid"])
    assert "/stats/dashboard/" not in client.get("/admin/").content.decode()


def test_dashboard_heads_period_tiles_with_the_period_and_now_tiles_with_now(
    client, world
):
    """The tiles of the period sit under its months and say what they count;
    open and overdue cases sit apart under "now", counted whenever received,
    so "received 10" beside "open 11" no longer reads as a contradiction."""
    client.force_login(world.users["district"])
    response = client.get(URL, {"start": "2026-01", "end": "2026-11"})
    period, now = response.content.decode().split('id="now-title"')
    assert "2026-01 – 2026-11" in period
    assert "这几个月受理的诉求及其办理结果" in period
    for figure in ("received", "closure_rate", "median_hours_to_close"):
        assert f'data-figure="{figure}"' in period
    assert "此刻尚未办结的诉求，不论何时受理" in now
    assert 'data-figure="open"' in now and 'data-figure="overdue"' in now
    labels = _config(response)["labels"]
    assert (labels["open_note"], labels["overdue_note"]) == (
        "不论何时受理",
        "已过办理时限",
    )
