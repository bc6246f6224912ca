"""Thin, idempotent Celery tasks of the grid's field work: each message
carries a key, so a task that runs twice sends nothing twice."""

from celery import shared_task
from django.conf import settings
from django.utils.translation import gettext as _

from core import calendar
from core.messages import message_render
from core.notifications import notify

from . import selectors, services


def _lines(rows) -> str:
    return "\n".join(
        _("%(household)s (%(tags)s), due %(due)s")
        % {
            "household": row.household,
            "tags": "、".join(tag.name for tag in row.household.tags.all()),
            "due": row.due.strftime("%m-%d"),
        }
        for row in rows
    )


@shared_task(name="grids.remind_visits_due")
def remind_visits_due_task() -> int:
    """Tell each grid worker, once a day, which households of their grid are
    due a visit under a care plan."""
    today = calendar.today()
    sent = 0
    for grid_id, rows in selectors.care_due_by_grid().items():
        for user in selectors.grid_worker_users(grid_id=grid_id):
            sent += bool(
                notify(
                    dedupe_key=f"visits-due:{grid_id}:{user.pk}:{today:%Y%m%d}",
                    user=user,
                    subject=_("Home visits due: %(n)s households") % {"n": len(rows)},
                    body=_lines(rows),
                )
            )
    return sent


@shared_task(name="grids.alert_overdue_visits")
def alert_overdue_visits_task() -> int:
    """Tell community staff, once a day, of households whose visit is more
    than ``GRIDS_VISIT_GRACE_DAYS`` overdue."""
    today = calendar.today()
    grace = settings.GRIDS_VISIT_GRACE_DAYS
    sent = 0
    for community_id, rows in selectors.care_overdue_by_community(
        grace_days=grace
    ).items():
        for user in selectors.community_staff_users(community_id=community_id):
            sent += bool(
                notify(
                    dedupe_key=f"visits-overdue:{community_id}:{user.pk}:{today:%Y%m%d}",
                    user=user,
                    subject=_("Home visits overdue: %(n)s households")
                    % {"n": len(rows)},
                    body=_lines(rows),
                )
            )
    return sent


@shared_task(name="grids.end_patrols_left_open")
def end_patrols_left_open_task() -> int:
    """End patrols left open too long (hourly)."""
    return services.patrol_end_left_open()


@shared_task(name="grids.send_phone_code")
def send_phone_code_task(phone_code_id: int) -> int:
    """Text a resident the one-time code they asked for, once; a code that
    expired or was used before the message went out is not sent."""
    from django.utils import timezone

    from .models import PhoneCode
    from .residents.services import phone_code_text

    code = PhoneCode.objects.filter(pk=phone_code_id).first()
    if code is None or code.used_at is not None or code.expires_at <= timezone.now():
        return 0
    minutes = max(1, settings.PHONE_CODE_LIFETIME // 60)
    # Not notify_resident: a resident who asks for a code wants it, even one
    # who stopped other messages (退订).
    subject, text, params = message_render(
        "phone_code", {"code": phone_code_text(code), "minutes": minutes}
    )
    return bool(
        notify(
            dedupe_key=f"phone-code:{code.pk}",
            phone=code.phone,
            subject=subject,
            body=text,
            kind="phone_code",
            params=params,
        )
    )
