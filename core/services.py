from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEvent


def audit_record(
    *, actor, action: str, target: models.Model, changes: dict | None = None
) -> AuditEvent:
    """Write one audit row for ``action`` on ``target``; call inside the service's
    transaction so that the row and the change stand or fall together."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        changes=changes or {},
    )


def model_changes(instance: models.Model, fields) -> dict:
    """Return the values of ``fields`` on ``instance`` in a JSON-safe form."""
    out = {}
    for name in fields:
        value = getattr(instance, name)
        if isinstance(value, models.Model):
            value = value.pk
        out[name] = (
            value if isinstance(value, int | float | bool | None) else str(value)
        )
    return out
