"""Party service centres (党群服务中心, 红旗驿站) with opening hours and the
duty rota (轮值坐班) on the residents' site."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import calendar
from grids.models import DutyShift, Person, ServiceCentre
from grids.services import org_object_save


def _centre(world, actor_name="community", community=None, name="端庄社区党群服务中心"):
    return org_object_save(
        actor=world.users[actor_name],
        instance=ServiceCentre(
            community=community or world.c1,
            kind=ServiceCentre.Kind.PARTY_SERVICE_CENTRE,
            name=name,
            address="湖西街道端庄路 1 号",
            opening_hours="周一至周五 8:30–17:30",
        ),
    )


def _shift(world, centre, days_ahead: int, hour: int = 9):
    return org_object_save(
        actor=world.users["community"],
        instance=DutyShift(
            centre=centre,
            person=Person.objects.get(user=world.users["community"]),
            duty_date=calendar.today() + datetime.timedelta(days=days_ahead),
            starts_at=datetime.time(hour),
            ends_at=datetime.time(hour + 3),
            service="健康咨询",
        ),
    )


def test_residents_see_the_centres_and_this_weeks_rota(client, world):
    """The page shows the centre, its hours, the six services of seed 004 and
    the next seven days of the rota, the person on duty named as 张**, in a
    pinned number of queries."""
    centre = _centre(world)
    for days in (-1, 0, 3, 7):
        _shift(world, centre, days)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/c/{world.c1.pk}/centres/")
    assert page.status_code == 200
    assert len(queries) == 3
    text = page.content.decode()
    assert "周一至周五 8:30–17:30" in text and "解民需、帮民困" in text
    assert text.count("健康咨询") == 2  # today and in three days
    name = Person.objects.get(user=world.users["community"]).name
    assert name not in text and f"{name[0]}*" in text


def test_only_the_communitys_staff_keep_its_centres(world):
    """Another community's staff may not add a centre here; a shift must end
    after it starts."""
    with pytest.raises(PermissionDenied):
        _centre(world, actor_name="grid", community=world.c3, name="别的驿站")
    assert not ServiceCentre.objects.filter(name="别的驿站").exists()
    centre = _centre(world)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        org_object_save(
            actor=world.users["community"],
            instance=DutyShift(
                centre=centre,
                person=Person.objects.get(user=world.users["community"]),
                duty_date=calendar.today(),
                starts_at=datetime.time(12),
                ends_at=datetime.time(9),
            ),
        )
