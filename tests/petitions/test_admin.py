"""The staff admin of resident reports."""

import uuid

import pytest
from django.urls import reverse

from grids.models import Person
from petitions.models import Petition

# Session, user, perms (user, group, role), role scope, filter choices (category,
# grid, property company), the count and the rows.
CHANGELIST_QUERIES = 11


def _act(client, petition, **data):
    petition.refresh_from_db()
    payload = {"expected_version": petition.version, "note": "", "is_public": "on"}
    payload.update(data)
    return client.post(
        reverse("admin:petitions_petition_act", args=[petition.pk]), payload
    )


@pytest.mark.parametrize("cases", [3, 30])
def test_admin_petition_changelist_query_count_is_fixed(
    client, world, submit, django_assert_num_queries, cases
):
    """The work list costs the same number of queries for 3 cases or 30."""
    for _ in range(cases):
        submit()
    client.force_login(world.users["community"])
    with django_assert_num_queries(CHANGELIST_QUERIES):
        response = client.get(reverse("admin:petitions_petition_changelist"))
    assert len(response.context["cl"].result_list) == cases


def test_admin_petition_list_is_scoped_and_overdue_first(client, world, submit):
    """A grid worker sees their grid's cases; overdue ones come first."""
    import datetime

    mine = submit()
    late = submit()
    # A new case is late when it was not accepted in time.
    Petition.objects.filter(pk=late.pk).update(
        accept_due_at=late.created_at - datetime.timedelta(hours=1)
    )
    submit(building=world.households["G2"][0].unit.building)
    client.force_login(world.users["grid"])
    rows = (
        client.get(reverse("admin:petitions_petition_changelist"))
        .context["cl"]
        .result_list
    )
    assert [p.pk for p in rows] == [late.pk, mine.pk]


def test_admin_grid_worker_accepts_dispatches_and_resolves(client, world, submit):
    """The next-step form moves the case and fills its timeline."""
    petition = submit()
    worker = Person.objects.get(user=world.users["grid"])
    client.force_login(world.users["grid"])
    assert _act(client, petition, action="accept").status_code == 302
    _act(client, petition, action="dispatch", handler=worker.pk)
    _act(client, petition, action="start")
    _act(client, petition, action="resolve", note="已更换阀门")
    petition.refresh_from_db()
    assert petition.status == "awaiting_resident"
    page = client.get(reverse("admin:petitions_petition_change", args=[petition.pk]))
    body = page.content.decode()
    assert "已更换阀门" in body
    assert "13912345678" in body  # the grid worker handles the case


def test_admin_stale_form_reports_a_conflict(client, world, submit):
    """Submitting the next step with an old version says someone else acted."""
    petition = submit()
    client.force_login(world.users["community"])
    _act(client, petition, action="accept")
    response = client.post(
        reverse("admin:petitions_petition_act", args=[petition.pk]),
        {"expected_version": 1, "action": "reject", "note": "x"},
        follow=True,
    )
    assert "刚被他人修改" in response.content.decode()
    petition.refresh_from_db()
    assert petition.status == "accepted"


def test_admin_steward_sees_masked_contact(client, world, submit):
    """A steward who does not handle the case sees 139****5678."""
    petition = submit()
    client.force_login(world.users["steward"])
    body = client.get(reverse("admin:petitions_petition_change", args=[petition.pk]))
    body = body.content.decode()
    assert "139****5678" in body and "13912345678" not in body


def test_admin_escapes_html_in_descriptions(client, world, submit):
    """A description with markup is shown as text in the admin."""
    submit(description="<img src=x onerror=alert(1)>")
    client.force_login(world.users["community"])
    body = client.get(reverse("admin:petitions_petition_changelist")).content.decode()
    petition = Petition.objects.get()
    page = client.get(reverse("admin:petitions_petition_change", args=[petition.pk]))
    assert "<img src=x onerror" not in page.content.decode()
    assert "<img src=x onerror" not in body


