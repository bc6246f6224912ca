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
# Without REDIS_URL every task runs in-process at .delay() time: the embedded
# default needs no broker. With REDIS_URL the same code goes through Redis.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = not REDIS_URL
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# A frozen Redis must not hang the relay or a worker forever.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_timeout": 5, "socket_connect_timeout": 3}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic work; each entry says when it runs.
CELERY_BEAT_SCHEDULE: dict = {
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

# --- Grid field work (patrols, home visits; issue 16) -----------------------
# A patrol left open longer than this many hours is ended by the system.
GRIDS_PATROL_MAX_HOURS = env.int("GRIDS_PATROL_MAX_HOURS", default=12)
# A household under a care plan this many days past its due date is overdue:
# the community hears of it.
GRIDS_VISIT_GRACE_DAYS = env.int("GRIDS_VISIT_GRACE_DAYS", default=3)
CELERY_BEAT_SCHEDULE |= {
    # Daily at 08:00: tell each grid worker which households are due a visit.
    "grids-remind-visits": {
        "task": "grids.remind_visits_due",
        "schedule": crontab(hour=8, minute=0),
    },
    # Daily at 08:30: tell community staff of visits overdue past the grace days.
    "grids-overdue-visits": {
        "task": "grids.alert_overdue_visits",
        "schedule": crontab(hour=8, minute=30),
    },
    # Hourly: end patrols left open longer than GRIDS_PATROL_MAX_HOURS.
    "grids-end-open-patrols": {
        "task": "grids.end_patrols_left_open",
        "schedule": 3600.0,
    },
}
