"""Every write of disclosure: record an entry with its receipts."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core.photos import clean_photo
from core.services import audit_record
from grids.scoping import instance_in_scope

from .models import DisclosureAttachment, DisclosureEntry


@transaction.atomic
def disclosure_entry_record(
    *,
    actor,
    compound,
    kind: str,
    direction: str,
    title: str,
    amount: Decimal,
    occurred_on: datetime.date,
    note: str = "",
    receipts=(),
) -> DisclosureEntry:
    """Record a line of a compound's public accounts, public at once, with
    photos of its receipts (cleaned like every uploaded photo)."""
    entry = DisclosureEntry(
        compound=compound,
        kind=kind,
        direction=direction,
        title=title.strip(),
        amount=amount,
        occurred_on=occurred_on,
        note=note.strip(),
        recorded_by=actor,
    )
    if actor is not None and not instance_in_scope(actor, entry):
        raise PermissionDenied(_("You may not record the accounts of that compound."))
    entry.full_clean()
    entry.save()
    for upload in receipts:
        receipt = DisclosureAttachment(entry=entry)
        receipt.image.save("receipt.jpg", clean_photo(upload), save=False)
        receipt.save()
    audit_record(
        actor=actor,
        action="disclosure.record",
        target=entry,
        changes={
            "kind": kind,
            "direction": direction,
            "amount": str(amount),
            "receipts": len(receipts),
        },
    )
    return entry
