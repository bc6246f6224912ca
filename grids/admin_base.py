"""The base of every staff admin: scoped reads, scoped choices, writes by service.

Later apps build their admins on ``ScopedModelAdmin`` too, so that no admin page
can show a row or offer a choice outside the user's units.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import NestedObjects
from django.db import router
from django.db.models import ProtectedError
from django.http import HttpResponseRedirect
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core.paging import CappedPaginator

from .admin_access import AccessRecordedChangeMixin
from .scoping import instance_in_scope, scope_queryset, user_can_see
from .services import org_object_delete, org_object_save

CONTACT_PERMISSION = "grids.view_contact"


def _is_scoped(model) -> bool:
    return hasattr(model, "scope_paths")


def _choices_queryset(model, request):
    """Return the scoped rows of ``model`` joined with what their labels read."""
    queryset = model._default_manager.select_related(*getattr(model, "str_related", ()))
    return scope_queryset(queryset, request.user) if _is_scoped(model) else queryset


class RelatedChoicesFilter(admin.RelatedOnlyFieldListFilter):
    """Filter by a related object, offering the user's own units of that kind
    (a territory model: read from the scope, never from the listed rows, so a
    list of a million cases costs one small query), or else only the values
    present in the user's rows; labelled in one query however many there are.

    A sidebar of thousands of links helps nobody and costs every page: past
    ``MAX_CHOICES`` the filter offers only the value chosen (from a link or
    the search) and says to narrow by a higher unit or search first."""

    MAX_CHOICES = 800
    template = "admin/filter_related.html"
    too_many = False

    def has_output(self):
        return self.too_many or super().has_output()

    def field_choices(self, field, request, model_admin):
        model = field.related_model
        queryset = model._default_manager.select_related(
            *getattr(model, "str_related", ())
        )
        if _is_scoped(model):
            queryset = scope_queryset(queryset, request.user)
        else:
            present = (
                model_admin.get_queryset(request)
                .order_by()
                .values_list(f"{self.field_path}__pk", flat=True)
            )
            queryset = queryset.filter(pk__in=present)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        rows = list(queryset[: self.MAX_CHOICES + 1])
        self.too_many = len(rows) > self.MAX_CHOICES
        if self.too_many:
            chosen = [v for v in (self.lookup_val or []) if str(v).isdigit()]
            rows = list(queryset.filter(pk__in=chosen)) if chosen else []
        return [(obj.pk, str(obj)) for obj in rows]


class ScopedFormfieldMixin:
    """Offer only choices inside the user's units in foreign-key fields."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if "queryset" not in kwargs and _is_scoped(related):
            kwargs["queryset"] = scope_queryset(
                related._default_manager.all(), request.user
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.related_model
        if "queryset" not in kwargs and _is_scoped(related):
            kwargs["queryset"] = _choices_queryset(related, request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedModelAdmin(
    AccessRecordedChangeMixin, ScopedFormfieldMixin, admin.ModelAdmin
):
    """A ModelAdmin whose rows come from a selector and whose writes go to services.
    A page that shows a resident's contact unmasked is recorded (grids.personal_data).

    ``list_selector`` is the selector that returns the scoped, joined queryset.
    """

    list_selector = None
    list_per_page = 50
    # Lists of a district's rows: no full count, no page past the cap.
    paginator = CappedPaginator
    show_full_result_count = False
    #: Fields holding residents' contacts: not searchable or filterable without
    #: ``grids.view_contact``, or a masked number could be guessed digit by digit.
    contact_fields: tuple[str, ...] = ()

    def lookup_allowed(self, lookup, value, request=None):
        if (
            request is not None
            and lookup.split("__")[0] in self.contact_fields
            and not request.user.has_perm(CONTACT_PERMISSION)
        ):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if request.user.has_perm(CONTACT_PERMISSION):
            return fields
        return tuple(f for f in fields if f.lstrip("=^@") not in self.contact_fields)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        user = request.user

        class ScopedForm(form):
            def _post_clean(self):
                super()._post_clean()
                if not self.errors and not instance_in_scope(user, self.instance):
                    self.add_error(
                        None,
                        _("This record would lie outside the units you may manage."),
                    )

        return ScopedForm

    def get_deleted_objects(self, objs, request):
        """List what a delete would take, naming only rows the user may see."""
        collector = NestedObjects(using=router.db_for_write(self.model))
        collector.collect(objs)

        def label(obj):
            if _is_scoped(type(obj)) and not user_can_see(request.user, obj):
                return _("a record outside your units")
            return f"{capfirst(obj._meta.verbose_name)}: {obj}"

        _to_delete, model_count, perms_needed, _protected = super().get_deleted_objects(
            objs, request
        )
        return (
            collector.nested(label),
            model_count,
            perms_needed,
            [label(obj) for obj in collector.protected],
        )

    def get_queryset(self, request):
        queryset = type(self).list_selector(user=request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except OverflowError:
            # A date beyond the calendar in the URL (?starts_at__year=10**20).
            self.message_user(request, _("That date is out of range."), messages.ERROR)
            return HttpResponseRedirect(request.path)

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


class ReadOnlyInline(admin.TabularInline):
    """Rows shown inside their parent and written only by services (a case's
    timeline, a meeting's attendance): nothing is added, changed or deleted
    here. Whoever holds ``view_permission``, the parent's view right, sees them.
    """

    extra = 0
    can_delete = False
    view_permission = ""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(self.view_permission)


class ScopedInline(ScopedFormfieldMixin, admin.TabularInline):
    """A tabular inline that shows only rows inside the user's units."""

    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user)
