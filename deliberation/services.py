"""Every write of deliberation: meetings ahead of time, moves, and the major
matter's way through the party organisation to the owners."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core import calendar
from core.errors import ApplicationError
from core.lifecycle import RESIDENT, TransitionNotAllowed
from core.phones import normalize_mobile, validate_mobile
from grids.models import Household
from grids.scoping import user_can_see

from .models import (
    ActionItem,
    ActionItemUpdate,
    AgendaTopic,
    Attendance,
    DeliberationBody,
    MajorMatter,
    Meeting,
    OwnerVote,
    Proposal,
    ProposalSupport,
)
from .recurrence import occurrence_dates
from .workflow import MAJOR_MATTER, MEETING

MM = MajorMatter.Status


#: A step the matter's state does not open (the party organisation first).
GateClosed = TransitionNotAllowed


def _local(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _may(actor, record) -> bool:
    """Staff act on what they may see; ``None`` is the system or the demo."""
    return actor is None or user_can_see(actor, record)


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
        meeting = Meeting.objects.create(
            body=body,
            series_date=day,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(minutes=body.duration_minutes),
            place=body.place,
        )
        MEETING.record_event(meeting, action="plan", before="", actor_label=_("system"))
        made += 1
    if made:
        upcoming = body.meetings.filter(status=Meeting.Status.PLANNED).order_by(
            "starts_at"
        )
        if upcoming:
            agenda_carry_over(meeting=upcoming[0])
    return made


@transaction.atomic
def meeting_move(
    *,
    meeting: Meeting,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime | None = None,
    actor=None,
    note: str = "",
) -> Meeting:
    """Move one meeting (keeping its length unless ``ends_at`` is given); the
    rest of the series stays where it is, and the timeline says from when."""
    moved_from = []

    def change(locked, step):
        moved_from.append(timezone.localtime(locked.starts_at))
        length = locked.ends_at - locked.starts_at
        locked.starts_at = starts_at
        locked.ends_at = ends_at or starts_at + length
        locked.full_clean()

    def said(locked) -> str:
        return note or _("Moved from %(before)s.") % {
            "before": f"{moved_from[0]:%Y-%m-%d %H:%M}"
        }

    return MEETING.apply(
        meeting,
        "move",
        actor=actor,
        note=said,
        inputs={"starts_at": starts_at},
        may=_may,
        change=change,
    )


def _check_vote(matter: MajorMatter, household: Household) -> None:
    """Only households of the compound with a floor area vote, once each.

    One vote per household, whichever way it comes: the first recorded wins,
    paper or online, and a later one is refused with what is on record. A
    paper ballot never silently overrides an online vote (nor the reverse):
    that would let one member of a household, or staff, change a vote the
    owner cast; a mistake is put right by the owner in person, not here.
    """
    error, when = None, ""
    if household.unit.building.compound_id != matter.compound_id:
        error = _("Household %(h)s is not an owner in this compound.")
    elif household.floor_area is None:
        error = _("Household %(h)s has no floor area on record.")
    else:
        earlier = OwnerVote.objects.filter(matter=matter, household=household).first()
        if earlier is not None and earlier.channel == OwnerVote.Channel.ONLINE:
            error = _(
                "Household %(h)s has already voted online on %(when)s; a "
                "household votes once."
            )
            when = _local(earlier.recorded_at)
        elif earlier is not None:
            error = _("Household %(h)s has already voted.")
    if error:
        raise ValidationError({"household": error % {"h": household, "when": when}})


@transaction.atomic
def major_matter_party_review(
    *, matter: MajorMatter, actor, passed: bool, opinion: str
) -> MajorMatter:
    """Record the party organisation's discussion: passed, or sent back with an
    opinion (a sent-back matter may be raised again after it is revised)."""
    opinion = (opinion or "").strip()

    def change(locked, step):
        locked.party_opinion = opinion
        locked.party_decided_at = timezone.now() if passed else None

    return MAJOR_MATTER.apply(
        matter,
        "party_pass" if passed else "party_send_back",
        actor=actor,
        note=opinion,
        inputs={"note": opinion},
        may=_may,
        change=change,
    )


@transaction.atomic
def owner_vote_record(
    *, matter: MajorMatter, household: Household, choice: str, actor
) -> OwnerVote:
    """Record one household's vote; only households of the compound vote, once."""
    made = []

    def change(locked, step):
        _check_vote(locked, household)
        vote = OwnerVote(
            matter=locked,
            household=household,
            choice=choice,
            floor_area=household.floor_area,
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        vote.full_clean()
        vote.save()
        made.append(vote)

    MAJOR_MATTER.apply(
        matter,
        "record_vote",
        actor=actor,
        note=_("Vote of %(h)s recorded.") % {"h": household},
        inputs={"household": household, "choice": choice},
        may=_may,
        change=change,
    )
    return made[0]


@transaction.atomic
def major_matter_voting_open(
    *,
    matter: MajorMatter,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    actor,
    now: datetime.datetime | None = None,
) -> MajorMatter:
    """Open e-voting on a passed matter from ``opens_at`` to ``closes_at``
    (also to move the window, which must still be ahead when set)."""
    now = now or timezone.now()
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": _("E-voting must close after it opens.")})
    if closes_at <= now:
        raise ValidationError({"closes_at": _("E-voting must close in the future.")})

    def change(locked, step):
        locked.voting_opens_at, locked.voting_closes_at = opens_at, closes_at

    def said(locked) -> str:
        return _("E-voting from %(start)s to %(end)s.") % {
            "start": _local(opens_at),
            "end": _local(closes_at),
        }

    return MAJOR_MATTER.apply(
        matter,
        "open_voting",
        actor=actor,
        note=said,
        inputs={"opens_at": opens_at, "closes_at": closes_at},
        may=_may,
        change=change,
    )


@transaction.atomic
def owner_evote_cast(
    *,
    matter: MajorMatter,
    household: Household,
    phone: str,
    choice: str,
    now: datetime.datetime | None = None,
) -> OwnerVote:
    """Record an owner's online vote for ``household``: the verified ``phone``
    must be that of a person the register keeps in the household, in the open
    window, once per household (paper or online, the first counts)."""
    from core.phones import mask_mobile

    from .selectors import evote_households

    now = now or timezone.now()
    if household not in evote_households(matter=matter, phone=phone):
        raise ValidationError(
            _(
                "This phone is not on the register of a household of this "
                "compound; ask your community to record it."
            )
        )
    made = []

    def change(locked, step):
        if not locked.voting_is_open(now):
            raise ValidationError(_("Voting on this matter is not open now."))
        _check_vote(locked, household)
        vote = OwnerVote(
            matter=locked,
            household=household,
            choice=choice,
            floor_area=household.floor_area,
            channel=OwnerVote.Channel.ONLINE,
            phone=phone,
        )
        vote.full_clean()
        vote.save()
        made.append(vote)

    # The timeline says a household voted, never how.
    MAJOR_MATTER.apply(
        matter,
        "cast_evote",
        who=RESIDENT,
        actor_label=_("owner %(phone)s") % {"phone": mask_mobile(phone)},
        note=_("Online vote of %(h)s recorded.") % {"h": household},
        inputs={"household": household, "choice": choice},
        change=change,
    )
    return made[0]


def _count_votes(matter: MajorMatter) -> dict:
    """Count the owners' votes, paper and online, under Article 278."""
    from .selectors import major_matter_tally

    return major_matter_tally(matter=matter)


@transaction.atomic
def major_matter_decide(*, matter: MajorMatter, actor, now=None) -> MajorMatter:
    """Count the owners' votes under Article 278 and record the decision.

    Refused before the party organisation has passed the matter: that is the
    rule 重大事项支部决策前置; and while e-voting is still open, which would
    shut out the owners who were promised the rest of the window.
    """
    now = now or timezone.now()
    if MajorMatter.objects.filter(pk=matter.pk, party_decided_at__isnull=True).exists():
        raise GateClosed(
            _(
                "The owners' decision cannot be recorded before the party "
                "organisation has passed the matter."
            ),
            code="party_first",
        )

    def change(locked, step):
        if locked.voting_closes_at is not None and now < locked.voting_closes_at:
            raise ApplicationError(
                _("E-voting is open until %(until)s: count the votes after it closes.")
                % {"until": _local(locked.voting_closes_at)},
                code="voting_open",
                status_code=409,
            )
        locked.outcome = _count_votes(locked)
        locked.owners_decided_at = now

    return MAJOR_MATTER.apply(
        matter,
        "owners_decide",
        actor=actor,
        may=_may,
        change=change,
        note=lambda m: "; ".join(message for _code, message in m.outcome["failed"]),
    )


# --- agenda, attendance, decisions, follow-through ------------------------------

SIGN_IN_MARGIN = datetime.timedelta(minutes=30)


def _check_visible(actor, obj) -> None:
    if actor is not None and not user_can_see(actor, obj):
        raise PermissionDenied(_("You may not act on this meeting."))


def _require_planned(meeting: Meeting) -> None:
    if meeting.status != Meeting.Status.PLANNED:
        raise ApplicationError(
            _("The meeting is %(status)s: its agenda is fixed.")
            % {"status": meeting.get_status_display()},
            code="meeting_not_planned",
            status_code=409,
        )


@transaction.atomic
def topic_add(
    *,
    meeting: Meeting,
    title: str,
    actor,
    petition=None,
    proposal: Proposal | None = None,
) -> AgendaTopic:
    """Put a topic on a planned meeting's agenda: from a resident's case (whose
    timeline says so), a resident proposal, or staff."""
    from petitions.services import petition_note_add

    _check_visible(actor, meeting)
    _require_planned(meeting)
    community_id = meeting.body.community_id
    if petition is not None and petition.community_id != community_id:
        raise ValidationError({"petition": _("The case belongs to another community.")})
    if proposal is not None and proposal.community_id != community_id:
        raise ValidationError(
            {"proposal": _("The proposal belongs to another community.")}
        )
    source = (
        AgendaTopic.Source.PETITION
        if petition
        else AgendaTopic.Source.PROPOSAL
        if proposal
        else AgendaTopic.Source.STAFF
    )
    topic = AgendaTopic(
        meeting=meeting,
        title=title.strip(),
        source=source,
        petition=petition,
        proposal=proposal,
        position=meeting.topics.count() + 1,
    )
    topic.full_clean()
    topic.save()
    if petition is not None:
        petition_note_add(
            petition=petition,
            actor=actor,
            note=_("Put on the agenda of %(meeting)s.") % {"meeting": meeting},
        )
    if proposal is not None:
        Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.SCHEDULED)
    return topic


