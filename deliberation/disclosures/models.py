"""The disclosure records (imported into ``deliberation.models`` so that
Django finds them)."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import calendar
from grids.models import Compound, below_community


class DisclosureEntry(models.Model):
    """One line of a compound's public accounts: income or spending of its
    public income, a deposit to or a use of its maintenance fund. Entries are
    public once recorded and never edited: a mistake is put right by a
    correcting entry, as in any account book."""

    class Kind(models.TextChoices):
        PUBLIC_INCOME = "public_income", _("public income (公共收益)")
        MAINTENANCE_FUND = "maintenance_fund", _("maintenance fund (维修资金)")

    class Direction(models.TextChoices):
        IN = "in", _("income")
        OUT = "out", _("expenditure")

    compound = models.ForeignKey(
        Compound,
        verbose_name=_("compound"),
        on_delete=models.PROTECT,
        related_name="disclosure_entries",
    )
    kind = models.CharField(_("account"), max_length=20, choices=Kind.choices)
    direction = models.CharField(
        _("received or spent"), max_length=3, choices=Direction.choices
    )
    title = models.CharField(
        _("what"), max_length=100, help_text=_("e.g. 电梯广告位租金, 屋面防水维修")
    )
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    occurred_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    scope_paths = below_community("compound__community", [])

    class Meta:
        verbose_name = _("disclosure entry")
        verbose_name_plural = _("disclosure entries")
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(
                fields=["compound", "kind", "occurred_on"], name="disclosure_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="disclosureentry_amount"
            )
        ]

    def __str__(self):
        return f"{self.compound} {self.title} {self.amount}"

    def clean(self):
        if self.occurred_on and self.occurred_on > calendar.today():
            raise ValidationError({"occurred_on": _("The date is in the future.")})


def _receipt_path(instance, filename):
    # The server names every file; the uploader's file name is never used.
    return f"disclosures/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"


class DisclosureAttachment(models.Model):
    """A photo of a receipt, an invoice or a contract of an entry, cleaned
    like every uploaded photo (``core.photos``)."""

    entry = models.ForeignKey(
        DisclosureEntry,
        verbose_name=_("disclosure entry"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    image = models.ImageField(_("photo"), upload_to=_receipt_path)
    caption = models.CharField(_("caption"), max_length=100, blank=True)

    scope_paths = below_community("entry__compound__community", [])

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["id"]

    def __str__(self):
        return self.caption or self.image.name
