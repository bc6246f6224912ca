"""The organisation: territory, bodies, party organisations, people and roles.

Territory: District → Subdistrict → Community → Compound → Building → Unit →
Household; a Community is also cut into Grids and every Building lies in one grid
of its community. Every scoped model declares ``scope_paths``: for each level of
scope (district, subdistrict, community, grid) the lookups that lead from a row to
the unit it belongs to. ``grids.scoping`` is the one place that reads them.

Field work of a grid sits at the end: household tags and care plans (一户一档),
patrols with their findings (巡查) and home visits (走访).
"""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import calendar
from core.models import StateEvent, TimeStampedModel
from core.phones import normalize_mobile, validate_mobile

division_code_validator = RegexValidator(
    r"^\d{12}$",
    _("An administrative division code has exactly 12 digits."),
    code="invalid_division_code",
)
credit_code_validator = RegexValidator(
    r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
    _("A unified social credit code has 18 characters (digits and capitals)."),
    code="invalid_credit_code",
)


def below_community(community: str, grid: list[str]) -> dict[str, list[str]]:
    """Return scope paths of a model that hangs below a community at ``community``."""
    return {
        "district": [f"{community}__subdistrict__district"],
        "subdistrict": [f"{community}__subdistrict"],
        "community": [community],
        "grid": grid,
    }


class District(TimeStampedModel):
    """区: the top of the territory; district offices read the dashboards."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    division_code = models.CharField(
        _("division code"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        validators=[division_code_validator],
        help_text=_("12-digit statistical division code, e.g. 371502000000."),
    )

    scope_paths = {
        "district": ["id"],
        "subdistrict": ["subdistricts"],
        "community": ["subdistricts__communities"],
        "grid": ["subdistricts__communities__grids"],
    }

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Subdistrict(TimeStampedModel):
    """街道: led by the subdistrict party working committee."""

    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="subdistricts",
    )
    name = models.CharField(_("name"), max_length=50)
    division_code = models.CharField(
        _("division code"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        validators=[division_code_validator],
    )

    scope_paths = {
        "district": ["district"],
        "subdistrict": ["id"],
        "community": ["communities"],
        "grid": ["communities__grids"],
    }

    class Meta:
        verbose_name = _("subdistrict")
        verbose_name_plural = _("subdistricts")
        ordering = ["district__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"], name="subdistrict_unique_name"
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        check_code_prefix(self.division_code, self.district, 6, "district")


class Community(TimeStampedModel):
    """社区: the unit whose staff run the platform day to day."""

    subdistrict = models.ForeignKey(
        Subdistrict,
        verbose_name=_("subdistrict"),
        on_delete=models.PROTECT,
        related_name="communities",
    )
    name = models.CharField(_("name"), max_length=50)
    division_code = models.CharField(
        _("division code"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        validators=[division_code_validator],
    )
    founded_date = models.DateField(_("founded on"), null=True, blank=True)
    address = models.CharField(_("office address"), max_length=200, blank=True)

    scope_paths = {
        "district": ["subdistrict__district"],
        "subdistrict": ["subdistrict"],
        "community": ["id"],
        "grid": ["grids"],
    }

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["subdistrict__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["subdistrict", "name"], name="community_unique_name"
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        check_code_prefix(self.division_code, self.subdistrict, 9, "subdistrict")


def check_code_prefix(code, parent, digits, field):
    """Refuse a division code that does not start with its parent's code."""
    if not code or parent is None or not getattr(parent, "division_code", None):
        return
    if code[:digits] != parent.division_code[:digits]:
        raise ValidationError(
            {
                "division_code": _(
                    "The code must start with %(prefix)s, the code of %(parent)s."
                )
                % {"prefix": parent.division_code[:digits], "parent": parent}
            }
        )


class Grid(TimeStampedModel):
    """网格: a part of a community with its grid worker and grid chat group."""

    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="grids",
    )
    name = models.CharField(_("name"), max_length=50)
    chat_group = models.CharField(
        _("grid chat group"),
        max_length=100,
        blank=True,
        help_text=_("Name of the grid's WeChat group, where residents report."),
    )

    scope_paths = {
        "district": ["community__subdistrict__district"],
        "subdistrict": ["community__subdistrict"],
        "community": ["community"],
        "grid": ["id"],
    }
    # What __str__ reads, for choice lists that must not query once per choice.
    str_related = ("community",)

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["community__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"], name="grid_unique_name"
            )
        ]

    def __str__(self):
        return f"{self.community.name} {self.name}"


