from rest_framework.permissions import BasePermission


class IsStaffWithScope(BasePermission):
    """Allow authenticated staff accounts; rows are narrowed by the selectors.

    Whether a user may see a given row is never decided here: every queryset comes
    from a selector that applies ``grids.scoping``, so a row outside the caller's
    units is simply absent (404), exactly like a row that does not exist.
    """

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_staff)


class CanViewModel(IsStaffWithScope):
    """Staff who also hold the view permission of the listed model."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        opts = view.get_queryset().model._meta
        return request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
