"""Every write to a case: submit, move through the lifecycle, escalate, close.

Each service runs in one transaction, leaves a timeline event, and hands work
for Celery to the outbox so that no request waits on the broker.
"""

import datetime
import decimal
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.lifecycle import STAFF, Conflict  # noqa: F401 - Conflict is part of the API
from core.outbox import outbox_enqueue
from core.phones import normalize_mobile
from grids.models import Building, Community, PatrolFinding, Person, Visit

from .models import (
    DESCRIPTION_MAX,
    Category,
    CategoryQuestion,
    Department,
    Petition,
    PetitionEvent,
    PetitionPhoto,
    PetitionVoiceNote,
)
from .photos import clean_photo
from .selectors import petition_can_act, petition_handler_candidates
from .voice import VoiceClip, clean_voice_note
from .workflow import LIFECYCLE, overdue_level

S = Petition.Status


def _refuse_nul(**texts) -> None:
    for field, value in texts.items():
        if value and "\x00" in value:
            raise ValidationError({field: _("The text contains a NUL character.")})
        if value and len(value) > DESCRIPTION_MAX:
            raise ValidationError(
                {field: _("At most %(n)s characters.") % {"n": DESCRIPTION_MAX}}
            )


def _clean_answers(category: Category, answers: dict, *, require=True) -> dict:
    """Check the answers to the category's extra questions; return them cleaned.

    Staff filing a phone call may not know every answer, so ``require=False``
    lets required questions stay empty; the answers given are still checked.
    """
    cleaned, errors = {}, {}
    for question in category.questions.all():
        raw = answers.get(question.code)
        values = (
            raw if isinstance(raw, list) else ([raw] if raw not in (None, "") else [])
        )
        values = [str(v).strip()[:500] for v in values if str(v).strip()]
        _refuse_nul(**{f"answers.{question.code}": " ".join(values)})
        if not values:
            if question.is_required and require:
                errors[f"answers.{question.code}"] = _("Please answer: %(q)s") % {
                    "q": question.label
                }
            continue
        kind = question.kind
        try:
            if kind == CategoryQuestion.Kind.NUMBER:
                cleaned[question.code] = str(decimal.Decimal(values[0]))
            elif kind == CategoryQuestion.Kind.DATE:
                day = parse_date(values[0])
                if day is None:
                    raise ValueError
                cleaned[question.code] = day.isoformat()
            elif kind in (CategoryQuestion.Kind.SINGLE, CategoryQuestion.Kind.MULTIPLE):
                if any(v not in question.choice_list for v in values):
                    raise ValueError
                if kind == CategoryQuestion.Kind.SINGLE and len(values) > 1:
                    raise ValueError
                cleaned[question.code] = (
                    values if kind == CategoryQuestion.Kind.MULTIPLE else values[0]
                )
            else:
                cleaned[question.code] = values[0][:500]
        except (ValueError, decimal.InvalidOperation):
            errors[f"answers.{question.code}"] = _("Not a valid answer to: %(q)s") % {
                "q": question.label
            }
    if errors:
        raise ValidationError(errors)
    return cleaned


def _save_photos(petition, photos, stage) -> None:
    photos = list(photos or [])
    if len(photos) > settings.PETITION_MAX_PHOTOS:
        raise ValidationError(
            {"photos": _("At most %(n)s photos.") % {"n": settings.PETITION_MAX_PHOTOS}}
        )
    cleaned = [clean_photo(upload) for upload in photos]
    for content in cleaned:
        photo = PetitionPhoto(petition=petition, stage=stage)
        photo.image.save(content.name, content, save=False)
        photo.save()


def _check_submission(
    *, category: Category, is_anonymous: bool, filed_by, texts: dict, spoken=False
) -> None:
    """Refuse a report that the category, the filer or its texts rule out."""
    if filed_by is not None and not filed_by.has_perm("petitions.change_petition"):
        raise PermissionDenied(_("You may not file cases."))
    _refuse_nul(**texts)
    if not category.is_active:
        raise ValidationError({"category": _("This category no longer takes reports.")})
    if is_anonymous and not category.allows_anonymous:
        raise ValidationError(
            {"is_anonymous": _("This category does not take anonymous reports.")}
        )
    if not spoken and not (texts.get("description") or "").strip():
        raise ValidationError({"description": _("Describe the problem.")})


def _voice_clip(voice_note) -> VoiceClip | None:
    """Check and clean a voice note; its error names the form's field."""
    if not voice_note:
        return None
    try:
        return clean_voice_note(voice_note)
    except ValidationError as exc:
        raise ValidationError({"voice_note": exc.messages}) from exc