class PropertyCompany(TimeStampedModel):
    """物业服务企业, registered with the district that supervises it.

    Company particulars are public business information, so every staff member of
    the district may see a company; what it does inside compounds is scoped.
    """

    district = models.ForeignKey(
        District,
        verbose_name=_("supervising district"),
        on_delete=models.PROTECT,
        related_name="property_companies",
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[credit_code_validator],
    )
    contact_phone = models.CharField(_("service phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    scope_paths = {
        "district": ["district"],
        "subdistrict": ["district__subdistricts"],
        "community": ["district__subdistricts__communities"],
        "grid": ["district__subdistricts__communities__grids"],
    }

    class Meta:
        verbose_name = _("property-service company")
        verbose_name_plural = _("property-service companies")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Compound(TimeStampedModel):
    """小区: a housing estate of a community.

    A compound with no property company, no owners' committee and no supervising
    unit is "三无" and governs itself (seed 003).
    """

    class Grade(models.TextChoices):
        A = "A", _("Class A")
        B = "B", _("Class B")
        C = "C", _("Class C")
        D = "D", _("Class D")

    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="compounds",
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    grade = models.CharField(
        _("grade"),
        max_length=1,
        choices=Grade.choices,
        blank=True,
        help_text=_("Property-service grade used by coverage targets (A/B class)."),
    )
    property_company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("property-service company"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="compounds",
    )
    supervising_unit = models.CharField(
        _("supervising unit"),
        max_length=100,
        blank=True,
        help_text=_("主管单位, e.g. the employer that built the staff housing."),
    )

    scope_paths = below_community("community", ["buildings__grid"])

    class Meta:
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        ordering = ["community__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"], name="compound_unique_name"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_three_no(self) -> bool:
        """Whether the compound has no company, no owners' committee and no
        supervising unit (三无), and so governs itself."""
        has_committee = hasattr(self, "owners_committee")
        return not (self.property_company_id or has_committee or self.supervising_unit)


class OwnersCommittee(TimeStampedModel):
    """业主委员会 of a compound, elected by its owners for a term."""

    compound = models.OneToOneField(
        Compound,
        verbose_name=_("compound"),
        on_delete=models.PROTECT,
        related_name="owners_committee",
    )
    name = models.CharField(_("name"), max_length=100)
    elected_date = models.DateField(_("elected on"), null=True, blank=True)
    term_end_date = models.DateField(_("term ends on"), null=True, blank=True)

    scope_paths = below_community("compound__community", ["compound__buildings__grid"])

    class Meta:
        verbose_name = _("owners' committee")
        verbose_name_plural = _("owners' committees")
        ordering = ["compound__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end_date__isnull=True)
                | Q(elected_date__isnull=True)
                | Q(term_end_date__gte=models.F("elected_date")),
                name="ownerscommittee_term_ends_after_election",
                violation_error_message=_("The term cannot end before the election."),
            )
        ]

    def __str__(self):
        return self.name


class Building(TimeStampedModel):
    """楼栋 of a compound; it lies in exactly one grid of the same community."""

    compound = models.ForeignKey(
        Compound,
        verbose_name=_("compound"),
        on_delete=models.PROTECT,
        related_name="buildings",
    )
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        related_name="buildings",
    )
    number = models.CharField(
        _("building number"), max_length=20, help_text=_("As on the door, e.g. 3号楼.")
    )
    floors = models.PositiveSmallIntegerField(
        _("floors"), null=True, blank=True, validators=[MinValueValidator(1)]
    )

    scope_paths = below_community("compound__community", ["grid"])
    str_related = ("compound",)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["compound__name", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "number"], name="building_unique_number"
            )
        ]

    def __str__(self):
        return f"{self.compound.name} {self.number}"

    def clean(self):
        if (
            self.compound_id
            and self.grid_id
            and self.grid.community_id != self.compound.community_id
        ):
            raise ValidationError(
                {
                    "grid": _(
                        "Grid %(grid)s belongs to another community than compound "
                        "%(compound)s."
                    )
                    % {"grid": self.grid, "compound": self.compound.name}
                }
            )


class Unit(TimeStampedModel):
    """单元 (stairwell) of a building."""

    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        related_name="units",
    )
    number = models.CharField(_("unit number"), max_length=20)

    scope_paths = below_community("building__compound__community", ["building__grid"])
    str_related = ("building__compound",)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["building__number", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "number"], name="unit_unique_number"
            )
        ]

    def __str__(self):
        return f"{self.building} {self.number}"


