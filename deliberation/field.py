"""What deliberation adds to a resident's 我的 (gathered by
``grids.extensions``): meetings they signed in at, proposals they made or
supported, votes cast on major matters."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from grids.extensions import Made, ResidentSection

from . import selectors


def _resident_sign_ins(*, phone: str) -> list[Made]:
    return [
        Made(
            label=str(attendance.meeting.body.name),
            state=_("signed in"),
            url=reverse(
                "deliberation:community", args=[attendance.meeting.body.community_id]
            ),
            when=attendance.signed_in_at,
        )
        for attendance in selectors.attendance_for_phone(phone=phone)
    ]


def _resident_proposals(*, phone: str) -> list[Made]:
    return [
        Made(
            label=proposal.title,
            state=_("%(n)s supporters") % {"n": proposal.support_count},
            url=reverse("deliberation:community", args=[proposal.community_id]),
            when=proposal.created_at,
        )
        for proposal in selectors.proposals_supported_for_phone(phone=phone)
    ]


def _resident_votes(*, phone: str) -> list[Made]:
    return [
        Made(
            label=vote.matter.title,
            state=_("voted: %(choice)s") % {"choice": vote.get_choice_display()},
            url=reverse(
                "deliberation:vote",
                args=[vote.matter.compound.community_id, vote.matter_id],
            ),
            when=vote.recorded_at,
        )
        for vote in selectors.votes_for_phone(phone=phone)
    ]


RESIDENT_SECTIONS = [
    ResidentSection(
        key="sign_ins", title=_("Meetings I signed in at"), rows=_resident_sign_ins
    ),
    ResidentSection(
        key="proposals",
        title=_("Proposals I made or supported"),
        rows=_resident_proposals,
    ),
    ResidentSection(key="owner_votes", title=_("Votes I cast"), rows=_resident_votes),
]
