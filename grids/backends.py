from django.contrib.auth.backends import ModelBackend


class RolePermissionBackend(ModelBackend):
    """Grant the permissions of a staff account's active roles.

    Django's own user and group permissions still apply (this extends
    ``ModelBackend``); each app declares its roles' permissions beside its
    models, gathered by ``grids.permissions.role_permissions``.
    """

    def get_group_permissions(self, user_obj, obj=None):
        perms = set(super().get_group_permissions(user_obj, obj))
        return perms | self.get_role_permissions(user_obj)

    def get_role_permissions(self, user_obj) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or not user_obj.is_staff:
            return set()
        cached = getattr(user_obj, "_role_perm_cache", None)
        if cached is None:
            from .models import Role
            from .permissions import role_permissions

            kinds = set(
                Role.objects.active()
                .filter(person__user=user_obj)
                .values_list("kind", flat=True)
            )
            table = role_permissions()
            cached = set().union(*(table.get(kind, frozenset()) for kind in kinds))
            user_obj._role_perm_cache = cached
        return cached
