"""The lifecycle of a patrol (``core.lifecycle``): started by its grid worker,
ended by them with a summary, or by the system when it was left open."""

from django.utils.translation import gettext_lazy as _

from core.lifecycle import SYSTEM, Lifecycle, Step

from .models import Patrol, PatrolEvent

P = Patrol.Status

PATROL_STEPS = [
    Step("end", _("end the patrol"), (P.ONGOING,), P.ENDED, takes=("note",)),
    # A round left open (the phone went flat) is closed at its last finding.
    Step(
        "auto_end",
        _("end a patrol left open"),
        (P.ONGOING,),
        P.ENDED,
        who=SYSTEM,
        takes=("note",),
    ),
]

PATROL = Lifecycle(
    model=Patrol,
    steps=PATROL_STEPS,
    event_model=PatrolEvent,
    event_owner="patrol",
    noun=_("patrol"),
)

#: Labels of timeline rows that are not steps of the table.
EVENT_LABELS = {"start": _("start the patrol")}


def patrol_event_label(action: str) -> str:
    """The timeline's words for a patrol row's action."""
    if action in PATROL.table:
        return PATROL.label(action)
    return str(EVENT_LABELS.get(action, action))
