from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Platform")

    def ready(self):
        # Register this app's Celery tasks as soon as Django is up, so that a
        # relay or worker in any process finds them by name.
        from . import tasks  # noqa: F401

        # The session clocks start at login (signal receiver in the module).
        from . import middleware  # noqa: F401
