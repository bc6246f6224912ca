from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Abstract base: every domain row knows when it was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One row per write made through a service: who changed what, and when.

    Aggregates with a timeline of their own (a petition, a meeting) keep their own
    event table; this one is the audit trail of the organisation registry.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    action = models.CharField(_("action"), max_length=64)
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("target type"), on_delete=models.PROTECT
    )
    target_id = models.CharField(_("target id"), max_length=64)
    target_repr = models.CharField(_("target"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["target_type", "target_id"], name="auditevent_target_idx"
            )
        ]

    def __str__(self):
        return f"{self.action} {self.target_repr}"


class OutboxMessage(models.Model):
    """Work to hand to Celery, written in the same transaction as the change.

    A request never talks to the broker: it writes a row here, and the relay
    (``manage.py outbox_relay``, or in-process with the embedded default) hands
    it on. If the broker is down, rows wait; nothing is lost.
    """

    task_name = models.CharField(_("task"), max_length=100)
    kwargs = models.JSONField(_("arguments"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("handed on at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(dispatched_at__isnull=True),
                name="outbox_pending_idx",
            )
        ]

    def __str__(self):
        return f"{self.task_name} {self.kwargs}"


class Notification(models.Model):
    """One message to one person, sent at most once (``dedupe_key`` is unique)."""

    dedupe_key = models.CharField(_("key"), max_length=150, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    phone = models.CharField(_("phone"), max_length=11, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject


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
        "grids.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subdistrict = models.ForeignKey(
        "grids.Subdistrict",
        verbose_name=_("subdistrict"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    district = models.ForeignKey(
        "grids.District",
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
