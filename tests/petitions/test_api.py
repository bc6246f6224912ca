"""The staff API of resident reports."""

import pytest

from grids.models import Person
from petitions.models import Petition
from tests.petitions.factories import DepartmentFactory

# session, user, role scope, one page of rows (no COUNT), and one row of the
# record of personal-data access (community staff see the reporters' numbers)
LIST_QUERIES = 5


def _worker(world):
    return Person.objects.get(user=world.users["grid"])


def _step(client, petition, action, **data):
    """POST a transition with the case's current version, as a client would."""
    petition.refresh_from_db()
    return client.post(
        f"/api/v1/petitions/{petition.pk}/{action}/",
        {"expected_version": petition.version, **data},
        content_type="application/json",
    )


@pytest.mark.parametrize("rows", [5, 50])
def test_petition_list_query_count_is_the_same_for_5_and_50_rows(
    client, world, submit, django_assert_num_queries, rows
):
    """The list costs five queries whether it shows 5 rows or 50."""
    for _ in range(rows):
        submit()
    client.force_login(world.users["community"])
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get("/api/v1/petitions/", {"page_size": rows})
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize(
    ("username", "grids"),
    [("community", {"G1", "G2"}), ("grid", {"G1"}), ("street", {"G1", "G2", "G3"})],
)
def test_petition_list_is_scoped(client, world, submit, username, grids):
    """Each role lists only the cases of its units."""
    numbers = {}
    for grid in ("G1", "G2", "G3", "G4"):
        building = world.households[grid][0].unit.building
        numbers[grid] = submit(building=building).number
    client.force_login(world.users[username])
    listed = {r["number"] for r in client.get("/api/v1/petitions/").json()["results"]}
    assert listed == {numbers[g] for g in grids}


def test_petition_detail_of_another_community_is_404(client, world, submit):
    """Another community's case answers like a missing one."""
    foreign = submit(building=world.households["G4"][0].unit.building)
    client.force_login(world.users["community"])
    assert client.get(f"/api/v1/petitions/{foreign.pk}/").status_code == 404
    assert client.get("/api/v1/petitions/99999999/").status_code == 404


def test_petition_contact_is_masked_unless_the_caller_handles_it(client, world, submit):
    """The steward of the grid sees 139****5678; the grid worker sees the number."""
    petition = submit()
    client.force_login(world.users["steward"])
    row = client.get(f"/api/v1/petitions/{petition.pk}/").json()
    assert row["reporter_phone"] == "139****5678"
    assert row["reporter_name"] == "王**"
    client.force_login(world.users["grid"])
    row = client.get(f"/api/v1/petitions/{petition.pk}/").json()
    assert row["reporter_phone"] == "13912345678"


def test_petition_handler_sees_the_contact(client, world, submit):
    """Once dispatched to the steward, the steward sees the reporter's number."""
    petition = submit()
    steward = Person.objects.get(user=world.users["steward"])
    client.force_login(world.users["community"])
    assert _step(client, petition, "dispatch", handler=steward.pk).status_code == 200
    client.force_login(world.users["steward"])
    row = client.get(f"/api/v1/petitions/{petition.pk}/").json()
    assert row["reporter_phone"] == "13912345678"


def test_petition_transitions_through_the_api(client, world, submit):
    """Accept, dispatch, resolve: each endpoint moves the case and logs it."""
    petition = submit()
    client.force_login(world.users["community"])
    assert _step(client, petition, "accept").status_code == 200
    response = _step(client, petition, "dispatch", handler=_worker(world).pk)
    assert response.json()["status"] == "dispatched"
    response = _step(client, petition, "resolve", note="已修复")
    body = response.json()
    assert body["status"] == "awaiting_resident"
    assert [e["action"] for e in body["timeline"]] == [
        "submit",
        "accept",
        "dispatch",
        "resolve",
    ]


