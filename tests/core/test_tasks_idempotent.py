"""Every registered task is safe to run twice: the second run changes nothing.

The outbox hands a row on again when it is not finished in time, and the
broker may deliver a message twice (acks late, a worker killed), so a task can
run twice for one piece of work. Each task below is given work to do, run
once (something changes), then run again with the clock held (nothing
changes: no second notification, no second event, the same roll-ups).
"""

import datetime

import pytest
import time_machine
from django.apps import apps
from django.db import models
from django.utils import timezone

from config.celery import app
from core import calendar
from grids.models import Person
from petitions.models import Petition
from petitions.services import petition_submit, petition_transition
from tests.deliberation.factories import (
    ActionItemFactory,
    BodyFactory,
    MeetingFactory,
)
from tests.grids import factories as gf
from tests.petitions.factories import CategoryFactory
from tests.volunteers.factories import (
    ActivityFactory,
    SignUpFactory,
    StockItemFactory,
    WishFactory,
)


def _petition(world) -> Petition:
    petition, _ = petition_submit(
        category=CategoryFactory(),
        description="楼道水管漏水",
        building=world.households["G1"][0].unit.building,
        reporter_name="王大妈",
        reporter_phone="13912345678",
    )
    return petition


def _handled(world) -> Petition:
    petition = _petition(world)
    staff = world.users["community"]
    petition = petition_transition(petition=petition, action="accept", actor=staff)
    return petition_transition(
        petition=petition,
        action="dispatch",
        actor=staff,
        handler=Person.objects.get(user=world.users["grid"]),
    )


def _resolved(world) -> Petition:
    petition = _petition(world)
    staff = world.users["community"]
    petition = petition_transition(petition=petition, action="accept", actor=staff)
    return petition_transition(
        petition=petition, action="resolve", actor=staff, note="已处理"
    )


def setup_notify_new(world):
    return {"petition_id": _petition(world).pk}


def setup_notify_transition(world):
    petition = _handled(world)
    return {
        "petition_id": petition.pk,
        "action": "dispatch",
        "version": petition.version,
    }


def setup_notify_escalated(world):
    petition = _petition(world)
    return {"petition_id": petition.pk, "level": Petition.Level.GRID}


def setup_escalate_overdue(world):
    petition = _petition(world)
    Petition.objects.filter(pk=petition.pk).update(
        accept_due_at=timezone.now() - datetime.timedelta(hours=3)
    )
    return {}


def setup_auto_close(world):
    petition = _resolved(world)
    Petition.objects.filter(pk=petition.pk).update(
        resolved_at=timezone.now() - datetime.timedelta(days=30)
    )
    return {}


def setup_create_meetings_ahead(world):
    BodyFactory(community=world.c1, fengsi=True)
    return {}


def setup_remind_meetings(world):
    meeting = MeetingFactory(
        body__community=world.c1,
        body__fengsi=True,
        starts_in=datetime.timedelta(hours=20),
        hours=1,
    )
    meeting.body.members.add(Person.objects.get(user=world.users["grid"]))
    return {}


def setup_alert_missed_months(world):
    # Set up two months ago: last month went by without a meeting.
    body = BodyFactory(community=world.c1, fengsi=True)
    type(body).objects.filter(pk=body.pk).update(
        created_at=calendar.local_datetime(calendar.add_months(calendar.today(), -2))
    )
    return {}


def setup_alert_overdue_items(world):
    ActionItemFactory(
        topic__meeting__body__community=world.c1,
        topic__meeting__body__fengsi=True,
        topic__meeting__starts_in=-datetime.timedelta(days=10),
        topic__meeting__hours=1,
        title="修补路面",
        owner=Person.objects.get(user=world.users["grid"]),
        due_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    return {}


def setup_stats(world):
    _resolved(world)
    _petition(world)
    return {}


def setup_remind_activities(world):
    activity = ActivityFactory(
        community=world.c1, starts_in=datetime.timedelta(hours=20)
    )
    SignUpFactory(activity=activity)
    return {}


def setup_alert_unverified(world):
    activity = ActivityFactory(
        community=world.c1, starts_in=-datetime.timedelta(hours=5)
    )
    SignUpFactory.create_batch(
        5,
        activity=activity,
        check_in_at=activity.starts_at,
        check_out_at=activity.ends_at,
    )
    return {}


def setup_alert_unclaimed_wishes(world):
    WishFactory(
        community=world.c1,
        title="想要一副老花镜",
        wisher_name="李奶奶",
        wisher_phone="13900000009",
        status="published",
        published_at=timezone.now() - datetime.timedelta(days=8),
    )
    return {}


def setup_notify_wish(world):
    wish = WishFactory(
        community=world.c1,
        title="想要一副老花镜",
        wisher_name="李奶奶",
        wisher_phone="13900000009",
        status="claimed",
    )
    return {"wish_id": wish.pk, "action": "claim"}


def setup_alert_stock(world):
    StockItemFactory(station__community=world.c1, quantity=0, min_quantity=2)
    return {}


def _under_care(world, days_ago: int) -> None:
    """A household of G1 tagged 独居老人 ``days_ago`` days ago, under c1's plan
    to visit it every seven days, never visited."""
    alone = gf.TagFactory(name="独居老人")
    gf.CarePlanFactory(community=world.c1, tag=alone, every_days=7)
    tagged = gf.HouseholdTagFactory(household=world.households["G1"][0], tag=alone)
    type(tagged).objects.filter(pk=tagged.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days_ago)
    )


