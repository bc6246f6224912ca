"""The Celery application of the platform.

Broker and behaviour come from Django settings (``CELERY_*`` names). With no
``REDIS_URL`` the local settings run every task in-process, so the platform works
with nothing but Python installed.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
