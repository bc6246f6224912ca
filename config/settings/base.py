"""Settings shared by every environment.

Everything that differs between machines is read from the environment through
django-environ: ``DATABASE_URL`` and ``REDIS_URL`` switch the embedded defaults
(SQLite, in-process tasks) to PostgreSQL and Redis with no code change.
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from csp import constants as csp
from django.utils.translation import gettext_lazy as _

from core import exports as _exports

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
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
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
    "csp.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its answer.
    "axes.middleware.AxesMiddleware",
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
                "core.display.elder_mode",
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
# Where a login lands when its "next" is missing or points off the site: the
# admin's front page, never Django's default /accounts/profile/ (a 404 here).
LOGIN_REDIRECT_URL = "admin:index"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Content-Security-Policy (django-csp) and Permissions-Policy ----------
# Scripts only from our own static files (or with the per-request nonce, for
# a page that needs one): no inline script, no eval, nothing from elsewhere.
# Inline style is allowed (the admin, Swagger UI and the QR sheets use it);
# a nonce in style-src would switch that off, so there is none.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:", "blob:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}
# Features no page of ours uses are switched off for every page.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}

# --- Lockout (django-axes) -------------------------------------------------
# Five wrong passwords for one username from one address lock that pair out
# for 30 minutes (a failure during the lockout starts the 30 minutes again);
# a right password resets the count. The admin login and API tokens are both
# covered; staff unlock in the admin (Axes → access attempts: delete the row).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=env.int("AXES_COOLOFF_MINUTES", default=30)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.valid_client_ip"
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"
# The failure log keeps every wrong attempt; the attempts table is enough.
AXES_ENABLE_ACCESS_FAILURE_LOG = False

# --- Sessions ---------------------------------------------------------------
# Staff sessions end after 30 minutes without a request and 12 hours after
# login whatever happens (core.middleware.SessionTimeoutMiddleware). The last
# request is noted at most once a minute, so that reading pages does not write
# the session every time.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_HOURS", default=12) * 3600
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- API tokens -------------------------------------------------------------
# Tokens are stored hashed (accounts.ApiToken) and expire this many months
# after they are made unless staff choose an earlier day.
API_TOKEN_LIFETIME_MONTHS = env.int("API_TOKEN_LIFETIME_MONTHS", default=6)

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
# Uploads that are never public (residents' voice notes): outside MEDIA_ROOT,
# with no URL of their own, served only through views that check who asks.
PRIVATE_MEDIA_ROOT = env.path(
    "DJANGO_PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private-media"
)
PRIVATE_STORAGE = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": PRIVATE_STORAGE,
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
    # Nightly, after the roll-ups: this quarter's and last quarter's
    # evaluations of property companies.
    "stats-evaluate-companies": {
        "task": "stats.evaluate_companies",
        "schedule": crontab(hour=3, minute=0),
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

# --- Cache and rate limits -------------------------------------------------
# Rate-limit counters must be shared by every process that serves requests.
# With REDIS_URL the cache is Redis (atomic counters; its own database number
# by CACHE_REDIS_URL if you want one). The embedded default runs web, worker
# and relay as separate processes on one machine: a file cache under var/
# works across them without a server, and, unlike DatabaseCache, adds no
# writers to SQLite's single write lock and needs no createcachetable step.
# Its counters are not atomic across processes, so a burst that races may
# count a few hits fewer; the deployment's Redis counts exactly.
VAR_DIR = Path(env.str("DJANGO_VAR_DIR", default=str(BASE_DIR / "var")))
CACHE_REDIS_URL = env.str("CACHE_REDIS_URL", default=REDIS_URL)
if CACHE_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "KEY_PREFIX": "rp",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

# The proxy header that carries the client's address (e.g. HTTP_X_REAL_IP
# behind nginx); empty: REMOTE_ADDR. Rate limits and lockouts count by it.
CLIENT_IP_HEADER = env.str("DJANGO_CLIENT_IP_HEADER", default="")
RATE_LIMITS_ENABLED = env.bool("RATE_LIMITS_ENABLED", default=True)
# Anonymous writes, per client address ("ip"), per phone posted ("phone") and
# per key ("key": a tracking link, a meeting's or activity's code, an Open311
# key). "10/m" is ten in a calendar minute. A whole estate may share one
# address behind a carrier's NAT, so the per-address limits leave room for a
# busy evening; per-phone limits stop one number being used over and over.
RATE_LIMITS = {
    # Report form: a resident reports a few problems at most in a minute.
    "report": {"ip": ["10/m", "60/h"], "phone": ["5/h", "20/d"]},
    # Tracking page: confirm, rate or reopen one case.
    "track": {"ip": ["20/m"], "key": ["10/h"]},
    # Meeting sign-in by the QR code in the room: a whole room signs in.
    "meeting_sign_in": {"ip": ["60/m"], "phone": ["5/h"]},
    # Proposals to the community and support for them.
    "proposal": {"ip": ["5/m", "20/h"], "phone": ["5/d"]},
    "proposal_support": {"ip": ["30/m", "200/h"], "phone": ["30/h"]},
    # Owners' e-votes on major matters: one vote per household, so a few
    # tries per phone; a building votes from one address in an evening.
    # Per phone: the verified one (the form posts none; see
    # core.ratelimit.REQUEST_PHONE_READERS).
    "owner_vote": {"ip": ["30/m", "300/h"], "phone": ["10/h"]},
    # Activities: sign up, cancel, check in and out.
    "activity": {"ip": ["30/m", "200/h"], "phone": ["20/h"]},
    # Micro-wishes and the two-way lists: post, claim, fulfil.
    "wish": {"ip": ["10/m", "60/h"], "phone": ["10/h"]},
    # 双报到: an in-service party member registers once.
    "registration": {"ip": ["5/m", "20/h"], "phone": ["5/d"]},
    # Open311 filing, per client key and per address.
    "open311": {"key": ["60/m", "2000/d"], "ip": ["120/m"]},
    # SMS codes: about one a minute, five an hour, ten a day to one number,
    # and per address a little more (a family shares one connection).
    "phone_code": {"phone": ["1/m", "5/h", "10/d"], "ip": ["3/m", "10/h", "30/d"]},
    # Typing the code: five wrong tries end a code; these stop guessing
    # across many codes from one address.
    "phone_verify": {"ip": ["10/m", "60/h"], "phone": ["20/h"]},
    # 我的: stop or resume messages, sign a device out.
    "resident": {"ip": ["30/m", "300/h"]},
}

# --- Residents' verified phones (grids.residents) -----------------------------
# A one-time code: six digits, alive for PHONE_CODE_LIFETIME seconds, at most
# PHONE_CODE_MAX_TRIES wrong tries.
PHONE_CODE_LIFETIME = env.int("PHONE_CODE_LIFETIME", default=300)
PHONE_CODE_MAX_TRIES = env.int("PHONE_CODE_MAX_TRIES", default=5)
# A device that proved a phone remembers it this many days (signed, HttpOnly
# cookie RESIDENT_COOKIE_NAME carrying a random token kept hashed).
RESIDENT_DEVICE_DAYS = env.int("RESIDENT_DEVICE_DAYS", default=30)
RESIDENT_COOKIE_NAME = "resident"
# QR codes shown at a meeting or an activity carry a code that changes every
# ROTATING_CODE_WINDOW seconds; the current and the previous one are accepted.
ROTATING_CODE_WINDOW = env.int("ROTATING_CODE_WINDOW", default=120)

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.ApiTokenAuthentication",
    ],
    # Per caller: a signed-in user or token by account, anyone else by address.
    # Over the rate: 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.throttles.AnonThrottle",
        "core.api.throttles.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="30/min"),
        "user": env.str("API_THROTTLE_USER", default="600/min"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.IsStaffWithScope"],
    "DEFAULT_FILTER_BACKENDS": ["core.api.filters.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.PlatformAutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.api_exception_handler",
}
# The OpenAPI schema and Swagger UI: open on a developer's machine; only for
# signed-in staff in production (config/settings/production.py).
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=True)
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
# Every download neutralises formulas and control characters (core.exports).
EXPORT_FORMATS = _exports.EXPORT_FORMATS

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
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        # Axes says at INFO that it starts, in every process.
        "axes": {"level": "WARNING"},
    },
}

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and address before any password check.
    "axes.backends.AxesStandaloneBackend",
    "grids.backends.RolePermissionBackend",
]

# --- Notifications ----------------------------------------------------------
NOTIFICATION_BACKENDS = env.list(
    "NOTIFICATION_BACKENDS",
    default=["core.notifications.ConsoleBackend", "core.notifications.EmailBackend"],
)
# Seconds after which a message claimed but not sent (its worker died) may be
# sent by another run: longer than a gateway takes, shorter than the outbox's
# visibility window, so that the outbox's second run sends it.
NOTIFICATION_CLAIM_TIMEOUT = env.int("NOTIFICATION_CLAIM_TIMEOUT", default=120)
# The platform's public address, for links in messages (a case's tracking
# link): no trailing slash. Keep it short: it counts against one SMS.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Messages to residents are rendered in this language (the gateway's
# approved templates are Chinese), whatever language a worker runs in.
RESIDENT_MESSAGE_LANGUAGE = "zh-hans"
# Tencent Cloud SMS (core.sms.TencentSmsBackend, through the official SDK).
# Add "core.sms.TencentSmsBackend" to NOTIFICATION_BACKENDS to send; the
# template ids are one per message kind (core/messages.py), e.g.
# "report_received=1234567,accepted=1234568".
TENCENT_SMS_SECRET_ID = env.str("TENCENT_SMS_SECRET_ID", default="")
TENCENT_SMS_SECRET_KEY = env.str("TENCENT_SMS_SECRET_KEY", default="")
TENCENT_SMS_SDK_APP_ID = env.str("TENCENT_SMS_SDK_APP_ID", default="")
TENCENT_SMS_SIGN_NAME = env.str("TENCENT_SMS_SIGN_NAME", default="红色物业")
TENCENT_SMS_REGION = env.str("TENCENT_SMS_REGION", default="ap-guangzhou")
TENCENT_SMS_TEMPLATES = env.dict("TENCENT_SMS_TEMPLATES", default={})
# Empty: Tencent's own endpoint. "host:port" (with TENCENT_SMS_SCHEME=http)
# points the SDK at another gateway, e.g. the tests' fake one.
TENCENT_SMS_ENDPOINT = env.str("TENCENT_SMS_ENDPOINT", default="")
TENCENT_SMS_SCHEME = env.str("TENCENT_SMS_SCHEME", default="https")
TENCENT_SMS_TIMEOUT = env.int("TENCENT_SMS_TIMEOUT", default=10)
# WeChat Official Account (core.wechat): web authorisation binds a resident's
# openid to a verified phone; core.wechat.WechatTemplateBackend sends the same
# messages as template messages. Off while WECHAT_APP_ID is empty.
WECHAT_APP_ID = env.str("WECHAT_APP_ID", default="")
WECHAT_APP_SECRET = env.str("WECHAT_APP_SECRET", default="")
# Template ids per message kind, like TENCENT_SMS_TEMPLATES.
WECHAT_TEMPLATES = env.dict("WECHAT_TEMPLATES", default={})
# Empty: WeChat's own API. Another base URL (ending in "/") for a fake one.
WECHAT_API_BASE_URL = env.str("WECHAT_API_BASE_URL", default="")
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
# Who is told when a row is dead: a function returning staff accounts.
OUTBOX_DEAD_ALERT_RECIPIENTS = "grids.selectors.district_staff_users"
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
# A phone's 24-megapixel JPEG is 5 to 10 MB.
PETITION_MAX_PHOTO_BYTES = 10 * 1024 * 1024
# A voice note instead of a typed description (issue 18): three minutes of a
# phone's recorder (AAC at 128 kbit/s is about 3 MB), at most 8 MB.
PETITION_MAX_VOICE_SECONDS = 180
PETITION_MAX_VOICE_BYTES = 8 * 1024 * 1024
# Photos are judged by their header first: at most about 24 megapixels (a
# phone's 6000 × 4000 with a little room), so that decoding one stays cheap.
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=25_000_000)
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
