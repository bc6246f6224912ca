from django.contrib.auth.backends import ModelBackend


class RolePermissionBackend(ModelBackend):
    """Grant the permissions of a staff account's active roles.

    Django's own user and group permissions still apply (this extends
    ``ModelBackend``); the role table lives in ``grids.permissions``.
    """

    def get_group_permissions(self, user_obj, obj=None):
        perms = set(super().get_group_permissions(user_obj, obj))
        return perms | self.get_role_permissions(user_obj)

    def get_role_permissions(self, user_obj) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or not user_obj.is_staff:
            return set()
        cached = getattr(user_obj, "_role_perm_cache", None)
        if cached is None:
            from grids.models import Role
            from grids.permissions import ROLE_PERMISSIONS

            kinds = set(
                Role.objects.active()
                .filter(person__user=user_obj)
                .values_list("kind", flat=True)
            )
            cached = set().union(*(ROLE_PERMISSIONS.get(kind, set()) for kind in kinds))
            user_obj._role_perm_cache = cached
        return cached
