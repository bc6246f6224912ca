"""Every write to the organisation registry.

The registry is mostly plain records (a building, a household, a person), so one
service saves any of them: it cleans, saves, checks that the result lies inside
the actor's units and writes the audit row, all in one transaction. Writes with a
rule of their own (roles, staff accounts) have services of their own, and so
has the grid's field work: household tags, patrols and their findings, and
home visits (a finding or a visit's need turned into a case or a wish goes to
the app that owns it through ``grids.extensions``).
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import calendar
from core.errors import ApplicationError
from core.services import audit_record, model_changes

from . import extensions
from .models import (
    Building,
    Grid,
    Household,
    HouseholdTag,
    Patrol,
    PatrolFinding,
    Person,
    Role,
    Tag,
    Visit,
)
from .scoping import user_can_see
from .workflow import PATROL


def _check_in_scope(*, actor, instance: models.Model) -> None:
    if actor is not None and not user_can_see(actor, instance):
        raise PermissionDenied(
            _("%(object)s lies outside the units you may manage.")
            % {"object": instance._meta.verbose_name}
        )


@transaction.atomic
def org_object_save(*, actor, instance: models.Model) -> models.Model:
    """Validate and save one registry record on behalf of ``actor``.

    ``actor=None`` is the system itself (demo data, migrations). A record that
    would end up outside the actor's units is refused and nothing is written.
    """
    is_new = instance.pk is None
    instance.full_clean()
    instance.save()
    _check_in_scope(actor=actor, instance=instance)
    fields = [f.name for f in instance._meta.concrete_fields if not f.primary_key]
    audit_record(
        actor=actor,
        action=f"{instance._meta.model_name}.{'create' if is_new else 'update'}",
        target=instance,
        changes=model_changes(instance, fields),
    )
    return instance


@transaction.atomic
def org_object_delete(*, actor, instance: models.Model) -> None:
    """Delete one registry record; a record others depend on raises ProtectedError."""
    _check_in_scope(actor=actor, instance=instance)
    audit_record(
        actor=actor, action=f"{instance._meta.model_name}.delete", target=instance
    )
    instance.delete()


@transaction.atomic
def role_assign(
    *,
    actor,
    person: Person,
    kind: str,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    **targets,
) -> Role:
    """Give ``person`` a role of ``kind`` held in ``targets`` for a term."""
    role = Role(
        person=person,
        kind=kind,
        start_date=start_date or calendar.today(),
        end_date=end_date,
        **targets,
    )
    return org_object_save(actor=actor, instance=role)


@transaction.atomic
def role_end(*, actor, role: Role, end_date: datetime.date) -> Role:
    """End ``role`` on ``end_date``; from the next day it opens nothing."""
    role.end_date = end_date
    return org_object_save(actor=actor, instance=role)


@transaction.atomic
def staff_account_create(
    *, actor, person: Person, username: str, password: str
) -> "models.Model":
    """Create a staff login for ``person``; their roles will decide its scope."""
    User = get_user_model()
    user = User(username=username, first_name=person.name, is_staff=True)
    user.set_password(password)
    user.full_clean()
    user.save()
    person.user = user
    org_object_save(actor=actor, instance=person)
    audit_record(actor=actor, action="user.create", target=user)
    return user


# --- field work: household tags, patrols, home visits ---------------------------


def actor_person(actor) -> Person:
    """The register entry of a staff account: who patrols and visits."""
    person = getattr(actor, "person", None) if getattr(actor, "pk", None) else None
    if person is None:
        raise PermissionDenied(
            _("Your account is not linked to a person on the register.")
        )
    return person


def _check_may(actor, permission: str, target: models.Model) -> None:
    if not actor.has_perm(permission) or not user_can_see(actor, target):
        raise PermissionDenied(_("You may not do this here."))


@transaction.atomic
def household_tag_add(
    *, actor, household: Household, tag: Tag, note: str = ""
) -> HouseholdTag:
    """Tag a household (独居老人, 低保 …); tagging it again changes the note."""
    if actor is not None:
        _check_may(actor, "grids.add_householdtag", household)
    if not tag.is_active:
        raise ValidationError({"tag": _("This tag is no longer in use.")})
    existing = HouseholdTag.objects.filter(household=household, tag=tag).first()
    if existing is not None:
        if note and note != existing.note:
            existing.note = note
            return org_object_save(actor=actor, instance=existing)
        return existing
    return org_object_save(
        actor=actor, instance=HouseholdTag(household=household, tag=tag, note=note)
    )


@transaction.atomic
def household_tag_remove(*, actor, household_tag: HouseholdTag) -> None:
    """Take a tag off a household (the audit trail keeps that it was there)."""
    if actor is not None:
        _check_may(actor, "grids.delete_householdtag", household_tag.household)
    org_object_delete(actor=actor, instance=household_tag)


def _may_patrol(user, patrol: Patrol) -> bool:
    return user.has_perm("grids.change_patrol") and user_can_see(user, patrol)


@transaction.atomic
def patrol_start(*, actor, grid: Grid) -> Patrol:
    """Start a round of ``grid``; a second tap returns the round under way."""
    person = actor_person(actor)
    _check_may(actor, "grids.add_patrol", grid)
    ongoing = Patrol.objects.filter(person=person, status=Patrol.Status.ONGOING)
    if (current := ongoing.first()) is not None:
        return current
    patrol = Patrol(grid=grid, person=person, started_at=timezone.now())
    patrol.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():  # a double tap may have started it first
            patrol.save()
    except IntegrityError:
        return ongoing.get()
    PATROL.record_event(patrol, action="start", before="", actor=actor)
    return patrol


@transaction.atomic
def patrol_end(*, actor, patrol: Patrol, note: str = "") -> Patrol:
    """End a round with a summary of it."""
    note = (note or "").strip()[:1000]

    def change(locked, step):
        locked.ended_at = max(timezone.now(), locked.started_at)
        locked.note = note

    return PATROL.apply(
        patrol,
        "end",
        actor=actor,
        note=note,
        inputs={"note": note},
        may=_may_patrol,
        change=change,
    )


def patrol_end_left_open(*, now: datetime.datetime | None = None) -> int:
    """End the rounds left open longer than ``GRIDS_PATROL_MAX_HOURS``, at
    their last finding (or their start); return how many. Safe to run twice."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(hours=settings.GRIDS_PATROL_MAX_HOURS)
    ended = 0
    for patrol in Patrol.objects.filter(
        status=Patrol.Status.ONGOING, started_at__lt=limit
    ):

        def change(locked, step):
            last = locked.findings.aggregate(at=models.Max("created_at"))["at"]
            locked.ended_at = max(last or locked.started_at, locked.started_at)

        try:
            PATROL.apply(
                patrol,
                "auto_end",
                actor_label=_("system"),
                note=_("Left open for more than %(hours)s hours: ended.")
                % {"hours": settings.GRIDS_PATROL_MAX_HOURS},
                change=change,
            )
        except ApplicationError:
            continue  # ended by its patroller in the meantime
        ended += 1
    return ended


