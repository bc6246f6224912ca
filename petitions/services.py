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
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.outbox import outbox_enqueue
from core.phones import normalize_mobile
from grids.models import Building, Community, Person, Role

from .models import (
    DESCRIPTION_MAX,
    Category,
    CategoryQuestion,
    Department,
    Petition,
    PetitionEvent,
    PetitionPhoto,
)
from .photos import clean_photo
from .selectors import petition_can_act
from .workflow import overdue_level, status_after, transition_for

S = Petition.Status


class Conflict(ApplicationError):
    status_code = 409


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


def _event(
    petition,
    *,
    action,
    from_status,
    actor=None,
    actor_label="",
    note="",
    is_public=True,
):
    return PetitionEvent.objects.create(
        petition=petition,
        action=action,
        from_status=from_status,
        to_status=petition.status,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label or (str(actor) if getattr(actor, "pk", None) else ""),
        note=note,
        is_public=is_public,
    )


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
    channel: str = Petition.Channel.WEB,
    idempotency_key: uuid.UUID | str | None = None,
    filed_by=None,
    open311_client=None,
    latitude=None,
    longitude=None,
) -> tuple[Petition, bool]:
    """Store a resident's report; return ``(petition, created)``.

    The same ``idempotency_key`` returns the case already made, so a
    double-tapped submit creates one case. Staff filing on a resident's behalf
    pass ``filed_by`` and the channel the report came through.
    """
    if filed_by is not None and not filed_by.has_perm("petitions.change_petition"):
        raise PermissionDenied(_("You may not file cases."))
    if idempotency_key:
        existing = Petition.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    _refuse_nul(
        description=description,
        place_detail=place_detail,
        reporter_name=reporter_name,
    )
    if not category.is_active:
        raise ValidationError({"category": _("This category no longer takes reports.")})
    if is_anonymous and not category.allows_anonymous:
        raise ValidationError(
            {"is_anonymous": _("This category does not take anonymous reports.")}
        )
    if building is not None:
        community = building.compound.community
    if community is None:
        raise ValidationError({"building": _("Say where the problem is.")})
    now = timezone.now()
    petition = Petition(
        number=uuid.uuid4().hex[:20],
        idempotency_key=idempotency_key or None,
        category=category,
        description=(description or "").strip(),
        answers=_clean_answers(category, answers or {}, require=filed_by is None),
        community=community,
        grid=building.grid if building else None,
        compound=building.compound if building else None,
        building=building,
        place_detail=place_detail.strip(),
        reporter_name="" if is_anonymous else reporter_name.strip(),
        reporter_phone="" if is_anonymous else normalize_mobile(reporter_phone),
        is_anonymous=is_anonymous,
        channel=channel,
        filed_by=filed_by,
        open311_client=open311_client,
        latitude=latitude,
        longitude=longitude,
        escalation_level=(
            Petition.Level.GRID if building else Petition.Level.COMMUNITY
        ),
        accept_due_at=now + datetime.timedelta(hours=category.accept_hours),
        resolve_due_at=now + datetime.timedelta(hours=category.resolve_hours),
    )
    if not petition.description:
        raise ValidationError({"description": _("Describe the problem.")})
    if open311_client is not None:
        petition.open311_token = secrets.token_urlsafe(12)
    petition.full_clean(exclude=["number", "idempotency_key"])
    try:
        # A savepoint: a double tap racing this one may insert the same key first.
        with transaction.atomic():
            petition.save()
    except IntegrityError:
        existing = Petition.objects.filter(idempotency_key=idempotency_key).first()
        if idempotency_key and existing is not None:
            return existing, False
        raise
    petition.number = f"{timezone.localtime(now):%y%m%d}-{petition.pk}"
    Petition.objects.filter(pk=petition.pk).update(number=petition.number)
    _save_photos(petition, photos, PetitionPhoto.Stage.REPORT)
    label = _("community staff") if filed_by else _("resident")
    _event(
        petition,
        action="submit",
        from_status="",
        actor=filed_by,
        actor_label=str(filed_by) if filed_by else label,
        note=_("Report received: case %(number)s.") % {"number": petition.number},
    )
    outbox_enqueue("petitions.notify_new", petition_id=petition.pk)
    return petition, True


