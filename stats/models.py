"""Roll-up tables the district dashboards read instead of the raw cases.

Grain: month × community × property company (empty for cases without one).
Community figures sum over companies, company figures over communities, and
subdistrict and district figures over their communities, so one table answers
every dashboard question at the size of the organisation, not of the cases.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from grids.models import Community, PropertyCompany, below_community

#: The additive figures of a month, in the order the API reports them.
PETITION_FIGURES = (
    "received",
    "accepted",
    "accepted_on_time",
    "closed",
    "closed_on_time",
    "rated",
    "satisfied",
    "fairly_satisfied",
    "reopened",
    "referred",
    "accept_seconds",
    "close_seconds",
)


class PetitionMonthly(models.Model):
    """The cases received in one month, in one community, for one company."""

    month = models.DateField(_("month"))
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
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
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    accepted_on_time = models.PositiveIntegerField(_("accepted on time"), default=0)
    closed = models.PositiveIntegerField(_("closed"), default=0)
    closed_on_time = models.PositiveIntegerField(_("closed on time"), default=0)
    rated = models.PositiveIntegerField(_("rated"), default=0)
    satisfied = models.PositiveIntegerField(_("satisfied"), default=0)
    fairly_satisfied = models.PositiveIntegerField(_("fairly satisfied"), default=0)
    reopened = models.PositiveIntegerField(_("reopened"), default=0)
    referred = models.PositiveIntegerField(_("referred"), default=0)
    accept_seconds = models.BigIntegerField(_("seconds to accept, summed"), default=0)
    close_seconds = models.BigIntegerField(_("seconds to close, summed"), default=0)
    refreshed_at = models.DateTimeField(_("refreshed at"), auto_now=True)

    scope_paths = below_community("community", [])

    class Meta:
        verbose_name = _("monthly case figures")
        verbose_name_plural = _("monthly case figures")
        ordering = ["-month", "community"]
        constraints = [
            # Two partial indexes: "no company" is one row too, on every database.
            models.UniqueConstraint(
                fields=["month", "community", "property_company"],
                condition=models.Q(property_company__isnull=False),
                name="petitionmonthly_one_row_per_company",
            ),
            models.UniqueConstraint(
                fields=["month", "community"],
                condition=models.Q(property_company__isnull=True),
                name="petitionmonthly_one_row_without_company",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "month"], name="petitionmonthly_idx")
        ]

    def __str__(self):
        return f"{self.community} {self.month:%Y-%m}"
