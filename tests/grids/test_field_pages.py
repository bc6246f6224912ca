"""The field workbench pages (/staff/): patrols, visits, household files and
grid pages, on a phone, scoped and permitted as the admin."""

import datetime

import pytest
from django.urls import reverse

from core import calendar
from grids import services
from grids.models import HouseholdTag, Patrol, PatrolFinding, Visit
from petitions.models import Petition
from tests.grids import factories as gf
from tests.grids.conftest import jpeg
from tests.petitions.factories import CategoryFactory
from volunteers.models import Wish


def _login(client, world, username="grid"):
    client.force_login(world.users[username])


def test_field_pages_send_strangers_to_sign_in_and_refuse_non_staff(client, world):
    """Without a login the workbench asks to sign in; an account without
    staff units is refused."""
    response = client.get(reverse("field:visits"))
    assert response.status_code == 302 and "/admin/login/" in response.url
    resident = gf.PersonFactory()
    from django.contrib.auth import get_user_model

    plain = get_user_model().objects.create_user("plain", password="x" * 12)
    resident.user = plain
    resident.save()
    client.force_login(plain)
    assert client.get(reverse("field:visits")).status_code == 403


def test_patrol_pages_start_log_with_photo_file_and_end(client, world):
    """The grid worker starts a round, logs a finding with a camera photo,
    files it as a case with the category filled in, and ends the round."""
    category = CategoryFactory(code="fire-lane", name="消防通道堵塞", group="safety")
    _login(client, world)
    page = client.get(reverse("field:patrol"))
    assert page.status_code == 200
    started = client.post(reverse("field:patrol-start"), {"grid": world.grids["G1"].pk})
    patrol = Patrol.objects.get()
    assert started.url == reverse("field:patrol-detail", args=[patrol.pk])
    assert client.get(reverse("field:patrol")).url == started.url
    detail = client.get(started.url).content.decode()
    assert 'capture="environment"' in detail
    building = world.households["G1"][0].unit.building
    logged = client.post(
        reverse("field:finding-add", args=[patrol.pk]),
        {
            "building": building.pk,
            "kind": "fire_lane",
            "description": "消防通道被杂物堵塞",
            "photo": jpeg(),
        },
    )
    finding = PatrolFinding.objects.get()
    assert logged.status_code == 302 and f"#finding-{finding.pk}" in logged.url
    detail = client.get(started.url).content.decode()
    # The category a fire-lane finding most likely is, chosen already.
    assert f'<option value="{category.pk}" selected>' in detail
    filed = client.post(
        reverse("field:finding-follow-up", args=[finding.pk, "case"]),
        {"case-category": category.pk},
    )
    assert filed.status_code == 302
    case = Petition.objects.get()
    assert (case.patrol_finding, case.channel) == (finding, "patrol")
    detail = client.get(started.url).content.decode()
    assert case.number in detail
    assert reverse("workbench:case", args=[case.pk]) in detail
    client.post(reverse("field:patrol-end", args=[patrol.pk]), {"note": "巡查完毕"})
    patrol.refresh_from_db()
    assert patrol.status == "ended"


def test_patrol_of_another_grid_is_not_found(client, world):
    """Another grid's patrol answers 404, as if it did not exist."""
    person = gf.PersonFactory(household=None, community=world.c1)
    other = gf.PatrolFactory(grid=world.grids["G2"], person=person)
    _login(client, world)
    assert (
        client.get(reverse("field:patrol-detail", args=[other.pk])).status_code == 404
    )
    response = client.post(
        reverse("field:finding-add", args=[other.pk]),
        {"building": world.households["G2"][0].unit.building.pk, "kind": "other"},
    )
    assert response.status_code == 404


