"""The notice records (imported into ``grids.models`` so that Django finds
them; kept apart from the organisation registry they hang below)."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import StateEvent, TimeStampedModel


class Notice(TimeStampedModel):
    """A notice to the residents of a community, or of one compound or one
    building of it, shown from ``publish_from`` until ``publish_until``."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    community = models.ForeignKey(
        "grids.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="notices",
    )
    compound = models.ForeignKey(
        "grids.Compound",
        verbose_name=_("compound"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
        help_text=_("Empty: the whole community."),
    )
    building = models.ForeignKey(
        "grids.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
        help_text=_("Empty: the whole compound (or community)."),
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"), max_length=5000)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    publish_from = models.DateTimeField(_("shown from"), default=timezone.now)
    publish_until = models.DateTimeField(
        _("shown until"), null=True, blank=True, help_text=_("Empty: until withdrawn.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_paths = {
        "district": ["community__subdistrict__district"],
        "subdistrict": ["community__subdistrict"],
        "community": ["community"],
        "grid": [],
    }

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-is_pinned", "-publish_from"]
        indexes = [
            models.Index(
                fields=["community", "status", "publish_from"], name="notice_shown_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(publish_until__isnull=True)
                | models.Q(publish_until__gt=models.F("publish_from")),
                name="notice_window_forward",
            )
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.compound_id and self.compound.community_id != self.community_id:
            errors["compound"] = _("The compound is not in this community.")
        if self.building_id and (
            not self.compound_id or self.building.compound_id != self.compound_id
        ):
            errors["building"] = _("Choose the building's compound too.")
        if (
            self.publish_until
            and self.publish_from
            and self.publish_until <= self.publish_from
        ):
            errors["publish_until"] = _("The end is before the start.")
        if errors:
            raise ValidationError(errors)

    @property
    def place(self):
        """Who the notice is for: a building, a compound, or the community."""
        return self.building or self.compound or self.community


def _notice_photo_path(instance, filename):
    # The server names every file; the uploader's file name is never used.
    return f"notices/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"


class NoticeAttachment(models.Model):
    """A photo attached to a notice (a scanned letter, a plan), cleaned like
    every uploaded photo (``core.photos``)."""

    notice = models.ForeignKey(
        Notice,
        verbose_name=_("notice"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    image = models.ImageField(_("photo"), upload_to=_notice_photo_path)
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    scope_paths = {
        "district": ["notice__community__subdistrict__district"],
        "subdistrict": ["notice__community__subdistrict"],
        "community": ["notice__community"],
        "grid": [],
    }

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.caption or self.image.name


class NoticeEvent(StateEvent):
    """The timeline of a notice: published, withdrawn."""

    notice = models.ForeignKey(
        Notice,
        verbose_name=_("notice"),
        on_delete=models.CASCADE,
        related_name="events",
    )

    class Meta(StateEvent.Meta):
        verbose_name = _("notice timeline entry")
        verbose_name_plural = _("notice timeline")

    def __str__(self):
        return f"{self.notice} {self.action}"
