from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Abstract base: every domain row knows when it was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class StateEvent(models.Model):
    """Abstract base of a record's timeline: one row per step of its lifecycle
    (``core.lifecycle``), saying who took it, when, from which state to which,
    and why. A concrete subclass adds the foreign key to its record."""

    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("by"), max_length=50, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_public = models.BooleanField(_("shown to the resident"), default=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]


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
    """Work to run after a change, written in the same transaction as the change.

    A request never talks to the broker: it writes a row here, and the relay
    (``manage.py outbox_relay``) hands it to Celery. The row is finished when
    its task has done the work (``done_at``), not when the broker took it: a
    row handed on and not finished within the visibility window is handed on
    again, a failed task is retried with growing delays, and a row that still
    fails after ``OUTBOX_GIVE_UP_AFTER`` is dead (``dead_at``) until staff retry
    it from the admin. Tasks are idempotent, so a second run changes nothing.
    """

    class State(models.TextChoices):
        WAITING = "waiting", _("waiting")
        HANDED_ON = "handed_on", _("handed on")
        RETRYING = "retrying", _("failed, will retry")
        DONE = "done", _("done")
        DEAD = "dead", _("dead")

    task_name = models.CharField(_("task"), max_length=100)
    kwargs = models.JSONField(_("arguments"), default=dict)
    dedupe_key = models.CharField(
        _("key"), max_length=150, unique=True, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    available_at = models.DateTimeField(_("next hand-on at"), default=timezone.now)
    dispatched_at = models.DateTimeField(_("handed on at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    dead_at = models.DateTimeField(_("dead since"), null=True, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["id"]
        indexes = [
            # The relay's and /healthz's question: unfinished rows, by when due.
            models.Index(
                fields=["available_at", "id"],
                condition=models.Q(done_at__isnull=True, dead_at__isnull=True),
                name="outbox_unfinished_idx",
            ),
            # Dead rows: few, counted by /healthz on every probe.
            models.Index(
                fields=["dead_at"],
                condition=models.Q(dead_at__isnull=False),
                name="outbox_dead_idx",
            ),
        ]

    def __str__(self):
        return f"{self.task_name} {self.kwargs}"

    @property
    def state(self) -> str:
        if self.done_at:
            return self.State.DONE
        if self.dead_at:
            return self.State.DEAD
        if self.dispatched_at:
            return self.State.HANDED_ON
        if self.failing_since:
            return self.State.RETRYING
        return self.State.WAITING


class Heartbeat(models.Model):
    """When a background process last proved that it runs (read by /healthz)."""

    class Name(models.TextChoices):
        RELAY = "relay", _("outbox relay")
        SCHEDULER = "scheduler", _("schedule (beat)")

    name = models.CharField(
        _("name"), max_length=20, choices=Name.choices, primary_key=True
    )
    at = models.DateTimeField(_("at"))
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"


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
    #: A resident message's kind (core.messages) names the gateway template;
    #: ``params`` are its positional values.
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    params = models.JSONField(_("template values"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("being sent since"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject


class WechatBinding(models.Model):
    """A resident's WeChat openid (Official Account web authorisation) bound to
    the phone number they verified: template messages to that phone go there."""

    openid = models.CharField(_("openid"), max_length=64, unique=True)
    phone = models.CharField(_("phone"), max_length=11, db_index=True)
    bound_at = models.DateTimeField(_("bound at"), default=timezone.now)

    class Meta:
        verbose_name = _("WeChat binding")
        verbose_name_plural = _("WeChat bindings")
        ordering = ["-bound_at"]

    def __str__(self):
        return f"{self.openid[:8]}… {self.phone[:3]}****{self.phone[-4:]}"