def _previous_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(
            body=meeting.body,
            status=Meeting.Status.CLOSED,
            starts_at__lt=meeting.starts_at,
        )
        .order_by("-starts_at")
        .first()
    )


@transaction.atomic
def agenda_carry_over(*, meeting: Meeting) -> int:
    """Bring the unfinished action items of the body's last closed meeting onto
    ``meeting``'s agenda; each item comes once, and keeps coming until done."""
    previous = _previous_meeting(meeting)
    if previous is None or meeting.status != Meeting.Status.PLANNED:
        return 0
    following = (
        Meeting.objects.filter(
            body=meeting.body,
            status=Meeting.Status.PLANNED,
            starts_at__gt=previous.starts_at,
        )
        .order_by("starts_at")
        .first()
    )
    if following != meeting:
        return 0  # only the next meeting after the last closed one
    items = {
        item.pk: item
        for item in ActionItem.objects.filter(
            topic__meeting=previous, status__in=ActionItem.UNFINISHED
        )
    }
    for topic in previous.topics.filter(
        carried_item__status__in=ActionItem.UNFINISHED
    ).select_related("carried_item"):
        items[topic.carried_item_id] = topic.carried_item
    already = set(
        AgendaTopic.objects.filter(
            meeting__body=meeting.body,
            meeting__status=Meeting.Status.PLANNED,
            carried_item__isnull=False,
        ).values_list("carried_item_id", flat=True)
    )
    made = 0
    for item in items.values():
        if item.pk in already:
            continue
        AgendaTopic.objects.create(
            meeting=meeting,
            title=_("Unfinished: %(title)s") % {"title": item.title},
            source=AgendaTopic.Source.CARRIED,
            carried_item=item,
            position=meeting.topics.count() + 1,
        )
        made += 1
    return made


