"""Who may open the staff workbench (/staff/): signed-in staff whose roles
give them units, as in the admin. Others are sent to sign in, or refused."""

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from .scoping import user_scope


def staff_page(view):
    """Open ``view`` to staff with a scope; send anyone else to sign in."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not user.is_staff or user_scope(user).is_empty:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