class Household(TimeStampedModel):
    """户: one dwelling, with the floor area that owners' votes are weighed by."""

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="households",
    )
    room = models.CharField(_("room"), max_length=20)
    floor_area = models.DecimalField(
        _("floor area (m²)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    tags = models.ManyToManyField(
        "Tag",
        verbose_name=_("tags"),
        through="HouseholdTag",
        blank=True,
        related_name="households",
    )

    scope_paths = below_community(
        "unit__building__compound__community", ["unit__building__grid"]
    )
    str_related = ("unit__building__compound",)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["unit__building__compound__name", "unit__building__number", "room"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "room"], name="household_unique_room"
            ),
            models.CheckConstraint(
                condition=Q(floor_area__isnull=True) | Q(floor_area__gte=0),
                name="household_floor_area_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.unit} {self.room}"


class PartyOrganization(TimeStampedModel):
    """A party organisation of the four tiers, attached to what it leads.

    Tier 1: the subdistrict party working committee (街道党工委), on a subdistrict.
    Tier 2: the community party committee or general branch, on a community.
    Tier 3: grid, property-company and owners'-committee branches.
    Tier 4: party groups (党小组) under a branch; building party members are people
    holding the stairwell-party-member role.
    ``subdistrict`` and ``community`` name the territory it sits in, which is what
    scoping reads; ``clean`` keeps them consistent with the parent.
    """

    class Kind(models.TextChoices):
        SUBDISTRICT_COMMITTEE = (
            "subdistrict_committee",
            _("subdistrict party working committee"),
        )
        COMMUNITY_COMMITTEE = "community_committee", _("community party committee")
        COMMUNITY_GENERAL_BRANCH = (
            "community_general_branch",
            _("community party general branch"),
        )
        GRID_BRANCH = "grid_branch", _("grid party branch")
        PROPERTY_BRANCH = "property_branch", _("property-company party branch")
        OWNERS_COMMITTEE_BRANCH = (
            "owners_committee_branch",
            _("owners'-committee party branch"),
        )
        PARTY_GROUP = "party_group", _("party group")

    COMMUNITY_TIER = (Kind.COMMUNITY_COMMITTEE, Kind.COMMUNITY_GENERAL_BRANCH)
    BRANCH_TIER = (Kind.GRID_BRANCH, Kind.PROPERTY_BRANCH, Kind.OWNERS_COMMITTEE_BRANCH)
    # What each kind may sit under; the four tiers in one table.
    ALLOWED_PARENTS = {
        Kind.SUBDISTRICT_COMMITTEE: (),
        Kind.COMMUNITY_COMMITTEE: (Kind.SUBDISTRICT_COMMITTEE,),
        Kind.COMMUNITY_GENERAL_BRANCH: (Kind.SUBDISTRICT_COMMITTEE,),
        Kind.GRID_BRANCH: COMMUNITY_TIER,
        Kind.PROPERTY_BRANCH: COMMUNITY_TIER,
        Kind.OWNERS_COMMITTEE_BRANCH: COMMUNITY_TIER,
        Kind.PARTY_GROUP: BRANCH_TIER,
    }

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("higher organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    subdistrict = models.ForeignKey(
        Subdistrict,
        verbose_name=_("subdistrict"),
        on_delete=models.PROTECT,
        related_name="party_organizations",
    )
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_organizations",
    )
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_organizations",
    )
    property_company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("property-service company"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_organizations",
    )
    owners_committee = models.ForeignKey(
        OwnersCommittee,
        verbose_name=_("owners' committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_organizations",
    )
    established_date = models.DateField(_("established on"), null=True, blank=True)

    scope_paths = {
        "district": ["subdistrict__district"],
        "subdistrict": ["subdistrict"],
        "community": ["community"],
        "grid": ["grid"],
    }

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["subdistrict__name", "community__name", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="subdistrict_committee", community__isnull=True)
                    | Q(
                        kind__in=["community_committee", "community_general_branch"],
                        community__isnull=False,
                        grid__isnull=True,
                    )
                    | Q(kind="grid_branch", grid__isnull=False)
                    | Q(kind="property_branch", property_company__isnull=False)
                    | Q(kind="owners_committee_branch", owners_committee__isnull=False)
                    | Q(kind="party_group", parent__isnull=False)
                )
                & (Q(kind="subdistrict_committee") | Q(community__isnull=False)),
                name="partyorganization_attached_per_kind",
                violation_error_message=_(
                    "This kind of party organisation lacks what it is attached to."
                ),
            ),
        ]
        indexes = [models.Index(fields=["kind"], name="partyorg_kind_idx")]

    def __str__(self):
        return self.name

    def clean(self):
        self._derive_territory()
        errors = {}
        self._check_parent_kind(errors)
        if (
            self.kind in self.COMMUNITY_TIER + self.BRANCH_TIER
            and not self.community_id
        ):
            errors["community"] = _("Choose the community this organisation leads.")
        if "parent" not in errors:
            self._check_parent_place(errors)
        if errors:
            raise ValidationError(errors)

    def _derive_territory(self) -> None:
        """Take community and subdistrict from what the organisation is
        attached to (its grid, owners' committee or parent)."""
        if self.grid_id:
            self.community = self.grid.community
        elif self.owners_committee_id:
            self.community = self.owners_committee.compound.community
        elif self.kind == self.Kind.SUBDISTRICT_COMMITTEE:
            self.community = None
        elif self.community_id is None and self.parent_id and self.parent.community_id:
            self.community = self.parent.community
        if self.community_id:
            self.subdistrict = self.community.subdistrict

    def _check_parent_kind(self, errors: dict) -> None:
        """The four tiers: each kind sits under the kinds allowed above it."""
        allowed = self.ALLOWED_PARENTS.get(self.kind, ())
        if self.parent_id is None and allowed:
            errors["parent"] = _("A %(kind)s must sit under a higher organisation.") % {
                "kind": self.get_kind_display()
            }
        elif self.parent_id is not None and self.parent.kind not in allowed:
            errors["parent"] = _("A %(kind)s cannot sit under a %(parent)s.") % {
                "kind": self.get_kind_display(),
                "parent": self.parent.get_kind_display(),
            }

    def _check_parent_place(self, errors: dict) -> None:
        """The higher organisation leads the same community or subdistrict."""
        parent = self.parent if self.parent_id else None
        if parent is None:
            return
        if (
            parent.community_id
            and self.community_id
            and parent.community_id != self.community_id
        ):
            errors["parent"] = _(
                "The higher organisation belongs to another community."
            )
        elif (
            parent.kind == self.Kind.SUBDISTRICT_COMMITTEE
            and self.subdistrict_id
            and parent.subdistrict_id != self.subdistrict_id
        ):
            errors["parent"] = _(
                "The higher organisation belongs to another subdistrict."
            )


