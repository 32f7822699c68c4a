"""SES Console settings: one module, every value from the environment.

`.env.example` lists each variable. Development defaults run with nothing but
Python (SQLite and a filesystem broker); production sets DEBUG=0 and the rest.
"""

import zoneinfo
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from sesconsole.env import env_bool, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env_path("SES_VAR_DIR", BASE_DIR / "var")
# Runtime files of the embedded defaults (SQLite, broker, cache) live here.
VAR_DIR.mkdir(exist_ok=True)

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The console's public address, for links in mail it sends (invitations).
SES_CONSOLE_URL = env_str("SES_CONSOLE_URL", "http://127.0.0.1:8000").rstrip("/")

# The zone of the sending "day": daily limits and reputation reset at its midnight.
SES_TIME_ZONE = env_str("SES_TIME_ZONE", "UTC")
try:
    zoneinfo.ZoneInfo(SES_TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(
        f"SES_TIME_ZONE={SES_TIME_ZONE!r} is not an IANA time zone."
    ) from None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "axes",
    "sesconsole",
    "accounts",
    "domains",
    "templates_app",
    "sending",
    "stats",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.CurrentAccountMiddleware",
    # AxesMiddleware must be last: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sesconsole.urls"
WSGI_APPLICATION = "sesconsole.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sesconsole" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.console",
            ],
        },
    },
]

# Form fields render through sesconsole/templates/django/forms/field.html.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One SQLite file is shared by web, worker and beat: WAL lets readers run
    # beside a writer, and IMMEDIATE transactions take the write lock up front
    # so two writers queue on busy_timeout instead of failing on upgrade.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so a Celery worker started by the tests shares it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a cheaper health check (sesconsole/postgresql).
    DATABASES["default"]["ENGINE"] = "sesconsole.postgresql"
    # Parameters are bound on the server. Django's own queries are never
    # prepared, so each is planned for its values: a prepared statement may
    # switch to a generic plan, which guesses at skewed columns (most messages
    # are delivered, few queued) and made the batch page several times
    # slower. The few statements every send repeats, by key, are prepared
    # (sesconsole/statements.py): PostgreSQL then skips parsing and planning.
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": None,
        # What DATABASE_URL asks for (sslmode=…, options=…) wins.
        **DATABASES["default"].get("OPTIONS", {}),
    }
# Behind a pooler that cannot keep prepared statements (PgBouncer before
# 1.21 in transaction mode), set DATABASE_PREPARED_STATEMENTS=0.
SES_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Broker and cache -----------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
SES_BROKER_DIR = env_path("SES_BROKER_DIR", VAR_DIR / "broker")

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CACHES = {
        "default": {
            "BACKEND": "sesconsole.cache.ReusedClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ses",
        }
    }
else:
    # The embedded broker: kombu's filesystem transport, so `make run` needs
    # nothing but Python. One machine only; production uses Redis.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(SES_BROKER_DIR / "queue"),
        "data_folder_out": str(SES_BROKER_DIR / "queue"),
        "control_folder": str(SES_BROKER_DIR / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{SES_BROKER_DIR / 'results'}"
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(env_path("SES_CACHE_DIR", VAR_DIR / "cache")),
        }
    }

