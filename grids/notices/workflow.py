"""The lifecycle of a notice (``core.lifecycle``): written as a draft,
published (shown within its window), withdrawn, or published again."""

from django.utils.translation import gettext_lazy as _

from core.lifecycle import Lifecycle, Step

from .models import Notice, NoticeEvent

N = Notice.Status

NOTICE_STEPS = [
    Step("publish", _("publish the notice"), (N.DRAFT, N.WITHDRAWN), N.PUBLISHED),
    Step(
        "withdraw",
        _("withdraw the notice"),
        (N.PUBLISHED,),
        N.WITHDRAWN,
        takes=("note",),
    ),
]

NOTICE = Lifecycle(
    model=Notice,
    steps=NOTICE_STEPS,
    event_model=NoticeEvent,
    event_owner="notice",
    noun=_("notice"),
)