class Person(TimeStampedModel):
    """A person on the community's register: a resident, a staff member, or both.

    ``community`` is the register the person is kept on; a resident's household
    must lie in it. A staff account links here through ``user``.
    """

    class Gender(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")

    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="people",
    )
    name = models.CharField(_("full name"), max_length=50)
    gender = models.CharField(
        _("gender"), max_length=1, choices=Gender.choices, blank=True
    )
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    # Room for "+86 138-1234-1234" as typed; stored normalised to 11 digits.
    mobile = models.CharField(
        _("mobile phone"),
        max_length=20,
        blank=True,
        validators=[validate_mobile],
        db_index=True,
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
    )
    moved_in_date = models.DateField(_("moved in on"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    scope_paths = below_community("community", ["household__unit__building__grid"])

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "id"]
        permissions = [
            ("view_contact", _("Can see residents' full phone numbers")),
        ]
        indexes = [
            models.Index(fields=["community", "name"], name="person_name_idx"),
            # The register across a district, by name.
            models.Index(fields=["name", "id"], name="person_name_all_idx"),
        ]

    def __str__(self):
        return self.name

    def clean_fields(self, exclude=None):
        # Normalise before the field validator sees "+86 138-1234-1234".
        self.mobile = normalize_mobile(self.mobile)
        super().clean_fields(exclude)

    def clean(self):
        if (
            self.household_id
            and self.community_id
            and self.household.unit.building.compound.community_id != self.community_id
        ):
            raise ValidationError(
                {
                    "household": _(
                        "Household %(household)s is not in community %(community)s."
                    )
                    % {"household": self.household, "community": self.community}
                }
            )
        if self.moved_in_date and self.moved_in_date > calendar.today():
            raise ValidationError(
                {"moved_in_date": _("The moving-in date cannot be in the future.")}
            )


class PartyMember(TimeStampedModel):
    """A party member serving in a community.

    Registered members belong to an organisation here; in-service members (双报到)
    belong to their work unit's organisation and report to the community where they
    live; property-company members (自管党员) belong to the company's branch.
    """

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("registered in the community")
        IN_SERVICE = "in_service", _("in-service, reporting at home (双报到)")
        PROPERTY_COMPANY = "property_company", _("property-company member (自管)")

    person = models.OneToOneField(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="party_member",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="party_members",
    )
    party_org = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("party organisation here"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid served"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_members",
    )
    work_unit = models.CharField(_("work unit"), max_length=100, blank=True)
    work_unit_party_org = models.CharField(
        _("party organisation at work"), max_length=100, blank=True
    )
    joined_party_date = models.DateField(
        _("joined the party on"), null=True, blank=True
    )
    reported_date = models.DateField(
        _("reported to the community on"), null=True, blank=True
    )

    scope_paths = below_community(
        "community", ["grid", "person__household__unit__building__grid"]
    )
    str_related = ("person",)

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["person__name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="in_service") | ~Q(work_unit=""),
                name="partymember_in_service_has_work_unit",
                violation_error_message=_(
                    "An in-service member (双报到) must name the work unit."
                ),
            )
        ]
        indexes = [
            models.Index(fields=["community", "kind"], name="partymember_kind_idx")
        ]

    def __str__(self):
        return self.person.name

    def clean(self):
        errors = {}
        if self.person_id and not self.community_id:
            self.community = self.person.community
        if self.party_org_id and self.party_org.community_id != self.community_id:
            errors["party_org"] = _(
                "The party organisation belongs to another community."
            )
        if self.grid_id and self.grid.community_id != self.community_id:
            errors["grid"] = _("The grid belongs to another community.")
        if self.kind == self.Kind.IN_SERVICE and not self.work_unit.strip():
            errors["work_unit"] = _(
                "An in-service member (双报到) must name the work unit."
            )
        if errors:
            raise ValidationError(errors)


