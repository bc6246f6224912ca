"""Building the roll-ups: a full rebuild for any months, and the cheap refresh
of the current month that Celery runs every few minutes. Both replace whole
months inside one transaction, so running them twice, or at once, leaves the
same rows (a concurrent second run retries after the first commits)."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from petitions.models import Petition

from .models import PetitionMonthly


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _bounds(first: datetime.date, last: datetime.date):
    """Return the aware datetimes from the start of ``first``'s month to the
    start of the month after ``last``."""
    nxt = (month_start(last) + datetime.timedelta(days=32)).replace(day=1)
    start = timezone.make_aware(
        datetime.datetime.combine(month_start(first), datetime.time())
    )
    end = timezone.make_aware(datetime.datetime.combine(nxt, datetime.time()))
    return start, end


def _seconds(expression):
    return ExpressionWrapper(expression, output_field=DurationField())


def petition_month_rows(*, start, end):
    """Return the roll-up rows of the cases received in [start, end): one
    GROUP BY over the case table."""
    closed = Q(status=Petition.Status.CLOSED)
    return (
        Petition.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(month=TruncMonth("created_at"))
        .values("month", "community_id", "compound__property_company_id")
        .annotate(
            received=Count("id"),
            accepted=Count("id", filter=Q(accepted_at__isnull=False)),
            accepted_on_time=Count("id", filter=Q(accepted_at__lte=F("accept_due_at"))),
            closed=Count("id", filter=closed),
            closed_on_time=Count(
                "id", filter=closed & Q(resolved_at__lte=F("resolve_due_at"))
            ),
            rated=Count("id", filter=~Q(rating="")),
            satisfied=Count("id", filter=Q(rating=Petition.Rating.SATISFIED)),
            fairly_satisfied=Count("id", filter=Q(rating=Petition.Rating.FAIRLY)),
            reopened=Count("id", filter=Q(reopen_count__gt=0)),
            referred=Count("id", filter=Q(department__isnull=False)),
            accept_time=Sum(
                _seconds(F("accepted_at") - F("created_at")),
                filter=Q(accepted_at__isnull=False),
            ),
            close_time=Sum(_seconds(F("closed_at") - F("created_at")), filter=closed),
        )
        .order_by()
    )


def _as_month(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value).date()
            if timezone.is_aware(value)
            else value.date()
        )
    return value


def stats_rebuild(*, first: datetime.date, last: datetime.date) -> int:
    """Replace the roll-up rows of every month from ``first`` to ``last``."""
    start, end = _bounds(first, last)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                PetitionMonthly.objects.filter(
                    month__gte=month_start(first), month__lte=month_start(last)
                ).delete()
                rows = [
                    PetitionMonthly(
                        month=_as_month(row["month"]),
                        community_id=row["community_id"],
                        property_company_id=row["compound__property_company_id"],
                        accept_seconds=int(
                            (row["accept_time"] or datetime.timedelta()).total_seconds()
                        ),
                        close_seconds=int(
                            (row["close_time"] or datetime.timedelta()).total_seconds()
                        ),
                        **{
                            key: row[key]
                            for key in (
                                "received",
                                "accepted",
                                "accepted_on_time",
                                "closed",
                                "closed_on_time",
                                "rated",
                                "satisfied",
                                "fairly_satisfied",
                                "reopened",
                                "referred",
                            )
                        },
                    )
                    for row in petition_month_rows(start=start, end=end)
                ]
                PetitionMonthly.objects.bulk_create(rows, batch_size=1000)
                return len(rows)
        except IntegrityError:
            continue  # another refresh of the same months committed first
    return 0


def stats_refresh_current() -> int:
    """Refresh this month (and last month in its first days, when late cases of
    last month still change)."""
    today = timezone.localdate()
    first = month_start(today - datetime.timedelta(days=7))
    return stats_rebuild(first=first, last=today)
