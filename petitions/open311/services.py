"""Open311 clients: made with a key that is shown once, bound to communities.

Kept beside the Open311 views rather than in ``petitions/services.py``: a
client is the endpoint's own credential, not part of a case's lifecycle.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.keys import key_hash, key_new, key_prefix
from core.services import audit_record
from grids.scoping import user_can_see

from ..models import Open311Client

#: How often the last use of a key is written: not on every request.
LAST_USED_STEP = datetime.timedelta(minutes=5)


def _check_communities(actor, communities) -> list:
    communities = list(communities)
    if actor is not None and not all(user_can_see(actor, c) for c in communities):
        raise PermissionDenied(_("You may not bind a client to that community."))
    return communities


@transaction.atomic
def open311_client_create(
    *, name: str, communities, actor=None
) -> tuple[Open311Client, str]:
    """Make a client bound to ``communities`` and return it with its key, which
    is shown once and never stored."""
    communities = _check_communities(actor, communities)
    key = key_new()
    client = Open311Client(name=name, key_hash=key_hash(key), prefix=key_prefix(key))
    client.full_clean(exclude=["key_hash", "prefix"])
    client.save()
    client.communities.set(communities)
    audit_record(
        actor=actor,
        action="open311client.create",
        target=client,
        changes={
            "name": name,
            "prefix": client.prefix,
            "communities": [c.pk for c in communities],
        },
    )
    return client, key


@transaction.atomic
def open311_client_new_key(*, client: Open311Client, actor=None) -> str:
    """Give ``client`` a new key (the old one stops working) and return it."""
    key = key_new()
    client.key_hash, client.prefix = key_hash(key), key_prefix(key)
    client.save(update_fields=["key_hash", "prefix", "updated_at"])
    audit_record(
        actor=actor,
        action="open311client.new_key",
        target=client,
        changes={"prefix": client.prefix},
    )
    return key


@transaction.atomic
def open311_client_update(
    *, client: Open311Client, communities, is_active: bool, actor=None
) -> Open311Client:
    """Change the communities a client may file in, or stop it."""
    communities = _check_communities(actor, communities)
    client.is_active = is_active
    client.full_clean(exclude=["key_hash", "prefix"])
    client.save(update_fields=["is_active", "updated_at"])
    client.communities.set(communities)
    audit_record(
        actor=actor,
        action="open311client.update",
        target=client,
        changes={"is_active": is_active, "communities": [c.pk for c in communities]},
    )
    return client


def open311_client_for_key(key: str) -> Open311Client | None:
    """Return the active client whose key is ``key``, noting its use."""
    if not key or len(key) > 64:
        return None
    client = Open311Client.objects.filter(
        key_hash=key_hash(key), is_active=True
    ).first()
    if client is None:
        return None
    now = timezone.now()
    if client.last_used_at is None or client.last_used_at < now - LAST_USED_STEP:
        Open311Client.objects.filter(pk=client.pk).update(last_used_at=now)
    return client


def open311_client_may_file_in(client: Open311Client, community) -> bool:
    return client.communities.filter(pk=community.pk).exists()
