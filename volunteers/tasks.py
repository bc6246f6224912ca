"""Thin, idempotent Celery tasks of volunteer service (notifications carry keys)."""

import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core import calendar
from core.messages import notify_resident
from core.notifications import notify
from grids.selectors import community_staff_users

from . import selectors
from .models import SignUp, StockItem, Wish


def _tell_staff(community_id, key, subject, body) -> int:
    return sum(
        bool(notify(dedupe_key=f"{key}:{u.pk}", user=u, subject=subject, body=body))
        for u in community_staff_users(community_id=community_id)
    )


@shared_task(name="volunteers.remind_activities")
def remind_activities_task() -> int:
    """Text confirmed volunteers the day before an activity (from 08:00), once."""
    now = calendar.now()
    # Whatever starts before the day after tomorrow may be due for a reminder.
    horizon = calendar.local_datetime(calendar.today() + datetime.timedelta(days=2))
    sent = 0
    for signup in SignUp.objects.filter(
        status=SignUp.Status.CONFIRMED,
        activity__starts_at__gt=now,
        activity__starts_at__lt=horizon,
    ).select_related("activity"):
        if calendar.reminder_at(signup.activity.starts_at) > now:
            continue
        sent += bool(
            notify_resident(
                kind="activity_tomorrow",
                dedupe_key=f"signup:{signup.pk}:reminder",
                phone=signup.phone,
                title=signup.activity.title,
                when=timezone.localtime(signup.activity.starts_at).strftime(
                    "%m-%d %H:%M"
                ),
                place=signup.activity.place,
            )
        )
    return sent


#: The message the wisher gets after a step of their wish.
WISH_MESSAGE_OF_STEP = {"claim": "wish_claimed", "fulfil": "wish_fulfilled"}


@shared_task(name="volunteers.notify_wish")
def notify_wish_task(wish_id: int, action: str) -> int:
    """Tell the wisher that their wish was claimed, and that it came true."""
    kind = WISH_MESSAGE_OF_STEP.get(action)
    wish = Wish.objects.filter(pk=wish_id).first()
    if kind is None or wish is None:
        return 0
    return bool(
        notify_resident(
            kind=kind,
            dedupe_key=f"wish:{wish.pk}:resident:{kind}",
            phone=wish.wisher_phone,
            title=wish.title,
        )
    )


@shared_task(name="volunteers.alert_unverified")
def alert_unverified_task() -> int:
    """Tell community staff where unverified hours pile up after activities."""
    sent = 0
    for activity in selectors.activities_awaiting_verification(
        at_least=settings.VOLUNTEERS_UNVERIFIED_ALERT
    ):
        sent += _tell_staff(
            activity.community_id,
            f"activity:{activity.pk}:unverified",
            _("Hours to verify: %(title)s") % {"title": activity.title},
            _("%(n)s volunteers' hours wait for verification.")
            % {"n": activity.unverified},
        )
    return sent


@shared_task(name="volunteers.alert_unclaimed_wishes")
def alert_unclaimed_wishes_task() -> int:
    """Tell community staff of wishes published a week ago and still unclaimed."""
    days = settings.VOLUNTEERS_WISH_UNCLAIMED_DAYS
    sent = 0
    for wish in selectors.wishes_unclaimed(days=days):
        sent += _tell_staff(
            wish.community_id,
            f"wish:{wish.pk}:unclaimed",
            _("Unclaimed wish: %(title)s") % {"title": wish.title},
            _("Nobody has claimed this wish for %(days)s days.") % {"days": days},
        )
    return sent


@shared_task(name="volunteers.alert_stock")
def alert_stock_task() -> int:
    """Tell community staff of low stock, expiry within a month and overdue
    inspections, once per item and date."""
    today = calendar.today()
    soon = calendar.add_months(today, 1)
    sent = 0
    for item in StockItem.objects.select_related("station"):
        problems = []
        if item.quantity < item.min_quantity:
            problems.append(("low", _("low stock (%(n)s left)") % {"n": item.quantity}))
        if item.expiry_date and item.expiry_date <= soon:
            problems.append(
                (
                    f"expiry{item.expiry_date}",
                    _("expires on %(d)s") % {"d": item.expiry_date},
                )
            )
        if item.next_inspection_date and item.next_inspection_date < today:
            problems.append(
                (
                    f"inspect{item.next_inspection_date}",
                    _("inspection overdue since %(d)s")
                    % {"d": item.next_inspection_date},
                )
            )
        for code, text in problems:
            key = (
                f"stock:{item.pk}:{code}:{today:%Y%m}"
                if code == "low"
                else f"stock:{item.pk}:{code}"
            )
            sent += _tell_staff(
                item.station.community_id,
                key,
                _("%(station)s: %(item)s")
                % {"station": item.station.name, "item": item.name},
                text,
            )
    return sent
