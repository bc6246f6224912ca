"""Disclosure entries in the staff admin: recorded with their receipts,
never edited (a mistake is put right by a correcting entry)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy

from grids.admin_base import RelatedChoicesFilter, ScopedModelAdmin

from .models import DisclosureAttachment, DisclosureEntry
from .selectors import disclosure_entry_list
from .services import disclosure_entry_record


class DisclosureEntryForm(forms.ModelForm):
    receipt = forms.ImageField(
        label=gettext_lazy("Photo of the receipt"),
        required=False,
        help_text=gettext_lazy("JPEG, PNG or WebP; cleaned of its metadata."),
    )

    class Meta:
        model = DisclosureEntry
        fields = (
            "compound",
            "kind",
            "direction",
            "title",
            "amount",
            "occurred_on",
            "note",
        )


class ReceiptInline(admin.TabularInline):
    model = DisclosureAttachment
    fields = ("image", "caption")
    readonly_fields = ("image", "caption")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DisclosureEntry)
class DisclosureEntryAdmin(ScopedModelAdmin):
    form = DisclosureEntryForm
    list_selector = staticmethod(disclosure_entry_list)
    list_display = (
        "occurred_on",
        "compound",
        "kind",
        "direction",
        "title",
        "amount",
        "recorded_by",
    )
    list_filter = ("kind", "direction", ("compound", RelatedChoicesFilter))
    date_hierarchy = "occurred_on"
    inlines = [ReceiptInline]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        receipt = data.get("receipt")
        entry = disclosure_entry_record(
            actor=request.user,
            receipts=[receipt] if receipt else [],
            **{name: data[name] for name in DisclosureEntryForm.Meta.fields},
        )
        obj.pk = entry.pk

    def save_related(self, request, form, formsets, change):
        """The entry and its receipt are written by the service."""
