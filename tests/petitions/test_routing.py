"""No case reaches nobody: a new report goes to the role its category calls
for in its grid, falling back to the grid worker, then the community's staff."""

import datetime

import pytest

from core import calendar
from core.models import Notification
from grids.models import Role
from grids.services import role_end
from petitions.models import Category, Petition
from petitions.selectors import petition_recipients
from tests.petitions.factories import CategoryFactory


def _category(handler):
    return CategoryFactory(code=f"c-{handler}", default_handler=handler)


def _report(world, submit, grid, handler):
    building = world.households[grid][0].unit.building
    return submit(building=building, category=_category(handler))


def test_routing_property_report_goes_to_the_grids_steward(world, submit):
    """A property-type report in a grid with a steward reaches the steward."""
    case = _report(world, submit, "G1", Category.Handler.PROPERTY)
    assert petition_recipients(petition=case) == [world.users["steward"]]


def test_routing_falls_back_to_the_grid_worker_then_community_staff(
    world, submit, relay, pinned_clock
):
    """Without a steward the grid worker takes it; without either, the
    community's staff. Nobody is left out, and the notification goes out."""
    for role in Role.objects.filter(kind=Role.Kind.PROPERTY_STEWARD):
        role_end(actor=None, role=role, end_date=calendar.today())
    pinned_clock.shift(datetime.timedelta(days=1))  # the steward's term is over
    case = _report(world, submit, "G1", Category.Handler.PROPERTY)
    assert petition_recipients(petition=case) == [world.users["grid"]]
    bare = _report(world, submit, "G2", Category.Handler.PROPERTY)
    assert petition_recipients(petition=bare) == [world.users["community"]]
    relay()
    assert Notification.objects.filter(
        dedupe_key=f"petition:{bare.pk}:new:{world.users['community'].pk}"
    ).exists()


def test_routing_goes_up_when_a_community_has_no_staff(world, submit):
    """A community without active staff hands the case to the subdistrict."""
    case = _report(world, submit, "G3", Category.Handler.GRID)
    assert petition_recipients(petition=case) == [world.users["street"]]


def test_routing_prefers_the_handler_and_tells_the_level_when_asked(world, submit):
    """Once dispatched, the handler gets it; the level's people are found
    apart from the handler for escalation notices."""
    case = _report(world, submit, "G1", Category.Handler.GRID)
    Petition.objects.filter(pk=case.pk).update(
        handler=world.users["steward"].person,
        escalation_level=Petition.Level.COMMUNITY,
    )
    case.refresh_from_db()
    assert petition_recipients(petition=case) == [world.users["steward"]]
    assert petition_recipients(petition=case, ignore_handler=True) == [
        world.users["community"]
    ]


@pytest.mark.parametrize("handler", Category.Handler.values)
def test_routing_every_grid_and_handler_reaches_someone(world, submit, handler):
    """Every kind of category, filed in every grid, finds a recipient."""
    for grid in world.grids:
        case = _report(world, submit, grid, handler)
        assert petition_recipients(petition=case), (grid, handler)