# --- Celery ---------------------------------------------------------------
CELERY_TIMEZONE = SES_TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TASK_TRACK_STARTED = True
# Acknowledge on receipt by default; idempotent tasks opt in to acks_late
# together with reject_on_worker_lost, one task at a time.
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("SES_TASK_TIME_LIMIT", 900)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if REDIS_URL:
    # Redis redelivers an unacknowledged message after the visibility timeout.
    # It must exceed the longest task (the hard time limit) or a slow task runs
    # twice; retries are never scheduled with long ETAs (rows carry their own
    # next-attempt time), so one hour is safe.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("SES_BROKER_VISIBILITY_TIMEOUT", 3600)
    }
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = CELERY_BROKER_TRANSPORT_OPTIONS
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Authentication -------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "overview"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: 5 failures for one email from one address lock it out.
AXES_FAILURE_LIMIT = env_int("SES_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SES_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.throttling.login_attempt_email"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("SES_PROXY_COUNT", 0)

# --- Email (the platform's own mail: password resets, invitations) --------
# Customer mail never goes through this: the sending app delivers that.
SES_SYSTEM_MAIL_BACKEND = env_str(
    "SES_SYSTEM_MAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {"default": {"BACKEND": SES_SYSTEM_MAIL_BACKEND}}
if SES_SYSTEM_MAIL_BACKEND.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env_str("SES_SYSTEM_MAIL_HOST", "localhost"),
        "port": env_int("SES_SYSTEM_MAIL_PORT", 25),
        "username": env_str("SES_SYSTEM_MAIL_USER"),
        "password": env_str("SES_SYSTEM_MAIL_PASSWORD"),
        "use_tls": env_bool("SES_SYSTEM_MAIL_STARTTLS", False),
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "SES Console <no-reply@localhost>")

# --- HTTP API -------------------------------------------------------------
SES_API_REQUESTS_PER_SECOND = env_int("SES_API_REQUESTS_PER_SECOND", 20)
# Tencent accepts request bodies up to 8 MB (4 MB of attachments in base64).
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024

# --- Sender domains (domains app) ----------------------------------------
# What operators publish: MX to our inbound host, SPF including ours.
SES_MX_HOST = env_str("SES_MX_HOST", "mx.ses.example.net")
SES_SPF_INCLUDE = env_str("SES_SPF_INCLUDE", "spf.ses.example.net")
# Resolvers that verification asks (`host[:port]`, comma-separated); empty:
# the system resolver.
SES_DNS_RESOLVERS = env_list("SES_DNS_RESOLVERS")
SES_DNS_TIMEOUT = float(env_int("SES_DNS_TIMEOUT_SECONDS", 5))
SES_DKIM_KEY_BITS = env_int("SES_DKIM_KEY_BITS", 2048)
SES_MAX_DOMAINS_PER_ACCOUNT = env_int("SES_MAX_DOMAINS_PER_ACCOUNT", 10)
SES_MAX_ADDRESSES_PER_DOMAIN = env_int("SES_MAX_ADDRESSES_PER_DOMAIN", 10)
# A verified domain whose SPF or DKIM breaks keeps sending this long.
SES_BROKEN_GRACE_HOURS = env_int("SES_BROKEN_GRACE_HOURS", 72)
# Fernet keys for secrets at rest (newest first); empty: derived from SECRET_KEY.
SES_ENCRYPTION_KEYS = env_list("SES_ENCRYPTION_KEYS")
CELERY_BEAT_SCHEDULE["check-due-domains"] = {
    "task": "domains.tasks.check_due_domains",
    "schedule": 60.0,
}
# Lowering happens once a day, just after midnight in SES_TIME_ZONE
# (CELERY_TIMEZONE); a missed night is caught up by the next run.
CELERY_BEAT_SCHEDULE["lower-reputation-overnight"] = {
    "task": "domains.tasks.lower_reputation_overnight",
    "schedule": crontab(minute=5, hour=0),
}
# --- end of sender domains ---

# --- Sending (sending app) --------------------------------------------------
# Where mail goes: smtp://[user:pass@]host:port[?starttls=1] (a relay) or
# mx:// (each recipient domain's MX; mx://?port=N for test servers).
# The default is the local mail sink that `make run` starts.
SES_DELIVERY_URL = env_str("SES_DELIVERY_URL", "smtp://127.0.0.1:2526")
SES_BOUNCE_DOMAIN = env_str("SES_BOUNCE_DOMAIN", "bounce.ses.example.net")
SES_EHLO_HOSTNAME = env_str("SES_EHLO_HOSTNAME", "localhost")
# The Maildir of `manage.py mailsink`, shown in the console when DEBUG is on.
SES_MAILSINK_DIR = env_path("SES_MAILSINK_DIR", VAR_DIR / "mailsink")
SES_SMTP_TIMEOUT_SECONDS = env_int("SES_SMTP_TIMEOUT_SECONDS", 30)
# Deferred mail: retry after base, 2x, 4x ... (at most an hour), up to 72 hours.
SES_RETRY_BASE_SECONDS = float(env_str("SES_RETRY_BASE_SECONDS", "60"))
# Retries due sooner than this go as Celery countdowns; later ones wait for
# the sweeper. Keep it far below the broker's visibility timeout.
SES_RETRY_COUNTDOWN_MAX_SECONDS = env_int("SES_RETRY_COUNTDOWN_MAX_SECONDS", 300)
# A message `sending` (or dispatched and not picked up) for longer than this
# is taken to be lost with its worker and queued again.
SES_SENDING_STALE_SECONDS = env_int("SES_SENDING_STALE_SECONDS", 300)
# SMTP submission (`manage.py smtpd`).
SES_SMTP_HOST = env_str("SES_SMTP_HOST", "127.0.0.1")
SES_SMTP_PORT = env_int("SES_SMTP_PORT", 2587)
SES_SMTP_TLS_PORT = env_int("SES_SMTP_TLS_PORT", 2465)
SES_SMTP_INBOUND_PORT = env_int("SES_SMTP_INBOUND_PORT", 2525)
SES_SMTP_HOSTNAME = env_str("SES_SMTP_HOSTNAME", "localhost")
# PEM files; when unset, a self-signed pair is made under SES_VAR_DIR.
SES_SMTP_CERT_FILE = env_str("SES_SMTP_CERT_FILE")
SES_SMTP_KEY_FILE = env_str("SES_SMTP_KEY_FILE")
SES_SMTP_MAX_BYTES = env_int("SES_SMTP_MAX_BYTES", 10 * 1024 * 1024)
# Failed logins per address (and per client IP) before a cool-off.
SES_SMTP_AUTH_FAILURE_LIMIT = env_int("SES_SMTP_AUTH_FAILURE_LIMIT", 10)
SES_SMTP_AUTH_COOLOFF_MINUTES = env_int("SES_SMTP_AUTH_COOLOFF_MINUTES", 15)
CELERY_BEAT_SCHEDULE["sweep-messages"] = {
    "task": "sending.tasks.sweep_messages",
    "schedule": 30.0,
}
# Batch sending: recipients turned into messages per step, the most messages
# of one task waiting in the delivery queue at once, how long one worker task
# fans out before yielding, and when a sending task nobody moved is re-kicked.
SES_BATCH_CHUNK = env_int("SES_BATCH_CHUNK", 1000)
SES_BATCH_WINDOW = env_int("SES_BATCH_WINDOW", 10_000)
SES_BATCH_STEP_SECONDS = env_int("SES_BATCH_STEP_SECONDS", 20)
SES_BATCH_STALE_SECONDS = env_int("SES_BATCH_STALE_SECONDS", 60)
# Recipient CSV files: where uploads wait for the worker (web and workers must
# share it), and the size up to which the page imports a file itself.
SES_UPLOAD_DIR = env_path("SES_UPLOAD_DIR", VAR_DIR / "uploads")
SES_IMPORT_INLINE_BYTES = env_int("SES_IMPORT_INLINE_BYTES", 256 * 1024)
# An import still "uploading" after this long lost its worker: may start again.
SES_IMPORT_STALE_SECONDS = env_int("SES_IMPORT_STALE_SECONDS", 3600)
CELERY_BEAT_SCHEDULE["run-due-batches"] = {
    "task": "sending.tasks.run_due_batches",
    "schedule": 10.0,
}
# Open pixel and click links point here (the web process's public URL).
SES_TRACKING_BASE_URL = env_str("SES_TRACKING_BASE_URL", SES_CONSOLE_URL).rstrip("/")
# Event webhooks (docs/webhooks.md): endpoints must be https:// unless DEBUG
# or SES_WEBHOOK_ALLOW_HTTP (development and tests only).
SES_WEBHOOK_ALLOW_HTTP = env_bool("SES_WEBHOOK_ALLOW_HTTP", False)
SES_WEBHOOK_TIMEOUT_SECONDS = env_int("SES_WEBHOOK_TIMEOUT_SECONDS", 10)
# Posts at once per worker round.
SES_WEBHOOK_CONCURRENCY = env_int("SES_WEBHOOK_CONCURRENCY", 8)
# A failed post is retried after base, 2x, 4x ... (at most an hour) until
# SES_WEBHOOK_RETRY_HOURS after the event, then it has failed for good.
SES_WEBHOOK_RETRY_BASE_SECONDS = float(env_str("SES_WEBHOOK_RETRY_BASE_SECONDS", "30"))
SES_WEBHOOK_RETRY_HOURS = env_int("SES_WEBHOOK_RETRY_HOURS", 24)
# Events are sent once this old: longer than any transaction that records
# events, so one committed a moment late is never skipped.
SES_WEBHOOK_SETTLE_SECONDS = float(env_str("SES_WEBHOOK_SETTLE_SECONDS", "5"))
# Finished deliveries stay in the console's delivery log this long.
SES_WEBHOOK_KEEP_DAYS = env_int("SES_WEBHOOK_KEEP_DAYS", 7)
CELERY_BEAT_SCHEDULE["dispatch-webhooks"] = {
    "task": "sending.tasks.dispatch_webhooks",
    "schedule": 5.0,
}
# --- end of sending ---

# --- Templates (templates_app) --------------------------------------------
# Words shown to the author and reviewer as findings; blocking words refuse
# the submission. Comma-separated, matched case-insensitively.
SES_SENSITIVE_WORDS = env_list(
    "SES_SENSITIVE_WORDS", ["casino", "lottery", "viagra", "彩票", "贷款"]
)
SES_BLOCKING_WORDS = env_list("SES_BLOCKING_WORDS", ["赌博", "博彩", "代开发票"])
# Largest template body (HTML plus text, and any uploaded file), in bytes.
SES_TEMPLATE_MAX_BYTES = env_int("SES_TEMPLATE_MAX_BYTES", 1024 * 1024)
# --- end of templates ---

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env_path("STATIC_ROOT", VAR_DIR / "static")
# Production serves hashed files collected by `manage.py collectstatic`.
SES_STATIC_MANIFEST = env_bool("SES_STATIC_MANIFEST", not DEBUG)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if SES_STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not SES_STATIC_MANIFEST

# --- Security -------------------------------------------------------------
# SES_HTTPS: the console is served over HTTPS (on by default when DEBUG is off).
SES_HTTPS = env_bool("SES_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = SES_HTTPS
SESSION_COOKIE_SECURE = SES_HTTPS
CSRF_COOKIE_SECURE = SES_HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if SES_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SES_HTTPS
SECURE_HSTS_PRELOAD = SES_HTTPS
if env_bool("SES_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SES_SESSION_AGE", 60 * 60 * 12)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
