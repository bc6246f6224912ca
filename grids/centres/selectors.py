"""Reading service centres: what residents see, what staff manage."""

import datetime

from django.db.models import Prefetch

from core import calendar
from core.phones import mask_name

from ..scoping import scope_queryset
from .models import DutyShift, ServiceCentre

#: How many days of the duty rota residents see, today included.
ROTA_DAYS = 7


def centres_for_residents(*, community) -> list[dict]:
    """The community's open centres with the next ``ROTA_DAYS`` days of their
    duty rota, the people on duty named as 张** (two queries)."""
    today = calendar.today()
    shifts = (
        DutyShift.objects.filter(
            duty_date__gte=today,
            duty_date__lt=today + datetime.timedelta(days=ROTA_DAYS),
        )
        .select_related("person")
        .order_by("duty_date", "starts_at")
    )
    centres = (
        ServiceCentre.objects.filter(community=community, is_active=True)
        .select_related("compound")
        .prefetch_related(Prefetch("shifts", queryset=shifts))
        .order_by("kind", "name")
    )
    return [
        {
            "centre": centre,
            "shifts": [
                {
                    "date": shift.duty_date,
                    "starts_at": shift.starts_at,
                    "ends_at": shift.ends_at,
                    "on_duty": mask_name(shift.person.name),
                    "service": shift.service,
                    "today": shift.duty_date == today,
                }
                for shift in centre.shifts.all()
            ],
        }
        for centre in centres
    ]


def service_centre_list(*, user):
    return scope_queryset(
        ServiceCentre.objects.select_related("community", "compound"), user
    )


def duty_shift_list(*, user):
    return scope_queryset(
        DutyShift.objects.select_related("centre", "centre__community", "person"),
        user,
    )
