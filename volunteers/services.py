"""Every write of volunteer service. Hours count only once an organiser has
verified them; a wish is claimed by exactly one volunteer."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.phones import normalize_mobile, validate_mobile
from grids.models import PartyMember, Person
from grids.scoping import user_can_see
from grids.services import org_object_save
from petitions.photos import clean_photo

from .models import (
    Activity,
    Registration,
    ServiceItem,
    SignUp,
    StockItem,
    Wish,
    WishEvent,
)

CHECK_IN_EARLY = datetime.timedelta(minutes=30)
CHECK_OUT_LATE = datetime.timedelta(hours=1)


class Conflict(ApplicationError):
    status_code = 409


def _phone(value: str) -> str:
    phone = normalize_mobile(value)
    validate_mobile(phone)
    return phone


def _check_visible(actor, obj) -> None:
    if actor is not None and not user_can_see(actor, obj):
        raise PermissionDenied(_("You may not act on this."))


# --- 双报到 ------------------------------------------------------------------


@transaction.atomic
def registration_submit(
    *, community, household, name, phone, work_unit, work_unit_party_org
) -> Registration:
    """An in-service member reports to the community where they live."""
    if household.unit.building.compound.community_id != community.pk:
        raise ValidationError(
            {"household": _("This household is not in %(c)s.") % {"c": community.name}}
        )
    registration = Registration(
        community=community,
        household=household,
        name=name.strip(),
        phone=_phone(phone),
        work_unit=work_unit.strip(),
        work_unit_party_org=work_unit_party_org.strip(),
    )
    registration.full_clean()
    registration.save()
    return registration


@transaction.atomic
def registration_confirm(
    *, registration: Registration, actor, grid=None, team=None, target_hours=None
) -> Registration:
    """Confirm a registration: the member joins the register as an in-service
    party member (双报到), placed in a grid and optionally a team."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    _check_visible(actor, registration)
    if registration.status != Registration.Status.PENDING:
        raise Conflict(_("This registration was already handled."), code="handled")
    if grid is not None and grid.community_id != registration.community_id:
        raise ValidationError({"grid": _("The grid belongs to another community.")})
    person = Person.objects.filter(
        household=registration.household, name=registration.name
    ).first() or org_object_save(
        actor=None,
        instance=Person(
            community=registration.community,
            household=registration.household,
            name=registration.name,
            mobile=registration.phone,
        ),
    )
    member = PartyMember.objects.filter(person=person).first() or PartyMember(
        person=person
    )
    member.kind = PartyMember.Kind.IN_SERVICE
    member.community = registration.community
    member.grid = grid
    member.work_unit = registration.work_unit
    member.work_unit_party_org = registration.work_unit_party_org
    member.reported_date = timezone.localdate()
    org_object_save(actor=None, instance=member)
    if team is not None:
        team.members.add(person)
    registration.status = Registration.Status.CONFIRMED
    registration.person = person
    registration.grid = grid
    registration.team = team
    if target_hours is not None:
        registration.yearly_target_hours = target_hours
    registration.save()
    return registration


# --- activities and hours ------------------------------------------------------


@transaction.atomic
def activity_sign_up(
    *, activity: Activity, name: str, phone: str, person=None
) -> SignUp:
    """Take a place, or a place on the waiting list when the activity is full.
    Signing up twice with one phone returns the first sign-up."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    phone = _phone(phone)
    if activity.ends_at < timezone.now():
        raise ValidationError(_("This activity is over."))
    existing = activity.signups.filter(phone=phone).first()
    if existing is not None and existing.status != SignUp.Status.CANCELLED:
        return existing
    taken = activity.signups.filter(status=SignUp.Status.CONFIRMED).count()
    queue = activity.signups.filter(status=SignUp.Status.WAITING).exists()
    # Nobody jumps the queue: with people waiting, a newcomer waits too.
    free = taken < activity.capacity and not queue
    status = SignUp.Status.CONFIRMED if free else SignUp.Status.WAITING
    if existing is not None:
        existing.status, existing.created_at = status, timezone.now()
        existing.save(update_fields=["status", "created_at"])
        return existing
    if not name.strip():
        raise ValidationError({"name": _("Write your name.")})
    return SignUp.objects.create(
        activity=activity,
        name=name.strip()[:50],
        phone=phone,
        person=person,
        status=status,
    )


@transaction.atomic
def activity_cancel(*, signup: SignUp) -> SignUp:
    """Give up a place; the first on the waiting list moves up."""
    Activity.objects.select_for_update().get(pk=signup.activity_id)
    signup = SignUp.objects.get(pk=signup.pk)
    if signup.verified_at is not None:
        raise ValidationError(_("Verified hours cannot be cancelled."))
    signup.status = SignUp.Status.CANCELLED
    signup.save(update_fields=["status"])
    activity_rebalance(activity=signup.activity)
    return signup


@transaction.atomic
def activity_rebalance(*, activity: Activity) -> int:
    """Move waiting volunteers up, in order, while there are free places;
    return how many moved up (after a cancel or a larger capacity)."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    confirmed = activity.signups.filter(status=SignUp.Status.CONFIRMED).count()
    free = max(activity.capacity - confirmed, 0)
    moved = 0
    waiting = activity.signups.filter(status=SignUp.Status.WAITING)
    for signup in waiting.order_by("created_at", "id")[:free]:
        signup.status = SignUp.Status.CONFIRMED
        signup.save(update_fields=["status"])
        moved += 1
    return moved


