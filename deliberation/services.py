"""Every write of deliberation: meetings ahead of time, moves, and the major
matter's way through the party organisation to the owners."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from grids.models import Household
from grids.scoping import user_can_see

from .models import DeliberationBody, MajorMatter, MajorMatterEvent, Meeting, OwnerVote
from .recurrence import occurrence_dates
from .voting import owners_vote_outcome

MM = MajorMatter.Status


class GateClosed(ApplicationError):
    status_code = 409


@transaction.atomic
def meetings_create_ahead(*, body: DeliberationBody, until: datetime.date) -> int:
    """Create the body's meetings from today to ``until`` that do not exist yet;
    a moved or cancelled meeting keeps its series date and is not made again."""
    today = timezone.localdate()
    dates = occurrence_dates(
        kind=body.rule,
        start=today,
        end=until,
        day_of_month=body.day_of_month,
        nth=body.nth,
        weekday=body.weekday,
    )
    existing = set(body.meetings.values_list("series_date", flat=True))
    made = 0
    for day in dates:
        if day in existing:
            continue
        starts = timezone.make_aware(datetime.datetime.combine(day, body.start_time))
        Meeting.objects.create(
            body=body,
            series_date=day,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(minutes=body.duration_minutes),
            place=body.place,
        )
        made += 1
    return made


@transaction.atomic
def meeting_move(*, meeting: Meeting, starts_at: datetime.datetime) -> Meeting:
    """Move one meeting; the rest of the series stays where it is."""
    if meeting.status != Meeting.Status.PLANNED:
        raise ApplicationError(
            _("Only a planned meeting can be moved."), code="not_planned"
        )
    length = meeting.ends_at - meeting.starts_at
    meeting.starts_at = starts_at
    meeting.ends_at = starts_at + length
    meeting.full_clean()
    meeting.save()
    return meeting


def _matter_event(matter, *, action, before, actor, note=""):
    MajorMatterEvent.objects.create(
        matter=matter,
        action=action,
        from_status=before,
        to_status=matter.status,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note,
    )


def _locked(matter: MajorMatter, actor) -> MajorMatter:
    locked = MajorMatter.objects.select_for_update().get(pk=matter.pk)
    if actor is not None and not user_can_see(actor, locked):
        raise PermissionDenied(_("You may not act on this matter."))
    return locked


def _require(locked: MajorMatter, *statuses) -> None:
    if locked.status not in statuses:
        raise GateClosed(
            _("A matter that is “%(status)s” cannot take this step.")
            % {"status": locked.get_status_display()},
            code="transition_not_allowed",
        )


@transaction.atomic
def major_matter_party_review(
    *, matter: MajorMatter, actor, passed: bool, opinion: str
) -> MajorMatter:
    """Record the party organisation's discussion: passed, or sent back with an
    opinion (a sent-back matter may be raised again after it is revised)."""
    locked = _locked(matter, actor)
    _require(locked, MM.RAISED, MM.SENT_BACK)
    if not opinion.strip():
        raise ValidationError({"party_opinion": _("Write the organisation's opinion.")})
    before = locked.status
    locked.status = MM.PARTY_PASSED if passed else MM.SENT_BACK
    locked.party_opinion = opinion.strip()
    locked.party_decided_at = timezone.now() if passed else None
    locked.save()
    _matter_event(
        locked, action="party_review", before=before, actor=actor, note=opinion
    )
    return locked


@transaction.atomic
def owner_vote_record(
    *, matter: MajorMatter, household: Household, choice: str, actor
) -> OwnerVote:
    """Record one household's vote; only households of the compound vote, once."""
    locked = _locked(matter, actor)
    _require(locked, MM.PARTY_PASSED)
    if household.unit.building.compound_id != locked.compound_id:
        raise ValidationError(
            {
                "household": _("Household %(h)s is not an owner in this compound.")
                % {"h": household}
            }
        )
    if household.floor_area is None:
        raise ValidationError(
            {
                "household": _("Household %(h)s has no floor area on record.")
                % {"h": household}
            }
        )
    if OwnerVote.objects.filter(matter=locked, household=household).exists():
        raise ValidationError(
            {"household": _("Household %(h)s has already voted.") % {"h": household}}
        )
    vote = OwnerVote(
        matter=locked,
        household=household,
        choice=choice,
        floor_area=household.floor_area,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    vote.full_clean()
    vote.save()
    return vote


@transaction.atomic
def major_matter_decide(*, matter: MajorMatter, actor) -> MajorMatter:
    """Count the owners' votes under Article 278 and record the decision.

    Refused before the party organisation has passed the matter: that is the
    rule 重大事项支部决策前置.
    """
    locked = _locked(matter, actor)
    if locked.party_decided_at is None or locked.status != MM.PARTY_PASSED:
        raise GateClosed(
            _(
                "The owners' decision cannot be recorded before the party "
                "organisation has passed the matter."
            ),
            code="party_first",
        )
    electorate = Household.objects.filter(
        unit__building__compound=locked.compound_id, floor_area__isnull=False
    )
    total_area = sum((h.floor_area for h in electorate.only("floor_area")), start=0)
    outcome = owners_vote_outcome(
        total_area=total_area,
        total_owners=electorate.count(),
        votes=list(locked.votes.values_list("floor_area", "choice")),
        special=locked.is_special,
    )
    before = locked.status
    locked.status = MM.OWNERS_PASSED if outcome.passed else MM.OWNERS_REJECTED
    locked.owners_decided_at = timezone.now()
    locked.outcome = {
        "passed": outcome.passed,
        "failed": outcome.failed,
        **outcome.figures,
    }
    locked.save()
    _matter_event(
        locked,
        action="owners_decide",
        before=before,
        actor=actor,
        note="; ".join(message for _code, message in outcome.failed),
    )
    return locked
