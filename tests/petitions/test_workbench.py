"""The phone workbench of cases (/staff/): 待办 and the case page, scoped and
permitted as the admin, with steps taken through the same services."""

import datetime

import pytest
from django.urls import reverse

from grids.models import Person
from petitions.models import Petition, ReplyTemplate
from petitions.services import petition_note_add, petition_transition
from tests.grids.conftest import jpeg


def _case_url(petition):
    return reverse("workbench:case", args=[petition.pk])


def _step(client, petition, **data):
    """Post the case page's form as its big button does."""
    petition.refresh_from_db()
    payload = {"expected_version": petition.version, "is_public": "on"}
    payload.update(data)
    return client.post(_case_url(petition), payload)


def test_workbench_asks_strangers_to_sign_in(client, db):
    response = client.get(reverse("workbench:home"))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_workbench_todo_has_new_cases_of_my_grid_and_mine_overdue_first(
    client, world, submit
):
    """待办: the grid's new cases and those given to me, the overdue one on
    top with its time; another grid's case is not there."""
    new = submit()
    late = submit()
    Petition.objects.filter(pk=late.pk).update(
        accept_due_at=late.created_at - datetime.timedelta(hours=3)
    )
    other = submit(building=world.households["G2"][0].unit.building)
    client.force_login(world.users["grid"])
    body = client.get(reverse("workbench:home")).content.decode()
    assert body.index(late.number) < body.index(new.number)
    assert other.number not in body
    assert "超期" in body or "overdue" in body


def test_workbench_case_offers_the_allowed_steps_and_the_default_one(
    client, world, submit
):
    """A new case offers accept, dispatch, reject, hold, merge as buttons,
    with accept chosen and only its fields."""
    petition = submit()
    client.force_login(world.users["grid"])
    response = client.get(_case_url(petition))
    form = response.context["form"]
    assert [c["action"] for c in response.context["choices"]] == [
        "accept",
        "dispatch",
        "reject",
        "hold",
        "merge",
    ]
    assert form.step.action == "accept"
    assert "handler" not in form.fields and "department" not in form.fields
    dispatch = client.get(_case_url(petition), {"step": "dispatch"}).context["form"]
    assert "handler" in dispatch.fields


def test_workbench_walk_from_new_to_resolved_in_four_posts(client, world, submit):
    """Accept, dispatch (to me, chosen already), start, and resolve with a
    ready reply: each one post of the page's big button, each on the
    timeline, and the next step is the default after each."""
    template = ReplyTemplate.objects.create(title="已办结", text="已处理完毕，请确认。")
    petition = submit()
    me = Person.objects.get(user=world.users["grid"])
    client.force_login(world.users["grid"])
    page = client.get(_case_url(petition))
    assert page.context["form"].step.action == "accept"
    _step(client, petition, action="accept")
    page = client.get(_case_url(petition))
    assert page.context["form"].step.action == "dispatch"
    assert page.context["form"].fields["handler"].initial == me.pk
    _step(client, petition, action="dispatch", handler=me.pk)
    assert client.get(_case_url(petition)).context["form"].step.action == "start"
    _step(client, petition, action="start")
    assert client.get(_case_url(petition)).context["form"].step.action == "resolve"
    response = _step(client, petition, action="resolve", template=template.pk)
    assert response.status_code == 302
    petition.refresh_from_db()
    assert (petition.status, petition.handler) == ("awaiting_resident", me)
    assert list(petition.events.values_list("action", flat=True)) == [
        "submit",
        "accept",
        "dispatch",
        "start",
        "resolve",
    ]
    assert petition.events.last().note == template.text


