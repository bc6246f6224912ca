from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "grids"
    verbose_name = _("Organisation and grids")

    def ready(self):
        # Messages to residents are sent in core, below this app; a number
        # whose resident stopped messages here (退订) is skipped there.
        from core.notifications import OPT_OUT_CHECKERS

        from .residents.selectors import resident_wants_messages

        OPT_OUT_CHECKERS.append(lambda phone: not resident_wants_messages(phone=phone))
        # Forms behind a verified phone post no number: the per-phone rate
        # limits count the phone the device proved.
        from core.ratelimit import REQUEST_PHONE_READERS

        from .residents.identity import verified_phone

        REQUEST_PHONE_READERS.append(lambda request: verified_phone(request) or "")
