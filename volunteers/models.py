"""Volunteer service: 双报到 registrations, teams, activities with verified
hours, micro-wishes, two-way service lists and emergency stations."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import StateEvent, TimeStampedModel
from core.phones import validate_mobile
from grids.models import (
    Community,
    Compound,
    Grid,
    Household,
    Person,
    Visit,
    below_community,
)


def _token() -> str:
    return secrets.token_urlsafe(12)


class Team(TimeStampedModel):
    """A volunteer team (红领管家) or one of its sub-teams (文明传递, 矛盾调处…)."""

    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="teams",
    )
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_teams",
    )
    leader = models.ForeignKey(
        Person,
        verbose_name=_("leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )
    members = models.ManyToManyField(
        Person, verbose_name=_("members"), blank=True, related_name="teams"
    )

    scope_paths = below_community("community", [])

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        ordering = ["community__name", "name"]

    def __str__(self):
        return self.name


class Registration(TimeStampedModel):
    """An in-service party member reporting to their residential community
    (双报到); staff confirm it and place the member in a grid."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for confirmation")
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("rejected")

    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("home household"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    name = models.CharField(_("full name"), max_length=50)
    phone = models.CharField(
        _("mobile phone"), max_length=11, validators=[validate_mobile]
    )
    work_unit = models.CharField(_("work unit"), max_length=100)
    work_unit_party_org = models.CharField(
        _("party organisation at work"), max_length=100
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid served"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
    )
    yearly_target_hours = models.PositiveSmallIntegerField(
        _("yearly service target (hours)"), default=20
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
    )

    scope_paths = below_community("community", ["grid"])

    def clean(self):
        errors = {}
        if (
            self.household_id
            and self.household.unit.building.compound.community_id != self.community_id
        ):
            errors["household"] = _("This household is not in %(c)s.") % {
                "c": self.community
            }
        if self.grid_id and self.grid.community_id != self.community_id:
            errors["grid"] = _("The grid belongs to another community.")
        if self.team_id and self.team.community_id != self.community_id:
            errors["team"] = _("The team belongs to another community.")
        if errors:
            raise ValidationError(errors)

    class Meta:
        verbose_name = _("双报到 registration")
        verbose_name_plural = _("双报到 registrations")
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class RegistrationEvent(StateEvent):
    """The timeline of a 双报到 registration: submitted, confirmed, rejected."""

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="events",
    )

    class Meta(StateEvent.Meta):
        verbose_name = _("registration timeline entry")
        verbose_name_plural = _("registration timeline")

    def __str__(self):
        return f"{self.registration} {self.action}"