def test_admin_files_a_report_for_a_resident(client, world, category, building):
    """Staff record a phone call as a case, naming the channel."""
    client.force_login(world.users["community"])
    response = client.post(
        reverse("admin:petitions_petition_file"),
        {
            "category": category.pk,
            "channel": "phone",
            "building": building.pk,
            "description": "电话反映：单元门禁坏了",
            "reporter_phone": "13600001111",
            "idempotency_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert (petition.channel, petition.filed_by) == ("phone", world.users["community"])


def test_admin_file_form_offers_only_buildings_in_scope(client, world):
    """The building choices of the filing form stop at the user's units."""
    client.force_login(world.users["grid"])
    form = client.get(reverse("admin:petitions_petition_file")).context["form"]
    offered = set(form.fields["building"].queryset.values_list("grid__name", flat=True))
    assert offered == {"G1"}


def test_admin_qr_sheet_has_one_code_per_building(client, world):
    """The QR sheet of a compound links each building's report form."""
    compound = world.households["G1"][0].unit.building.compound
    client.force_login(world.users["community"])
    response = client.get(
        reverse("admin:petitions_petition_qr"), {"compound": compound.pk}
    )
    body = response.content.decode()
    assert body.count('class="qr-card"') == compound.buildings.count()
    for building in compound.buildings.all():
        assert reverse("petitions:report-building", args=[building.pk]) in "".join(
            url for _b, url, _s in response.context["codes"]
        )


def test_admin_qr_sheet_of_foreign_compound_is_404(client, world):
    """Another community's compound cannot be printed."""
    compound = world.households["G4"][0].unit.building.compound
    client.force_login(world.users["community"])
    response = client.get(
        reverse("admin:petitions_petition_qr"), {"compound": compound.pk}
    )
    assert response.status_code == 404


def test_admin_cannot_delete_cases(client, world, submit):
    """Nothing is lost: cases cannot be deleted, even by community staff."""
    petition = submit()
    client.force_login(world.users["community"])
    url = reverse("admin:petitions_petition_delete", args=[petition.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Petition.objects.filter(pk=petition.pk).exists()


def test_admin_step_form_offers_only_allowed_steps_and_their_fields(
    client, world, submit
):
    """A new case offers the steps open to a submitted case, accept chosen; the
    form holds only the chosen step's fields, and sits above the case."""
    petition = submit()
    client.force_login(world.users["community"])
    url = reverse("admin:petitions_petition_change", args=[petition.pk])
    response = client.get(url)
    form = response.context["step_form"]
    assert [s.action for s in form.steps] == [
        "accept",
        "dispatch",
        "reject",
        "hold",
        "merge",
    ]
    assert form.step.action == "accept"
    assert "handler" not in form.fields and "department" not in form.fields
    body = response.content.decode()
    assert body.index('id="step-form"') < body.index('id="petition_form"')
    dispatch = client.get(url, {"step": "dispatch"}).context["step_form"]
    assert dispatch.fields["handler"].required
    assert "photos" not in dispatch.fields
    # A step the state does not allow falls back to the default one.
    assert client.get(url, {"step": "resolve"}).context["step_form"].step.action == (
        "accept"
    )


def test_admin_default_step_follows_the_state(client, world, submit):
    """After dispatch the page offers "start work", not dispatch again."""
    petition = submit()
    client.force_login(world.users["community"])
    grid_worker = Person.objects.get(user=world.users["grid"])
    _act(client, petition, action="dispatch", handler=grid_worker.pk)
    petition.refresh_from_db()
    assert petition.status == "dispatched"
    url = reverse("admin:petitions_petition_change", args=[petition.pk])
    form = client.get(url).context["step_form"]
    assert form.step.action == "start"


def test_admin_step_refuses_a_step_the_state_does_not_allow(client, world, submit):
    """Posting a step that is not open now changes nothing."""
    petition = submit()
    client.force_login(world.users["community"])
    response = _act(client, petition, action="resolve", note="修好了")
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.status == "submitted"


def test_admin_timeline_speaks_chinese(client, world, submit):
    """The timeline names steps in Chinese, not by their codes."""
    petition = submit()
    client.force_login(world.users["community"])
    _act(client, petition, action="accept")
    body = client.get(
        reverse("admin:petitions_petition_change", args=[petition.pk])
    ).content.decode()
    assert "受理" in body
    assert ">accept<" not in body and ">submit<" not in body


def test_admin_work_list_has_my_cases_and_new_ones_of_my_grid(client, world, submit):
    """我的待办 of a grid worker: cases given to them and the grid's new cases
    nobody has taken yet, nearest deadline first; not other grids' cases."""
    from petitions.selectors import petition_work_list

    new_here = submit()
    given = submit()
    grid_worker = Person.objects.get(user=world.users["grid"])
    client.force_login(world.users["community"])
    _act(client, given, action="dispatch", handler=grid_worker.pk)
    elsewhere = submit(building=world.households["G2"][0].unit.building)
    client.force_login(world.users["grid"])
    listed = (
        client.get(reverse("admin:petitions_petition_changelist"), {"mine": "open"})
        .context["cl"]
        .result_list
    )
    assert {p.pk for p in listed} == {new_here.pk, given.pk}
    assert elsewhere.pk not in {p.pk for p in listed}
    work = list(petition_work_list(user=world.users["grid"]))
    # The new case must be accepted within hours; the given one resolved in days.
    assert [p.pk for p in work] == [new_here.pk, given.pk]


def test_admin_list_sorts_by_the_deadline_that_matters_now(client, world, submit):
    """A new case due to be accepted within hours comes before an accepted
    case due to be resolved in days, though its resolve deadline is later;
    closed cases come last."""
    import datetime

    from django.utils import timezone

    now = timezone.now()
    in_days = submit()
    Petition.objects.filter(pk=in_days.pk).update(
        status="accepted", resolve_due_at=now + datetime.timedelta(days=3)
    )
    in_hours = submit()
    Petition.objects.filter(pk=in_hours.pk).update(
        accept_due_at=now + datetime.timedelta(hours=1),
        resolve_due_at=now + datetime.timedelta(days=5),
    )
    closed = submit()
    Petition.objects.filter(pk=closed.pk).update(
        status="closed", resolve_due_at=now - datetime.timedelta(days=9)
    )
    client.force_login(world.users["community"])
    rows = client.get(reverse("admin:petitions_petition_changelist")).context["cl"]
    assert [p.pk for p in rows.result_list] == [in_hours.pk, in_days.pk, closed.pk]


def test_admin_search_fits_the_field(client, world, submit):
    """A case number finds its case exactly; its start finds the day's cases;
    a phone number finds the reporter's cases for staff who may see contacts;
    words are looked for in descriptions."""
    leak = submit(description="卫生间漏水到楼下")
    road = submit(description="小区道路破损", reporter_phone="13700001111")
    client.force_login(world.users["community"])
    url = reverse("admin:petitions_petition_changelist")

    def found(term):
        return {p.pk for p in client.get(url, {"q": term}).context["cl"].result_list}

    assert found(leak.number) == {leak.pk}
    assert found(leak.number[:6]) == {leak.pk, road.pk}
    assert found("13700001111") == {road.pk}
    assert found("137 0000") == {road.pk}
    assert found("漏水") == {leak.pk}
    client.force_login(world.users["steward"])  # no contact right
    assert found("13700001111") == set()


def test_admin_long_list_counts_to_a_cap_and_asks_to_narrow(
    client, world, submit, monkeypatch
):
    """Past the cap the list neither counts every row nor offers deeper pages:
    it says there are more and asks to search or filter."""
    from core.paging import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 4)
    for _ in range(6):
        submit()
    client.force_login(world.users["community"])
    url = reverse("admin:petitions_petition_changelist")
    response = client.get(url)
    cl = response.context["cl"]
    assert cl.paginator.is_capped and cl.result_count == 4
    assert "超过 4 条" in response.content.decode()
    assert "请用搜索或筛选" in response.content.decode()
    narrowed = client.get(url, {"q": "漏水"}).context["cl"]
    assert narrowed.paginator.is_capped  # six leaks: still more than four