@transaction.atomic
def activity_check(
    *, activity: Activity, phone: str, now: datetime.datetime | None = None
) -> SignUp:
    """Check a confirmed volunteer in, or out if already in; only from half an
    hour before the start to an hour after the end."""
    now = now or timezone.now()
    phone = _phone(phone)
    signup = activity.signups.filter(
        phone=phone, status=SignUp.Status.CONFIRMED
    ).first()
    if signup is None:
        raise ValidationError(_("No confirmed place for this number."))
    if not (
        activity.starts_at - CHECK_IN_EARLY <= now <= activity.ends_at + CHECK_OUT_LATE
    ):
        raise ValidationError(_("Check-in is open only around the activity's time."))
    if signup.check_in_at is None:
        signup.check_in_at = now
    elif signup.check_out_at is None:
        signup.check_out_at = now
    signup.save(update_fields=["check_in_at", "check_out_at"])
    return signup


def proposed_hours(signup: SignUp) -> Decimal:
    """Return the hours check-in and check-out suggest, inside the activity."""
    if signup.check_in_at is None:
        return Decimal(0)
    activity = signup.activity
    start = max(signup.check_in_at, activity.starts_at)
    end = min(signup.check_out_at or activity.ends_at, activity.ends_at)
    seconds = max((end - start).total_seconds(), 0)
    return Decimal(seconds / 3600).quantize(Decimal("0.01"))


@transaction.atomic
def signup_verify(*, signup: SignUp, actor, hours: Decimal | None = None) -> SignUp:
    """The organiser verifies (or corrects) a volunteer's hours; only verified
    hours count anywhere. Hours cannot exceed the activity's length."""
    signup = (
        SignUp.objects.select_for_update().select_related("activity").get(pk=signup.pk)
    )
    _check_visible(actor, signup)
    if signup.status != SignUp.Status.CONFIRMED:
        raise ValidationError(_("Only a confirmed volunteer's hours can be verified."))
    hours = proposed_hours(signup) if hours is None else Decimal(hours)
    if hours < 0 or hours > signup.activity.duration_hours:
        raise ValidationError(
            {
                "verified_hours": _("Hours must be between 0 and %(max)s.")
                % {"max": signup.activity.duration_hours}
            }
        )
    signup.verified_hours = hours
    signup.verified_by = actor if getattr(actor, "pk", None) else None
    signup.verified_at = timezone.now()
    signup.save()
    return signup


# --- micro-wishes ------------------------------------------------------------------


def _wish_event(wish, *, action, before, actor_label="", note=""):
    WishEvent.objects.create(
        wish=wish,
        action=action,
        from_status=before,
        to_status=wish.status,
        actor_label=actor_label,
        note=note,
    )


@transaction.atomic
def wish_post(
    *,
    community,
    title,
    text,
    wisher_name,
    wisher_phone="",
    beneficiary_kind="other",
    actor=None,
) -> Wish:
    """A resident (or staff for them) posts a wish; staff review it first."""
    wish = Wish(
        community=community,
        title=title.strip(),
        text=text.strip(),
        wisher_name=wisher_name.strip(),
        wisher_phone=_phone(wisher_phone) if wisher_phone else "",
        beneficiary_kind=beneficiary_kind,
    )
    wish.full_clean()
    wish.save()
    _wish_event(wish, action="post", before="", actor_label=str(actor or wisher_name))
    return wish


def _move(wish_id, *, expect, to, **fields) -> Wish:
    """Move a wish only if it is still in ``expect``: one UPDATE, so of two
    volunteers claiming at once exactly one wins."""
    moved = Wish.objects.filter(pk=wish_id, status=expect).update(status=to, **fields)
    if not moved:
        raise Conflict(
            _("Someone else got there first: this wish is no longer %(state)s.")
            % {"state": Wish.Status(expect).label},
            code="conflict",
        )
    return Wish.objects.get(pk=wish_id)