def test_workbench_resolve_with_a_photo_from_the_camera(client, world, submit):
    """Resolving takes photos of the fix, cleaned like every upload."""
    petition = submit()
    me = Person.objects.get(user=world.users["grid"])
    staff = world.users["grid"]
    petition_transition(petition=petition, action="dispatch", actor=staff, handler=me)
    client.force_login(staff)
    page = client.get(_case_url(petition), {"step": "resolve"}).content.decode()
    assert 'capture="environment"' in page
    _step(client, petition, action="resolve", note="已修好", photos=jpeg("fix.jpg"))
    petition.refresh_from_db()
    assert petition.photos.filter(stage="resolution").count() == 1


def test_workbench_refuses_a_missing_note_and_a_stale_form(client, world, submit):
    """Resolving without a note says so on the page; a form opened before
    someone else's step is refused; neither changes the case."""
    petition = submit()
    staff = world.users["grid"]
    petition_transition(petition=petition, action="accept", actor=staff)
    client.force_login(staff)
    response = _step(client, petition, action="resolve", note="")
    assert response.status_code == 400
    petition.refresh_from_db()
    stale = petition.version
    petition_transition(petition=petition, action="hold", actor=staff, note="等配件")
    response = client.post(
        _case_url(petition),
        {"expected_version": stale, "action": "resolve", "note": "好了"},
    )
    assert response.status_code == 400
    petition.refresh_from_db()
    assert petition.status == "on_hold"


def test_workbench_other_grid_case_is_not_found(client, world, submit):
    """Another grid's case answers 404 to a grid worker, also for a step."""
    other = submit(building=world.households["G2"][0].unit.building)
    client.force_login(world.users["grid"])
    assert client.get(_case_url(other)).status_code == 404
    assert _step(client, other, action="accept").status_code == 404
    other.refresh_from_db()
    assert other.status == "submitted"


def test_workbench_steward_reads_masked_and_acts_only_on_cases_given_to_them(
    client, world, submit
):
    """A property steward sees a new case of the grid read-only with the
    reporter masked; given the case, the steward may start it."""
    petition = submit()
    client.force_login(world.users["steward"])
    page = client.get(_case_url(petition))
    assert page.context["form"] is None
    body = page.content.decode()
    assert "13912345678" not in body and "139****5678" in body
    assert _step(client, petition, action="accept").status_code == 403
    steward = Person.objects.get(user=world.users["steward"])
    petition_transition(
        petition=petition,
        action="dispatch",
        actor=world.users["community"],
        handler=steward,
    )
    _step(client, petition, action="start")
    petition.refresh_from_db()
    assert petition.status == "in_progress"


def test_workbench_handler_sees_the_reporters_number_with_a_call_link(
    client, world, submit
):
    petition = submit()
    client.force_login(world.users["grid"])
    body = client.get(_case_url(petition)).content.decode()
    assert 'href="tel:13912345678"' in body


@pytest.mark.parametrize("cases", [3, 12])
def test_workbench_query_counts_are_pinned(
    client, world, submit, django_assert_num_queries, cases
):
    """待办 and the case page cost the same number of queries whatever the
    number of cases and timeline rows."""
    made = [submit() for _ in range(cases)]
    staff = world.users["grid"]
    for petition in made[: cases // 3]:
        petition_transition(petition=petition, action="accept", actor=staff)
    for n in range(cases):
        petition_note_add(petition=made[0], note=f"第{n}次电话联系", actor=staff)
    client.force_login(staff)
    with django_assert_num_queries(10):
        client.get(reverse("workbench:home"))
    with django_assert_num_queries(14):  # 13 + the case's voice notes
        client.get(_case_url(made[0]))


def test_tracking_page_gives_the_grid_workers_number_masked_with_a_call_link(
    client, world, submit
):
    """The resident's tracking page names the grid worker to call: the number
    shown masked, the call link whole."""
    petition = submit()
    worker = Person.objects.get(user=world.users["grid"])
    body = client.get(
        reverse("petitions:track", args=[petition.tracking_token])
    ).content.decode()
    masked = f"{worker.mobile[:3]}****{worker.mobile[-4:]}"
    assert masked in body and f'href="tel:{worker.mobile}"' in body
    assert worker.name in body