def _checked_report(
    category, is_anonymous, filed_by, texts, voice_note
) -> tuple[VoiceClip | None, str]:
    """Check a submission; return its cleaned voice note and the description."""
    clip = _voice_clip(voice_note)
    _check_submission(
        category=category,
        is_anonymous=is_anonymous,
        filed_by=filed_by,
        texts=texts,
        spoken=clip is not None,
    )
    description = texts["description"]
    if clip is not None and not description.strip():
        # Lists, notices and Open311 show a text: say where the report is.
        description = _("Reported by voice note (staff play it on the case page).")
    return clip, description


def _save_attachments(petition: Petition, photos, clip: VoiceClip | None) -> None:
    """Store a new report's photos and its voice note."""
    _save_photos(petition, photos, PetitionPhoto.Stage.REPORT)
    if clip is None:
        return
    note = PetitionVoiceNote(
        petition=petition,
        content_type=clip.content_type,
        duration_seconds=clip.duration_seconds,
        size_bytes=clip.content.size,
    )
    note.audio.save(clip.content.name, clip.content, save=False)
    note.full_clean()
    note.save()


#: Checked by the database on insert (and in Python before it, where a resident
#: needs to read why): no need to ask the database again field by field.
_CHECKED_ON_INSERT = [
    "number",
    "idempotency_key",
    "category",
    "community",
    "grid",
    "compound",
    "building",
    "filed_by",
    "open311_client",
    "patrol_finding",
    "visit",
]


def _place_of(building: Building | None, community: Community | None) -> dict:
    """Where the case lies: the building's grid, compound and community."""
    if building is not None:
        community = building.compound.community
    if community is None:
        raise ValidationError({"building": _("Say where the problem is.")})
    return {
        "community": community,
        "grid": building.grid if building else None,
        "compound": building.compound if building else None,
        "building": building,
        "escalation_level": (
            Petition.Level.GRID if building else Petition.Level.COMMUNITY
        ),
    }


def _reporter(name: str, phone: str, is_anonymous: bool, verified=False) -> dict:
    """The reporter's name and number, none for an anonymous report; a named
    report needs a number (said beside the phone field). ``verified``: the
    device proved the number, or staff filing vouch for it."""
    if is_anonymous:
        return {"reporter_name": "", "reporter_phone": "", "is_anonymous": True}
    phone = normalize_mobile(phone)
    if not phone:
        raise ValidationError(
            {"reporter_phone": _("Leave a phone number or report anonymously.")}
        )
    return {
        "reporter_name": name.strip(),
        "reporter_phone": phone,
        "is_anonymous": False,
        "phone_verified_at": timezone.now() if verified else None,
    }


def _stamp_new(petition: Petition) -> None:
    """A provisional number (the real one needs the id), the Open311 client's
    token, and the deadlines the category sets from now."""
    now = timezone.now()
    petition.number = uuid.uuid4().hex[:20]
    if petition.open311_client_id:
        petition.open311_token = secrets.token_urlsafe(12)
    category = petition.category
    petition.accept_due_at = now + datetime.timedelta(hours=category.accept_hours)
    petition.resolve_due_at = now + datetime.timedelta(hours=category.resolve_hours)


def _existing(idempotency_key) -> Petition | None:
    """The case a double-tapped submit already made, if any."""
    if not idempotency_key:
        return None
    return Petition.objects.filter(idempotency_key=idempotency_key).first()


def _insert(petition: Petition, idempotency_key) -> tuple[Petition, bool]:
    """Save a new case; a double tap that won the race returns its case."""
    # The related rows were read by the caller; uniqueness and the table's
    # checks are the database's on insert: one query, not a dozen.
    petition.full_clean(
        exclude=_CHECKED_ON_INSERT, validate_unique=False, validate_constraints=False
    )
    try:
        # A savepoint: a double tap racing this one may insert the same key first.
        with transaction.atomic():
            petition.save()
    except IntegrityError:
        existing = Petition.objects.filter(idempotency_key=idempotency_key).first()
        if idempotency_key and existing is not None:
            return existing, False
        raise
    petition.number = f"{timezone.localtime(petition.created_at):%y%m%d}-{petition.pk}"
    Petition.objects.filter(pk=petition.pk).update(number=petition.number)
    return petition, True