@transaction.atomic
def wish_review(*, wish: Wish, actor, publish: bool, note: str = "") -> Wish:
    _check_visible(actor, wish)
    to = Wish.Status.PUBLISHED if publish else Wish.Status.REJECTED
    extra = {"published_at": timezone.now()} if publish else {}
    wish = _move(wish.pk, expect=Wish.Status.SUBMITTED, to=to, **extra)
    _wish_event(
        wish,
        action="review",
        before=Wish.Status.SUBMITTED,
        actor_label=str(actor),
        note=note,
    )
    return wish


@transaction.atomic
def wish_claim(*, wish: Wish, name: str, phone: str) -> Wish:
    """A volunteer claims a published wish; a second claim at once is refused."""
    if not name.strip():
        raise ValidationError({"name": _("Write your name.")})
    wish = _move(
        wish.pk,
        expect=Wish.Status.PUBLISHED,
        to=Wish.Status.CLAIMED,
        claimer_name=name.strip()[:50],
        claimer_phone=_phone(phone),
        claimed_at=timezone.now(),
    )
    _wish_event(
        wish,
        action="claim",
        before=Wish.Status.PUBLISHED,
        actor_label=wish.claimer_name,
    )
    return wish


@transaction.atomic
def wish_fulfil(*, wish: Wish, phone: str, photo=None, note: str = "") -> Wish:
    """The volunteer who claimed it reports it fulfilled, with a photo."""
    if normalize_mobile(phone) != wish.claimer_phone:
        raise PermissionDenied(
            _("Only the volunteer who claimed it can report it done.")
        )
    wish = _move(
        wish.pk,
        expect=Wish.Status.CLAIMED,
        to=Wish.Status.FULFILLED,
        fulfilled_at=timezone.now(),
    )
    if photo is not None:
        content = clean_photo(photo)
        wish.photo.save(content.name, content, save=True)
    _wish_event(
        wish,
        action="fulfil",
        before=Wish.Status.CLAIMED,
        actor_label=wish.claimer_name,
        note=note,
    )
    return wish


@transaction.atomic
def wish_confirm(*, wish: Wish, rating: str, actor=None, actor_label="") -> Wish:
    """The wisher (or staff for them) confirms it came true and rates it."""
    if rating not in ("satisfied", "fairly", "dissatisfied"):
        raise ValidationError({"rating": _("Choose how satisfied you are.")})
    if actor is not None:
        _check_visible(actor, wish)
    wish = _move(
        wish.pk,
        expect=Wish.Status.FULFILLED,
        to=Wish.Status.CONFIRMED,
        confirmed_at=timezone.now(),
        rating=rating,
    )
    _wish_event(
        wish,
        action="confirm",
        before=Wish.Status.FULFILLED,
        actor_label=actor_label or str(actor or ""),
    )
    return wish


# --- two-way lists and stations --------------------------------------------------


@transaction.atomic
def service_item_claim(*, item: ServiceItem, claimed_by: str) -> ServiceItem:
    """The other side takes up a resource or a need; one claim wins."""
    moved = ServiceItem.objects.filter(
        pk=item.pk, status=ServiceItem.Status.OPEN
    ).update(
        status=ServiceItem.Status.CLAIMED,
        claimed_by=claimed_by.strip()[:100],
        claimed_at=timezone.now(),
    )
    if not moved:
        raise Conflict(_("This entry was already claimed."), code="conflict")
    return ServiceItem.objects.get(pk=item.pk)


@transaction.atomic
def service_item_done(*, item: ServiceItem, actor) -> ServiceItem:
    _check_visible(actor, item)
    moved = ServiceItem.objects.filter(
        pk=item.pk, status=ServiceItem.Status.CLAIMED
    ).update(status=ServiceItem.Status.DONE, done_at=timezone.now())
    if not moved:
        raise Conflict(_("Only a claimed entry can be done."), code="conflict")
    return ServiceItem.objects.get(pk=item.pk)


@transaction.atomic
def stock_adjust(*, item: StockItem, delta: int, actor) -> StockItem:
    """Take out or put back stock; it never goes below zero."""
    _check_visible(actor, item)
    try:
        with transaction.atomic():
            moved = StockItem.objects.filter(pk=item.pk, quantity__gte=-delta).update(
                quantity=F("quantity") + delta
            )
    except IntegrityError:
        moved = 0
    if not moved:
        raise ValidationError({"quantity": _("Stock cannot be negative.")})
    return StockItem.objects.get(pk=item.pk)