class RoleQuerySet(models.QuerySet):
    def active(self, on_date: datetime.date | None = None):
        """Return roles whose term covers ``on_date`` (today by default)."""
        day = on_date or calendar.today()
        return self.filter(start_date__lte=day).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )


class RoleKind(models.TextChoices):
    DISTRICT_STAFF = "district_staff", _("district staff")
    SUBDISTRICT_STAFF = "subdistrict_staff", _("subdistrict staff")
    COMMUNITY_STAFF = "community_staff", _("community staff")
    GRID_WORKER = "grid_worker", _("grid worker")
    PROPERTY_STEWARD = "property_steward", _("property steward")
    REPAIR_WORKER = "repair_worker", _("repair worker")
    BUILDING_HEAD = "building_head", _("building head")
    PARTY_CENTRAL_HOUSEHOLD = (
        "party_central_household",
        _("party-member central household"),
    )
    STAIRWELL_PARTY_MEMBER = "stairwell_party_member", _("building party member")
    PARTY_INSTRUCTOR = "party_instructor", _("party-building instructor")
    OWNERS_COMMITTEE_CHAIR = "owners_committee_chair", _("owners'-committee chair")
    OWNERS_COMMITTEE_MEMBER = "owners_committee_member", _("owners'-committee member")
    PARTY_SECRETARY = "party_secretary", _("party organisation secretary")
    PARTY_COMMITTEE_MEMBER = "party_committee_member", _("party committee member")
    DEPUTY = "deputy", _("deputy or CPPCC member (两代表一委员)")


ROLE_TARGET_FIELDS = (
    "district",
    "subdistrict",
    "community",
    "grid",
    "building",
    "property_company",
    "owners_committee",
    "party_org",
)
ROLE_TARGETS = {
    RoleKind.DISTRICT_STAFF: ("district",),
    RoleKind.SUBDISTRICT_STAFF: ("subdistrict",),
    RoleKind.COMMUNITY_STAFF: ("community",),
    RoleKind.GRID_WORKER: ("grid",),
    RoleKind.PROPERTY_STEWARD: ("grid", "property_company"),
    RoleKind.REPAIR_WORKER: ("grid", "property_company"),
    RoleKind.BUILDING_HEAD: ("building",),
    RoleKind.PARTY_CENTRAL_HOUSEHOLD: ("building",),
    RoleKind.STAIRWELL_PARTY_MEMBER: ("building",),
    RoleKind.PARTY_INSTRUCTOR: ("property_company",),
    RoleKind.OWNERS_COMMITTEE_CHAIR: ("owners_committee",),
    RoleKind.OWNERS_COMMITTEE_MEMBER: ("owners_committee",),
    RoleKind.PARTY_SECRETARY: ("party_org",),
    RoleKind.PARTY_COMMITTEE_MEMBER: ("party_org",),
    RoleKind.DEPUTY: ("community",),
}


def _role_targets_condition() -> Q:
    """Return the check that each role kind names exactly its own targets."""
    condition = Q()
    for kind, fields in ROLE_TARGETS.items():
        lookups = {f"{f}__isnull": f not in fields for f in ROLE_TARGET_FIELDS}
        condition |= Q(kind=kind, **lookups)
    return condition


