"""Every write to the organisation registry.

The registry is mostly plain records (a building, a household, a person), so one
service saves any of them: it cleans, saves, checks that the result lies inside
the actor's units and writes the audit row, all in one transaction. Writes with a
rule of their own (roles, staff accounts) have services of their own.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _

from core import calendar
from core.services import audit_record, model_changes

from .models import Person, Role
from .scoping import user_can_see


def _check_in_scope(*, actor, instance: models.Model) -> None:
    if actor is not None and not user_can_see(actor, instance):
        raise PermissionDenied(
            _("%(object)s lies outside the units you may manage.")
            % {"object": instance._meta.verbose_name}
        )


@transaction.atomic
def org_object_save(*, actor, instance: models.Model) -> models.Model:
    """Validate and save one registry record on behalf of ``actor``.

    ``actor=None`` is the system itself (demo data, migrations). A record that
    would end up outside the actor's units is refused and nothing is written.
    """
    is_new = instance.pk is None
    instance.full_clean()
    instance.save()
    _check_in_scope(actor=actor, instance=instance)
    fields = [f.name for f in instance._meta.concrete_fields if not f.primary_key]
    audit_record(
        actor=actor,
        action=f"{instance._meta.model_name}.{'create' if is_new else 'update'}",
        target=instance,
        changes=model_changes(instance, fields),
    )
    return instance


@transaction.atomic
def org_object_delete(*, actor, instance: models.Model) -> None:
    """Delete one registry record; a record others depend on raises ProtectedError."""
    _check_in_scope(actor=actor, instance=instance)
    audit_record(
        actor=actor, action=f"{instance._meta.model_name}.delete", target=instance
    )
    instance.delete()


@transaction.atomic
def role_assign(
    *,
    actor,
    person: Person,
    kind: str,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    **targets,
) -> Role:
    """Give ``person`` a role of ``kind`` held in ``targets`` for a term."""
    role = Role(
        person=person,
        kind=kind,
        start_date=start_date or calendar.today(),
        end_date=end_date,
        **targets,
    )
    return org_object_save(actor=actor, instance=role)


@transaction.atomic
def role_end(*, actor, role: Role, end_date: datetime.date) -> Role:
    """End ``role`` on ``end_date``; from the next day it opens nothing."""
    role.end_date = end_date
    return org_object_save(actor=actor, instance=role)


@transaction.atomic
def staff_account_create(
    *, actor, person: Person, username: str, password: str
) -> "models.Model":
    """Create a staff login for ``person``; their roles will decide its scope."""
    User = get_user_model()
    user = User(username=username, first_name=person.name, is_staff=True)
    user.set_password(password)
    user.full_clean()
    user.save()
    person.user = user
    org_object_save(actor=actor, instance=person)
    audit_record(actor=actor, action="user.create", target=user)
    return user
