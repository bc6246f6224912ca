"""Every write of volunteer service. Hours count only once an organiser has
verified them; a wish is claimed by exactly one volunteer."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core import calendar
from core.lifecycle import VOLUNTEER, Conflict
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
)
from .workflow import REGISTRATION, SIGNUP, WISH

CHECK_IN_EARLY = datetime.timedelta(minutes=30)
CHECK_OUT_LATE = datetime.timedelta(hours=1)


def _phone(value: str) -> str:
    phone = normalize_mobile(value)
    validate_mobile(phone)
    return phone


def _check_visible(actor, obj) -> None:
    if not _may(actor, obj):
        raise PermissionDenied(_("You may not act on this."))


def _may(actor, record) -> bool:
    """Staff act on what they may see; ``None`` is the system or the demo."""
    return actor is None or user_can_see(actor, record)


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
    REGISTRATION.record_event(
        registration, action="submit", before="", actor_label=registration.name
    )
    return registration


def _enrol_member(registration: Registration, *, grid, team) -> Person:
    """Put the registered member on the register as an in-service member."""
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
    member.reported_date = calendar.today()
    org_object_save(actor=None, instance=member)
    if team is not None:
        team.members.add(person)
    return person


@transaction.atomic
def registration_confirm(
    *, registration: Registration, actor, grid=None, team=None, target_hours=None
) -> Registration:
    """Confirm a registration: the member joins the register as an in-service
    party member (双报到), placed in a grid and optionally a team."""
    if grid is not None and grid.community_id != registration.community_id:
        raise ValidationError({"grid": _("The grid belongs to another community.")})

    def change(locked, step):
        locked.person = _enrol_member(locked, grid=grid, team=team)
        locked.grid, locked.team = grid, team
        if target_hours is not None:
            locked.yearly_target_hours = target_hours

    return REGISTRATION.apply(
        registration, "confirm", actor=actor, may=_may, change=change
    )


@transaction.atomic
def registration_reject(
    *, registration: Registration, actor, reason: str
) -> Registration:
    """Turn a registration down, saying why (it is on its timeline)."""
    reason = (reason or "").strip()
    return REGISTRATION.apply(
        registration,
        "reject",
        actor=actor,
        note=reason,
        inputs={"note": reason},
        may=_may,
    )


# --- activities and hours ------------------------------------------------------


def _place_for(activity: Activity) -> str:
    """A place if one is free and nobody waits (nobody jumps the queue)."""
    taken = activity.signups.filter(status=SignUp.Status.CONFIRMED).count()
    queue = activity.signups.filter(status=SignUp.Status.WAITING).exists()
    free = taken < activity.capacity and not queue
    return SignUp.Status.CONFIRMED if free else SignUp.Status.WAITING


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
    status = _place_for(activity)
    if existing is not None:

        def change(locked, step):
            locked.placed, locked.created_at = status, timezone.now()

        return SIGNUP.apply(
            existing, "sign_up_again", actor_label=existing.name, change=change
        )
    if not name.strip():
        raise ValidationError({"name": _("Write your name.")})
    signup = SignUp.objects.create(
        activity=activity,
        name=name.strip()[:50],
        phone=phone,
        person=person,
        status=status,
    )
    SIGNUP.record_event(signup, action="sign_up", before="", actor_label=signup.name)
    return signup


@transaction.atomic
def activity_cancel(*, signup: SignUp) -> SignUp:
    """Give up a place; the first on the waiting list moves up."""
    Activity.objects.select_for_update().get(pk=signup.activity_id)

    def change(locked, step):
        if locked.verified_at is not None:
            raise ValidationError(_("Verified hours cannot be cancelled."))

    signup = SIGNUP.apply(signup, "cancel", actor_label=signup.name, change=change)
    activity_rebalance(activity=signup.activity)
    return signup


@transaction.atomic
def activity_rebalance(*, activity: Activity) -> int:
    """Move waiting volunteers up, in order, while there are free places;
    return how many moved up (after a cancel or a larger capacity)."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    confirmed = activity.signups.filter(status=SignUp.Status.CONFIRMED).count()
    free = max(activity.capacity - confirmed, 0)
    waiting = activity.signups.filter(status=SignUp.Status.WAITING)
    moved = 0
    for signup in waiting.order_by("created_at", "id")[:free]:
        SIGNUP.apply(signup, "move_up", actor_label=_("system"))
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
    if signup.check_out_at is not None:
        return signup  # in and out already: a third scan changes nothing
    field = "check_in_at" if signup.check_in_at is None else "check_out_at"

    def change(locked, step):
        setattr(locked, field, now)

    return SIGNUP.apply(
        signup,
        "check_in" if field == "check_in_at" else "check_out",
        actor_label=signup.name,
        change=change,
    )


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
    if signup.status != SignUp.Status.CONFIRMED:
        raise ValidationError(_("Only a confirmed volunteer's hours can be verified."))

    def change(locked, step):
        verified = proposed_hours(locked) if hours is None else Decimal(hours)
        if verified < 0 or verified > locked.activity.duration_hours:
            raise ValidationError(
                {
                    "verified_hours": _("Hours must be between 0 and %(max)s.")
                    % {"max": locked.activity.duration_hours}
                }
            )
        locked.verified_hours = verified
        locked.verified_by = actor if getattr(actor, "pk", None) else None
        locked.verified_at = timezone.now()

    return SIGNUP.apply(
        signup,
        "verify",
        actor=actor,
        note=lambda s: _("%(hours)s hours") % {"hours": s.verified_hours},
        may=_may,
        change=change,
    )


