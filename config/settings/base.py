"""Settings shared by every environment.

Everything that differs between machines is read from the environment through
django-environ: ``DATABASE_URL`` and ``REDIS_URL`` switch the embedded defaults
(SQLite, in-process tasks) to PostgreSQL and Redis with no code change.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# --- Core -------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Third party
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "django_celery_beat",
    # Platform
    "core",
    "accounts",
    "grids",
    "petitions",
    "deliberation",
    "volunteers",
    "stats",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
# A persistent connection is checked before a request reuses it, so that no
# request fails after PostgreSQL restarted or its backends were terminated.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default has several writers at once (web, worker, relay):
    # WAL lets readers run beside the writer, the busy timeout makes a writer
    # wait for the lock instead of failing, and IMMEDIATE transactions take
    # the write lock at BEGIN, so that no transaction fails halfway when it
    # turns from reading to writing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
        }
    )
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Fail fast on a server that does not answer (libpq's minimum is 2 s).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)

# A read replica of PostgreSQL (streaming replication) for the statistics API
# and dashboards: their roll-up reads go there (core/db_routers.py).
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **env.db_url_config(DATABASE_REPLICA_URL),
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        # Tests use the primary's test database for the replica as well.
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["core.db_routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "admin:login"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time ------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Celery -----------------------------------------------------------------
# With REDIS_URL, Redis is the broker. Without it (the embedded default) the
# broker is a folder: kombu's filesystem transport needs no server, and a real
# worker with its beat runs beside the web process (Procfile, scripts/serve.sh).
# No result backend: no code reads a task's return value.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_DIR = Path(
    env.str("CELERY_BROKER_DIR", default=str(BASE_DIR / "var" / "broker"))
)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A frozen Redis must hold neither the relay nor a worker for long.
        "socket_timeout": 2,
        "socket_connect_timeout": 1,
        # A message taken but not acknowledged (acks_late) goes back to the
        # queue after this long: longer than the longest task may run
        # (CELERY_TASK_TIME_LIMIT and the annotations below).
        "visibility_timeout": 2 * 3600,
    }
else:
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "polling_interval": 0.5,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged when it has run, not when a worker took it; a worker
# process that dies mid-task puts its message back. Outbox work is finished by
# the task itself (core/outbox.py), so nothing relies on the broker alone.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Every task ends within 15 minutes; the nightly rebuild of thirteen months
# may take an hour on a large district. Redis' visibility timeout is longer.
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_ANNOTATIONS = {
    "stats.rebuild_recent": {"soft_time_limit": 59 * 60, "time_limit": 60 * 60},
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
# Never give up reconnecting: a worker outlives any Redis outage.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# The folder broker is polled; remote control would only add polling.
CELERY_WORKER_ENABLE_REMOTE_CONTROL = bool(REDIS_URL)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic work; each entry says when it runs.
CELERY_BEAT_SCHEDULE: dict = {
    # Every minute: record that the schedule runs (/healthz reads it).
    "core-heartbeat": {
        "task": "core.heartbeat",
        "schedule": env.float("SCHEDULER_HEARTBEAT_SECONDS", default=60.0),
    },
    # Nightly at 03:10: delete outbox rows done more than OUTBOX_KEEP_DONE_DAYS ago.
    "core-outbox-purge": {
        "task": "core.outbox_purge",
        "schedule": crontab(hour=3, minute=10),
    },
    # Every 5 minutes: raise overdue reports a level and remind their handlers.
    "petitions-escalate-overdue": {
        "task": "petitions.escalate_overdue",
        "schedule": 300.0,
    },
    # Every hour: close resolved reports the resident has not answered in time.
    "petitions-auto-close": {"task": "petitions.auto_close", "schedule": 3600.0},
    # Every 6 hours: meetings of each series for the next two months.
    "deliberation-create-ahead": {
        "task": "deliberation.create_meetings_ahead",
        "schedule": 6 * 3600.0,
    },
    # Hourly: invitations a week ahead, reminders the day before.
    "deliberation-remind": {"task": "deliberation.remind_meetings", "schedule": 3600.0},
    # Daily: bodies that missed their monthly meeting, overdue action items.
    "deliberation-missed-months": {
        "task": "deliberation.alert_missed_months",
        "schedule": 86400.0,
    },
    "deliberation-overdue-items": {
        "task": "deliberation.alert_overdue_items",
        "schedule": 86400.0,
    },
    # Every 5 minutes: this month's statistics roll-ups and the months of
    # cases changed since; nightly: the last thirteen months.
    "stats-refresh": {"task": "stats.refresh_current", "schedule": 300.0},
    "stats-rebuild-recent": {
        "task": "stats.rebuild_recent",
        "schedule": crontab(hour=2, minute=30),
    },
    # Hourly: day-before reminders to volunteers.
    "volunteers-remind": {"task": "volunteers.remind_activities", "schedule": 3600.0},
    # Daily: unverified hours, unclaimed wishes, station stock.
    "volunteers-unverified": {
        "task": "volunteers.alert_unverified",
        "schedule": 86400.0,
    },
    "volunteers-wishes": {
        "task": "volunteers.alert_unclaimed_wishes",
        "schedule": 86400.0,
    },
    "volunteers-stock": {"task": "volunteers.alert_stock", "schedule": 86400.0},
}

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.IsStaffWithScope"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Red-property governance platform API",
    "DESCRIPTION": "Organisation, cases, meetings and volunteers of red-property "
    "communities. Every list is scoped to the caller's organisation units.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Offices are often on closed networks: serve Swagger UI from our own static.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PetitionChannelEnum": "petitions.models.Petition.Channel",
        "PetitionStatusEnum": "petitions.models.Petition.Status",
        "FilingChannelEnum": [
            ("phone", "phone"),
            ("visit", "visit"),
            ("meeting", "meeting"),
            ("chat_group", "chat_group"),
        ],
    },
}

# --- Import / export --------------------------------------------------------
# All-or-nothing imports: a file with any bad row writes nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# --- E-mail -----------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="noreply@localhost")

# --- Logging ----------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", "INFO")},
    # Django's own console handler would print every line a second time.
    "loggers": {"django": {"handlers": [], "propagate": True}},
}

AUTHENTICATION_BACKENDS = ["accounts.backends.RolePermissionBackend"]

# --- Notifications ----------------------------------------------------------
NOTIFICATION_BACKENDS = env.list(
    "NOTIFICATION_BACKENDS",
    default=["core.notifications.ConsoleBackend", "core.notifications.EmailBackend"],
)
# Seconds after which a message claimed but not sent (its worker died) may be
# sent by another run: longer than a gateway takes, shorter than the outbox's
# visibility window, so that the outbox's second run sends it.
NOTIFICATION_CLAIM_TIMEOUT = env.int("NOTIFICATION_CLAIM_TIMEOUT", default=120)
# JsonLinesBackend writes here.
NOTIFICATION_FILE = env.str(
    "NOTIFICATION_FILE", default=str(BASE_DIR / "var" / "notifications.jsonl")
)

# --- Outbox and health ------------------------------------------------------
# Seconds. Work written to core.OutboxMessage is finished when its task has
# run. A row handed on but not finished within the visibility window is handed
# on again (the broker lost it, or the worker died); longer than any outbox
# task takes. A failed task is retried after 10 s, 20 s, 40 s … at most an hour
# apart; a row still failing a day after its first failure is dead: listed in
# the admin with its error, and the district staff are told.
OUTBOX_VISIBILITY_TIMEOUT = env.int("OUTBOX_VISIBILITY_TIMEOUT", default=300)
OUTBOX_RETRY_BASE = env.int("OUTBOX_RETRY_BASE", default=10)
OUTBOX_RETRY_MAX = env.int("OUTBOX_RETRY_MAX", default=3600)
OUTBOX_GIVE_UP_AFTER = env.int("OUTBOX_GIVE_UP_AFTER", default=24 * 3600)
# Done rows are deleted after this many days (nightly); the others stay.
OUTBOX_KEEP_DONE_DAYS = env.int("OUTBOX_KEEP_DONE_DAYS", default=30)
# /healthz answers 503 when the relay has not finished a round, the schedule
# has not run, or the oldest unfinished outbox row has waited longer than this.
HEALTH_RELAY_MAX_AGE = env.int("HEALTH_RELAY_MAX_AGE", default=60)
HEALTH_SCHEDULER_MAX_AGE = env.int("HEALTH_SCHEDULER_MAX_AGE", default=15 * 60)
HEALTH_OUTBOX_MAX_AGE = env.int("HEALTH_OUTBOX_MAX_AGE", default=15 * 60)
# No check of /healthz takes longer than this (seconds).
HEALTH_CHECK_TIMEOUT = 1.0

# --- Resident reports -------------------------------------------------------
# Days a resolved case waits for the resident before it closes by itself.
PETITION_AUTO_CLOSE_DAYS = env.int("PETITION_AUTO_CLOSE_DAYS", default=7)
PETITION_MAX_PHOTOS = 3
PETITION_MAX_PHOTO_BYTES = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- Volunteer service ------------------------------------------------------
# Staff hear of an activity's unverified hours once this many pile up.
VOLUNTEERS_UNVERIFIED_ALERT = env.int("VOLUNTEERS_UNVERIFIED_ALERT", default=5)
# A published wish nobody claims for this many days alerts the community.
VOLUNTEERS_WISH_UNCLAIMED_DAYS = env.int("VOLUNTEERS_WISH_UNCLAIMED_DAYS", default=7)
