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
