"""The lifecycle kit: every step of every table moves its record and writes
exactly one event row; a step the table does not allow, a stale version, a
missing input or a stranger is refused and changes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.lifecycle import STAFF, Conflict, TransitionNotAllowed
from deliberation.workflow import MAJOR_MATTER, MEETING
from grids.workflow import PATROL
from petitions.models import Petition
from petitions.services import _stamp
from petitions.workflow import LIFECYCLE as PETITION
from tests.deliberation.factories import MajorMatterFactory, MeetingFactory
from tests.grids import factories as gf
from tests.petitions.factories import DepartmentFactory, PetitionFactory
from tests.volunteers.factories import RegistrationFactory, SignUpFactory, WishFactory
from volunteers.workflow import REGISTRATION, SIGNUP, WISH


def _petition(world, status):
    referred = status == Petition.Status.REFERRED
    return PetitionFactory(
        building=world.households["G1"][0].unit.building,
        status=status,
        department=DepartmentFactory() if referred else None,
    )


def _petition_inputs(world, record):
    other = _petition(world, Petition.Status.SUBMITTED)
    return {
        "note": "说明",
        "handler": gf.PersonFactory(household=None, community=world.c1),
        "department": DepartmentFactory(),
        "merge_into": other,
        "rating": "satisfied",
        "photos": [],
    }


#: Each table, how to make its record in a given state, and inputs for a step.
TABLES = {
    "petition": (
        PETITION,
        _petition,
        _petition_inputs,
    ),
    "major matter": (
        MAJOR_MATTER,
        lambda world, status: MajorMatterFactory(
            compound=world.households["G1"][0].unit.building.compound,
            status=status,
            outcome={"passed": True},
        ),
        lambda world, record: {
            "note": "同意",
            "household": world.households["G1"][0],
            "choice": "agree",
            "opens_at": timezone.now(),
            "closes_at": timezone.now() + datetime.timedelta(days=7),
        },
    ),
    "meeting": (
        MEETING,
        lambda world, status: MeetingFactory(body__community=world.c1, status=status),
        lambda world, record: {"note": "纪要", "starts_at": record.starts_at},
    ),
    "wish": (
        WISH,
        lambda world, status: WishFactory(community=world.c1, status=status),
        lambda world, record: {"note": "好", "rating": "satisfied", "photo": None},
    ),
    "sign-up": (
        SIGNUP,
        lambda world, status: SignUpFactory(
            activity__community=world.c1, status=status
        ),
        lambda world, record: {},
    ),
    "patrol": (
        PATROL,
        lambda world, status: gf.PatrolFactory(grid=world.grids["G1"], status=status),
        lambda world, record: {"note": "巡查完毕"},
    ),
    "registration": (
        REGISTRATION,
        lambda world, status: RegistrationFactory(
            household=world.households["G1"][0], status=status
        ),
        lambda world, record: {"note": "理由", "grid": None, "team": None},
    ),
}


def _walk(world, name):
    lifecycle, make, inputs_for = TABLES[name]
    for step in lifecycle.table.values():
        for source in step.sources:
            record = make(world, source)
            inputs = inputs_for(world, record)
            given = {k: v for k, v in inputs.items() if k in step.needs}

            def route_data(locked, step, inputs=inputs):
                locked.placed = "confirmed"  # where a returning volunteer lands
                if lifecycle is PETITION:  # the fields the case's steps write
                    _stamp(locked, step, inputs)

            changed = lifecycle.apply(
                record,
                step.action,
                actor=world.users["community"],
                note="步骤说明",
                inputs=given,
                change=route_data,
            )
            events = lifecycle.event_model.objects.filter(
                **{lifecycle.event_owner: record}
            )
            assert events.count() == 1, (name, step.action, source)
            event = events.get()
            assert (event.action, event.from_status) == (step.action, source)
            assert event.to_status == getattr(changed, lifecycle.state_field)
            assert event.actor == world.users["community"]
            if step.target is not None:
                assert event.to_status == step.target
            yield step.action, source


@pytest.mark.parametrize("name", list(TABLES))
def test_lifecycle_every_step_of_every_table_writes_one_event(world, name):
    """Walk every step from every state it starts from: the record moves to
    the step's state and its timeline gets exactly one row saying so."""
    walked = list(_walk(world, name))
    lifecycle = TABLES[name][0]
    assert len(walked) == sum(len(s.sources) for s in lifecycle.table.values())


def test_lifecycle_refuses_a_step_the_state_does_not_allow(world):
    """A closed case cannot be accepted: nothing is written."""
    record = _petition(world, Petition.Status.CLOSED)
    with pytest.raises(TransitionNotAllowed) as refused:
        PETITION.apply(record, "accept", actor=world.users["community"])
    assert "案件" in refused.value.message
    record.refresh_from_db()
    assert record.status == "closed" and not record.events.exists()


def test_lifecycle_refuses_a_stale_version_and_a_stranger(world):
    """Someone else's change since the form was opened is a conflict; a user
    the step's rule refuses is denied; either way nothing is written."""
    record = _petition(world, Petition.Status.SUBMITTED)
    with pytest.raises(Conflict):
        PETITION.apply(record, "accept", expected_version=record.version + 1)
    with pytest.raises(PermissionDenied):
        PETITION.apply(
            record,
            "accept",
            actor=world.users["steward"],
            may=lambda actor, case: False,
        )
    record.refresh_from_db()
    assert record.status == "submitted" and not record.events.exists()


def test_lifecycle_names_missing_and_unwanted_inputs(world):
    """A step without what it needs, or with what it does not take, says which
    field is wrong."""
    record = _petition(world, Petition.Status.SUBMITTED)
    with pytest.raises(ValidationError) as missing:
        PETITION.apply(record, "dispatch", inputs={"handler": None})
    assert "handler" in missing.value.message_dict
    with pytest.raises(ValidationError) as unwanted:
        PETITION.apply(record, "accept", inputs={"department": DepartmentFactory()})
    assert "department" in unwanted.value.message_dict
    assert not record.events.exists()


def test_lifecycle_staff_may_not_take_a_residents_step(world):
    """Who takes a step is part of the table: staff cannot confirm for the
    resident through a staff path."""
    record = _petition(world, Petition.Status.AWAITING_RESIDENT)
    with pytest.raises(TransitionNotAllowed):
        PETITION.apply(record, "confirm", who=STAFF, inputs={"rating": "satisfied"})
    assert not record.events.exists()
