"""The lifecycle of a case, through the services."""

import datetime
import uuid
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.query import QuerySet
from django.utils import timezone

from core.models import Notification, OutboxMessage
from grids.models import Person
from petitions.models import Petition, PetitionEvent
from petitions.services import (
    Conflict,
    petition_auto_close,
    petition_escalate_overdue,
    petition_submit,
    petition_transition,
)
from petitions.workflow import TransitionNotAllowed
from tests.petitions.factories import CategoryFactory, DepartmentFactory


def _grid_worker(world):
    return Person.objects.get(user=world.users["grid"])


def test_petition_submit_stores_case_with_number_deadlines_and_event(submit, world):
    """A report gets a short number, an unguessable token, deadlines and a timeline."""
    petition = submit()
    assert petition.status == "submitted"
    assert petition.number.endswith(f"-{petition.pk}")
    assert len(petition.tracking_token) >= 24
    assert petition.grid == world.grids["G1"]
    assert petition.community == world.c1
    window = petition.accept_due_at - petition.created_at
    assert abs(window - datetime.timedelta(hours=2)) < datetime.timedelta(seconds=1)
    assert list(petition.events.values_list("action", flat=True)) == ["submit"]
    assert OutboxMessage.objects.filter(task_name="petitions.notify_new").exists()


def test_petition_submit_notifies_the_grid_worker_once(submit, world, relay):
    """The grid worker of the building's grid hears of the new case at once."""
    submit()
    relay()
    relay()
    notes = Notification.objects.filter(user=world.users["grid"])
    assert notes.count() == 1
    assert "漏水" in notes.get().body


def test_petition_submit_same_idempotency_key_makes_one_case(submit):
    """A double-tapped submit returns the first case instead of a second one."""
    key = uuid.uuid4()
    first = submit(idempotency_key=key)
    second, created = petition_submit(
        category=first.category,
        description="again",
        building=first.building,
        reporter_phone="13912345678",
        idempotency_key=key,
    )
    assert not created and second.pk == first.pk
    assert Petition.objects.count() == 1


def test_idempotency_race_returns_the_first_case(submit, category, building):
    """When a double tap's twin inserts the same key between check and insert,
    the second call returns the first case instead of failing."""
    key = uuid.uuid4()
    first = submit(idempotency_key=key)
    real_first = QuerySet.first
    calls = {"n": 0}

    def miss_once(self):
        calls["n"] += 1
        return None if calls["n"] == 1 else real_first(self)

    with mock.patch.object(QuerySet, "first", miss_once):
        again, created = petition_submit(
            category=category,
            description="双击",
            building=building,
            reporter_phone="13912345678",
            idempotency_key=key,
        )
    assert (again.pk, created) == (first.pk, False)
    assert Petition.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reporter_phone": "12345"}, "reporter_phone"),
        ({"description": "   "}, "description"),
        ({"description": "漏水" * 1001}, "description"),
        ({"description": "漏\x00水"}, "description"),
        ({"reporter_phone": "", "is_anonymous": True}, "is_anonymous"),
        ({"reporter_phone": ""}, "reporter_phone"),
    ],
)
def test_petition_submit_refuses_bad_input_and_writes_nothing(submit, overrides, field):
    """Bad input is refused with a message on its field; no case remains."""
    with pytest.raises(ValidationError) as exc_info:
        submit(**overrides)
    assert field in exc_info.value.message_dict
    assert not Petition.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_petition_full_lifecycle_to_a_rated_close(submit, world):
    """Accept → dispatch → start → resolve → resident confirms with a rating."""
    petition = submit()
    staff = world.users["community"]
    worker = _grid_worker(world)
    petition = petition_transition(petition=petition, action="accept", actor=staff)
    petition = petition_transition(
        petition=petition, action="dispatch", actor=staff, handler=worker
    )
    petition = petition_transition(
        petition=petition, action="start", actor=world.users["grid"]
    )
    petition = petition_transition(
        petition=petition,
        action="resolve",
        actor=world.users["grid"],
        note="已更换水管",
    )
    assert petition.status == "awaiting_resident" and petition.resolved_at
    petition = petition_transition(
        petition=petition, action="confirm", rating="satisfied", note="很快"
    )
    assert petition.status == "closed"
    assert (petition.rating, petition.rating_comment) == ("satisfied", "很快")
    steps = list(petition.events.values_list("action", "from_status", "to_status"))
    assert steps == [
        ("submit", "", "submitted"),
        ("accept", "submitted", "accepted"),
        ("dispatch", "accepted", "dispatched"),
        ("start", "dispatched", "in_progress"),
        ("resolve", "in_progress", "awaiting_resident"),
        ("confirm", "awaiting_resident", "closed"),
    ]


