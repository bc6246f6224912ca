"""Admin pieces that record access to personal data (grids.personal_data)."""

from .personal_data import personal_data_record, subject_of

CONTACT_PERMISSION = "grids.view_contact"


def _personal_fields(model_admin, request) -> tuple[str, ...]:
    if request.user.has_perm(CONTACT_PERMISSION):
        return tuple(getattr(model_admin, "contact_fields", ()))
    return ()


class AccessRecordedImportExportMixin:
    """Record every export and every import of a django-import-export admin:
    who, which model, how many rows, from where."""

    def get_data_for_export(self, request, queryset, **kwargs):
        data = super().get_data_for_export(request, queryset, **kwargs)
        personal_data_record(
            request=request,
            action="export",
            subject=subject_of(self.model),
            rows=len(data),
            fields=_personal_fields(self, request),
        )
        return data

    def process_result(self, result, request):
        totals = result.totals
        personal_data_record(
            request=request,
            action="import",
            subject=subject_of(self.model),
            rows=totals.get("new", 0) + totals.get("update", 0),
        )
        return super().process_result(result, request)


class AccessRecordedChangeMixin:
    """Record each showing of a record's page with a personal field unmasked.

    ``contact_shown(request, obj)`` says whether this page shows one; by
    default: the reader has the contact right, one of ``contact_fields`` is on
    the form and holds a value.
    """

    def contact_shown(self, request, obj) -> bool:
        if obj is None or not request.user.has_perm(CONTACT_PERMISSION):
            return False
        shown = set(self.get_fields(request, obj)) - set(
            self.get_exclude(request, obj) or ()
        )
        return any(
            name in shown and getattr(obj, name, "")
            for name in getattr(self, "contact_fields", ())
        )

    def render_change_form(
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        if (
            change
            and obj is not None
            and request.method == "GET"
            and self.contact_shown(request, obj)
        ):
            personal_data_record(
                request=request,
                action="view",
                subject=subject_of(self.model),
                obj=obj,
                fields=tuple(getattr(self, "contact_fields", ())),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)