class Activity(TimeStampedModel):
    """A volunteer activity residents and members sign up for."""

    class Kind(models.TextChoices):
        HAIRCUT = "haircut", _("free haircut (爱心义剪)")
        ELDERLY = "elderly", _("elderly visit (重阳敬老)")
        HEALTH = "health", _("health lecture")
        FIRE = "fire", _("fire-safety check")
        FRAUD = "fraud", _("anti-fraud talk")
        CLEANUP = "cleanup", _("clean-up")
        OTHER = "other", _("other")

    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    team = models.ForeignKey(
        Team,
        verbose_name=_("organising team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    place = models.CharField(_("place"), max_length=100)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(
        _("places"), validators=[MinValueValidator(1)]
    )
    beneficiaries = models.PositiveIntegerField(_("residents served"), default=0)
    check_in_token = models.CharField(
        _("check-in code"), max_length=32, unique=True, default=_token
    )

    scope_paths = below_community("community", [])

    class Meta:
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="activity_ends_after_start",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def duration_hours(self):
        from decimal import Decimal

        seconds = (self.ends_at - self.starts_at).total_seconds()
        return Decimal(seconds / 3600).quantize(Decimal("0.01"))


class SignUp(models.Model):
    """A volunteer's place at an activity, and the hours they served there.

    Only ``verified_hours`` count anywhere; ``check_in_at``/``check_out_at``
    give the organiser a proposal to verify or correct."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITING = "waiting", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="signups",
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=11)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="signups",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    created_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    check_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    check_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    verified_hours = models.DecimalField(
        _("verified hours"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    scope_paths = below_community("activity__community", [])

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "phone"], name="signup_once_per_phone"
            ),
            models.CheckConstraint(
                condition=Q(verified_hours__isnull=True) | Q(verified_hours__gte=0),
                name="signup_hours_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["verified_at"], name="signup_verified_idx"),
            # The organiser's list, in sign-up order.
            models.Index(fields=["created_at", "id"], name="signup_created_idx"),
        ]

    def __str__(self):
        return f"{self.activity}: {self.name}"

    @classmethod
    def counted_q(cls, prefix: str = "") -> models.Q:
        """The sign-ups whose hours count anywhere (lists, honour list,
        statistics): confirmed, with hours verified by staff. ``prefix`` is
        the path to the sign-up from another model ("signups__")."""
        return models.Q(
            **{
                f"{prefix}status": cls.Status.CONFIRMED,
                f"{prefix}verified_hours__isnull": False,
            }
        )


class SignUpEvent(StateEvent):
    """The timeline of a sign-up: signed up, moved up from the waiting list,
    cancelled, checked in and out, hours verified."""

    signup = models.ForeignKey(
        SignUp,
        verbose_name=_("sign-up"),
        on_delete=models.CASCADE,
        related_name="events",
    )

    class Meta(StateEvent.Meta):
        verbose_name = _("sign-up timeline entry")
        verbose_name_plural = _("sign-up timeline")

    def __str__(self):
        return f"{self.signup} {self.action}"


class Wish(TimeStampedModel):
    """A micro-wish (微心愿) of a resident, often old or a child."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("waiting for review")
        PUBLISHED = "published", _("published, waiting for a volunteer")
        CLAIMED = "claimed", _("claimed")
        FULFILLED = "fulfilled", _("fulfilled, waiting for confirmation")
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("not published")

    class Beneficiary(models.TextChoices):
        ELDERLY = "elderly", _("elderly")
        CHILD = "child", _("child")
        OTHER = "other", _("other")

    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="wishes",
    )
    title = models.CharField(_("wish"), max_length=100)
    text = models.TextField(_("details"), max_length=1000, blank=True)
    beneficiary_kind = models.CharField(
        _("for"), max_length=10, choices=Beneficiary.choices, default=Beneficiary.OTHER
    )
    wisher_name = models.CharField(_("wisher"), max_length=50)
    wisher_phone = models.CharField(
        _("wisher's phone"), max_length=11, blank=True, validators=[validate_mobile]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    claimer_name = models.CharField(_("volunteer"), max_length=50, blank=True)
    claimer_phone = models.CharField(
        _("volunteer's phone"), max_length=11, blank=True, validators=[validate_mobile]
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    photo = models.ImageField(
        _("photo of the fulfilled wish"), upload_to="wishes/", blank=True
    )
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    rating = models.CharField(
        _("rating"),
        max_length=20,
        blank=True,
        choices=[
            ("satisfied", _("satisfied")),
            ("fairly", _("fairly satisfied")),
            ("dissatisfied", _("dissatisfied")),
        ],
    )
    # A need a grid worker found on a home visit (the wish points at it).
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("home visit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wishes",
    )

    # A wish raised on a home visit belongs to the household's grid as well.
    scope_paths = below_community(
        "community", ["visit__household__unit__building__grid"]
    )

    class Meta:
        verbose_name = _("micro-wish")
        verbose_name_plural = _("micro-wishes")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "published_at"], name="wish_status_idx")
        ]

    def __str__(self):
        return self.title


class WishEvent(StateEvent):
    """The timeline of a micro-wish."""

    wish = models.ForeignKey(
        Wish, verbose_name=_("wish"), on_delete=models.CASCADE, related_name="events"
    )

    class Meta(StateEvent.Meta):
        verbose_name = _("wish timeline entry")
        verbose_name_plural = _("wish timeline")

    def __str__(self):
        return f"{self.wish} {self.action}"


