"""Residents' issue reports (报事报修): categories, cases, their timeline and photos.

The states and the moves between them live in ``petitions.workflow``; every
change of a case goes through ``petitions.services`` and leaves an event row.
"""

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import StateEvent, TimeStampedModel
from core.phones import mask_mobile, mask_name, validate_mobile
from core.storage import private_storage
from grids.models import (
    Building,
    Community,
    Compound,
    Grid,
    PatrolFinding,
    Person,
    Visit,
    below_community,
)

DESCRIPTION_MAX = 2000


class Category(TimeStampedModel):
    """A kind of report residents can make, with its time limits and questions.

    Categories are district-wide reference data; ``code`` is the Open311
    ``service_code``.
    """

    class Group(models.TextChoices):
        REPAIR = "repair", _("repair")
        ENVIRONMENT = "environment", _("environment and greening")
        SAFETY = "safety", _("safety and fire lanes")
        PARKING = "parking", _("parking")
        DISPUTE = "dispute", _("neighbour dispute")
        FACILITIES = "facilities", _("facilities")
        SUGGESTION = "suggestion", _("suggestion")
        COMPLAINT = "complaint", _("complaint about property service")

    class Handler(models.TextChoices):
        GRID = "grid", _("grid worker")
        PROPERTY = "property", _("property company")
        COMMUNITY = "community", _("community")

    class RepairKind(models.TextChoices):
        NONE = "", _("not a repair")
        PUBLIC = "public", _("public repair")
        PAID = "paid", _("paid repair")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    group = models.CharField(_("group"), max_length=20, choices=Group.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    default_handler = models.CharField(
        _("handled by default by"), max_length=20, choices=Handler.choices
    )
    accept_hours = models.PositiveIntegerField(
        _("hours to accept"), default=2, validators=[MinValueValidator(1)]
    )
    resolve_hours = models.PositiveIntegerField(
        _("hours to resolve"), default=72, validators=[MinValueValidator(1)]
    )
    repair_kind = models.CharField(
        _("repair kind"), max_length=10, choices=RepairKind.choices, blank=True
    )
    allows_anonymous = models.BooleanField(
        _("anonymous reports allowed"), default=False
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    #: Cases of a private category are never published (Open311); complaints
    #: about property service and neighbour disputes are private whatever the
    #: flag says (``PRIVATE_GROUPS``).
    is_private = models.BooleanField(
        _("private (never published)"),
        default=False,
        help_text=_(
            "Cases of this category are not published on Open311. Complaints "
            "about property service and neighbour disputes never are."
        ),
    )
    private_in = models.ManyToManyField(
        "grids.Community",
        verbose_name=_("private in these communities"),
        blank=True,
        related_name="private_categories",
        help_text=_("Communities that keep this category's cases unpublished."),
    )

    #: Groups whose cases are never published, whatever ``is_private`` says.
    PRIVATE_GROUPS = (Group.COMPLAINT, Group.DISPUTE)

    class Meta:
        verbose_name = _("report category")
        verbose_name_plural = _("report categories")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class CategoryQuestion(models.Model):
    """An extra question a category asks (Open311 ``attribute``)."""

    class Kind(models.TextChoices):
        TEXT = "text", _("text")
        NUMBER = "number", _("number")
        DATE = "date", _("date")
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")

    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("question"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("One choice per line.")
    )
    is_required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("extra question")
        verbose_name_plural = _("extra questions")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "code"], name="categoryquestion_unique_code"
            )
        ]

    def __str__(self):
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [c.strip() for c in self.choices.splitlines() if c.strip()]


class Department(models.Model):
    """A government department a case can be referred to (联动处理)."""

    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self):
        return self.name


def _tracking_token() -> str:
    return secrets.token_urlsafe(18)


