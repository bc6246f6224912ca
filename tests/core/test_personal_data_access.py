"""The append-only record of who saw personal data: exports, imports and every
view of an unmasked phone number; read by the staff of each unit, changed by
nobody."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from grids.models import PersonalDataAccess
from grids.selectors import person_list
from petitions.services import petition_submit
from tests.core.exporting import admin_export
from tests.petitions.factories import CategoryFactory

# session, user, four for permissions and scope, the page's count and rows
# (communities joined) and the subject filter; the "when" filter is a range on
# the time column and asks the database nothing for its choices
ACCESS_LIST_QUERIES = 9


@pytest.fixture
def case(world):
    petition, _created = petition_submit(
        category=CategoryFactory(),
        description="楼道灯不亮",
        building=world.households["G1"][0].unit.building,
        place_detail="1单元",
        reporter_name="王大妈",
        reporter_phone="13912345678",
    )
    return petition


def test_access_record_of_an_export(client, world):
    """Exporting residents writes who, what, how many rows, when and from where."""
    client.force_login(world.users["community"])
    response = admin_export(client, reverse("admin:grids_person_export"), "csv")
    assert response.status_code == 200
    row = PersonalDataAccess.objects.get()
    assert (row.actor, row.action, row.subject) == (
        world.users["community"],
        "export",
        "grids.person",
    )
    assert row.row_count == person_list(user=world.users["community"]).count()
    assert row.fields == "mobile"  # community staff export full numbers
    assert row.community == world.c1
    assert row.ip_address == "127.0.0.1"
    assert row.created_at is not None


def test_access_record_of_a_grid_workers_export_is_their_communitys(client, world):
    """A grid worker's export is recorded under the community of their grid,
    so that its staff read it."""
    client.force_login(world.users["grid"])
    response = admin_export(client, reverse("admin:grids_person_export"), "csv")
    assert response.status_code == 200
    row = PersonalDataAccess.objects.get()
    assert (row.actor, row.community) == (world.users["grid"], world.c1)


def test_access_record_of_an_import(client, world):
    """A confirmed import is recorded with the rows it wrote."""
    client.force_login(world.users["community"])
    unit = world.households["G1"][0].unit
    content = (
        "社区,小区,楼栋,单元,房号,建筑面积（㎡）\n"
        f"{world.c1.name},{unit.building.compound.name},{unit.building.number},"
        f"{unit.number},909,88.5\n"
    ).encode()
    url = reverse("admin:grids_household_import")
    page = client.get(url)
    formats = dict(page.context["form"].fields["format"].choices)
    csv_index = next(k for k, v in formats.items() if str(v).lower() == "csv")
    preview = client.post(
        url,
        {
            "format": csv_index,
            "import_file": SimpleUploadedFile("h.csv", content, "text/csv"),
        },
    )
    confirm = preview.context["confirm_form"]
    data = {name: confirm.initial.get(name, "") for name in confirm.fields}
    client.post(reverse("admin:grids_household_process_import"), data)
    row = PersonalDataAccess.objects.get(action="import")
    assert (row.subject, row.row_count) == ("grids.household", 1)


def test_access_record_of_an_unmasked_view(client, world):
    """Opening a resident's page with the full number is recorded; a page that
    shows the number masked is not."""
    person = world.people["G1"][0]
    url = reverse("admin:grids_person_change", args=[person.pk])
    client.force_login(world.users["street"])  # no contact right: masked
    assert client.get(url).status_code == 200
    assert not PersonalDataAccess.objects.exists()
    client.force_login(world.users["community"])
    assert client.get(url).status_code == 200
    row = PersonalDataAccess.objects.get()
    assert (row.action, row.object_id, row.community) == (
        "view",
        str(person.pk),
        person.community,
    )


def test_access_record_of_case_contacts(client, world, case):
    """The case page and the API record the reporter's number shown unmasked,
    with the rows a list answered."""
    client.force_login(world.users["community"])
    client.get(reverse("admin:petitions_petition_change", args=[case.pk]))
    client.get("/api/v1/petitions/")
    client.get(f"/api/v1/petitions/{case.pk}/")
    rows = list(PersonalDataAccess.objects.order_by("id"))
    assert [(r.action, r.subject, r.row_count) for r in rows] == [
        ("view", "petitions.petition", 1)
    ] * 3
    client.force_login(world.users["district"])  # masked for district staff
    client.get("/api/v1/petitions/")
    assert PersonalDataAccess.objects.count() == 3


def test_access_record_is_read_per_unit(client, world, case):
    """Community staff read the rows of their community, district staff those
    of their district; grid workers have no access to the record."""
    client.force_login(world.users["community"])
    client.get(f"/api/v1/petitions/{case.pk}/")
    other = PersonalDataAccess.objects.create(
        actor_label="someone", action="view", subject="x", community=world.c3
    )
    url = reverse("admin:grids_personaldataaccess_changelist")
    body = client.get(url).content.decode()
    assert "community" in body and "someone" not in body
    client.force_login(world.users["district"])
    body = client.get(url).content.decode()
    assert "someone" in body
    client.force_login(world.users["grid"])
    assert client.get(url).status_code == 403
    assert other.pk


def test_access_record_cannot_be_changed_or_deleted(client, world, case):
    """Nobody changes or deletes a row: not the admin, not the model, not the
    database."""
    client.force_login(world.users["community"])
    client.get(f"/api/v1/petitions/{case.pk}/")
    row = PersonalDataAccess.objects.get()
    client.force_login(world.users["superuser"])
    change = reverse("admin:grids_personaldataaccess_change", args=[row.pk])
    delete = reverse("admin:grids_personaldataaccess_delete", args=[row.pk])
    assert client.post(change, {"row_count": 0}).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        PersonalDataAccess.objects.update(row_count=0)
    with pytest.raises(PermissionError):
        PersonalDataAccess.objects.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE grids_personaldataaccess SET row_count = 0")
    row.refresh_from_db()
    assert row.row_count == 1


@pytest.mark.parametrize("rows", [3, 30])
def test_access_record_list_query_count_is_fixed(
    client, world, django_assert_num_queries, rows
):
    """The record's admin list costs the same queries for 3 rows or 30."""
    for n in range(rows):
        PersonalDataAccess.objects.create(
            actor=world.users["grid"],
            actor_label="grid",
            action="view",
            subject="grids.person",
            object_repr=f"居民{n}",
            community=world.c1,
        )
    client.force_login(world.users["community"])
    url = reverse("admin:grids_personaldataaccess_changelist")
    client.get(url)  # warm the content types and permissions caches
    with django_assert_num_queries(ACCESS_LIST_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