def setup_remind_visits_due(world):
    _under_care(world, 0)
    return {}


def setup_alert_overdue_visits(world):
    _under_care(world, 30)
    return {}


def setup_end_patrols_left_open(world):
    gf.PatrolFactory(
        grid=world.grids["G1"],
        person=Person.objects.get(user=world.users["grid"]),
        status="ongoing",
        started_at=timezone.now() - datetime.timedelta(hours=14),
    )
    return {}


def setup_send_phone_code(world):
    from grids.residents.services import phone_code_request

    code = phone_code_request(phone="13912345678", ip="10.0.0.1")
    return {"phone_code_id": code.pk}


def setup_nothing(world):
    return {}


def setup_outbox_purge(world):
    from core.models import OutboxMessage

    OutboxMessage.objects.create(
        task_name="core.ping",
        done_at=timezone.now() - datetime.timedelta(days=31),
    )
    return {}


#: Every task the platform registers, with what gives it work to do. A task
#: added to the platform fails ``test_every_registered_task_is_listed`` until
#: it is listed here.
TASKS = {
    "core.ping": (setup_nothing, False),  # answers, changes nothing
    "core.heartbeat": (setup_nothing, True),
    "core.outbox_purge": (setup_outbox_purge, True),
    "petitions.notify_new": (setup_notify_new, True),
    "petitions.notify_transition": (setup_notify_transition, True),
    "petitions.notify_escalated": (setup_notify_escalated, True),
    "petitions.escalate_overdue": (setup_escalate_overdue, True),
    "petitions.auto_close": (setup_auto_close, True),
    "deliberation.create_meetings_ahead": (setup_create_meetings_ahead, True),
    "deliberation.remind_meetings": (setup_remind_meetings, True),
    "deliberation.alert_missed_months": (setup_alert_missed_months, True),
    "deliberation.alert_overdue_items": (setup_alert_overdue_items, True),
    "stats.refresh_current": (setup_stats, True),
    "stats.rebuild_recent": (setup_stats, True),
    "stats.evaluate_companies": (setup_stats, True),
    "volunteers.remind_activities": (setup_remind_activities, True),
    "volunteers.alert_unverified": (setup_alert_unverified, True),
    "volunteers.alert_unclaimed_wishes": (setup_alert_unclaimed_wishes, True),
    "volunteers.alert_stock": (setup_alert_stock, True),
    "volunteers.notify_wish": (setup_notify_wish, True),
    "grids.remind_visits_due": (setup_remind_visits_due, True),
    "grids.alert_overdue_visits": (setup_alert_overdue_visits, True),
    "grids.end_patrols_left_open": (setup_end_patrols_left_open, True),
    "grids.send_phone_code": (setup_send_phone_code, True),
}


def _state() -> dict:
    """Every row of every table, without surrogate keys (roll-ups are
    replaced whole, under new ids), as comparable multisets."""
    state = {}
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if not (f.primary_key and isinstance(f, models.AutoField))
        ]
        rows = model._default_manager.values_list(*fields)
        state[model._meta.label] = sorted(map(repr, rows))
    return state


def _changes(before: dict, after: dict) -> dict:
    return {label: after[label] for label in after if after[label] != before[label]}


def test_every_registered_task_is_listed():
    """The list below covers every task a worker would run."""
    app.loader.import_default_modules()
    registered = {name for name in app.tasks if not name.startswith("celery.")}
    assert registered == set(TASKS)


@pytest.mark.parametrize("name", sorted(TASKS))
def test_task_run_twice_has_one_effect(name, world):
    """Run once, the task does its work; run again, it changes nothing."""
    setup, has_effect = TASKS[name]
    kwargs = setup(world)
    app.loader.import_default_modules()  # every app's tasks, as a worker has
    task = app.tasks[name]
    # The clock holds still: a second run may not differ by its timestamps.
    with time_machine.travel(timezone.now(), tick=False):
        before = _state()
        task.apply(kwargs=kwargs, throw=True)
        once = _state()
        task.apply(kwargs=kwargs, throw=True)
        twice = _state()
    if has_effect:
        assert _changes(before, once), f"{name} did nothing: give it work"
    else:
        assert once == before
    assert _changes(once, twice) == {}