@transaction.atomic
def petition_submit(
    *,
    category: Category,
    description: str,
    building: Building | None = None,
    community: Community | None = None,
    place_detail: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    is_anonymous: bool = False,
    answers: dict | None = None,
    photos=(),
    voice_note=None,
    channel: str = Petition.Channel.WEB,
    idempotency_key: uuid.UUID | str | None = None,
    filed_by=None,
    open311_client=None,
    latitude=None,
    longitude=None,
    patrol_finding=None,
    visit=None,
    phone_verified: bool = False,
) -> tuple[Petition, bool]:
    """Store a resident's report; return ``(petition, created)``.

    The same ``idempotency_key`` returns the case already made (a double tap
    makes one case). Staff filing for a resident pass ``filed_by`` and the
    channel; field work names the ``patrol_finding`` or ``visit``; a
    ``voice_note`` may stand in for the description.
    """
    if (existing := _existing(idempotency_key)) is not None:
        return existing, False
    texts = {"description": description, "place_detail": place_detail}
    texts["reporter_name"] = reporter_name
    proved = phone_verified or filed_by is not None
    clip, description = _checked_report(
        category, is_anonymous, filed_by, texts, voice_note
    )
    petition = Petition(
        idempotency_key=idempotency_key or None,
        category=category,
        description=description.strip(),
        answers=_clean_answers(category, answers or {}, require=filed_by is None),
        **_place_of(building, community),
        place_detail=place_detail.strip(),
        **_reporter(reporter_name, reporter_phone, is_anonymous, verified=proved),
        channel=channel,
        filed_by=filed_by,
        open311_client=open311_client,
        latitude=latitude,
        longitude=longitude,
        patrol_finding=patrol_finding,
        visit=visit,
    )
    _stamp_new(petition)
    petition, created = _insert(petition, idempotency_key)
    if created:
        _save_attachments(petition, photos, clip)
        _announce(petition, filed_by)
    return petition, created


def _announce(petition: Petition, filed_by) -> None:
    """The case's first timeline row, and the new case's notices (outbox)."""
    LIFECYCLE.record_event(
        petition,
        action="submit",
        before="",
        actor=filed_by,
        actor_label=str(filed_by) if filed_by else _("resident"),
        note=_("Report received: case %(number)s.") % {"number": petition.number},
    )
    outbox_enqueue("petitions.notify_new", petition_id=petition.pk)


#: Field records turn into cases once: their keys are derived from them, so a
#: second tap returns the first case (``petition_submit``'s idempotency).
_FIELD_KEYS = uuid.UUID("5b1e4c0e-6d1f-4f43-9a57-2f6c1c0de016")


def _field_key(kind: str, pk: int) -> uuid.UUID:
    return uuid.uuid5(_FIELD_KEYS, f"{kind}:{pk}")


@transaction.atomic
def petition_from_finding(*, actor, finding: PatrolFinding, category: Category):
    """File a patrol's finding as a case (channel: patrol), with its photo;
    the patroller reports it. Once per finding."""
    patroller = finding.patrol.person
    if not patroller.mobile:
        raise ValidationError(
            _("Your entry on the register has no mobile number: add it first.")
        )
    photos = [finding.photo] if finding.photo else []
    for photo in photos:
        photo.open("rb")
    petition, _created = petition_submit(
        category=category,
        description=finding.description,
        building=finding.building,
        reporter_name=patroller.name,
        reporter_phone=patroller.mobile,
        channel=Petition.Channel.PATROL,
        filed_by=actor,
        idempotency_key=_field_key("finding", finding.pk),
        photos=photos,
        patrol_finding=finding,
    )
    return petition


@transaction.atomic
def petition_from_visit(*, actor, visit: Visit, category: Category):
    """File the need a home visit found as a case (channel: visit) for the
    household's resident (or, with no mobile on the register, the visitor)."""
    household = visit.household
    resident = (
        household.residents.exclude(mobile="").order_by("pk").first() or visit.visitor
    )
    petition, _created = petition_submit(
        category=category,
        description=visit.need,
        building=household.unit.building,
        place_detail=f"{household.unit.number} {household.room}",
        reporter_name=resident.name,
        reporter_phone=resident.mobile,
        channel=Petition.Channel.VISIT,
        filed_by=actor,
        idempotency_key=_field_key("visit", visit.pk),
        visit=visit,
    )
    return petition


def _check_handler(petition: Petition, handler: Person) -> None:
    """A case is given only to someone serving its grid or its community."""
    candidates = petition_handler_candidates(petition=petition)
    if not candidates.filter(pk=handler.pk).exists():
        raise ValidationError(
            {
                "handler": _("%(name)s does not work in this case's grid or community.")
                % {"name": handler.name}
            }
        )