class ServiceItem(TimeStampedModel):
    """An entry of the two-way service lists (双向认领): a resource a unit
    offers or a need residents or grids have; the other side claims it."""

    class Side(models.TextChoices):
        RESOURCE = "resource", _("resource offered")
        NEED = "need", _("need")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLAIMED = "claimed", _("claimed")
        DONE = "done", _("done")

    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="service_items",
    )
    side = models.CharField(_("list"), max_length=10, choices=Side.choices)
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("details"), blank=True)
    listed_by = models.CharField(_("listed by"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    claimed_by = models.CharField(_("claimed by"), max_length=100, blank=True)
    # The phone the claimer proved with a code (empty for claims staff record).
    claimer_phone = models.CharField(_("claimer's phone"), max_length=11, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    scope_paths = below_community("community", [])

    class Meta:
        verbose_name = _("service-list entry")
        verbose_name_plural = _("two-way service lists")
        ordering = ["side", "status", "-created_at"]

    def __str__(self):
        return self.title


class Station(TimeStampedModel):
    """An emergency service station (应急服务站, seed 003)."""

    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="stations",
    )
    name = models.CharField(_("name"), max_length=100)
    compounds = models.ManyToManyField(
        Compound,
        verbose_name=_("compounds covered"),
        blank=True,
        related_name="stations",
    )
    also_covers = models.CharField(
        _("also covers"),
        max_length=200,
        blank=True,
        help_text=_("e.g. 3 village blocks, 47 shops"),
    )
    key_holders = models.CharField(_("who holds the keys"), max_length=200)
    is_open_24h = models.BooleanField(_("open 24 hours"), default=True)

    scope_paths = below_community("community", [])

    class Meta:
        verbose_name = _("emergency station")
        verbose_name_plural = _("emergency stations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class StockItem(TimeStampedModel):
    """Equipment or supplies of a station, by class, with checks and expiry."""

    class Kind(models.TextChoices):
        EQUIPMENT = "equipment", _("rescue equipment")
        SUPPLY = "supply", _("supplies")

    station = models.ForeignKey(
        Station,
        verbose_name=_("station"),
        on_delete=models.CASCADE,
        related_name="stock",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    item_class = models.CharField(_("class"), max_length=50)
    name = models.CharField(_("name"), max_length=100)
    quantity = models.IntegerField(_("quantity"))
    min_quantity = models.PositiveIntegerField(_("alert below"), default=1)
    place = models.CharField(_("kept at"), max_length=100, blank=True)
    expiry_date = models.DateField(_("expires on"), null=True, blank=True)
    next_inspection_date = models.DateField(_("next inspection"), null=True, blank=True)

    scope_paths = below_community("station__community", [])

    class Meta:
        verbose_name = _("stock item")
        verbose_name_plural = _("stock")
        ordering = ["station", "kind", "item_class", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=0),
                name="stockitem_quantity_not_negative",
                violation_error_message=_("Stock cannot be negative."),
            )
        ]

    def __str__(self):
        return self.name


class RescueTeamMember(models.Model):
    station = models.ForeignKey(
        Station,
        verbose_name=_("station"),
        on_delete=models.CASCADE,
        related_name="rescuers",
    )
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=50, blank=True)

    scope_paths = below_community("station__community", [])

    class Meta:
        verbose_name = _("rescue-team member")
        verbose_name_plural = _("rescue team")

    def __str__(self):
        return self.name


class Training(models.Model):
    station = models.ForeignKey(
        Station,
        verbose_name=_("station"),
        on_delete=models.CASCADE,
        related_name="trainings",
    )
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=100)
    attendees = models.PositiveSmallIntegerField(_("attendees"), default=0)

    scope_paths = below_community("station__community", [])

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-date"]

    def __str__(self):
        return self.topic
