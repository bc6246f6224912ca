from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = _("Statistics")

    def ready(self):
        # Register this app's Celery tasks as soon as Django is up.
        from . import tasks  # noqa: F401
