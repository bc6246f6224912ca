"""The lifecycle of a case, in one table.

Each action names the states it may start from and the state it leads to. A
service asks ``transition_for(action, status)``; anything not in the table is
refused with a clear error and changes nothing.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError

from .models import Petition

S = Petition.Status


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: decided by the service (reopen, resume)
    by_staff: bool = True
    #: What the actor must give: a note, a handler, a department, a case to merge into.
    needs: tuple[str, ...] = ()


WORKING = (S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS)

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition("accept", _("accept"), (S.SUBMITTED,), S.ACCEPTED),
        Transition(
            "dispatch",
            _("dispatch to a handler"),
            (S.SUBMITTED, *WORKING),
            S.DISPATCHED,
            needs=("handler",),
        ),
        Transition("start", _("start work"), (S.DISPATCHED,), S.IN_PROGRESS),
        Transition(
            "resolve", _("resolve"), WORKING, S.AWAITING_RESIDENT, needs=("note",)
        ),
        Transition(
            "reject",
            _("reject"),
            (S.SUBMITTED, S.ACCEPTED),
            S.REJECTED,
            needs=("note",),
        ),
        Transition(
            "refer",
            _("refer to a department"),
            WORKING,
            S.REFERRED,
            needs=("department",),
        ),
        Transition(
            "answer",
            _("record the department's answer"),
            (S.REFERRED,),
            S.AWAITING_RESIDENT,
            needs=("note",),
        ),
        Transition(
            "hold",
            _("put on hold"),
            (S.SUBMITTED, *WORKING),
            S.ON_HOLD,
            needs=("note",),
        ),
        Transition("resume", _("resume"), (S.ON_HOLD,), None),
        Transition(
            "merge",
            _("merge into another case"),
            (S.SUBMITTED, *WORKING, S.ON_HOLD),
            S.MERGED,
            needs=("merge_into",),
        ),
        Transition(
            "confirm",
            _("confirm it is fixed"),
            (S.AWAITING_RESIDENT,),
            S.CLOSED,
            by_staff=False,
            needs=("rating",),
        ),
        Transition(
            "reopen",
            _("reopen: not fixed"),
            (S.AWAITING_RESIDENT,),
            None,
            by_staff=False,
            needs=("note",),
        ),
        Transition(
            "auto_close",
            _("close without an answer"),
            (S.AWAITING_RESIDENT,),
            S.CLOSED,
            by_staff=False,
        ),
    ]
}

STAFF_ACTIONS = [a for a, t in TRANSITIONS.items() if t.by_staff]


class TransitionNotAllowed(ApplicationError):
    status_code = 409


def transition_for(action: str, status: str) -> Transition:
    """Return the transition ``action`` from ``status`` or raise a clear error."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ApplicationError(
            _("Unknown action “%(action)s”.") % {"action": action[:30]},
            code="unknown_action",
        )
    if status not in transition.sources:
        raise TransitionNotAllowed(
            _("A case that is “%(status)s” cannot be given “%(action)s”.")
            % {"status": S(status).label, "action": transition.label},
            code="transition_not_allowed",
            extra={"status": status, "action": action},
        )
    return transition


def allowed_actions(status: str, *, by_staff: bool = True) -> list[Transition]:
    """Return the actions open from ``status`` for staff (or for the resident)."""
    return [
        t
        for t in TRANSITIONS.values()
        if status in t.sources and t.by_staff == by_staff and t.action != "auto_close"
    ]


def status_after(
    action: str, status: str, *, has_handler: bool, was_accepted: bool
) -> str:
    """Return the state a case in ``status`` reaches by ``action``.

    Most actions lead to one fixed state; reopening goes back to whoever had it
    (the handler, else acceptance), and resuming returns to where it was held.
    The services and anything that replays a case's history use this one rule.
    """
    transition = transition_for(action, status)
    if transition.target is not None:
        return transition.target
    if action == "reopen":
        return S.DISPATCHED if has_handler else S.ACCEPTED
    # resume
    if has_handler:
        return S.DISPATCHED
    return S.ACCEPTED if was_accepted else S.SUBMITTED


def overdue_level(
    *, now: datetime.datetime, due: datetime.datetime, window_hours: int
) -> int:
    """Return the level an overdue case belongs at: one level up per missed
    window after ``due`` (grid → community → subdistrict), at most subdistrict.
    A case not yet due returns the grid level (0)."""
    if now <= due:
        return Petition.Level.GRID
    periods = 1 + int((now - due) / datetime.timedelta(hours=window_hours))
    return min(Petition.Level.SUBDISTRICT, periods)