#: States in which a case is over: it gets its closing time.
FINAL_STATES = (S.CLOSED, S.REJECTED, S.MERGED)


def _check_step_targets(locked: Petition, *, handler, merge_into, rating) -> None:
    """The inputs a step takes must fit this case."""
    if handler is not None:
        _check_handler(locked, handler)
    if merge_into is not None and (
        merge_into.pk == locked.pk
        or merge_into.community_id != locked.community_id
        or merge_into.status == S.MERGED
    ):
        raise ValidationError(
            {"merge_into": _("Merge only into an unmerged case of the same community.")}
        )
    if rating and rating not in Petition.Rating.values:
        raise ValidationError({"rating": _("Choose how satisfied you are.")})


def _stamp(locked: Petition, step, inputs: dict) -> None:
    """Set the times and fields a step writes on the case."""
    now = timezone.now()
    action = step.action
    if action in ("accept", "dispatch") and locked.accepted_at is None:
        locked.accepted_at = now
    if action in ("resolve", "answer"):
        locked.resolved_at = now
    if action == "reopen":
        locked.reopen_count += 1
        locked.resolved_at = None
    if step.target in FINAL_STATES:
        locked.closed_at = now
    if action == "confirm":
        locked.rating = inputs["rating"]
        locked.rating_comment = inputs["note"][:500]
    for field in ("handler", "department", "merge_into"):
        if inputs[field] is not None:
            setattr(
                locked, "merged_into" if field == "merge_into" else field, inputs[field]
            )


@transaction.atomic
def petition_transition(
    *,
    petition: Petition,
    action: str,
    actor=None,
    actor_label: str = "",
    expected_version: int | None = None,
    note: str = "",
    is_public: bool = True,
    handler: Person | None = None,
    department: Department | None = None,
    merge_into: Petition | None = None,
    rating: str = "",
    photos=(),
) -> Petition:
    """Move a case by ``action`` (see ``petitions.workflow``) and record it.

    The row is locked while it changes; if ``expected_version`` is given and
    someone changed the case since, the call fails with a conflict and nothing
    is written. With an ``actor`` only staff steps are open, to staff who may
    act on the case; without one, the resident's steps (confirm, reopen, from
    the tracking page) and the system's (auto-close).
    """
    _refuse_nul(note=note)
    note = (note or "").strip()
    if action == "merge" and merge_into is not None and not note:
        note = _("Merged into case %(number)s, which handles the same problem.") % {
            "number": merge_into.number
        }
    inputs = {
        "note": note,
        "handler": handler,
        "department": department,
        "merge_into": merge_into,
        "rating": rating or None,
        "photos": list(photos or []),
    }

    def change(locked, step):
        _check_step_targets(
            locked, handler=handler, merge_into=merge_into, rating=rating
        )
        _stamp(locked, step, {**inputs, "rating": rating})

    locked = LIFECYCLE.apply(
        petition,
        action,
        actor=actor,
        actor_label=actor_label or ("" if actor else _("resident")),
        who=STAFF if actor is not None else None,
        expected_version=expected_version,
        note=note,
        is_public=is_public,
        inputs=inputs,
        may=lambda user, case: petition_can_act(user=user, petition=case),
        change=change,
    )
    stage = PetitionPhoto.Stage.RESOLUTION if action == "resolve" else None
    _save_photos(locked, photos, stage or PetitionPhoto.Stage.REPORT)
    return locked


@transaction.atomic
def petition_escalate_overdue(*, now: datetime.datetime | None = None) -> int:
    """Raise overdue cases one level per missed period (grid → community →
    subdistrict) and remind their handlers; return how many were raised.

    The level a case should be at is computed from its deadline, so a second run
    finds nothing to raise and sends nothing again.
    """
    now = now or timezone.now()
    raised = 0
    candidates = (
        Petition.objects.filter(
            status__in=Petition.OPEN_STATUSES,
            escalation_level__lt=Petition.Level.SUBDISTRICT,
        )
        .select_related("category")
        .select_for_update()
    )
    overdue = candidates.filter(
        status=S.SUBMITTED, accept_due_at__lt=now
    ) | candidates.filter(resolve_due_at__lt=now).exclude(
        status__in=[S.SUBMITTED, S.ON_HOLD, S.REFERRED]
    )
    for petition in overdue:
        if petition.status == S.SUBMITTED:
            due, window = petition.accept_due_at, petition.category.accept_hours
        else:
            due, window = petition.resolve_due_at, petition.category.resolve_hours
        target = overdue_level(now=now, due=due, window_hours=window)
        if target <= petition.escalation_level:
            continue
        before = petition.escalation_level
        petition.escalation_level = target
        petition.save(update_fields=["escalation_level", "updated_at"])
        LIFECYCLE.record_event(
            petition,
            action="escalate",
            before=petition.status,
            actor_label=_("system"),
            note=_("Overdue: raised from %(from)s to %(to)s level.")
            % {
                "from": Petition.Level(before).label,
                "to": Petition.Level(target).label,
            },
            is_public=False,
        )
        outbox_enqueue(
            "petitions.notify_escalated", petition_id=petition.pk, level=target
        )
        raised += 1
    return raised


