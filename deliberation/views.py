"""Resident pages of deliberation: sign in at a meeting by its QR code, see the
decisions shown to residents (公示), propose topics and support proposals."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.phones import mask_mobile
from core.ratelimit import ratelimit
from core.rotating import rotating_check, rotating_code
from grids.models import Community
from grids.residents.identity import (
    require_verified_phone,
    verified_phone,
    verify_url,
)

from . import selectors, services
from .disclosures.selectors import compound_disclosure
from .forms import EVoteForm, ProposalForm, SignInForm
from .models import MajorMatter, Meeting, Proposal


def _meeting(token: str) -> Meeting:
    if "\x00" in token or len(token) > 32:
        raise Http404
    return get_object_or_404(
        Meeting.objects.select_related("body"), sign_in_token=token
    )


#: The kind of rotating code a meeting's projected QR code carries.
SIGN_IN_CODE = "meeting-sign-in"


def sign_in_url(meeting: Meeting) -> str:
    """The sign-in address with the code of this moment (``core.rotating``):
    what the QR code staff project in the room opens."""
    code = rotating_code(SIGN_IN_CODE, meeting.pk)
    return f"{reverse('deliberation:sign-in', args=[meeting.sign_in_token])}?k={code}"


def _stale(request, meeting: Meeting):
    """The refusal of a sign-in without the code shown in the room now."""
    code = request.POST.get("k") or request.GET.get("k", "")
    if rotating_check(SIGN_IN_CODE, meeting.pk, code):
        return None
    return render(
        request,
        "deliberation/sign_in.html",
        {"meeting": meeting, "stale": True},
        status=403,
    )


@ratelimit("meeting_sign_in")
def sign_in(request, token: str):
    """Sign in at a meeting from the QR code shown in the room: its code
    changes every few minutes, and the phone is the one this device proved."""
    meeting = _meeting(token)
    refused = _stale(request, meeting)
    if refused is not None:
        return refused
    phone = verified_phone(request)
    if phone is None:
        return redirect(verify_url(request))
    form = SignInForm(request.POST or None)
    done = False
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_sign_in(
                meeting=meeting, name=form.cleaned_data["name"], phone=phone
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            done = True
    return render(
        request,
        "deliberation/sign_in.html",
        {
            "meeting": meeting,
            "form": form,
            "done": done,
            "code": request.POST.get("k") or request.GET.get("k"),
            "masked_phone": mask_mobile(phone),
        },
        status=400 if request.method == "POST" and not done else 200,
    )


@ratelimit("proposal")
def community_page(request, community_id: int):
    """Decisions shown to residents, open proposals, and a form to propose."""
    community = get_object_or_404(Community, pk=community_id)
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.proposal_submit(
                community=community,
                title=data["title"],
                text=data["text"],
                proposer_name=data["name"],
                proposer_phone=data["phone"],
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Thank you: your proposal is open for support.")
            )
            return redirect("deliberation:community", community_id=community.pk)
    return render(
        request,
        "deliberation/community.html",
        {
            "community": community,
            "meetings": selectors.published_meetings(community=community),
            "proposals": selectors.open_proposals(community=community),
            "matters": selectors.voting_matters(community=community),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


def disclosure_page(request, community_id: int):
    """A compound's disclosure (公示) for its residents: public income and the
    maintenance fund, entry by entry with receipts and totals, and its major
    matters with their votes and outcome. ``?compound=<id>`` chooses the
    compound (the community's first by default)."""
    community = get_object_or_404(Community, pk=community_id)
    compounds = list(community.compounds.order_by("name"))
    chosen = request.GET.get("compound", "")
    compound = next((c for c in compounds if str(c.pk) == chosen), None)
    if compound is None and compounds:
        compound = compounds[0]
    return render(
        request,
        "deliberation/disclosure.html",
        {
            "community": community,
            "compounds": compounds,
            "compound": compound,
            "disclosure": compound_disclosure(compound=compound) if compound else None,
        },
    )


def calendar_page(request, community_id: int):
    """The community's meetings ahead, for residents: which body meets, when
    and where (逢四说事 on the 4th, 14th and 24th; the monthly 红色议事会)."""
    community = get_object_or_404(Community, pk=community_id)
    return render(
        request,
        "deliberation/calendar.html",
        {
            "community": community,
            "meetings": selectors.meetings_ahead(community=community),
        },
    )


@require_POST
@ratelimit("proposal_support")
@require_verified_phone
def support(request, proposal_id: int):
    """Support a proposal once per verified phone."""
    proposal = get_object_or_404(Proposal, pk=proposal_id, status=Proposal.Status.OPEN)
    new = services.proposal_support(proposal=proposal, phone=verified_phone(request))
    messages.success(
        request,
        _("Thank you for your support.") if new else _("You already support it."),
    )
    return redirect("deliberation:community", community_id=proposal.community_id)


def _vote_context(request, matter: MajorMatter) -> dict:
    """What the vote page shows: the live tally (totals only), and for a
    verified phone the households it may vote for and what is on record."""
    phone = verified_phone(request)
    households = (
        list(selectors.evote_households(matter=matter, phone=phone)) if phone else []
    )
    recorded = {
        vote.household_id: vote
        for vote in matter.votes.filter(household__in=households)
    }
    return {
        "matter": matter,
        "tally": selectors.major_matter_tally(matter=matter),
        "is_open": matter.voting_is_open(),
        "phone": phone,
        "masked_phone": mask_mobile(phone) if phone else "",
        "households": [
            {
                "household": h,
                "vote": recorded.get(h.pk),
                "own": _own(recorded, h, phone),
            }
            for h in households
        ],
    }


def _own(recorded: dict, household, phone) -> bool:
    # A household member sees the choice only of the vote cast with their own
    # phone; a paper ballot or another member's vote shows as "voted".
    vote = recorded.get(household.pk)
    return vote is not None and vote.phone == phone


@ratelimit("owner_vote")
def vote_page(request, community_id: int, matter_id: int):
    """A major matter put to the owners: the live Article 278 tally, and for
    an owner whose verified phone the register keeps in a household of the
    compound, a vote (agree, disagree, abstain) once per household."""
    matter = get_object_or_404(
        selectors.voting_matters(community=community_id), pk=matter_id
    )
    if request.method == "POST":
        phone = verified_phone(request)
        if phone is None:
            return redirect(verify_url(request))
        form = EVoteForm(request.POST)
        if form.is_valid():
            try:
                services.owner_evote_cast(
                    matter=matter,
                    household=form.cleaned_data["household"],
                    phone=phone,
                    choice=form.cleaned_data["choice"],
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Thank you: your household's vote counts."))
                return redirect(request.path)
        else:
            messages.error(request, _("Choose agree, disagree or abstain."))
    return render(
        request,
        "deliberation/vote.html",
        _vote_context(request, matter),
        status=400 if request.method == "POST" else 200,
    )
