"""Settings for a developer machine and the one-command demo."""

from .base import *  # noqa: F403
from .base import PRIVATE_STORAGE, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# A fixed key is fine here: local settings never serve real residents.
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY", default="local-only-insecure-key-do-not-use-in-production"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": PRIVATE_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Development-only tooling: the demo community (``seed_demo``) and generated
# districts (``generate_district``). Production never installs it.
# A new list, not ``+=``: that would extend base's list in place.
INSTALLED_APPS = [*INSTALLED_APPS, "sampledata"]  # noqa: F405
#: ``manage.py seed_demo`` runs these in order; each is idempotent.
DEMO_SEEDERS = [
    "sampledata.demo.territory.demo_seed",
    "sampledata.demo.cases.demo_seed",
    "sampledata.demo.deliberation.demo_seed",
    "sampledata.demo.volunteers.demo_seed",
    "sampledata.demo.statistics.demo_seed",
]

# --- Grid field work in the demo (issue 16): tags, care plans, patrols and
# visits, written before the statistics step so that its roll-ups count them.
DEMO_SEEDERS.insert(
    DEMO_SEEDERS.index("sampledata.demo.statistics.demo_seed"),
    "sampledata.demo.field.demo_seed",
)

# --- Evaluation of property companies (issue 17): assessment items and
# scores, the evaluations and a published 红黑榜, after the roll-ups.
DEMO_SEEDERS.append("sampledata.demo.evaluation.demo_seed")
DEMO_SEEDERS.append("sampledata.demo.notices.demo_seed")
DEMO_SEEDERS.append("sampledata.demo.disclosure.demo_seed")
DEMO_SEEDERS.append("sampledata.demo.centres.demo_seed")
