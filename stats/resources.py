"""Spreadsheet downloads of what staff entered for the statistics: one row a
compound and month, named as people read them (community and compound names,
not ids)."""

from django.utils.translation import gettext_lazy
from import_export import fields, resources

from .models import FeeCollection


def _column(attribute: str, label) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=label, readonly=True)


class FeeCollectionResource(resources.ModelResource):
    community = _column("compound__community__name", gettext_lazy("community"))
    compound = _column("compound__name", gettext_lazy("compound"))
    month = _column("month", gettext_lazy("month"))
    households_billed = _column("households_billed", gettext_lazy("households billed"))
    households_paid = _column("households_paid", gettext_lazy("households paid"))
    amount_due = _column("amount_due", gettext_lazy("amount due (yuan)"))
    amount_collected = _column(
        "amount_collected", gettext_lazy("amount collected (yuan)")
    )
    note = _column("note", gettext_lazy("note"))

    class Meta:
        model = FeeCollection
        fields = (
            "community",
            "compound",
            "month",
            "households_billed",
            "households_paid",
            "amount_due",
            "amount_collected",
            "note",
        )
        export_order = fields

    def get_export_headers(self, selected_fields=None):
        return [str(h) for h in super().get_export_headers(selected_fields)]
