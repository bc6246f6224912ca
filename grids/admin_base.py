"""The base of every staff admin: scoped reads, scoped choices, writes by service.

Later apps build their admins on ``ScopedModelAdmin`` too, so that no admin page
can show a row or offer a choice outside the user's units.
"""

from django.contrib import admin, messages
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from .scoping import scope_queryset
from .services import org_object_delete, org_object_save


def _is_scoped(model) -> bool:
    return hasattr(model, "scope_paths")


def _choices_queryset(model, request):
    """Return the scoped rows of ``model`` joined with what their labels read."""
    queryset = model._default_manager.select_related(*getattr(model, "str_related", ()))
    return scope_queryset(queryset, request.user) if _is_scoped(model) else queryset


class RelatedChoicesFilter(admin.RelatedOnlyFieldListFilter):
    """Filter by a related object, offering only values present in the user's rows
    and labelling them in one query however many there are."""

    def field_choices(self, field, request, model_admin):
        present = (
            model_admin.get_queryset(request)
            .order_by()
            .values_list(f"{self.field_path}__pk", flat=True)
        )
        model = field.related_model
        queryset = model._default_manager.filter(pk__in=present).select_related(
            *getattr(model, "str_related", ())
        )
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in queryset]


class ScopedFormfieldMixin:
    """Offer only choices inside the user's units in foreign-key fields."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if "queryset" not in kwargs and _is_scoped(related):
            kwargs["queryset"] = scope_queryset(
                related._default_manager.all(), request.user
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedModelAdmin(ScopedFormfieldMixin, admin.ModelAdmin):
    """A ModelAdmin whose rows come from a selector and whose writes go to services.

    ``list_selector`` is the selector that returns the scoped, joined queryset.
    """

    list_selector = None
    list_per_page = 50

    def get_queryset(self, request):
        queryset = type(self).list_selector(user=request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def save_model(self, request, obj, form, change):
        org_object_save(actor=request.user, instance=obj)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            org_object_delete(actor=request.user, instance=obj)
        for instance in instances:
            org_object_save(actor=request.user, instance=instance)
        formset.save_m2m()

    def delete_model(self, request, obj):
        try:
            org_object_delete(actor=request.user, instance=obj)
        except ProtectedError as exc:
            self._report_protected(request, exc)

    def delete_queryset(self, request, queryset):
        try:
            for obj in queryset:
                org_object_delete(actor=request.user, instance=obj)
        except ProtectedError as exc:
            self._report_protected(request, exc)

    def _report_protected(self, request, exc):
        names = ", ".join(str(o) for o in list(exc.protected_objects)[:5])
        self.message_user(
            request,
            _("Not deleted: other records still depend on it (%(names)s).")
            % {"names": names},
            messages.ERROR,
        )


class ScopedInline(ScopedFormfieldMixin, admin.TabularInline):
    """A tabular inline that shows only rows inside the user's units."""

    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user)
