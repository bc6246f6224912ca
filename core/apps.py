from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Platform")

    def ready(self):
        # Register this app's Celery tasks as soon as Django is up, so that a
        # relay or worker in any process finds them by name; and connect the
        # login signal that starts a session's clocks (core.middleware).
        from . import middleware, tasks  # noqa: F401
