"""The service-centre records (imported into ``grids.models`` so that Django
finds them)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

#: Seed 004's six kinds of service offered on duty at the property office.
SIX_SERVICES = "解民需、帮民困、慰民心、疗民疾、暖民情、便民急"


class ServiceCentre(TimeStampedModel):
    """A 党群服务中心 or a 红旗驿站 of a community (or in one of its
    compounds), with its opening hours and the services it offers."""

    class Kind(models.TextChoices):
        PARTY_SERVICE_CENTRE = "centre", _("party and people's service centre")
        RED_FLAG_STATION = "station", _("red-flag station (红旗驿站)")
        PROPERTY_OFFICE = "office", _("property office with staff on duty")

    community = models.ForeignKey(
        "grids.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="service_centres",
    )
    compound = models.ForeignKey(
        "grids.Compound",
        verbose_name=_("compound"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_centres",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    office_phone = models.CharField(_("office telephone"), max_length=30, blank=True)
    opening_hours = models.CharField(
        _("opening hours"), max_length=200, help_text=_("e.g. 周一至周五 8:30–17:30")
    )
    services = models.CharField(
        _("services offered"), max_length=300, blank=True, default=SIX_SERVICES
    )
    is_active = models.BooleanField(_("open"), default=True)

    scope_paths = {
        "district": ["community__subdistrict__district"],
        "subdistrict": ["community__subdistrict"],
        "community": ["community"],
        "grid": [],
    }

    class Meta:
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")
        ordering = ["community", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"], name="servicecentre_unique_name"
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.compound_id and self.compound.community_id != self.community_id:
            raise ValidationError(
                {"compound": _("The compound is not in this community.")}
            )


class DutyShift(models.Model):
    """One turn on duty at a centre (轮值坐班): who, on which day, when, and
    what they offer that day."""

    centre = models.ForeignKey(
        ServiceCentre,
        verbose_name=_("service centre"),
        on_delete=models.CASCADE,
        related_name="shifts",
    )
    person = models.ForeignKey(
        "grids.Person",
        verbose_name=_("on duty"),
        on_delete=models.PROTECT,
        related_name="duty_shifts",
    )
    duty_date = models.DateField(_("date"))
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))
    service = models.CharField(_("service of the day"), max_length=100, blank=True)

    scope_paths = {
        "district": ["centre__community__subdistrict__district"],
        "subdistrict": ["centre__community__subdistrict"],
        "community": ["centre__community"],
        "grid": [],
    }

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty rota")
        ordering = ["duty_date", "starts_at"]
        indexes = [models.Index(fields=["centre", "duty_date"], name="dutyshift_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="dutyshift_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["centre", "person", "duty_date", "starts_at"],
                name="dutyshift_one_turn",
            ),
        ]

    def __str__(self):
        return f"{self.centre} {self.duty_date:%Y-%m-%d} {self.person}"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end is before the start.")})
