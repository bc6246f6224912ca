from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "deliberation"
    verbose_name = _("Deliberation")

    def ready(self):
        # Register this app's Celery tasks as soon as Django is up, so that a
        # relay or worker in any process finds them by name.
        from . import tasks  # noqa: F401
