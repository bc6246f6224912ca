"""Reading a compound's disclosure, as its residents see it (public: the
accounts and the matters, never who voted how)."""

from django.db.models import Prefetch, Q, Sum

from grids.scoping import scope_queryset

from ..models import MajorMatter
from .models import DisclosureAttachment, DisclosureEntry

#: The matters residents see: decided by the party organisation or after.
DISCLOSED_MATTERS = (
    MajorMatter.Status.PARTY_PASSED,
    MajorMatter.Status.OWNERS_PASSED,
    MajorMatter.Status.OWNERS_REJECTED,
    MajorMatter.Status.PUBLICISED,
    MajorMatter.Status.IMPLEMENTED,
)


def compound_disclosure(*, compound) -> dict:
    """The compound's public accounts by kind (entries newest first with
    their receipts, and totals received, spent and the balance) and its major
    matters with their outcome (four queries)."""
    entries = list(
        DisclosureEntry.objects.filter(compound=compound).prefetch_related(
            Prefetch("attachments", queryset=DisclosureAttachment.objects.all())
        )
    )
    totals = {
        row["kind"]: row
        for row in DisclosureEntry.objects.filter(compound=compound)
        .values("kind")
        .annotate(
            received=Sum("amount", filter=Q(direction=DisclosureEntry.Direction.IN)),
            spent=Sum("amount", filter=Q(direction=DisclosureEntry.Direction.OUT)),
        )
        .order_by()
    }
    accounts = []
    for kind, label in DisclosureEntry.Kind.choices:
        received = (totals.get(kind) or {}).get("received") or 0
        spent = (totals.get(kind) or {}).get("spent") or 0
        accounts.append(
            {
                "kind": kind,
                "label": label,
                "entries": [e for e in entries if e.kind == kind],
                "received": received,
                "spent": spent,
                "balance": received - spent,
            }
        )
    matters = MajorMatter.objects.filter(
        compound=compound, status__in=DISCLOSED_MATTERS
    ).order_by("-created_at")
    return {"accounts": accounts, "matters": list(matters)}


def disclosure_entry_list(*, user):
    """The entries a staff member may see."""
    return scope_queryset(
        DisclosureEntry.objects.select_related("compound", "recorded_by"), user
    )
