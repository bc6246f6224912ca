"""Roll-up tables the district dashboards read instead of the raw records, and
the few things district staff enter for them (fees, targets, dashboard tokens).

Case grain: month × community × grid × property company (grid and company empty
where a case has none). Grid, community, subdistrict, district and company
figures are sums over it, so one table answers every dashboard question at the
size of the organisation, not of the cases. Medians cannot be summed, so each
row also counts its cases within each of a ladder of durations (cumulative
histogram columns, which do add up); a median is read from the sums at the
ladder's resolution. Meetings, action items, volunteer service and coverage
are rolled up per month and community; a grid's field work (patrols,
findings, home visits and their coverage) per month and grid.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core import calendar
from grids.models import (
    Community,
    Compound,
    District,
    Grid,
    PropertyCompany,
    Subdistrict,
    below_community,
)

#: The additive case figures of a month, in the order the API reports them.
PETITION_FIGURES = (
    "received",
    "accepted",
    "accepted_on_time",
    "closed",
    "closed_on_time",
    "closed_timed",
    "rated",
    "satisfied",
    "fairly_satisfied",
    "reopened",
    "referred",
    "complaints",
    "disputes_mediated",
    "accept_seconds",
    "close_seconds",
)

#: Ladders of durations (minutes), one per measure. Each roll-up row counts,
#: for every rung, its cases accepted (closed) within less than that time:
#: columns ``accept_within_NN`` and ``close_within_NN``. Those counts add up
#: over rows like every other figure, and a median is read from the sums as
#: the first rung that half the cases fall within ("half the cases closed
#: within N hours"); past the top rung it is reported as the top rung.
DURATION_LADDERS = {
    "accept": (5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 360, 720, 1440),
    "close": (
        120, 240, 480, 720, 1440, 2160, 2880, 4320, 5760, 7200, 10080, 14400,
        21600, 43200,
    ),
}  # fmt: skip

#: The additive community figures of a month (meetings, action items, service).
COMMUNITY_FIGURES = (
    "meetings_held",
    "topics",
    "decisions",
    "action_items_due",
    "action_items_done",
    "action_items_done_on_time",
    "activities",
    "volunteer_turnouts",
    "verified_hours",
    "wishes_posted",
    "wishes_fulfilled",
)

#: Coverage is a state, not a flow: each month keeps the state it was last
#: refreshed in (the current month every few minutes; past months keep theirs).
COVERAGE_FIGURES = (
    "compounds",
    "compounds_ab",
    "compounds_covered",
    "compounds_ab_covered",
    "three_no",
    "three_no_self_governed",
)


#: The additive field-work figures of a grid's month: patrols started, their
#: findings, the findings filed as cases, home visits made.
FIELD_FIGURES = ("patrols", "patrol_findings", "findings_to_cases", "visits")

#: Visit coverage is a state too: the households under a care plan, and how
#: many of them had a visit in the month, as at the month's last refresh.
CARE_FIGURES = ("care_households", "care_households_visited")


def within_columns(measure: str) -> list[str]:
    """The histogram columns of ``measure`` ("accept" or "close"), by edge."""
    return [f"{measure}_within_{i:02d}" for i in range(len(DURATION_LADDERS[measure]))]


class _CaseRollup(models.Model):
    """Where a row of case figures is counted: a month, a community, its grid
    and the property company (either may be none), and the counts that every
    case roll-up shares."""

    month = models.DateField(_("month"))
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    property_company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("property-service company"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    received = models.PositiveIntegerField(_("received"), default=0)
    closed = models.PositiveIntegerField(_("closed"), default=0)
    closed_on_time = models.PositiveIntegerField(_("closed on time"), default=0)
    rated = models.PositiveIntegerField(_("rated"), default=0)
    satisfied = models.PositiveIntegerField(_("satisfied"), default=0)
    fairly_satisfied = models.PositiveIntegerField(_("fairly satisfied"), default=0)
    reopened = models.PositiveIntegerField(_("reopened"), default=0)
    refreshed_at = models.DateTimeField(_("refreshed at"), auto_now=True)

    scope_paths = below_community("community", ["grid"])

    class Meta:
        abstract = True


class PetitionMonthly(_CaseRollup):
    """The cases received in one month, in one grid of a community, for one
    property company (plus the histogram columns added below the class)."""

    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    accepted_on_time = models.PositiveIntegerField(_("accepted on time"), default=0)
    closed_timed = models.PositiveIntegerField(
        _("closed, with the time of closing"), default=0
    )
    referred = models.PositiveIntegerField(_("referred"), default=0)
    complaints = models.PositiveIntegerField(
        _("complaints about property service"), default=0
    )
    disputes_mediated = models.PositiveIntegerField(_("disputes mediated"), default=0)
    accept_seconds = models.BigIntegerField(_("seconds to accept, summed"), default=0)
    close_seconds = models.BigIntegerField(_("seconds to close, summed"), default=0)

    class Meta:
        verbose_name = _("monthly case figures")
        verbose_name_plural = _("monthly case figures")
        ordering = ["-month", "community"]
        constraints = [
            # "No grid" and "no company" are one row too, on every database.
            models.UniqueConstraint(
                "month",
                "community",
                Coalesce("grid", 0),
                Coalesce("property_company", 0),
                name="petitionmonthly_one_row",
            ),
        ]
        indexes = [
            models.Index(fields=["month", "community"], name="petitionmonthly_idx"),
            models.Index(fields=["grid", "month"], name="petitionmonthly_grid_idx"),
        ]

    def __str__(self):
        return f"{self.community} {self.month:%Y-%m}"


for _measure, _label in (
    ("accept", _("accepted within {minutes} min")),
    ("close", _("closed within {minutes} min")),
):
    for _column, _edge in zip(
        within_columns(_measure), DURATION_LADDERS[_measure], strict=True
    ):
        PetitionMonthly.add_to_class(
            _column,
            models.PositiveIntegerField(format_lazy(_label, minutes=_edge), default=0),
        )


#: The additive figures of a case-mix row (category × channel of a month).
CASE_MIX_FIGURES = (
    "received",
    "closed",
    "closed_on_time",
    "rated",
    "satisfied",
    "fairly_satisfied",
    "reopened",
)


class CaseMixMonthly(_CaseRollup):
    """The cases received in one month, in one grid of a community, for one
    property company, of one category through one channel: what the cases
    were about (seed 004's table of paid and public repairs, pipe dredging,
    dripping air conditioners, leaks) and how they came in (seed 004's
    issues raised at meetings and how many were handled). Kept apart from
    ``PetitionMonthly`` so that its duration ladders are not multiplied by
    every category and channel."""

    category = models.ForeignKey(
        "petitions.Category",
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=20)

    class Meta:
        verbose_name = _("monthly cases by category and channel")
        verbose_name_plural = _("monthly cases by category and channel")
        ordering = ["-month", "community"]
        constraints = [
            models.UniqueConstraint(
                "month",
                "community",
                Coalesce("grid", 0),
                Coalesce("property_company", 0),
                "category",
                "channel",
                name="casemixmonthly_one_row",
            ),
        ]
        indexes = [
            models.Index(fields=["month", "community"], name="casemixmonthly_idx"),
        ]

    def __str__(self):
        return f"{self.community} {self.month:%Y-%m} {self.channel}"


class CommunityMonthly(models.Model):
    """One community's meetings, action items, volunteer service and coverage
    in one month."""

    month = models.DateField(_("month"))
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    meetings_held = models.PositiveIntegerField(_("meetings held"), default=0)
    topics = models.PositiveIntegerField(_("topics discussed"), default=0)
    decisions = models.PositiveIntegerField(_("decisions taken"), default=0)
    action_items_due = models.PositiveIntegerField(_("action items due"), default=0)
    action_items_done = models.PositiveIntegerField(_("action items done"), default=0)
    action_items_done_on_time = models.PositiveIntegerField(
        _("action items done on time"), default=0
    )
    activities = models.PositiveIntegerField(_("volunteer activities"), default=0)
    volunteer_turnouts = models.PositiveIntegerField(
        _("volunteer turnouts with verified hours"), default=0
    )
    verified_hours = models.DecimalField(
        _("verified volunteer hours"), max_digits=12, decimal_places=2, default=0
    )
    wishes_posted = models.PositiveIntegerField(_("wishes posted"), default=0)
    wishes_fulfilled = models.PositiveIntegerField(_("wishes fulfilled"), default=0)
    # Coverage: the state when the month was last refreshed (empty: not known).
    compounds = models.PositiveIntegerField(_("compounds"), null=True, blank=True)
    compounds_ab = models.PositiveIntegerField(
        _("class A/B compounds"), null=True, blank=True
    )
    compounds_covered = models.PositiveIntegerField(
        _("compounds with a party organisation"), null=True, blank=True
    )
    compounds_ab_covered = models.PositiveIntegerField(
        _("class A/B compounds with a party organisation"), null=True, blank=True
    )
    three_no = models.PositiveIntegerField(_("三无 compounds"), null=True, blank=True)
    three_no_self_governed = models.PositiveIntegerField(
        _("三无 compounds under self-governance"), null=True, blank=True
    )
    refreshed_at = models.DateTimeField(_("refreshed at"), auto_now=True)

    scope_paths = below_community("community", [])

    class Meta:
        verbose_name = _("monthly community figures")
        verbose_name_plural = _("monthly community figures")
        ordering = ["-month", "community"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "community"], name="communitymonthly_one_row"
            )
        ]

    def __str__(self):
        return f"{self.community} {self.month:%Y-%m}"


class GridMonthly(models.Model):
    """One grid's field work in one month: patrols, findings, visits and the
    visit coverage of its households under a care plan."""

    month = models.DateField(_("month"))
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    grid = models.ForeignKey(
        Grid, verbose_name=_("grid"), on_delete=models.CASCADE, related_name="+"
    )
    patrols = models.PositiveIntegerField(_("patrols"), default=0)
    patrol_findings = models.PositiveIntegerField(_("patrol findings"), default=0)
    findings_to_cases = models.PositiveIntegerField(
        _("findings filed as cases"), default=0
    )
    visits = models.PositiveIntegerField(_("home visits"), default=0)
    # Coverage: the state when the month was last refreshed (empty: not known).
    care_households = models.PositiveIntegerField(
        _("households under a care plan"), null=True, blank=True
    )
    care_households_visited = models.PositiveIntegerField(
        _("of them visited in the month"), null=True, blank=True
    )
    refreshed_at = models.DateTimeField(_("refreshed at"), auto_now=True)

    scope_paths = below_community("community", ["grid"])

    class Meta:
        verbose_name = _("monthly grid field work")
        verbose_name_plural = _("monthly grid field work")
        ordering = ["-month", "community", "grid"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "grid"], name="gridmonthly_one_row"
            )
        ]
        indexes = [models.Index(fields=["month", "community"], name="gridmonthly_idx")]

    def __str__(self):
        return f"{self.grid} {self.month:%Y-%m}"


class FeeCollection(models.Model):
    """The property-fee collection of one compound in one month, entered by
    community staff from the property company's books."""

    compound = models.ForeignKey(
        Compound,
        verbose_name=_("compound"),
        on_delete=models.PROTECT,
        related_name="fee_collections",
    )
    month = models.DateField(_("month"), help_text=_("Any day of the month."))
    households_billed = models.PositiveIntegerField(_("households billed"))
    households_paid = models.PositiveIntegerField(_("households paid"))
    amount_due = models.DecimalField(
        _("amount due (yuan)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    amount_collected = models.DecimalField(
        _("amount collected (yuan)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_paths = below_community("compound__community", ["compound__buildings__grid"])

    class Meta:
        verbose_name = _("fee collection")
        verbose_name_plural = _("fee collections")
        ordering = ["-month", "compound"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "month"], name="feecollection_one_per_month"
            ),
            models.CheckConstraint(
                condition=models.Q(households_paid__lte=models.F("households_billed")),
                name="feecollection_paid_within_billed",
            ),
        ]

    def __str__(self):
        return f"{self.compound} {self.month:%Y-%m}"

    def clean(self):
        errors = {}
        if self.month:
            self.month = self.month.replace(day=1)
            if self.month > calendar.today():
                errors["month"] = _("The month has not begun yet.")
        if (
            self.households_paid is not None
            and self.households_billed is not None
            and self.households_paid > self.households_billed
        ):
            errors["households_paid"] = _("More households paid than were billed.")
        if (
            self.amount_collected is not None
            and self.amount_due is not None
            and self.amount_collected > self.amount_due * 2
        ):
            errors["amount_collected"] = _(
                "More than twice the amount due: check the figures."
            )
        if errors:
            raise ValidationError(errors)


class Target(models.Model):
    """A district target the dashboards measure progress against (seed 001's
    "363" system, seed 003's fee collection)."""

    class Metric(models.TextChoices):
        COMPOUND_COVERAGE = (
            "compound_coverage",
            _("class A/B compounds with a party organisation (share)"),
        )
        COMPANY_PARTY_ORGS = (
            "company_party_orgs",
            _("property companies with a party organisation (share)"),
        )
        COMPLAINTS_CHANGE = (
            "complaints_change",
            _("complaints about property service, change on the year before"),
        )
        MEDIATION_CHANGE = (
            "mediation_change",
            _("disputes mediated, change on the year before"),
        )
        FEE_COLLECTION = "fee_collection", _("fee collection rate (households)")
        SATISFACTION = "satisfaction", _("residents' satisfaction rate")
        THREE_NO_SELF_GOVERNED = (
            "three_no_self_governed",
            _("三无 compounds under self-governance (share)"),
        )

    #: Metrics where lower is better (the target is a ceiling).
    LOWER_IS_BETTER = (Metric.COMPLAINTS_CHANGE,)

    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        related_name="targets",
    )
    metric = models.CharField(_("measure"), max_length=40, choices=Metric.choices)
    value = models.DecimalField(
        _("target"),
        max_digits=6,
        decimal_places=4,
        help_text=_("A share: 0.70 is 70%; a change: -0.30 is down 30%."),
    )
    due_on = models.DateField(_("due on"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    # Like a company's particulars: every staff member of the district sees them.
    scope_paths = PropertyCompany.scope_paths

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["metric", "due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "metric", "due_on"], name="target_one_per_due_date"
            )
        ]

    def __str__(self):
        return f"{self.get_metric_display()} {self.value} ({self.due_on:%Y-%m-%d})"


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class DashboardTokenQuerySet(models.QuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class DashboardToken(models.Model):
    """A read-only key for a dashboard client (a screen in the district office),
    bound to the one unit whose figures it may read. Only a hash is stored; the
    key is shown once, when it is made."""

    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(
        _("key hash"), max_length=64, unique=True, editable=False
    )
    prefix = models.CharField(_("key begins with"), max_length=8, editable=False)
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    subdistrict = models.ForeignKey(
        Subdistrict,
        verbose_name=_("subdistrict"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = DashboardTokenQuerySet.as_manager()

    scope_paths = {
        "district": [
            "district",
            "subdistrict__district",
            "community__subdistrict__district",
        ],
        "subdistrict": ["subdistrict", "community__subdistrict"],
        "community": ["community"],
        "grid": [],
    }

    class Meta:
        verbose_name = _("dashboard token")
        verbose_name_plural = _("dashboard tokens")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        district__isnull=False,
                        subdistrict__isnull=True,
                        community__isnull=True,
                    )
                    | models.Q(
                        district__isnull=True,
                        subdistrict__isnull=False,
                        community__isnull=True,
                    )
                    | models.Q(
                        district__isnull=True,
                        subdistrict__isnull=True,
                        community__isnull=False,
                    )
                ),
                name="dashboardtoken_one_unit",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def unit(self):
        return self.district or self.subdistrict or self.community

    @property
    def level(self) -> str:
        if self.district_id:
            return "district"
        return "subdistrict" if self.subdistrict_id else "community"

    def clean(self):
        if (
            sum(
                bool(x)
                for x in (self.district_id, self.subdistrict_id, self.community_id)
            )
            != 1
        ):
            raise ValidationError(
                _("Bind the token to exactly one district, subdistrict or community.")
            )

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def hash_key(key: str) -> str:
        return _hash_key(key)


# --- evaluation of property companies -------------------------------------------


class AssessmentItem(models.Model):
    """A staff assessment item of a district's evaluation of property
    companies (党建引领, 设施巡查 …), with its weight beside the platform's
    own indicators; district staff define them."""

    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        related_name="assessment_items",
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("how it is assessed"), max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"),
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Points out of the total of all weights, like the indicators'."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    # Like a company's particulars: every staff member of the district sees them.
    scope_paths = PropertyCompany.scope_paths

    class Meta:
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        ordering = ["district", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"], name="assessmentitem_unique_name"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.weight})"


class AssessmentScore(models.Model):
    """One company's score (0–100) on one assessment item in one quarter,
    with the evidence it rests on."""

    item = models.ForeignKey(
        AssessmentItem,
        verbose_name=_("assessment item"),
        on_delete=models.CASCADE,
        related_name="scores",
    )
    property_company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("property-service company"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    quarter = models.DateField(_("quarter"), help_text=_("Any day of the quarter."))
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    evidence = models.TextField(
        _("evidence"),
        help_text=_("What was checked, when and by whom; where the records are."),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_paths = {
        "district": ["item__district"],
        "subdistrict": [],
        "community": [],
        "grid": [],
    }

    class Meta:
        verbose_name = _("assessment score")
        verbose_name_plural = _("assessment scores")
        ordering = ["-quarter", "property_company", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "property_company", "quarter"],
                name="assessmentscore_one_per_quarter",
            )
        ]

    def __str__(self):
        return f"{self.property_company} {self.item.name} {self.quarter:%Y-%m}"

    def clean(self):
        if self.quarter:
            self.quarter = calendar.quarter_start(self.quarter)
            if self.quarter > calendar.today():
                raise ValidationError({"quarter": _("The quarter has not begun yet.")})


class CompanyEvaluation(models.Model):
    """One property company's evaluation in one quarter over one unit (a
    compound it serves, a community, or its whole district): the score and
    its breakdown, rebuilt from the records and the assessment scores. No
    score is given below the minimum number of cases."""

    class Level(models.TextChoices):
        COMPOUND = "compound", _("compound")
        COMMUNITY = "community", _("community")
        DISTRICT = "district", _("district")

    quarter = models.DateField(_("quarter"))
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    property_company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("property-service company"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.CASCADE, related_name="+"
    )
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    compound = models.ForeignKey(
        Compound,
        verbose_name=_("compound"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    cases = models.PositiveIntegerField(_("cases received"), default=0)
    score = models.DecimalField(
        _("score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    breakdown = models.JSONField(_("breakdown"), default=list)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    # District rows compare companies across the district: its staff only.
    # Community and compound rows are the community's (and above); a
    # company's own staff read their company's rows through the selector.
    scope_paths = {
        "district": ["district"],
        "subdistrict": ["community__subdistrict"],
        "community": ["community"],
        "grid": [],
    }

    class Meta:
        verbose_name = _("evaluation of a property company")
        verbose_name_plural = _("evaluations of property companies")
        ordering = ["-quarter", "level", "-score"]
        constraints = [
            models.UniqueConstraint(
                "quarter",
                "level",
                "property_company",
                "district",
                Coalesce("community", 0),
                Coalesce("compound", 0),
                name="companyevaluation_one_row",
            )
        ]
        indexes = [
            models.Index(fields=["quarter", "level"], name="companyevaluation_idx")
        ]

    def __str__(self):
        return f"{self.property_company} {calendar.quarter_label(self.quarter)}"

    @property
    def unit(self):
        return self.compound or self.community or self.district


class HonourList(models.Model):
    """A district's 红黑榜 of one quarter: the best and worst scored property
    companies, published to residents with the rules that made it."""

    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        related_name="honour_lists",
    )
    quarter = models.DateField(_("quarter"))
    size = models.PositiveSmallIntegerField(
        _("companies on each list"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    entries = models.JSONField(_("entries"), default=dict)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Published to residents: every staff member of the district reads it;
    # only the district's own staff publish it (``honour_list_publish``).
    scope_paths = PropertyCompany.scope_paths

    class Meta:
        verbose_name = _("红黑榜")
        verbose_name_plural = _("红黑榜")
        ordering = ["-quarter", "district"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "quarter"], name="honourlist_one_per_quarter"
            )
        ]

    def __str__(self):
        return f"{self.district} {calendar.quarter_label(self.quarter)}"
