"""Thin Celery tasks: take ids, re-read, call a service or ``notify``.

All are safe to run twice: notifications carry a dedupe key, and escalation and
auto-closing compute what is due from the data.
"""

from celery import shared_task
from django.utils.translation import gettext as _

from core.messages import notify_resident
from core.notifications import notify

from . import services
from .links import petition_short_link
from .models import Petition
from .selectors import petition_recipients

#: The message a resident gets after each step of their case, and whether it
#: is sent once per case ("accepted") or once per version (a case resolved,
#: reopened and resolved again is announced twice).
RESIDENT_MESSAGE_OF_STEP = {
    "accept": ("accepted", "once"),
    "dispatch": ("accepted", "once"),
    "resolve": ("resolved", "version"),
    "answer": ("resolved", "version"),
    "confirm": ("closed", "version"),
    "auto_close": ("closed", "version"),
    "reject": ("rejected", "version"),
    "reopen": ("reopened", "version"),
    "merge": ("merged", "version"),
}


def _summary(petition: Petition) -> str:
    return f"{petition.category.name}: {petition.place} {petition.description[:100]}"


@shared_task(name="petitions.notify_new")
def notify_new_task(petition_id: int) -> int:
    """Tell the people who should take a new case that it has come in."""
    petition = Petition.objects.select_related(
        "category", "community__subdistrict"
    ).get(pk=petition_id)
    sent = 0
    for user in petition_recipients(petition=petition):
        sent += bool(
            notify(
                dedupe_key=f"petition:{petition.pk}:new:{user.pk}",
                user=user,
                subject=_("New report %(number)s") % {"number": petition.number},
                body=_summary(petition),
            )
        )
    # The resident hears that it came in, with the case's number and link; a
    # finding of the grid's own patrol has no resident to tell.
    if not petition.patrol_finding_id:
        sent += bool(
            notify_resident(
                kind="report_received",
                dedupe_key=f"petition:{petition.pk}:resident:received",
                phone=petition.reporter_phone,
                number=petition.number,
                link=petition_short_link(petition),
            )
        )
    return sent


def _tell_resident(petition: Petition, action: str, version: int) -> int:
    """Send the resident the message of ``action``, once (see the table)."""
    kind, once_per = RESIDENT_MESSAGE_OF_STEP.get(action, (None, None))
    if kind is None or not petition.reporter_phone or petition.patrol_finding_id:
        return 0
    # Keys of resolutions keep the form they had before the other messages.
    key = (
        f"petition:{petition.pk}:resident:{kind}"
        if once_per == "once"
        else f"petition:{petition.pk}:v{version}:resident"
    )
    return bool(
        notify_resident(
            kind=kind,
            dedupe_key=key,
            phone=petition.reporter_phone,
            number=petition.number,
            # A merged case's link is its own page (it says where it went),
            # never the other case's: that page belongs to its own reporter.
            link=petition_short_link(petition),
        )
    )


@shared_task(name="petitions.notify_transition")
def notify_transition_task(petition_id: int, action: str, version: int) -> int:
    """Tell the new handler of a dispatch, and the resident of public progress."""
    petition = Petition.objects.select_related("category", "handler__user").get(
        pk=petition_id
    )
    sent = 0
    if action == "dispatch" and petition.handler and petition.handler.user:
        sent += bool(
            notify(
                dedupe_key=f"petition:{petition.pk}:v{version}:handler",
                user=petition.handler.user,
                subject=_("Case %(number)s is yours") % {"number": petition.number},
                body=_summary(petition),
            )
        )
    return sent + _tell_resident(petition, action, version)


@shared_task(name="petitions.notify_escalated")
def notify_escalated_task(petition_id: int, level: int) -> int:
    """Remind the handler and tell the level the case was raised to."""
    petition = Petition.objects.select_related(
        "category", "community__subdistrict"
    ).get(pk=petition_id)
    sent = 0
    # The handler is reminded, and the raised level is told as well.
    recipients = petition_recipients(petition=petition)
    if petition.handler_id:
        recipients += petition_recipients(petition=petition, ignore_handler=True)
    for user in {u.pk: u for u in recipients}.values():
        sent += bool(
            notify(
                dedupe_key=f"petition:{petition.pk}:escalated:{level}:{user.pk}",
                user=user,
                subject=_("Overdue: case %(number)s") % {"number": petition.number},
                body=_("Case %(number)s is overdue and raised to the %(level)s level.")
                % {"number": petition.number, "level": Petition.Level(level).label},
            )
        )
    return sent


@shared_task(name="petitions.escalate_overdue")
def escalate_overdue_task() -> int:
    return services.petition_escalate_overdue()


@shared_task(name="petitions.auto_close")
def auto_close_task() -> int:
    return services.petition_auto_close()
