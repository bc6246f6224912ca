from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ApiToken, User
from .services import api_token_create, api_token_revoke


class _SuperuserOnly:
    """Accounts carry no organisation unit of their own, so they cannot be
    scoped: superusers keep them."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(User)
class UserAdmin(_SuperuserOnly, DjangoUserAdmin):
    """Account administration, for superusers; staff see and manage people
    and roles in the organisation admin instead."""

    list_display = ("username", "first_name", "is_staff", "is_active", "last_login")


@admin.register(ApiToken)
class ApiTokenAdmin(_SuperuserOnly, admin.ModelAdmin):
    """Keys with which programs use the API as a staff account. The key is
    shown once, when it is made; revoke a key that is lost or unused."""

    list_display = (
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    search_fields = ("name", "user__username", "prefix")
    readonly_fields = (
        "prefix",
        "created_by",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    raw_id_fields = ("user",)
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name", "expires_at")
        return ("user", "name", *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("user", "name", *self.readonly_fields)

    def get_changeform_initial_data(self, request):
        from .services import api_token_default_expiry

        return {"expires_at": api_token_default_expiry()}

    def save_model(self, request, obj, form, change):
        if change:
            return
        token, key = api_token_create(
            user=obj.user, name=obj.name, expires_at=obj.expires_at, actor=request.user
        )
        obj.pk, obj.key_hash, obj.prefix = token.pk, token.key_hash, token.prefix
        self.message_user(
            request,
            _(
                "The key of “%(name)s” is %(key)s — copy it now: it is not shown "
                "again. Send it as the header “Authorization: Token <key>”."
            )
            % {"name": token.name, "key": key},
            messages.WARNING,
        )

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token, actor=request.user)
        self.message_user(request, _("Revoked."), messages.SUCCESS)

    def has_delete_permission(self, request, obj=None):
        # The audit trail names tokens: revoke, never delete.
        return False