# --- micro-wishes ------------------------------------------------------------------


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
    visit=None,
) -> Wish:
    """A resident (or staff for them, also from a home ``visit``) posts a
    wish; staff review it first."""
    wish = Wish(
        visit=visit,
        community=community,
        title=title.strip(),
        text=text.strip(),
        wisher_name=wisher_name.strip(),
        wisher_phone=_phone(wisher_phone) if wisher_phone else "",
        beneficiary_kind=beneficiary_kind,
    )
    wish.full_clean()
    wish.save()
    WISH.record_event(
        wish,
        action="post",
        before="",
        actor=actor,
        actor_label=str(actor or wisher_name),
    )
    return wish


@transaction.atomic
def wish_review(*, wish: Wish, actor, publish: bool, note: str = "") -> Wish:
    """Staff publish a posted wish for volunteers to claim, or turn it down."""

    def change(locked, step):
        if publish:
            locked.published_at = timezone.now()

    return WISH.apply(
        wish,
        "publish" if publish else "reject",
        actor=actor,
        note=note,
        may=_may,
        change=change,
    )


@transaction.atomic
def wish_claim(*, wish: Wish, name: str, phone: str) -> Wish:
    """A volunteer claims a published wish; a second claim at once is refused."""
    if not name.strip():
        raise ValidationError({"name": _("Write your name.")})
    phone = _phone(phone)

    def change(locked, step):
        locked.claimer_name = name.strip()[:50]
        locked.claimer_phone = phone
        locked.claimed_at = timezone.now()

    return WISH.apply(
        wish, "claim", who=VOLUNTEER, actor_label=name.strip()[:50], change=change
    )


@transaction.atomic
def wish_fulfil(*, wish: Wish, phone: str, photo=None, note: str = "") -> Wish:
    """The volunteer who claimed it reports it fulfilled, with a photo."""
    content = clean_photo(photo) if photo is not None else None

    def change(locked, step):
        if normalize_mobile(phone) != locked.claimer_phone:
            raise PermissionDenied(
                _("Only the volunteer who claimed it can report it done.")
            )
        locked.fulfilled_at = timezone.now()
        if content is not None:
            locked.photo.save(content.name, content, save=False)

    return WISH.apply(
        wish,
        "fulfil",
        who=VOLUNTEER,
        actor_label=wish.claimer_name,
        note=note,
        change=change,
    )


@transaction.atomic
def wish_confirm(*, wish: Wish, rating: str, actor=None, actor_label="") -> Wish:
    """The wisher (or staff for them) confirms it came true and rates it."""
    if rating not in ("satisfied", "fairly", "dissatisfied"):
        raise ValidationError({"rating": _("Choose how satisfied you are.")})

    def change(locked, step):
        locked.confirmed_at = timezone.now()
        locked.rating = rating

    return WISH.apply(
        wish,
        "confirm_for" if actor is not None else "confirm",
        actor=actor,
        actor_label=actor_label,
        inputs={"rating": rating},
        may=_may,
        change=change,
    )


# --- two-way lists and stations --------------------------------------------------


@transaction.atomic
def service_item_claim(
    *, item: ServiceItem, claimed_by: str, phone: str = ""
) -> ServiceItem:
    """The other side takes up a resource or a need; one claim wins. A
    resident claims with the phone they proved (``phone``)."""
    phone = _phone(phone) if phone else ""
    moved = ServiceItem.objects.filter(
        pk=item.pk, status=ServiceItem.Status.OPEN
    ).update(
        status=ServiceItem.Status.CLAIMED,
        claimed_by=claimed_by.strip()[:100],
        claimer_phone=phone,
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
