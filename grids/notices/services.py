"""Every write of notices: write a draft, attach a photo, publish, withdraw."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core.photos import clean_photo
from core.services import audit_record

from ..scoping import instance_in_scope
from .models import Notice, NoticeAttachment
from .workflow import NOTICE


def _may_edit(actor, notice: Notice) -> bool:
    """Community staff and those above them; not a grid's staff."""
    return actor is None or instance_in_scope(actor, notice)


@transaction.atomic
def notice_create(
    *,
    actor,
    community,
    title: str,
    body: str,
    compound=None,
    building=None,
    is_pinned: bool = False,
    publish_from: datetime.datetime | None = None,
    publish_until: datetime.datetime | None = None,
) -> Notice:
    """Write a notice as a draft (published by ``notice_publish``)."""
    notice = Notice(
        community=community,
        compound=compound,
        building=building,
        title=title.strip(),
        body=body.strip(),
        is_pinned=is_pinned,
        publish_until=publish_until,
        created_by=actor,
    )
    if publish_from is not None:
        notice.publish_from = publish_from
    if not _may_edit(actor, notice):
        raise PermissionDenied(_("You may not write notices for that community."))
    notice.full_clean()
    notice.save()
    audit_record(
        actor=actor, action="notice.create", target=notice, changes={"title": title}
    )
    return notice


@transaction.atomic
def notice_attach(
    *, actor, notice: Notice, upload, caption: str = ""
) -> NoticeAttachment:
    """Attach a photo to a notice, cleaned like every uploaded photo (format,
    bytes and pixels checked, re-encoded without metadata)."""
    if not _may_edit(actor, notice):
        raise PermissionDenied(_("You may not change this notice."))
    attachment = NoticeAttachment(notice=notice, caption=caption.strip()[:100])
    attachment.image.save("photo.jpg", clean_photo(upload), save=False)
    attachment.full_clean()
    attachment.save()
    audit_record(
        actor=actor,
        action="notice.attach",
        target=notice,
        changes={"attachment": attachment.pk},
    )
    return attachment


def notice_publish(*, actor, notice: Notice) -> Notice:
    """Publish a draft or a withdrawn notice: residents see it in its window."""
    return NOTICE.apply(notice, "publish", actor=actor, may=_may_edit)


def notice_withdraw(*, actor, notice: Notice, note: str = "") -> Notice:
    """Take a published notice down before its window ends."""
    note = (note or "").strip()[:500]
    return NOTICE.apply(
        notice,
        "withdraw",
        actor=actor,
        note=note,
        inputs={"note": note},
        may=_may_edit,
    )