@transaction.atomic
def attendance_sign_in(
    *,
    meeting: Meeting,
    name: str,
    phone: str = "",
    method: str = Attendance.Method.QR,
    person=None,
    now: datetime.datetime | None = None,
) -> Attendance:
    """Sign someone in; only from half an hour before the start to half an hour
    after the end, and once per phone number."""
    now = now or timezone.now()
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."))
    if not (
        meeting.starts_at - SIGN_IN_MARGIN <= now <= meeting.ends_at + SIGN_IN_MARGIN
    ):
        raise ValidationError(
            _(
                "Sign-in is open from half an hour before the meeting to half an "
                "hour after it."
            )
        )
    phone = normalize_mobile(phone)
    if phone:
        validate_mobile(phone)
        existing = meeting.attendance.filter(phone=phone).first()
        if existing is not None:
            return existing
    if not name.strip():
        raise ValidationError({"name": _("Write your name.")})
    attendance = Attendance(
        meeting=meeting,
        name=name.strip()[:50],
        phone=phone,
        method=method,
        person=person,
        signed_in_at=now,
    )
    attendance.full_clean()
    try:
        with transaction.atomic():
            attendance.save()
    except IntegrityError:
        # A double tap signed the same phone in a moment ago.
        return meeting.attendance.get(phone=phone)
    return attendance


