"""Settings for the test suite."""

import os

from .base import *  # noqa: F403

SECRET_KEY = "test-only-key"  # noqa: S105 - never used outside tests
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests run tasks in-process, through the same outbox and task class as a
# worker; the tests of a real worker (tests/core) start one themselves.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The demo and the generator are tested like the rest (development-only app),
# with the demo a developer gets.
INSTALLED_APPS = [*INSTALLED_APPS, "sampledata"]  # noqa: F405
from .local import DEMO_SEEDERS  # noqa: E402, F401

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not memory: the tests that start a real worker and relay
    # (tests/core) share the test database with them, as a deployment does.
    (BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")  # noqa: F405
    }
# The replica of a test run is the test database itself. The router sends
# roll-up reads there only when DATABASE_REPLICA_URL is set, which the tests of
# the router do (tests/core/test_db_router.py).
DATABASE_REPLICA_URL = ""
DATABASES["replica"] = {  # noqa: F405
    **DATABASES["default"],  # noqa: F405
    "TEST": {"MIRROR": "default"},
}

# Each test process keeps its counters in memory; tests/conftest.py empties
# the cache before every test.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