class Role(TimeStampedModel):
    """A role a person holds in one unit or body for a term.

    One person may hold several roles in several bodies at once (双向进入、交叉任职).
    Each kind names the one thing it is held in (``TARGETS``); the database refuses
    a role whose targets do not match its kind.
    """

    Kind = RoleKind
    TARGET_FIELDS = ROLE_TARGET_FIELDS
    TARGETS = ROLE_TARGETS
    # The roles that open the staff admin and the API, and the level they open.
    SCOPE_LEVEL = {
        Kind.DISTRICT_STAFF: "district",
        Kind.SUBDISTRICT_STAFF: "subdistrict",
        Kind.COMMUNITY_STAFF: "community",
        Kind.GRID_WORKER: "grid",
        Kind.PROPERTY_STEWARD: "grid",
        Kind.REPAIR_WORKER: "grid",
    }

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="roles"
    )
    kind = models.CharField(_("role"), max_length=32, choices=Kind.choices)
    start_date = models.DateField(_("term starts on"), default=timezone.localdate)
    end_date = models.DateField(_("term ends on"), null=True, blank=True)
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roles",
    )
    subdistrict = models.ForeignKey(
        Subdistrict,
        verbose_name=_("subdistrict"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roles",
    )
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roles",
    )
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roles",
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roles",
    )
    property_company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("property-service company"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roles",
    )
    owners_committee = models.ForeignKey(
        OwnersCommittee,
        verbose_name=_("owners' committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roles",
    )
    party_org = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("party organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roles",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = RoleQuerySet.as_manager()

    _community_paths = [
        "community",
        "grid__community",
        "building__compound__community",
        "owners_committee__compound__community",
        "party_org__community",
    ]
    scope_paths = {
        "district": [
            "district",
            "subdistrict__district",
            "property_company__district",
            *[f"{p}__subdistrict__district" for p in _community_paths],
        ],
        "subdistrict": [
            "subdistrict",
            "party_org__subdistrict",
            *[f"{p}__subdistrict" for p in _community_paths],
        ],
        "community": _community_paths,
        "grid": ["grid", "building__grid"],
    }

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["person__name", "kind", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="role_term_ends_after_start",
                violation_error_message=_("A term cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=_role_targets_condition(),
                name="role_targets_match_kind",
                violation_error_message=_("The role does not name what it is held in."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["kind", "start_date", "end_date"], name="role_term_idx"
            )
        ]

    def __str__(self):
        return f"{self.person} · {self.get_kind_display()}"

    @property
    def target(self):
        """Return the unit or body the role is held in (the first of its targets)."""
        fields = self.TARGETS.get(self.kind, ())
        return getattr(self, fields[0]) if fields else None

    def clean(self):
        errors = {}
        required = self.TARGETS.get(self.kind, ())
        for field in self.TARGET_FIELDS:
            value = getattr(self, f"{field}_id")
            if field in required and value is None:
                errors[field] = _("A %(role)s role must name its %(field)s.") % {
                    "role": self.get_kind_display(),
                    "field": self._meta.get_field(field).verbose_name,
                }
            elif field not in required and value is not None:
                errors[field] = _("A %(role)s role is not held in a %(field)s.") % {
                    "role": self.get_kind_display(),
                    "field": self._meta.get_field(field).verbose_name,
                }
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("A term cannot end before it starts.")
        if (
            not errors
            and self.kind in (self.Kind.PROPERTY_STEWARD, self.Kind.REPAIR_WORKER)
            and not self.property_company.compounds.filter(
                community_id=self.grid.community_id
            ).exists()
        ):
            errors["property_company"] = _(
                "%(company)s serves no compound in the community of %(grid)s."
            ) % {"company": self.property_company, "grid": self.grid}
        if errors:
            raise ValidationError(errors)


class AppendOnlyQuerySet(models.QuerySet):
    """Rows may be added and read, never changed or removed in bulk."""

    def update(self, **kwargs):
        raise PermissionError("This record is append-only.")

    def delete(self):
        raise PermissionError("This record is append-only.")


class PersonalDataAccess(models.Model):
    """One row each time someone exported, imported or saw residents' personal
    data unmasked: who, what, how many rows, when and from where.

    Append-only: the model refuses changes and deletions, the admin offers
    none, and a database trigger refuses UPDATE (and DELETE on PostgreSQL).
    Community, subdistrict and district staff read the rows of their units.
    """

    class Action(models.TextChoices):
        EXPORT = "export", _("export")
        IMPORT = "import", _("import")
        VIEW = "view", _("view unmasked")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("account"), max_length=150)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    subject = models.CharField(_("what"), max_length=100)
    object_id = models.CharField(_("record"), max_length=64, blank=True)
    object_repr = models.CharField(_("record name"), max_length=200, blank=True)
    fields = models.CharField(_("personal fields"), max_length=200, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=1)
    ip_address = models.CharField(_("from address"), max_length=45, blank=True)
    path = models.CharField(_("page"), max_length=200, blank=True)
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subdistrict = models.ForeignKey(
        Subdistrict,
        verbose_name=_("subdistrict"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

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
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.actor_label} {self.get_action_display()} {self.subject}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("This record is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("This record is append-only.")


# --- Field work: household files (一户一档), care plans, patrols, home visits ---
#
# The grid's own field work lives here with the territory it covers. What a
# finding or a visit turns into (a case, a wish) belongs to the apps above
# (petitions, volunteers): their records point down at these, never the other
# way, and ``grids.extensions`` lets this app offer them without importing them.


class Tag(TimeStampedModel):
    """A mark on a household that calls for care or attention: 独居老人, 空巢,
    残疾人, 低保, 一老一小, 重点关注 … District-wide reference data, kept in the
    admin, so that every community counts the same things."""

    name = models.CharField(_("name"), max_length=30, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("household tag")
        verbose_name_plural = _("household tags")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class HouseholdTag(models.Model):
    """One tag on one household, since when and why (the household file)."""

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        related_name="household_tags",
    )
    tag = models.ForeignKey(
        Tag,
        verbose_name=_("tag"),
        on_delete=models.PROTECT,
        related_name="household_tags",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    scope_paths = below_community(
        "household__unit__building__compound__community",
        ["household__unit__building__grid"],
    )
    str_related = ("household__unit__building__compound", "tag")

    class Meta:
        verbose_name = _("tag of a household")
        verbose_name_plural = _("tags of households")
        ordering = ["tag__position", "tag__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "tag"], name="householdtag_once"
            )
        ]
        indexes = [models.Index(fields=["tag", "household"], name="householdtag_idx")]

    def __str__(self):
        return f"{self.household} · {self.tag}"


class CarePlan(TimeStampedModel):
    """How often a community visits households with a tag (独居老人 every 7
    days). A household under several plans is visited at the shortest rhythm."""

    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="care_plans",
    )
    tag = models.ForeignKey(
        Tag,
        verbose_name=_("tag"),
        on_delete=models.PROTECT,
        related_name="care_plans",
    )
    every_days = models.PositiveSmallIntegerField(
        _("visit every (days)"),
        validators=[MinValueValidator(1), MaxValueValidator(366)],
    )
    is_active = models.BooleanField(_("in force"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    scope_paths = below_community("community", [])

    class Meta:
        verbose_name = _("care plan")
        verbose_name_plural = _("care plans")
        ordering = ["community__name", "tag__position", "tag__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "tag"], name="careplan_one_per_tag"
            ),
            models.CheckConstraint(
                condition=Q(every_days__gte=1),
                name="careplan_every_day_or_more",
            ),
        ]

    def __str__(self):
        return f"{self.tag} · {self.every_days}"


class Patrol(TimeStampedModel):
    """A round of a grid (巡查) by its grid worker, from start to end, with
    what was found on the way (``findings``). Its states move by the lifecycle
    in ``grids.workflow``."""

    class Status(models.TextChoices):
        ONGOING = "ongoing", _("on patrol")
        ENDED = "ended", _("ended")

    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        related_name="patrols",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("patrolled by"),
        on_delete=models.PROTECT,
        related_name="patrols",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ONGOING
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    note = models.TextField(
        _("summary"),
        max_length=1000,
        blank=True,
        validators=[MaxLengthValidator(1000)],
    )

    scope_paths = below_community("grid__community", ["grid"])
    str_related = ("grid__community", "person")

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        ordering = ["-started_at", "-id"]
        constraints = [
            # One round at a time: a second tap on "start" finds the first.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="ongoing"),
                name="patrol_one_ongoing_per_person",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True)
                | Q(ended_at__gte=models.F("started_at")),
                name="patrol_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["grid", "started_at"], name="patrol_grid_idx"),
            models.Index(fields=["started_at"], name="patrol_started_idx"),
        ]

    def __str__(self):
        local = timezone.localtime(self.started_at)
        return f"{self.grid.name} {local:%Y-%m-%d %H:%M}"


class PatrolEvent(StateEvent):
    """The timeline of a patrol: started, ended (by its patroller or the system)."""

    patrol = models.ForeignKey(
        Patrol,
        verbose_name=_("patrol"),
        on_delete=models.CASCADE,
        related_name="events",
    )

    class Meta(StateEvent.Meta):
        verbose_name = _("patrol timeline entry")
        verbose_name_plural = _("patrol timeline")

    def __str__(self):
        return f"{self.patrol} {self.action}"


def _finding_photo_path(instance, filename):
    # The server names every file; the uploader's file name is never used.
    return f"patrols/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"


class PatrolFinding(models.Model):
    """Something a patrol found at a building, with a photo; handled on the
    spot, or turned into a case (the case points back at it)."""

    class Kind(models.TextChoices):
        FIRE_LANE = "fire_lane", _("fire lane blocked, flying wires")
        ENVIRONMENT = "environment", _("sanitation and greening")
        FACILITIES = "facilities", _("damaged facilities")
        REPAIR = "repair", _("leak or repair in a common area")
        PARKING = "parking", _("parking in the way")
        SAFETY = "safety", _("safety hazard")
        DISPUTE = "dispute", _("dispute between neighbours")
        OTHER = "other", _("other")

    patrol = models.ForeignKey(
        Patrol,
        verbose_name=_("patrol"),
        on_delete=models.PROTECT,
        related_name="findings",
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        related_name="patrol_findings",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(
        _("what was found"), max_length=1000, validators=[MaxLengthValidator(1000)]
    )
    photo = models.ImageField(_("photo"), upload_to=_finding_photo_path, blank=True)
    is_handled = models.BooleanField(_("handled on the spot"), default=False)
    created_at = models.DateTimeField(_("found at"), default=timezone.now)

    scope_paths = below_community("patrol__grid__community", ["patrol__grid"])

    class Meta:
        verbose_name = _("patrol finding")
        verbose_name_plural = _("patrol findings")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["patrol", "created_at"], name="finding_patrol_idx"),
            models.Index(fields=["created_at"], name="finding_created_idx"),
        ]

    def __str__(self):
        return f"{self.building} · {self.get_kind_display()}"


class Visit(models.Model):
    """A home visit (走访): who went, when, whom they met, what they found and
    any need that calls for more (which may become a case or a wish)."""

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    visitor = models.ForeignKey(
        Person,
        verbose_name=_("visited by"),
        on_delete=models.PROTECT,
        related_name="visits_made",
    )
    visited_at = models.DateTimeField(_("visited at"), default=timezone.now)
    met = models.CharField(_("met"), max_length=100, blank=True)
    findings = models.TextField(
        _("what was found"), max_length=1000, validators=[MaxLengthValidator(1000)]
    )
    need = models.TextField(
        _("need"), max_length=500, blank=True, validators=[MaxLengthValidator(500)]
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    scope_paths = below_community(
        "household__unit__building__compound__community",
        ["household__unit__building__grid"],
    )

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["-visited_at", "-id"]
        indexes = [
            models.Index(
                fields=["household", "visited_at"], name="visit_household_idx"
            ),
            models.Index(fields=["visited_at"], name="visit_when_idx"),
        ]

    def __str__(self):
        return f"{self.household} {timezone.localtime(self.visited_at):%Y-%m-%d}"


# --- Residents' verified phones (grids.residents) ----------------------------


class PhoneCode(models.Model):
    """A one-time code sent by SMS to prove a resident holds a phone number.

    Only an HMAC of the code is kept (keyed with the site's secret and salted
    per row), so a copy of the database does not give codes away; a code lives
    a few minutes and allows a few tries."""

    phone = models.CharField(_("phone"), max_length=11)
    salt = models.CharField(_("salt"), max_length=32)
    code_hash = models.CharField(_("code (HMAC)"), max_length=64)
    attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("phone code")
        verbose_name_plural = _("phone codes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["phone", "created_at"], name="phonecode_phone_idx")
        ]

    def __str__(self):
        return f"{self.phone[:3]}****{self.phone[-4:]} {self.created_at:%H:%M}"


class RememberedDevice(models.Model):
    """A device that proved a phone number: its cookie carries a random token
    of which only the SHA-256 is kept here. It lasts a month unless revoked."""

    phone = models.CharField(_("phone"), max_length=11, db_index=True)
    token_hash = models.CharField(_("token (SHA-256)"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("verified at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("signed out at"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("remembered device")
        verbose_name_plural = _("remembered devices")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.phone[:3]}****{self.phone[-4:]} {self.created_at:%Y-%m-%d}"


class ResidentContact(TimeStampedModel):
    """What a resident chose about being contacted at a phone number: when it
    was last verified and whether messages are stopped (退订). A WeChat account
    bound to the number is a ``core.WechatBinding``: the WeChat backend reads it
    where notifications are sent, below this app."""

    phone = models.CharField(_("phone"), max_length=11, unique=True)
    verified_at = models.DateTimeField(_("last verified at"), null=True, blank=True)
    messages_stopped_at = models.DateTimeField(
        _("messages stopped at (退订)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("resident contact")
        verbose_name_plural = _("resident contacts")

    def __str__(self):
        return f"{self.phone[:3]}****{self.phone[-4:]}"

    @property
    def wants_messages(self) -> bool:
        return self.messages_stopped_at is None


# Notices (通知公告) and service centres (党群服务中心, 红旗驿站) live in their
# own modules; imported here so that Django finds their models.
from .centres.models import DutyShift, ServiceCentre  # noqa: E402, F401
from .notices.models import (  # noqa: E402, F401
    Notice,
    NoticeAttachment,
    NoticeEvent,
)