@transaction.atomic
def topic_decide(
    *,
    topic: AgendaTopic,
    decision: str,
    decision_text: str,
    actor,
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstain: int | None = None,
) -> AgendaTopic:
    """Record the decision on a topic; a linked case hears it on its timeline."""
    from petitions.services import petition_note_add

    _check_visible(actor, topic.meeting)
    # Decisions are taken while the meeting is open; closing fixes them.
    _require_planned(topic.meeting)
    if decision not in AgendaTopic.Decision.values:
        raise ValidationError({"decision": _("Choose a decision.")})
    if not decision_text.strip():
        raise ValidationError({"decision_text": _("Write the decision in words.")})
    topic.decision = decision
    topic.decision_text = decision_text.strip()
    topic.votes_for, topic.votes_against, topic.votes_abstain = (
        votes_for,
        votes_against,
        votes_abstain,
    )
    topic.full_clean()
    topic.save()
    if topic.petition_id:
        petition_note_add(
            petition=topic.petition,
            actor=actor,
            note=_("Deliberation meeting %(meeting)s decided: %(decision)s. %(text)s")
            % {
                "meeting": topic.meeting,
                "decision": topic.get_decision_display(),
                "text": topic.decision_text,
            },
        )
    return topic


@transaction.atomic
def action_item_add(
    *, topic: AgendaTopic, title: str, owner, due_date: datetime.date, actor
) -> ActionItem:
    """Give a decision an action item with an owner and a due date."""
    _check_visible(actor, topic.meeting)
    _require_planned(topic.meeting)
    meeting_day = timezone.localtime(topic.meeting.starts_at).date()
    if due_date < meeting_day:
        raise ValidationError(
            {"due_date": _("An action item cannot be due before its meeting.")}
        )
    item = ActionItem(topic=topic, title=title.strip(), owner=owner, due_date=due_date)
    item.full_clean()
    item.save()
    ActionItemUpdate.objects.create(
        item=item, status=item.status, progress=0, note=_("Assigned."), actor=actor
    )
    return item


@transaction.atomic
def action_item_update(
    *, item: ActionItem, status: str, progress: int, note: str, actor
) -> ActionItem:
    """Record progress on an action item; each update is kept in its timeline."""
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    _check_visible(actor, item.topic.meeting)
    if status not in ActionItem.Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    item.status = status
    item.progress = 100 if status == ActionItem.Status.DONE else progress
    item.done_at = timezone.now() if status == ActionItem.Status.DONE else None
    item.full_clean()
    item.save()
    ActionItemUpdate.objects.create(
        item=item, status=status, progress=item.progress, note=note, actor=actor
    )
    return item