def test_petition_reopen_sends_it_back_to_the_handler(submit, world):
    """A resident who says "not fixed" sends the case back to its handler."""
    petition = submit()
    staff = world.users["community"]
    petition = petition_transition(
        petition=petition, action="dispatch", actor=staff, handler=_grid_worker(world)
    )
    petition = petition_transition(
        petition=petition, action="resolve", actor=staff, note="修好了"
    )
    petition = petition_transition(petition=petition, action="reopen", note="还在漏")
    assert petition.status == "dispatched"
    assert petition.reopen_count == 1 and petition.resolved_at is None


def test_petition_forbidden_transition_changes_nothing(submit, world):
    """Resolving a case nobody accepted is refused and leaves no trace."""
    petition = submit()
    with pytest.raises(TransitionNotAllowed):
        petition_transition(petition=petition, action="confirm", rating="satisfied")
    petition.refresh_from_db()
    assert petition.status == "submitted" and petition.version == 1
    assert petition.events.count() == 1


def test_petition_stale_version_is_a_conflict(submit, world):
    """Two staff acting on the same case: the second, with the old version,
    gets a conflict and writes nothing."""
    petition = submit()
    staff = world.users["community"]
    petition_transition(
        petition=petition, action="accept", actor=staff, expected_version=1
    )
    with pytest.raises(Conflict):
        petition_transition(
            petition=petition,
            action="reject",
            actor=staff,
            note="重复",
            expected_version=1,
        )
    petition.refresh_from_db()
    assert petition.status == "accepted" and petition.version == 2
    assert petition.events.count() == 2


def test_petition_staff_outside_scope_cannot_act(submit, world):
    """A worker of another grid cannot move the case."""
    petition = submit(building=world.households["G2"][0].unit.building)
    with pytest.raises(PermissionDenied):
        petition_transition(
            petition=petition, action="accept", actor=world.users["grid"]
        )


def test_petition_dispatch_refuses_handler_from_elsewhere(submit, world):
    """The handler must work in the case's grid or community."""
    petition = submit()
    stranger = world.people["G4"][0]
    with pytest.raises(ValidationError) as exc_info:
        petition_transition(
            petition=petition,
            action="dispatch",
            actor=world.users["community"],
            handler=stranger,
        )
    assert "handler" in exc_info.value.message_dict


def test_petition_refer_and_answer(submit, world):
    """A case referred to a department is tracked until the department answers."""
    petition = submit()
    staff = world.users["community"]
    petition = petition_transition(petition=petition, action="accept", actor=staff)
    petition = petition_transition(
        petition=petition, action="refer", actor=staff, department=DepartmentFactory()
    )
    assert petition.status == "referred"
    petition = petition_transition(
        petition=petition, action="answer", actor=staff, note="城管已清理"
    )
    assert petition.status == "awaiting_resident"


