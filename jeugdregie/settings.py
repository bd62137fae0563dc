"""jeugdregie settings: one module, read from the environment.

SQLite is the embedded default; set DATABASE_URL for PostgreSQL. Every setting that can come
from the environment is listed in the README's settings table.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Production (DEBUG off) refuses to start without SECRET_KEY: a public fallback key would let anyone
# forge sessions. The fallback serves only `make run` (DEBUG=1); the tests set their own key.
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is not set; production (DEBUG=0) refuses to start without it.")
    SECRET_KEY = "dev-only-insecure-key-set-SECRET_KEY-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "health_check",
    "template_partials",
    # The domains, lowest first; each imports only those above it in this list (.importlinter).
    "cases",
    "referrals",
    "regie",
    "reports",
    "imports",
    "werk",
    "retention",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "jeugdregie.middleware.SecurityHeadersMiddleware",
    "jeugdregie.middleware.FriendlyErrorPagesMiddleware",
    "jeugdregie.middleware.RefuseNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jeugdregie.middleware.SessionLifetimeMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "jeugdregie.middleware.TwoFactorRequiredMiddleware",
    "cases.readlog.ReadLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jeugdregie.urls"
WSGI_APPLICATION = "jeugdregie.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        # A kept connection is checked before reuse, so a database restart costs no 500 per worker.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a background evaluation writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation costs seconds on the aggregate queries of the Top 32 and the KPIs and wins
    # nothing at this size (docs/benchmarks.md: top_cases 3.6 s -> 0.8 s on the national set).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "cases.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Django's own messages come in Dutch (LANGUAGE_CODE); the app-name rule is ours.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "cases.validators.DutchMinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "cases.validators.NoAppNamePasswordValidator"},
]
# django-axes first: it refuses a locked-out username before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords a username is locked for
# AXES_COOLOFF_MINUTES; every failure and lockout is a row in the admin (Axes) and a log line.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
# By username: guessing one account's password from anywhere is stopped. Not by address: a gemeente's
# office shares one address behind NAT, and five typos there would lock out every colleague.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Every failure is a row, so a peak across many usernames (password spraying) shows (cases/logins.py).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
LOGIN_PEAK_MINUTES = env_int("LOGIN_PEAK_MINUTES", 15)
LOGIN_PEAK_THRESHOLD = env_int("LOGIN_PEAK_THRESHOLD", 50)
# Behind a reverse proxy: how many proxies put their address in X-Forwarded-For (0 = none trusted).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if TRUSTED_PROXY_COUNT else ["REMOTE_ADDR"]

# Two-factor authentication (TOTP, django-otp) for every user. Switching it off is for `make run` and the
# tests only: production (DEBUG off) refuses to start with it off.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", True)
if not TWO_FACTOR_REQUIRED and not DEBUG:
    raise ImproperlyConfigured("TWO_FACTOR_REQUIRED=0 is only allowed with DEBUG=1 (the demo of make run).")
OTP_TOTP_ISSUER = "jeugdregie"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands")]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
# A session ends when the browser closes (a shared office PC), after SESSION_IDLE_TIMEOUT seconds without
# a request and after SESSION_COOKIE_AGE seconds in all (jeugdregie.middleware.SessionLifetimeMiddleware).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)

# Production behind a reverse proxy that ends TLS: the proxy sets X-Forwarded-Proto (docs/deploy.md).
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# The health endpoint is asked over plain HTTP by the load balancer, inside the network.
SECURE_REDIRECT_EXEMPT = [r"^gezondheid/$"]

# Content-Security-Policy (django-csp): no inline script, nothing from other hosts. Inline style
# attributes remain in a few templates; CSS cannot run code, so style-src allows them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)

REDIS_URL = env_str("REDIS_URL")
# One cache for all processes where Redis runs, so what the Celery worker warms (the dashboard of a closed
# month) and what one gunicorn worker computed (the queue's provider list) serve every web process.
# django-redis with IGNORE_EXCEPTIONS: when Redis is down a read is a miss and a write is skipped, so a page
# computes its figures instead of failing. Without Redis (the embedded default) each process has its own.
CACHE_REDIS_URL = env_str("CACHE_REDIS_URL", REDIS_URL)
if CACHE_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "KEY_PREFIX": "jeugdregie",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "LOG_IGNORED_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
# Tasks are idempotent (STYLE.md §4), so they are acknowledged after they finish, and a task whose worker
# process was killed goes back on the queue instead of being acknowledged as failed.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers an unacknowledged task after the visibility timeout: longer than the longest task
# (a nightly batch of FLAG_BATCH_CHILDREN children takes minutes; docs/benchmarks.md), or it would run twice.
BROKER_VISIBILITY_TIMEOUT = env_int("BROKER_VISIBILITY_TIMEOUT", 2 * 3600)
# A monthly-report delivery still "sending" this long after its claim was lost with its worker.
DELIVERY_SENDING_TIMEOUT = env_int("DELIVERY_SENDING_TIMEOUT", 15 * 60)
# Without Redis (the embedded default) tasks run in-process, so `make run` needs no broker.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
}
CELERY_BEAT_SCHEDULE = {
    # KPI snapshots (issue 14): daily at 05:00, before the email; only the first run after a month closes
    # stores anything (last month of every gemeente in one pass), later runs find it stored.
    "kpi-maand-afsluiten": {"task": "reports.tasks.close_month", "schedule": crontab(hour=5, minute=0)},
    # Runs daily; the task itself sends only on the first working day of the month (CELERY_TIMEZONE).
    "kpi-monthly-report": {
        "task": "reports.tasks.send_monthly_reports",
        "schedule": crontab(hour=7, minute=0),
    },
    # Signalering (issue 3): nightly in batches of whole gemeenten; the outbox catch-up for changes queued
    # while Redis was down.
    "signalering-nachtelijk": {"task": "regie.tasks.evaluate_all", "schedule": crontab(hour=2, minute=30)},
    "signalering-inhalen": {"task": "regie.tasks.drain_outbox", "schedule": crontab(minute="*/5")},
    # Mijn werk (issue 10): the daily digest at 07:00, then hourly the digests that failed; both skip
    # weekends and Dutch public holidays, and each user gets one per day however often they run.
    "mijn-werk-samenvatting": {"task": "werk.tasks.send_daily_digest", "schedule": crontab(hour=7, minute=0)},
    "mijn-werk-samenvatting-herhalen": {
        "task": "werk.tasks.retry_failed_digests",
        "schedule": crontab(hour="8-17", minute=0),
    },
    "inlogpogingen-piek": {"task": "cases.tasks.watch_failed_logins", "schedule": crontab(minute="*/15")},
    "maandrapportage-vastgelopen": {"task": "reports.tasks.retry_stuck_deliveries", "schedule": crontab(minute="*/15")},
    # Retention (DOMAIN.md §8): anonymise files closed longer than RETENTION_YEARS, nightly.
    "bewaartermijn": {"task": "retention.tasks.apply_retention", "schedule": crontab(hour=3, minute=30)},
}
# Jeugdwet art. 7.3.8: the dossier is kept 20 years (DOMAIN.md §8); a gemeente may keep it longer.
RETENTION_YEARS = env_int("RETENTION_YEARS", 20)

# Children per nightly signalering task (whole gemeenten per task): docs/benchmarks.md has the trade-off.
FLAG_BATCH_CHILDREN = env_int("FLAG_BATCH_CHILDREN", 100_000)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "jeugdregie <noreply@jeugdregie.local>")

# Structured logs (one JSON object per line) in production, for the log collector; plain text under
# DEBUG. Log lines name users and files by id only, never by name or BSN (docs/deploy.md).
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
# Changes of a user's role, gemeenten, staff or active flag are mailed here (separation of duties).
PRIVACY_OFFICER_EMAILS = [a.strip() for a in env_str("PRIVACY_OFFICER_EMAILS", "").split(",") if a.strip()]

# History rows record who changed what; they are never shown to users outside their gemeenten.
SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False
# No index on history_date: history is read by record id (the case file, the admin's history page, retention)
# and by history id (the rows after an import's start, imports/runner.py), never by date; the index cost every
# history row written (issue 14, fifth round: three index entries per CSV row).
SIMPLE_HISTORY_DATE_INDEX = False

# WhiteNoise serves static files in every environment; finders let it work before collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