@transaction.atomic
def meeting_close(
    *, meeting: Meeting, actor, minutes: str | None = None, publish_days: int = 7
) -> Meeting:
    """Close a meeting: it needs its minutes; its decisions are then shown to
    residents for ``publish_days`` days and unfinished items move to the next
    meeting."""

    def change(locked, step):
        if minutes is not None:
            locked.minutes = minutes.strip()
        if not locked.minutes:
            raise ValidationError(
                {"minutes": _("A meeting cannot be closed without minutes.")}
            )
        locked.publish_until = calendar.today() + datetime.timedelta(days=publish_days)

    meeting = MEETING.apply(meeting, "close", actor=actor, may=_may, change=change)
    following = (
        Meeting.objects.filter(
            body=meeting.body,
            status=Meeting.Status.PLANNED,
            starts_at__gt=meeting.starts_at,
        )
        .order_by("starts_at")
        .first()
    )
    if following is not None:
        agenda_carry_over(meeting=following)
    return meeting


@transaction.atomic
def proposal_submit(
    *, community, title: str, text: str, proposer_name: str, proposer_phone: str
) -> Proposal:
    """A resident proposes a topic; the proposer is its first supporter."""
    phone = normalize_mobile(proposer_phone)
    proposal = Proposal(
        community=community,
        title=title.strip(),
        text=text.strip(),
        proposer_name=proposer_name.strip(),
        proposer_phone=phone,
        support_count=1,
    )
    proposal.full_clean()
    if "\x00" in proposal.title + proposal.text + proposal.proposer_name:
        raise ValidationError(_("The text contains a NUL character."))
    validate_mobile(phone)
    proposal.save()
    ProposalSupport.objects.create(proposal=proposal, phone=phone)
    return proposal


@transaction.atomic
def proposal_support(*, proposal: Proposal, phone: str) -> bool:
    """Count one supporter per phone number; return whether this one was new."""
    phone = normalize_mobile(phone)
    validate_mobile(phone)
    _support, created = ProposalSupport.objects.get_or_create(
        proposal=proposal, phone=phone
    )
    if created:
        Proposal.objects.filter(pk=proposal.pk).update(
            support_count=F("support_count") + 1
        )
    return created


@transaction.atomic
def major_matter_publicise(*, matter: MajorMatter, actor, note: str) -> MajorMatter:
    """Publicise the owners' decision (公示)."""
    return MAJOR_MATTER.apply(
        matter, "publicise", actor=actor, note=note, inputs={"note": note}, may=_may
    )


@transaction.atomic
def major_matter_implement(*, matter: MajorMatter, actor, note: str) -> MajorMatter:
    """Record that a publicised, passed matter has been carried out."""

    def change(locked, step):
        if not locked.outcome.get("passed"):
            raise GateClosed(
                _("Only a matter the owners passed is carried out."), code="not_passed"
            )

    return MAJOR_MATTER.apply(
        matter,
        "implement",
        actor=actor,
        note=note,
        inputs={"note": note},
        may=_may,
        change=change,
    )


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor, reason: str) -> Meeting:
    """Cancel one meeting of a series; the others stay, and the series date
    keeps the periodic task from making it again. The reason is kept in the
    minutes."""
    reason = (reason or "").strip()

    def change(locked, step):
        locked.minutes = reason

    return MEETING.apply(
        meeting,
        "cancel",
        actor=actor,
        note=reason,
        inputs={"note": reason},
        may=_may,
        change=change,
    )


@transaction.atomic
def major_matter_raise(*, matter: MajorMatter, actor) -> MajorMatter:
    """Raise a new major matter; it waits for its party organisation."""
    if matter.pk is not None:
        raise ApplicationError(_("This matter was raised already."), code="exists")
    matter.status = MM.RAISED
    matter.full_clean()
    matter.save()
    if not _may(actor, matter):
        raise PermissionDenied(_("You may not act on this matter."))
    MAJOR_MATTER.record_event(
        matter, action="raise", before="", actor=actor, note=matter.title
    )
    return matter


@transaction.atomic
def body_reschedule(*, body: DeliberationBody, until: datetime.date) -> int:
    """After a body's rule changed: drop its future planned meetings that hold
    nothing yet (no topic, no sign-in) and create the new series."""
    stale = body.meetings.filter(
        status=Meeting.Status.PLANNED,
        starts_at__gt=timezone.now(),
        topics__isnull=True,
        attendance__isnull=True,
    )
    Meeting.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()
    return meetings_create_ahead(body=body, until=until)