def test_petition_merge_tells_the_reporter(submit, world, relay):
    """A duplicate is merged into the first case and its reporter is told."""
    first = submit()
    second = submit(reporter_phone="13700001111")
    merged = petition_transition(
        petition=second,
        action="merge",
        actor=world.users["community"],
        merge_into=first,
    )
    assert merged.status == "merged" and merged.merged_into == first
    public = merged.events.filter(is_public=True).last()
    assert first.number in public.note
    relay()
    assert Notification.objects.filter(phone="13700001111").exists()


def test_escalation_raises_one_level_per_period_and_is_idempotent(submit, world, relay):
    """An unaccepted case goes to the community after its deadline and to the
    subdistrict one period later; running twice changes nothing more."""
    petition = submit()
    later = petition.accept_due_at + datetime.timedelta(minutes=1)
    assert petition_escalate_overdue(now=later) == 1
    assert petition_escalate_overdue(now=later) == 0
    relay()
    petition.refresh_from_db()
    assert petition.escalation_level == Petition.Level.COMMUNITY
    escalations = Notification.objects.filter(dedupe_key__contains="escalated")
    assert escalations.filter(user=world.users["community"]).count() == 1
    much_later = later + datetime.timedelta(hours=2)
    assert petition_escalate_overdue(now=much_later) == 1
    relay()
    petition.refresh_from_db()
    assert petition.escalation_level == Petition.Level.SUBDISTRICT
    assert escalations.filter(user=world.users["street"]).count() == 1
    assert petition_escalate_overdue(now=much_later + datetime.timedelta(days=9)) == 0
    assert petition.events.filter(action="escalate", is_public=False).count() == 2


def test_escalation_reminds_the_handler_when_resolve_is_late(submit, world, relay):
    """A dispatched case past its resolve deadline reminds its handler once."""
    petition = submit()
    petition_transition(
        petition=petition,
        action="dispatch",
        actor=world.users["community"],
        handler=_grid_worker(world),
    )
    petition.refresh_from_db()
    late = petition.resolve_due_at + datetime.timedelta(minutes=5)
    petition_escalate_overdue(now=late)
    relay()
    petition_escalate_overdue(now=late)
    relay()
    reminders = Notification.objects.filter(
        user=world.users["grid"],
        subject__contains=petition.number,
        dedupe_key__contains="escalated",
    )
    assert reminders.count() == 1


def test_auto_close_after_the_configured_days(submit, world, settings):
    """A resolved case the resident never answers closes by itself, once."""
    settings.PETITION_AUTO_CLOSE_DAYS = 7
    petition = submit()
    staff = world.users["community"]
    petition = petition_transition(petition=petition, action="accept", actor=staff)
    petition = petition_transition(
        petition=petition, action="resolve", actor=staff, note="已处理"
    )
    assert petition_auto_close(now=timezone.now() + datetime.timedelta(days=6)) == 0
    assert petition_auto_close(now=timezone.now() + datetime.timedelta(days=8)) == 1
    assert petition_auto_close(now=timezone.now() + datetime.timedelta(days=9)) == 0
    petition.refresh_from_db()
    assert petition.status == "closed" and petition.rating == ""


def test_anonymous_report_where_the_category_allows_it(world, building):
    """Categories that allow it take reports with no name or number."""
    category = CategoryFactory(code="parking", name="车辆乱停", allows_anonymous=True)
    petition, _ = petition_submit(
        category=category,
        description="消防通道被占",
        building=building,
        reporter_name="隐藏",
        is_anonymous=True,
    )
    assert (petition.reporter_name, petition.reporter_phone) == ("", "")


def test_every_transition_writes_exactly_one_event(submit, world):
    """The timeline has one row per change, even across many changes."""
    petition = submit()
    staff = world.users["community"]
    for action, extra in [
        ("accept", {}),
        ("hold", {"note": "等待配件"}),
        ("resume", {}),
        ("resolve", {"note": "完成"}),
    ]:
        petition = petition_transition(
            petition=petition, action=action, actor=staff, **extra
        )
    assert PetitionEvent.objects.filter(petition=petition).count() == 5
    assert petition.version == 5
