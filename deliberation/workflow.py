"""The lifecycles of deliberation (``core.lifecycle``): major matters, which the
party organisation passes before the owners decide (重大事项支部决策前置), and
meetings, which are planned, moved, held and closed with minutes, or cancelled."""

from django.utils.translation import gettext_lazy as _

from core.lifecycle import RESIDENT, STAFF, Lifecycle, Step

from .models import MajorMatter, MajorMatterEvent, Meeting, MeetingEvent

MM = MajorMatter.Status
REVIEWABLE = (MM.RAISED, MM.SENT_BACK)

MAJOR_MATTER_STEPS = [
    Step(
        "party_pass",
        _("passed by the party organisation"),
        REVIEWABLE,
        MM.PARTY_PASSED,
        needs=("note",),
    ),
    Step(
        "party_send_back",
        _("sent back by the party organisation"),
        REVIEWABLE,
        MM.SENT_BACK,
        needs=("note",),
    ),
    Step(
        "record_vote",
        _("record an owner's vote"),
        (MM.PARTY_PASSED,),
        MM.PARTY_PASSED,
        needs=("household", "choice"),
    ),
    Step(
        "open_voting",
        _("open e-voting for a window"),
        (MM.PARTY_PASSED,),
        MM.PARTY_PASSED,
        needs=("opens_at", "closes_at"),
    ),
    Step(
        "cast_evote",
        _("an owner votes online"),
        (MM.PARTY_PASSED,),
        MM.PARTY_PASSED,
        who=RESIDENT,
        needs=("household", "choice"),
    ),
    Step(
        "owners_decide",
        _("count the owners' votes"),
        (MM.PARTY_PASSED,),
        None,
        takes=("note",),
    ),
    Step(
        "publicise",
        _("publicise the decision"),
        (MM.OWNERS_PASSED, MM.OWNERS_REJECTED),
        MM.PUBLICISED,
        takes=("note",),
    ),
    Step(
        "implement",
        _("record it carried out"),
        (MM.PUBLICISED,),
        MM.IMPLEMENTED,
        takes=("note",),
    ),
]


def _owners_outcome(matter: MajorMatter, step: Step) -> str:
    return MM.OWNERS_PASSED if matter.outcome.get("passed") else MM.OWNERS_REJECTED


MAJOR_MATTER = Lifecycle(
    model=MajorMatter,
    steps=MAJOR_MATTER_STEPS,
    event_model=MajorMatterEvent,
    event_owner="matter",
    route=_owners_outcome,
    noun=_("major matter"),
    messages={
        "note": _("Write the organisation's opinion."),
        "household": _("Choose the household."),
        "choice": _("Choose the household's vote."),
        "opens_at": _("Say when e-voting opens."),
        "closes_at": _("Say when e-voting closes."),
    },
)
#: The step offered first in each state.
MAJOR_MATTER_DEFAULT = {
    MM.RAISED: "party_pass",
    MM.SENT_BACK: "party_pass",
    MM.PARTY_PASSED: "record_vote",
    MM.OWNERS_PASSED: "publicise",
    MM.OWNERS_REJECTED: "publicise",
    MM.PUBLICISED: "implement",
}

M = Meeting.Status

MEETING_STEPS = [
    Step("move", _("move the meeting"), (M.PLANNED,), M.PLANNED, needs=("starts_at",)),
    Step("close", _("close the meeting"), (M.PLANNED,), M.CLOSED, takes=("note",)),
    Step("cancel", _("cancel the meeting"), (M.PLANNED,), M.CANCELLED, needs=("note",)),
]

MEETING = Lifecycle(
    model=Meeting,
    steps=MEETING_STEPS,
    event_model=MeetingEvent,
    event_owner="meeting",
    noun=_("meeting"),
    messages={
        "note": _("Give the reason for cancelling."),
        "starts_at": _("Say when the meeting starts."),
    },
)

__all__ = [
    "MAJOR_MATTER",
    "MAJOR_MATTER_DEFAULT",
    "MEETING",
    "STAFF",
]