def test_steward_has_no_patrol_or_visit_pages(client, world):
    """Property stewards see their cases on the workbench, not the
    government's care and patrol files."""
    _login(client, world, "steward")
    assert client.get(reverse("field:patrol")).status_code == 403
    assert client.get(reverse("field:visits")).status_code == 403
    page = client.get(reverse("field:household", args=[world.households["G1"][0].pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="visit-form"' not in body and 'id="tags"' not in body


def test_visits_page_lists_due_households_first(client, world, cared):
    """Visits: the households under care, overdue and due first, with their
    tags."""
    _login(client, world)
    body = client.get(reverse("field:visits")).content.decode()
    assert "独居老人" in body
    assert reverse("field:household", args=[cared[0].pk]) in body
    # Another grid's household under care is not listed.
    assert reverse("field:household", args=[cared[1].pk]) not in body


def test_household_file_records_a_visit_and_shows_the_next(client, world, cared):
    """The household file: residents with full numbers for the grid worker,
    tags, and a visit recorded in one step, after which the next visit is
    scheduled a week on."""
    _login(client, world)
    household = cared[0]
    url = reverse("field:household", args=[household.pk])
    body = client.get(url).content.decode()
    resident = world.people["G1"][0]
    assert resident.mobile in body and f"tel:{resident.mobile}" in body
    response = client.post(
        reverse("field:visit-add", args=[household.pk]),
        {"findings": "老人精神好，药品充足", "met": "本人", "follow_up": ""},
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.visitor.user == world.users["grid"]
    body = client.get(url).content.decode()
    assert "老人精神好" in body
    next_due = calendar.local_date(visit.visited_at) + datetime.timedelta(days=7)
    assert 'id="next-due"' in body and f"{next_due:%Y-%m-%d}" in body


def test_household_visit_need_as_wish_in_one_step(client, world, cared):
    """A need found on the visit becomes a micro-wish from the same form."""
    _login(client, world)
    household = cared[0]
    client.post(
        reverse("field:visit-add", args=[household.pk]),
        {
            "findings": "想学智能手机",
            "need": "教老人用手机视频",
            "follow_up": "wish",
            "wish-beneficiary_kind": "elderly",
        },
    )
    wish = Wish.objects.get()
    body = client.get(reverse("field:household", args=[household.pk])).content.decode()
    assert wish.title in body


def test_household_file_masks_numbers_without_the_contact_right(client, world):
    """Staff without the contact right read masked numbers, and no call link."""
    _login(client, world, "steward")
    body = client.get(
        reverse("field:household", args=[world.households["G1"][0].pk])
    ).content.decode()
    mobile = world.people["G1"][0].mobile
    assert mobile not in body
    assert f"{mobile[:3]}****{mobile[-4:]}" in body


def test_household_tags_added_and_removed_on_the_file(client, world):
    _login(client, world)
    household = world.households["G1"][1]
    tag = gf.TagFactory(name="空巢")
    client.post(
        reverse("field:tag-add", args=[household.pk]),
        {"tag": tag.pk, "note": "子女在外地"},
    )
    item = HouseholdTag.objects.get()
    client.post(reverse("field:tag-remove", args=[item.pk]))
    assert not HouseholdTag.objects.exists()


def test_grid_page_lists_who_serves_it(client, world):
    """一格多员: the grid's page names its grid worker, steward, party leaders
    and building heads."""
    building = world.households["G1"][0].unit.building
    head = world.people["G1"][0]
    gf.RoleFactory(person=head, kind="building_head", building=building)
    _login(client, world)
    response = client.get(reverse("field:grids"))
    assert response.url == reverse("field:grid", args=[world.grids["G1"].pk])
    body = client.get(response.url).content.decode()
    for name in ("grid", "steward", head.name):
        assert name in body
    assert reverse("field:building", args=[building.pk]) in body


@pytest.mark.parametrize(
    "name", ["patrol", "visits", "household", "grid", "building", "patrol-detail"]
)
def test_field_page_query_counts_are_pinned(
    client, world, cared, django_assert_num_queries, name
):
    """Each field page runs a fixed number of queries."""
    user = world.users["grid"]
    patrol = services.patrol_start(actor=user, grid=world.grids["G1"])
    for n in range(3):
        services.finding_log(
            actor=user,
            patrol=patrol,
            building=world.households["G1"][0].unit.building,
            kind="other",
            description=f"发现{n}",
        )
    household = cared[0]
    for n in range(3):
        services.visit_record(actor=user, household=household, findings=f"走访{n}")
    if name == "patrol":  # the start page, with the rounds made before
        services.patrol_end(actor=user, patrol=patrol)
    urls = {
        "patrol": reverse("field:patrol"),
        "visits": reverse("field:visits"),
        "household": reverse("field:household", args=[household.pk]),
        "grid": reverse("field:grid", args=[world.grids["G1"].pk]),
        "building": reverse("field:building", args=[household.unit.building_id]),
        "patrol-detail": reverse("field:patrol-detail", args=[patrol.pk]),
    }
    expected = {
        "patrol": 10,
        "visits": 10,
        "household": 19,
        "grid": 10,
        "building": 10,
        "patrol-detail": 12,
    }
    _login(client, world)
    with django_assert_num_queries(expected[name]):
        client.get(urls[name])