class Petition(TimeStampedModel):
    """One case: a resident's report and everything done about it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        DISPATCHED = "dispatched", _("dispatched")
        IN_PROGRESS = "in_progress", _("in progress")
        AWAITING_RESIDENT = "awaiting_resident", _("resolved, awaiting the resident")
        CLOSED = "closed", _("closed")
        REJECTED = "rejected", _("rejected")
        REFERRED = "referred", _("referred to a department")
        ON_HOLD = "on_hold", _("on hold")
        MERGED = "merged", _("duplicate, merged")

    OPEN_STATUSES = (
        Status.SUBMITTED,
        Status.ACCEPTED,
        Status.DISPATCHED,
        Status.IN_PROGRESS,
        Status.REFERRED,
        Status.ON_HOLD,
    )

    class Channel(models.TextChoices):
        WEB = "web", _("mobile form")
        QR = "qr", _("building QR code")
        PHONE = "phone", _("phone call")
        VISIT = "visit", _("visit")
        MEETING = "meeting", _("deliberation meeting")
        CHAT_GROUP = "chat_group", _("grid chat group")
        OPEN311 = "open311", _("Open311 client")
        PATROL = "patrol", _("grid patrol")

    class Level(models.IntegerChoices):
        GRID = 0, _("grid")
        COMMUNITY = 1, _("community")
        SUBDISTRICT = 2, _("subdistrict")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("satisfied")
        FAIRLY = "fairly", _("fairly satisfied")
        DISSATISFIED = "dissatisfied", _("dissatisfied")

    number = models.CharField(_("case number"), max_length=20, unique=True)
    tracking_token = models.CharField(
        _("tracking token"), max_length=32, unique=True, default=_tracking_token
    )
    # Given to the Open311 client that filed the case; unlike the tracking
    # token it opens nothing but the case's number.
    open311_token = models.CharField(
        _("Open311 token"), max_length=32, null=True, blank=True, unique=True
    )
    idempotency_key = models.UUIDField(
        _("idempotency key"), null=True, blank=True, unique=True
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    description = models.TextField(
        _("description"),
        max_length=DESCRIPTION_MAX,
        validators=[MaxLengthValidator(DESCRIPTION_MAX)],
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    # Empty when the place is not known to a building: the community handles it.
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    compound = models.ForeignKey(
        Compound,
        verbose_name=_("compound"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    place_detail = models.CharField(_("unit and room"), max_length=100, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    reporter_name = models.CharField(_("reporter"), max_length=50, blank=True)
    reporter_phone = models.CharField(
        _("reporter's phone"), max_length=20, blank=True, validators=[validate_mobile]
    )
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    # Reports need no code (the under-a-minute path stays); a report whose
    # number nobody proved is shown to staff as unverified until its reporter
    # verifies from the tracking page. Staff filing for a resident vouch.
    phone_verified_at = models.DateTimeField(
        _("reporter's phone verified at"), null=True, blank=True
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by staff"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    open311_client = models.ForeignKey(
        "petitions.Open311Client",
        verbose_name=_("Open311 client"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="petitions",
    )
    # Where the grid's field work raised the case: a patrol's finding (once)
    # or a home visit's need. The case points at them; grids never imports us.
    patrol_finding = models.OneToOneField(
        PatrolFinding,
        verbose_name=_("patrol finding"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case",
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("home visit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    handler = models.ForeignKey(
        Person,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_petitions",
    )
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation level"), choices=Level.choices, default=Level.GRID
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("referred to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    accept_due_at = models.DateTimeField(_("accept by"))
    resolve_due_at = models.DateTimeField(_("resolve by"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rating = models.CharField(
        _("rating"), max_length=20, choices=Rating.choices, blank=True
    )
    rating_comment = models.CharField(_("rating comment"), max_length=500, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)
    # The work list's order, kept by the database so that an index serves it:
    # open cases first (0), then by the deadline that matters now.
    open_rank = models.GeneratedField(
        expression=Case(
            When(status__in=OPEN_STATUSES, then=Value(0)),
            default=Value(1),
            output_field=models.SmallIntegerField(),
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
        verbose_name=_("open first"),
    )
    deadline_at = models.GeneratedField(
        expression=Case(
            When(status=Status.SUBMITTED, then=F("accept_due_at")),
            default=F("resolve_due_at"),
        ),
        output_field=models.DateTimeField(),
        db_persist=True,
        verbose_name=_("deadline"),
    )

    scope_paths = below_community("community", ["grid"])

    class Meta:
        verbose_name = _("resident report")
        verbose_name_plural = _("resident reports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_anonymous=True) | ~Q(reporter_phone=""),
                name="petition_phone_unless_anonymous",
                violation_error_message=_(
                    "Leave a phone number or report anonymously."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
                name="petition_merged_names_the_case",
            ),
            models.CheckConstraint(
                condition=~Q(status="referred") | Q(department__isnull=False),
                name="petition_referred_names_the_department",
            ),
        ]
        indexes = [
            models.Index(
                fields=["community", "status"], name="petition_comm_status_idx"
            ),
            models.Index(fields=["grid", "status"], name="petition_grid_status_idx"),
            models.Index(
                fields=["status", "accept_due_at"], name="petition_accept_due_idx"
            ),
            models.Index(
                fields=["status", "resolve_due_at"], name="petition_resolve_due_idx"
            ),
            models.Index(fields=["handler", "status"], name="petition_handler_idx"),
            models.Index(fields=["created_at", "id"], name="petition_created_idx"),
            # The statistics refresh looks up the cases changed lately.
            models.Index(fields=["updated_at"], name="petition_updated_idx"),
            # The staff work list, for everyone and per community and grid.
            models.Index(
                fields=["open_rank", "deadline_at", "-id"], name="petition_work_idx"
            ),
            models.Index(
                fields=["community", "open_rank", "deadline_at", "-id"],
                name="petition_comm_work_idx",
            ),
            models.Index(
                fields=["grid", "open_rank", "deadline_at", "-id"],
                name="petition_grid_work_idx",
            ),
            models.Index(fields=["reporter_phone"], name="petition_phone_idx"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def due_at(self):
        """Return the deadline that matters now: accepting, then resolving."""
        if self.status == self.Status.SUBMITTED:
            return self.accept_due_at
        if self.is_open:
            return self.resolve_due_at
        return None

    @property
    def is_overdue(self) -> bool:
        due = self.due_at
        return due is not None and due < timezone.now()

    @property
    def masked_reporter_name(self) -> str:
        return mask_name(self.reporter_name)

    @property
    def is_phone_unverified(self) -> bool:
        """A resident's own report whose phone nobody proved."""
        return bool(self.reporter_phone) and self.phone_verified_at is None

    @property
    def masked_reporter_phone(self) -> str:
        return mask_mobile(self.reporter_phone)

    @property
    def place(self) -> str:
        parts = [
            self.compound.name if self.compound_id else "",
            self.building.number if self.building_id else "",
            self.place_detail,
        ]
        return " ".join(p for p in parts if p)