def petition_auto_close(*, now: datetime.datetime | None = None) -> int:
    """Close cases the resident has not answered within the configured days."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=settings.PETITION_AUTO_CLOSE_DAYS)
    closed = 0
    for petition in Petition.objects.filter(
        status=S.AWAITING_RESIDENT, resolved_at__lt=limit
    ):
        try:
            petition_transition(
                petition=petition,
                action="auto_close",
                actor_label=_("system"),
                note=_("Closed: no answer from the resident within %(days)s days.")
                % {"days": settings.PETITION_AUTO_CLOSE_DAYS},
            )
        except ApplicationError:
            continue  # the resident answered in the meantime
        closed += 1
    return closed


@transaction.atomic
def petition_note_add(
    *, petition: Petition, note: str, actor=None, actor_label: str = "", is_public=True
) -> PetitionEvent:
    """Add a note to a case's timeline without moving it (e.g. a meeting's
    decision on it); the case's state is unchanged."""
    _refuse_nul(note=note)
    if not note.strip():
        raise ValidationError({"note": _("Write a note for this step.")})
    return LIFECYCLE.record_event(
        petition,
        action="note",
        before=petition.status,
        actor=actor,
        actor_label=actor_label,
        note=note.strip(),
        is_public=is_public,
    )


@transaction.atomic
def petition_phone_verify(*, petition: Petition, phone: str) -> Petition:
    """Mark a case's reporter phone as proved: the resident verified ``phone``
    with a code and it is the number the case was filed with."""
    petition = Petition.objects.select_for_update().get(pk=petition.pk)
    if not petition.reporter_phone or normalize_mobile(phone) != (
        petition.reporter_phone
    ):
        raise ApplicationError(
            _("This case was reported with another phone number."),
            code="phone_mismatch",
        )
    if petition.phone_verified_at is not None:
        return petition
    petition.phone_verified_at = timezone.now()
    petition.save(update_fields=["phone_verified_at", "updated_at"])
    LIFECYCLE.record_event(
        petition,
        action="verify_phone",
        before=petition.status,
        actor_label=_("resident"),
        note=_("The reporter verified their phone number."),
        is_public=False,
    )
    return petition


@transaction.atomic
def petition_photo_set_public(
    *, photo: PetitionPhoto, is_public: bool, actor
) -> PetitionPhoto:
    """Mark a case's photo public (Open311 publishes it) or not; staff who may
    see the case and change its photos only."""
    from core.services import audit_record

    from .selectors import petition_photo_list

    if not actor.has_perm("petitions.change_petitionphoto") or not (
        petition_photo_list(user=actor).filter(pk=photo.pk).exists()
    ):
        raise PermissionDenied(_("You may not publish this photo."))
    photo.is_public = is_public
    photo.full_clean()
    photo.save(update_fields=["is_public"])
    audit_record(
        actor=actor,
        action="petitionphoto.publish" if is_public else "petitionphoto.withdraw",
        target=photo,
        changes={"petition": photo.petition.number, "is_public": is_public},
    )
    return photo


@transaction.atomic
def category_private_in_set(
    *, category: Category, communities, is_private: bool, actor
) -> Category:
    """Keep ``category``'s cases unpublished in ``communities`` (Open311), or
    publish them there again; staff act only for communities they see."""
    from core.services import audit_record
    from grids.scoping import user_can_see

    communities = [c for c in communities if user_can_see(actor, c)]
    if not communities or not actor.has_perm("petitions.view_category"):
        raise PermissionDenied(_("You may not change this for those communities."))
    if is_private:
        category.private_in.add(*communities)
    else:
        category.private_in.remove(*communities)
    audit_record(
        actor=actor,
        action="category.private_in" if is_private else "category.public_in",
        target=category,
        changes={"communities": [c.pk for c in communities]},
    )
    return category