@transaction.atomic
def finding_log(
    *,
    actor,
    patrol: Patrol,
    building: Building,
    kind: str,
    description: str,
    photo=None,
    is_handled: bool = False,
) -> PatrolFinding:
    """Log what a round found at a building, with a photo (cleaned of its
    metadata), while the round is under way."""
    locked = Patrol.objects.select_for_update().get(pk=patrol.pk)
    if not _may_patrol(actor, locked):
        raise PermissionDenied(_("You may not do this here."))
    if locked.status != Patrol.Status.ONGOING:
        raise ValidationError(_("This patrol has ended: start a new one."))
    if building.grid_id != locked.grid_id:
        raise ValidationError({"building": _("This building is in another grid.")})
    finding = PatrolFinding(
        patrol=locked,
        building=building,
        kind=kind,
        description=(description or "").strip(),
        is_handled=is_handled,
        created_at=timezone.now(),
    )
    finding.full_clean(exclude=["photo"])
    if photo:
        content = extensions.photo_cleaner()(photo)
        finding.photo.save(content.name, content, save=False)
    finding.save()
    audit_record(
        actor=actor,
        action="patrolfinding.create",
        target=finding,
        changes=model_changes(finding, ["patrol", "building", "kind", "is_handled"]),
    )
    return finding


@transaction.atomic
def finding_follow_up(*, actor, finding: PatrolFinding, kind: str, **data):
    """Turn a finding into what ``kind`` makes (a case): once; a second tap
    returns the first record."""
    follow_up = extensions.follow_up(extensions.FINDING, kind)
    if follow_up is None:
        raise ValidationError(_("Unknown follow-up."))
    locked = PatrolFinding.objects.select_for_update().get(pk=finding.pk)
    if not (follow_up.may(actor) and user_can_see(actor, locked)):
        raise PermissionDenied(_("You may not do this here."))
    made = follow_up.made(locked)
    if made:
        return made[0]
    return follow_up.create(actor=actor, source=locked, **data)


@transaction.atomic
def visit_record(
    *,
    actor,
    household: Household,
    findings: str,
    met: str = "",
    need: str = "",
    visited_at: datetime.datetime | None = None,
    follow_up: str = "",
    follow_up_data: dict | None = None,
) -> Visit:
    """Record a home visit; a need found there becomes a case or a wish in
    the same step (``follow_up``: a kind of ``extensions.follow_ups("visit")``)."""
    person = actor_person(actor)
    _check_may(actor, "grids.add_visit", household)
    now = timezone.now()
    visited_at = visited_at or now
    if visited_at > now + datetime.timedelta(minutes=5):
        raise ValidationError({"visited_at": _("A visit cannot be in the future.")})
    visit = Visit(
        household=household,
        visitor=person,
        visited_at=visited_at,
        met=(met or "").strip(),
        findings=(findings or "").strip(),
        need=(need or "").strip(),
    )
    visit.full_clean()
    visit.save()
    audit_record(
        actor=actor,
        action="visit.create",
        target=visit,
        changes=model_changes(visit, ["household", "visitor", "visited_at"]),
    )
    if follow_up:
        hook = extensions.follow_up(extensions.VISIT, follow_up)
        if hook is None:
            raise ValidationError({"follow_up": _("Unknown follow-up.")})
        if not visit.need:
            raise ValidationError({"need": _("Say what the need is.")})
        if not hook.may(actor):
            raise PermissionDenied(_("You may not do this here."))
        hook.create(actor=actor, source=visit, **(follow_up_data or {}))
    return visit
