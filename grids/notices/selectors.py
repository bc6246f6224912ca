"""Reading notices: what residents see now, what staff may manage."""

from django.db.models import Prefetch, Q
from django.utils import timezone

from ..scoping import scope_queryset
from .models import Notice, NoticeAttachment


def shown_now_q(now=None) -> Q:
    """Published and within its window."""
    now = now or timezone.now()
    return Q(status=Notice.Status.PUBLISHED, publish_from__lte=now) & (
        Q(publish_until__isnull=True) | Q(publish_until__gt=now)
    )


def notices_for_residents(*, community, compound_id: int | None = None):
    """The notices a community's residents see now, pinned first, newest
    first, with their place and photos (three queries). With ``compound_id``,
    those for the whole community and for that compound (and its buildings)."""
    notices = Notice.objects.filter(shown_now_q(), community=community)
    if compound_id is not None:
        notices = notices.filter(Q(compound__isnull=True) | Q(compound_id=compound_id))
    return (
        notices.select_related("community", "compound", "building")
        .prefetch_related(
            Prefetch("attachments", queryset=NoticeAttachment.objects.order_by("id"))
        )
        .order_by("-is_pinned", "-publish_from", "-id")
    )


def notice_list(*, user):
    """The notices a staff member may manage."""
    return scope_queryset(
        Notice.objects.select_related("community", "compound", "building"), user
    )
