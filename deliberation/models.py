"""Deliberation: bodies that meet on a schedule, their meetings, and major
matters that go to the party organisation before the owners decide
(重大事项支部决策前置, seed 002)."""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import StateEvent, TimeStampedModel
from grids.models import (
    Community,
    Compound,
    Household,
    PartyOrganization,
    below_community,
)


class DeliberationBody(TimeStampedModel):
    """A deliberation body of a community or compound, with its meeting rule."""

    class Kind(models.TextChoices):
        HALL = "hall", _("red-property deliberation hall (议事厅)")
        JOINT = "joint", _("joint meeting (联席会议)")
        VANGUARD = "vanguard", _("vanguard union (先锋联合会)")
        STOOL = "stool", _("small-stool meeting (小板凳议事会)")
        ASSEMBLY = "assembly", _("owners' assembly")

    class Rule(models.TextChoices):
        MONTHLY_DAY = "monthly_day", _("monthly, on a day of the month")
        MONTHLY_WEEKDAY = "monthly_weekday", _("monthly, on the n-th weekday")
        FENGSI = "fengsi", _("逢四: the 4th, 14th and 24th")
        WEEKLY = "weekly", _("weekly")
        ONCE = "once", _("one-off")

    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="deliberation_bodies",
    )
    compound = models.ForeignKey(
        Compound,
        verbose_name=_("compound"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliberation_bodies",
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    host = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("host organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliberation_bodies",
    )
    rule = models.CharField(_("meets"), max_length=20, choices=Rule.choices)
    day_of_month = models.PositiveSmallIntegerField(
        _("day of the month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    nth = models.SmallIntegerField(
        _("which week (1–5, -1 = last)"),
        null=True,
        blank=True,
        choices=[(-1, "-1"), (1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5")],
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday (0 = Monday)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(6)],
    )
    start_time = models.TimeField(_("starts at"), default=datetime.time(19, 0))
    duration_minutes = models.PositiveSmallIntegerField(_("minutes"), default=90)
    place = models.CharField(_("place"), max_length=100, blank=True)
    must_meet_monthly = models.BooleanField(_("must meet every month"), default=True)
    members = models.ManyToManyField(
        "grids.Person",
        verbose_name=_("standing members"),
        blank=True,
        related_name="deliberation_bodies",
    )

    scope_paths = below_community("community", ["compound__buildings__grid"])

    class Meta:
        verbose_name = _("deliberation body")
        verbose_name_plural = _("deliberation bodies")
        ordering = ["community__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(rule="monthly_day") | Q(day_of_month__isnull=False),
                name="deliberationbody_monthly_day_has_day",
            ),
            models.CheckConstraint(
                condition=~Q(rule="monthly_weekday")
                | Q(nth__isnull=False, weekday__isnull=False),
                name="deliberationbody_monthly_weekday_has_day",
            ),
            models.CheckConstraint(
                condition=~Q(rule="weekly") | Q(weekday__isnull=False),
                name="deliberationbody_weekly_has_weekday",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.compound_id and self.compound.community_id != self.community_id:
            errors["compound"] = _("The compound belongs to another community.")
        if self.host_id and self.host.community_id not in (None, self.community_id):
            errors["host"] = _("The organisation belongs to another community.")
        if errors:
            raise ValidationError(errors)


def _sign_in_token() -> str:
    return secrets.token_urlsafe(12)


class Meeting(TimeStampedModel):
    """One meeting of a body. ``series_date`` is the date the rule gave it: a
    moved meeting keeps it, so the series is never created twice."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        CANCELLED = "cancelled", _("cancelled")
        CLOSED = "closed", _("closed")

    body = models.ForeignKey(
        DeliberationBody,
        verbose_name=_("body"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    series_date = models.DateField(_("date in the series"), null=True, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    minutes = models.TextField(_("minutes"), blank=True)
    sign_in_token = models.CharField(
        _("sign-in code"), max_length=32, unique=True, default=_sign_in_token
    )
    publish_until = models.DateField(
        _("decisions shown to residents until"), null=True, blank=True
    )

    scope_paths = below_community(
        "body__community", ["body__compound__buildings__grid"]
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "series_date"], name="meeting_unique_series_date"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["body", "starts_at"], name="meeting_body_idx")]

    def __str__(self):
        return f"{self.body} {timezone.localtime(self.starts_at):%Y-%m-%d}"


class MeetingEvent(StateEvent):
    """The timeline of a meeting: planned, moved, closed with its minutes, or
    cancelled with the reason."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="events",
    )

    class Meta(StateEvent.Meta):
        verbose_name = _("meeting timeline entry")
        verbose_name_plural = _("meeting timeline")

    def __str__(self):
        return f"{self.meeting} {self.action}"


class MajorMatter(TimeStampedModel):
    """A major matter of a compound: the party organisation passes it before the
    owners decide, then it is publicised and carried out."""

    class Kind(models.TextChoices):
        ELEVATOR = "elevator", _("installing an elevator")
        FUND_USE = "fund_use", _("using the maintenance fund")
        FUND_RAISE = "fund_raise", _("raising the maintenance fund")
        COMPANY_CHANGE = "company_change", _("changing the property company")
        FEE_CHANGE = "fee_change", _("changing fees")
        COMMON_PARTS = "common_parts", _("changing the use of common parts")
        REBUILD = "rebuild", _("rebuilding")
        OTHER = "other", _("other major matter")

    #: Article 278: these need three quarters, the others more than half.
    SPECIAL_KINDS = (Kind.FUND_RAISE, Kind.REBUILD, Kind.COMMON_PARTS)

    class Status(models.TextChoices):
        RAISED = "raised", _("raised")
        SENT_BACK = "sent_back", _("sent back by the party organisation")
        PARTY_PASSED = "party_passed", _("passed by the party organisation")
        OWNERS_PASSED = "owners_passed", _("passed by the owners")
        OWNERS_REJECTED = "owners_rejected", _("not passed by the owners")
        PUBLICISED = "publicised", _("publicised")
        IMPLEMENTED = "implemented", _("implemented")

    compound = models.ForeignKey(
        Compound,
        verbose_name=_("compound"),
        on_delete=models.PROTECT,
        related_name="major_matters",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    party_org = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("responsible party organisation"),
        on_delete=models.PROTECT,
        related_name="major_matters",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RAISED
    )
    party_opinion = models.TextField(_("party organisation's opinion"), blank=True)
    party_decided_at = models.DateTimeField(
        _("party decided at"), null=True, blank=True
    )
    outcome = models.JSONField(_("vote outcome"), default=dict, blank=True)
    owners_decided_at = models.DateTimeField(
        _("owners decided at"), null=True, blank=True
    )
    # Owners with a verified phone vote online in this window; paper votes
    # collected in it may still be typed in after it, until the count.
    voting_opens_at = models.DateTimeField(
        _("e-voting opens at"), null=True, blank=True
    )
    voting_closes_at = models.DateTimeField(
        _("e-voting closes at"), null=True, blank=True
    )

    scope_paths = below_community("compound__community", ["compound__buildings__grid"])

    class Meta:
        verbose_name = _("major matter")
        verbose_name_plural = _("major matters")
        ordering = ["-created_at"]
        constraints = [
            # The gate in the database as well: no owners' decision without the
            # party organisation's decision before it.
            models.CheckConstraint(
                condition=Q(owners_decided_at__isnull=True)
                | Q(party_decided_at__isnull=False),
                name="majormatter_party_decides_first",
            ),
            models.CheckConstraint(
                condition=Q(voting_opens_at__isnull=True)
                | Q(voting_closes_at__gt=F("voting_opens_at")),
                name="majormatter_voting_closes_after_opening",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if (
            self.party_org_id
            and self.compound_id
            and self.party_org.community_id != self.compound.community_id
        ):
            raise ValidationError(
                {"party_org": _("The organisation belongs to another community.")}
            )

    @property
    def is_special(self) -> bool:
        return self.kind in self.SPECIAL_KINDS

    def voting_is_open(self, now=None) -> bool:
        """Whether owners may vote online now: the party organisation passed
        the matter, the count has not been made, and the window is open."""
        now = now or timezone.now()
        return (
            self.status == self.Status.PARTY_PASSED
            and self.voting_opens_at is not None
            and self.voting_opens_at <= now < self.voting_closes_at
        )


class OwnerVote(models.Model):
    """One household's vote on a major matter, with its floor area then."""

    class Choice(models.TextChoices):
        AGREE = "agree", _("agree")
        DISAGREE = "disagree", _("disagree")
        ABSTAIN = "abstain", _("abstain")

    class Channel(models.TextChoices):
        PAPER = "paper", _("paper ballot, typed in by staff")
        ONLINE = "online", _("online, by the owner's verified phone")

    matter = models.ForeignKey(
        MajorMatter,
        verbose_name=_("major matter"),
        on_delete=models.CASCADE,
        related_name="votes",
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="owner_votes",
    )
    choice = models.CharField(_("vote"), max_length=10, choices=Choice.choices)
    floor_area = models.DecimalField(
        _("floor area (m²)"), max_digits=8, decimal_places=2
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    channel = models.CharField(
        _("cast"), max_length=10, choices=Channel.choices, default=Channel.PAPER
    )
    # The verified phone an online vote was cast with (the owner's 我的 lists
    # it); empty for paper ballots.
    phone = models.CharField(_("voter's phone"), max_length=11, blank=True)

    class Meta:
        verbose_name = _("owner's vote")
        verbose_name_plural = _("owners' votes")
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "household"], name="ownervote_once_per_household"
            )
        ]
        indexes = [
            models.Index(
                fields=["phone"],
                condition=~Q(phone=""),
                name="ownervote_phone_idx",
            )
        ]

    def __str__(self):
        return f"{self.household}: {self.get_choice_display()}"


class MajorMatterEvent(StateEvent):
    """The timeline of a major matter."""

    matter = models.ForeignKey(
        MajorMatter,
        verbose_name=_("major matter"),
        on_delete=models.CASCADE,
        related_name="events",
    )

    class Meta(StateEvent.Meta):
        verbose_name = _("major-matter timeline entry")
        verbose_name_plural = _("major-matter timeline")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.matter} {self.action}"


class Proposal(TimeStampedModel):
    """A resident's proposal for the agenda, which neighbours can support."""

    class Status(models.TextChoices):
        OPEN = "open", _("collecting support")
        SCHEDULED = "scheduled", _("on an agenda")
        DECLINED = "declined", _("declined")

    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text"), max_length=2000)
    proposer_name = models.CharField(_("proposer"), max_length=50, blank=True)
    proposer_phone = models.CharField(_("proposer's phone"), max_length=11)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    support_count = models.PositiveIntegerField(_("supporters"), default=0)

    scope_paths = below_community("community", [])

    class Meta:
        verbose_name = _("resident proposal")
        verbose_name_plural = _("resident proposals")
        ordering = ["-support_count", "-created_at"]

    def __str__(self):
        return self.title


class ProposalSupport(models.Model):
    """One supporter of a proposal, counted once per phone number."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="supports"
    )
    phone = models.CharField(max_length=11)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "phone"], name="proposalsupport_once_per_phone"
            )
        ]

    def __str__(self):
        return f"{self.proposal}: {self.phone[:3]}****"


class AgendaTopic(TimeStampedModel):
    """A topic on a meeting's agenda and the decision taken on it."""

    class Source(models.TextChoices):
        PETITION = "petition", _("resident's case")
        PROPOSAL = "proposal", _("resident proposal")
        STAFF = "staff", _("staff")
        CARRIED = "carried", _("unfinished action item")

    class Decision(models.TextChoices):
        ADOPTED = "adopted", _("adopted")
        REJECTED = "rejected", _("rejected")
        DEFERRED = "deferred", _("deferred")
        REFERRED = "referred", _("referred")

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="topics",
    )
    title = models.CharField(_("topic"), max_length=200)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    petition = models.ForeignKey(
        "petitions.Petition",
        verbose_name=_("resident report"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agenda_topics",
    )
    proposal = models.ForeignKey(
        Proposal,
        verbose_name=_("resident proposal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agenda_topics",
    )
    carried_item = models.ForeignKey(
        "deliberation.ActionItem",
        verbose_name=_("carried-over action item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="carried_into",
    )
    decision = models.CharField(
        _("decision"), max_length=20, choices=Decision.choices, blank=True
    )
    decision_text = models.TextField(_("decision in words"), blank=True)
    votes_for = models.PositiveIntegerField(_("for"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("against"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("abstained"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    scope_paths = below_community("meeting__body__community", [])

    class Meta:
        verbose_name = _("agenda topic")
        verbose_name_plural = _("agenda topics")
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "carried_item"],
                condition=Q(carried_item__isnull=False),
                name="agendatopic_item_carried_once",
            )
        ]

    def __str__(self):
        return self.title


class ActionItem(TimeStampedModel):
    """Follow-through of a decision: who does what by when, and how it goes."""

    class Status(models.TextChoices):
        OPEN = "open", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    UNFINISHED = (Status.OPEN, Status.IN_PROGRESS)

    topic = models.ForeignKey(
        AgendaTopic,
        verbose_name=_("agenda topic"),
        on_delete=models.CASCADE,
        related_name="action_items",
    )
    title = models.CharField(_("action"), max_length=200)
    owner = models.ForeignKey(
        "grids.Person",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    due_date = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    scope_paths = below_community("topic__meeting__body__community", [])

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["status", "due_date"], name="actionitem_due_idx")
        ]

    def __str__(self):
        return self.title


class ActionItemUpdate(models.Model):
    """A dated entry of an action item's progress."""

    item = models.ForeignKey(
        ActionItem, on_delete=models.CASCADE, related_name="updates"
    )
    status = models.CharField(max_length=20, choices=ActionItem.Status.choices)
    progress = models.PositiveSmallIntegerField(default=0)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.item}: {self.get_status_display()} {self.progress}%"


class Attendance(models.Model):
    """One sign-in at a meeting, by the meeting's QR code or by staff."""

    class Method(models.TextChoices):
        QR = "qr", _("scanned the meeting's QR code")
        STAFF = "staff", _("checked in by staff")

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=11, blank=True)
    person = models.ForeignKey(
        "grids.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attendance",
    )
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    signed_in_at = models.DateTimeField(_("signed in at"), default=timezone.now)

    scope_paths = below_community("meeting__body__community", [])

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["signed_in_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "phone"],
                condition=~Q(phone=""),
                name="attendance_once_per_phone",
            )
        ]

    def __str__(self):
        return self.name


# Disclosure (公示) lives in its own module; imported here so that Django
# finds its models.
from .disclosures.models import (  # noqa: E402, F401
    DisclosureAttachment,
    DisclosureEntry,
)