def test_petition_stale_version_answers_409(client, world, submit):
    """The second of two staff acting on the same version gets a conflict."""
    petition = submit()
    client.force_login(world.users["community"])
    base = f"/api/v1/petitions/{petition.pk}"
    json = "application/json"
    first = client.post(f"{base}/accept/", {"expected_version": 1}, content_type=json)
    assert first.status_code == 200
    response = client.post(
        f"{base}/reject/", {"expected_version": 1, "note": "x"}, content_type=json
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert Petition.objects.get(pk=petition.pk).status == "accepted"


def test_petition_forbidden_transition_answers_409_with_a_message(
    client, world, submit
):
    """Starting work on an undispatched case is refused clearly."""
    petition = submit()
    client.force_login(world.users["community"])
    response = _step(client, petition, "start")
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"


@pytest.mark.parametrize(
    "params",
    [
        {"grid": "1\x002"},
        {"grid": "99999999999999999999999"},
        {"status": "nonsense"},
        {"created_after": "yesterday"},
        {"created_after": "0001-01-01T00:00:00"},
        {"cursor": "garbage"},
    ],
)
def test_petition_list_bad_filters_are_4xx(client, world, submit, params):
    """Bad filter values answer 400/404, never 500."""
    submit()
    client.force_login(world.users["community"])
    assert client.get("/api/v1/petitions/", params).status_code in (400, 404)


@pytest.mark.parametrize(
    "payload",
    [
        {"handler": 10**30},
        {"handler": "abc"},
        {"note": "x" * 3000},
        {"note": "a\x00b"},
    ],
)
def test_petition_transition_bad_input_is_400(client, world, submit, payload):
    """Huge ids, wrong types, overlong and NUL-laden notes are refused as 400."""
    petition = submit()
    client.force_login(world.users["community"])
    response = client.post(
        f"/api/v1/petitions/{petition.pk}/dispatch/",
        payload,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert Petition.objects.get(pk=petition.pk).version == 1


def test_petition_create_on_behalf_of_a_resident(client, world, category, building):
    """Staff file a phone report; the same idempotency key does not make two."""
    client.force_login(world.users["community"])
    payload = {
        "category": category.code,
        "description": "电话反映：楼道灯不亮",
        "building": building.pk,
        "reporter_phone": "13812345678",
        "channel": "phone",
        "idempotency_key": "3f6c1f2e-8a51-4c0e-9b7a-2b1d1c0b9e11",
    }
    first = client.post(
        "/api/v1/petitions/create/", payload, content_type="application/json"
    )
    again = client.post(
        "/api/v1/petitions/create/", payload, content_type="application/json"
    )
    assert (first.status_code, again.status_code) == (201, 200)
    petition = Petition.objects.get()
    assert petition.channel == "phone" and petition.filed_by == world.users["community"]


def test_petition_create_refuses_a_building_outside_the_scope(client, world, category):
    """A building of another community is unknown to the caller."""
    client.force_login(world.users["community"])
    response = client.post(
        "/api/v1/petitions/create/",
        {
            "category": category.code,
            "description": "x",
            "building": world.households["G4"][0].unit.building.pk,
            "reporter_phone": "13812345678",
            "channel": "visit",
        },
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not Petition.objects.exists()


def test_petition_refer_through_the_api(client, world, submit):
    """A referral names its department."""
    petition = submit()
    department = DepartmentFactory(name="派出所")
    client.force_login(world.users["community"])
    _step(client, petition, "accept")
    assert _step(client, petition, "refer").status_code == 400
    response = _step(client, petition, "refer", department=department.pk)
    assert response.json()["status"] == "referred"


def test_petition_list_filters_overdue(client, world, submit):
    """?overdue=true lists the cases past their current deadline."""
    import datetime

    late = submit()
    Petition.objects.filter(pk=late.pk).update(
        accept_due_at=late.created_at - datetime.timedelta(hours=1)
    )
    submit()
    client.force_login(world.users["community"])
    rows = client.get("/api/v1/petitions/", {"overdue": "true"}).json()["results"]
    assert [r["number"] for r in rows] == [late.number]


def test_petition_transition_without_version_is_refused(client, world, submit):
    """A step must say which version it acts on, or it might undo another's."""
    petition = submit()
    client.force_login(world.users["community"])
    response = client.post(
        f"/api/v1/petitions/{petition.pk}/accept/", {}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "expected_version" in response.json()["details"]


@pytest.mark.parametrize("username", ["street", "district"])
def test_petition_supervisors_watch_but_do_not_act(client, world, submit, username):
    """Subdistrict and district staff see cases but cannot move or file them."""
    petition = submit()
    client.force_login(world.users[username])
    assert client.get(f"/api/v1/petitions/{petition.pk}/").status_code == 200
    assert _step(client, petition, "accept").status_code == 403
    response = client.post(
        "/api/v1/petitions/create/",
        {
            "category": petition.category.code,
            "description": "x",
            "building": petition.building_id,
            "reporter_phone": "13812345678",
            "channel": "phone",
        },
        content_type="application/json",
    )
    assert response.status_code == 403
    petition.refresh_from_db()
    assert petition.status == "submitted"


def test_petition_steward_acts_only_on_cases_given_to_them(client, world, submit):
    """A steward may not resolve a case handled by someone else, and does not see
    complaints about property service."""
    from tests.petitions.factories import CategoryFactory

    petition = submit()
    staff = world.users["community"]
    client.force_login(staff)
    _step(client, petition, "dispatch", handler=_worker(world).pk)
    complaint = submit(category=CategoryFactory(code="complaint", group="complaint"))
    client.force_login(world.users["steward"])
    assert _step(client, petition, "resolve", note="x").status_code == 403
    listed = {r["number"] for r in client.get("/api/v1/petitions/").json()["results"]}
    assert petition.number in listed and complaint.number not in listed


def test_petition_step_refuses_fields_it_does_not_take(client, world, submit):
    """ "start" cannot quietly change the handler."""
    petition = submit()
    client.force_login(world.users["community"])
    _step(client, petition, "dispatch", handler=_worker(world).pk)
    steward = Person.objects.get(user=world.users["steward"])
    response = _step(client, petition, "start", handler=steward.pk)
    assert response.status_code == 400
    petition.refresh_from_db()
    assert petition.handler == _worker(world)


def test_petition_deeply_nested_json_is_a_400(client, world, submit):
    """JSON nested beyond reason is refused, not a crash."""
    petition = submit()
    client.force_login(world.users["community"])
    body = "[" * 100000 + "]" * 100000
    response = client.post(
        f"/api/v1/petitions/{petition.pk}/accept/",
        body,
        content_type="application/json",
    )
    assert response.status_code == 400