def _photo_path(instance, filename):
    # The server names every file; the resident's file name is never used.
    return f"petitions/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"


class PetitionPhoto(models.Model):
    """A photo of the problem (from the resident) or of the fix (from staff)."""

    class Stage(models.TextChoices):
        REPORT = "report", _("report")
        RESOLUTION = "resolution", _("resolution")

    petition = models.ForeignKey(
        Petition,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    image = models.ImageField(_("photo"), upload_to=_photo_path)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    #: Published on Open311 only when staff marked it so (it may show faces,
    #: doors or number plates).
    is_public = models.BooleanField(_("public"), default=False)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.image.name


def _voice_path(instance, filename):
    # The server names every file; only the extension of the checked kind stays.
    ext = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"petitions/voice/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class PetitionVoiceNote(models.Model):
    """A resident's report said aloud instead of typed (issue 18).

    Kept in the private storage: staff who may see the case play it through
    ``workbench:voice-note``; it has no public address.
    """

    petition = models.ForeignKey(
        Petition,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="voice_notes",
    )
    audio = models.FileField(
        _("voice note"), upload_to=_voice_path, storage=private_storage
    )
    content_type = models.CharField(_("content type"), max_length=20)
    duration_seconds = models.DecimalField(
        _("length (seconds)"), max_digits=5, decimal_places=1
    )
    size_bytes = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("voice note")
        verbose_name_plural = _("voice notes")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.audio.name


class PetitionEvent(StateEvent):
    """One entry of a case's timeline: who did what, when, from and to which state."""

    petition = models.ForeignKey(
        Petition,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    note = models.TextField(
        _("note"),
        max_length=DESCRIPTION_MAX,
        blank=True,
        validators=[MaxLengthValidator(DESCRIPTION_MAX)],
    )

    class Meta(StateEvent.Meta):
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["petition", "created_at"], name="petitionevent_idx")
        ]

    def __str__(self):
        return f"{self.petition} {self.action}"

    @property
    def to_status_label(self) -> str:
        return Petition.Status(self.to_status).label if self.to_status else ""


class ReplyTemplate(models.Model):
    """A ready-made reply staff can pick when they note a transition."""

    title = models.CharField(_("title"), max_length=50, unique=True)
    text = models.TextField(_("text"), max_length=1000)

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["title"]

    def __str__(self):
        return self.title


class Open311Client(TimeStampedModel):
    """A named client allowed to POST requests through Open311 with its key,
    in the communities it is bound to. Only a hash of the key is stored; the
    key is shown once, when it is made (``services.open311_client_create``)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    key_hash = models.CharField(
        _("key hash"), max_length=64, unique=True, editable=False
    )
    prefix = models.CharField(_("key begins with"), max_length=8, editable=False)
    communities = models.ManyToManyField(
        Community,
        verbose_name=_("communities it may file in"),
        blank=True,
        related_name="open311_clients",
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")
        ordering = ["name"]

    def __str__(self):
        return self.name
