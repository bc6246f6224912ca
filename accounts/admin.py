from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Account administration: kept to superusers (see ``has_*_permission``).

    Accounts carry no organisation unit of their own, so they cannot be scoped;
    staff see and manage people and roles in the organisation admin instead.
    """

    list_display = ("username", "first_name", "is_staff", "is_active", "last_login")

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