def _check_handler(petition: Petition, handler: Person) -> None:
    """A handler works in the case's grid, or is staff of its community."""
    roles = Role.objects.active().filter(person=handler)
    in_grid = roles.filter(
        kind__in=[
            Role.Kind.GRID_WORKER,
            Role.Kind.PROPERTY_STEWARD,
            Role.Kind.REPAIR_WORKER,
        ],
        grid_id=petition.grid_id,
    )
    in_community = roles.filter(
        kind=Role.Kind.COMMUNITY_STAFF, community=petition.community_id
    )
    if not ((petition.grid_id and in_grid.exists()) or in_community.exists()):
        raise ValidationError(
            {
                "handler": _("%(name)s does not work in this case's grid or community.")
                % {"name": handler.name}
            }
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
    is written. Staff actions need an ``actor`` who may see the case; the
    resident's own actions (confirm, reopen) come through the tracking page.
    """
    _refuse_nul(note=note)
    locked = Petition.objects.select_for_update().get(pk=petition.pk)
    if expected_version is not None and locked.version != int(expected_version):
        raise Conflict(
            _("Someone else changed case %(number)s just now; reload it and try again.")
            % {"number": locked.number},
            code="conflict",
            extra={"version": locked.version},
        )
    transition = transition_for(action, locked.status)
    if transition.by_staff and not petition_can_act(user=actor, petition=locked):
        raise PermissionDenied(_("You may not act on this case."))
    note = (note or "").strip()
    errors = {}
    if "note" in transition.needs and not note:
        errors["note"] = _("Write a note for this step.")
    if "handler" in transition.needs and handler is None:
        errors["handler"] = _("Choose who handles the case.")
    if "department" in transition.needs and department is None:
        errors["department"] = _("Choose the department.")
    if "merge_into" in transition.needs:
        if merge_into is None or merge_into.pk == locked.pk:
            errors["merge_into"] = _("Choose another case to merge into.")
        elif (
            merge_into.community_id != locked.community_id
            or merge_into.status == S.MERGED
        ):
            errors["merge_into"] = _(
                "Merge only into an unmerged case of the same community."
            )
    if "rating" in transition.needs and rating not in Petition.Rating.values:
        errors["rating"] = _("Choose how satisfied you are.")
    given = {
        "handler": handler,
        "department": department,
        "merge_into": merge_into,
        "rating": rating or None,
    }
    for field, value in given.items():
        if value is not None and field not in transition.needs:
            errors[field] = _("This step does not take this field.")
    if errors:
        raise ValidationError(errors)
    if handler is not None:
        _check_handler(locked, handler)

    before = locked.status
    now = timezone.now()
    locked.status = status_after(
        action,
        before,
        has_handler=bool(locked.handler_id),
        was_accepted=locked.accepted_at is not None,
    )
    if action == "reopen":
        locked.reopen_count += 1
        locked.resolved_at = None
    if action in ("accept", "dispatch") and locked.accepted_at is None:
        locked.accepted_at = now
    if handler is not None:
        locked.handler = handler
    if department is not None:
        locked.department = department
    if merge_into is not None:
        locked.merged_into = merge_into
    if action in ("resolve", "answer"):
        locked.resolved_at = now
    if locked.status in (S.CLOSED, S.REJECTED, S.MERGED):
        locked.closed_at = now
    if action == "confirm":
        locked.rating = rating
        locked.rating_comment = note[:500]
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db(fields=["version"])
    _save_photos(
        locked,
        photos,
        PetitionPhoto.Stage.RESOLUTION
        if action == "resolve"
        else PetitionPhoto.Stage.REPORT,
    )
    if action == "merge":
        note = note or _(
            "Merged into case %(number)s, which handles the same problem."
        ) % {"number": merge_into.number}
    _event(
        locked,
        action=action,
        from_status=before,
        actor=actor,
        actor_label=actor_label or (_("resident") if not transition.by_staff else ""),
        note=note,
        is_public=is_public,
    )
    outbox_enqueue(
        "petitions.notify_transition",
        petition_id=locked.pk,
        action=action,
        version=locked.version,
    )
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
        _event(
            petition,
            action="escalate",
            from_status=petition.status,
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
    return _event(
        petition,
        action="note",
        from_status=petition.status,
        actor=actor,
        actor_label=actor_label,
        note=note.strip(),
        is_public=is_public,
    )
