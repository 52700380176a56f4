"""Settings shared by every environment. Secrets and endpoints come from the environment."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # src/ofelia
DATA_DIR = Path(os.environ.get("OFELIA_DATA_DIR", Path.cwd() / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ofelia.core",
    "ofelia.legal",
    "ofelia.organisations",
    "ofelia.notifications",
    "ofelia.accounts",
    "ofelia.simulator",
    "ofelia.billing",
    "ofelia.catalogue",
    "ofelia.sales",
    "ofelia.elearning",
    "ofelia.attendance",
    "ofelia.apitokens",
    "ofelia.privacy",
    "ofelia.support",
    "ofelia.hosting",
    "ofelia.desk",
    "ofelia.quality",
    "ofelia.documents",
    "django_prometheus",
]

MIDDLEWARE = [
    # Outermost: every log line of the request carries its id (X-Request-ID in and out).
    "ofelia.core.request_id.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from the worker (compressed, cached forever once hashed).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy everywhere, no-store on private answers (outermost but static).
    "ofelia.core.middleware.SecurityHeadersMiddleware",
    # 404/405 of /api/ as French problem documents.
    "ofelia.core.middleware.ApiProblemMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # French first: the browser's Accept-Language is ignored, only the switcher's choice counts.
    "ofelia.core.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ofelia.core.middleware.AuditContextMiddleware",
    "ofelia.core.middleware.CurrentOrganisationMiddleware",
    # After the organisation middleware: a bearer token on /api/ replaces the session's.
    "ofelia.apitokens.middleware.ApiTokenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
# Prometheus scrapes /metrics with this bearer token; without it /metrics is a 404. Several
# gunicorn workers: set PROMETHEUS_MULTIPROC_DIR (docs/production.md).
OFELIA_METRICS_TOKEN = os.environ.get("OFELIA_METRICS_TOKEN", "")

ROOT_URLCONF = "ofelia.config.urls"
WSGI_APPLICATION = "ofelia.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ofelia.core.context_processors.navigation",
                "ofelia.legal.context_processors.legal_data_missing",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'ofelia.sqlite3'}"),
        # 0 by default: the development server opens a thread per request, and kept
        # connections pile up until PostgreSQL refuses clients. Production sets it.
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", DATA_DIR / "static"))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "/media/"
# WhiteNoise serves what `collectstatic` gathered in STATIC_ROOT (`make run` runs it).
WHITENOISE_USE_FINDERS = False

# Request bodies: 1 MiB (a quote of 200 lines is ~40 kB; policies are a few kB) and at most
# 1000 form fields; beyond, a French 400 (page) or 413 (API problem document).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(1024 * 1024)))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

AUTHENTICATION_BACKENDS = ["ofelia.accounts.backends.EmailOrUsernameBackend"]

# The cache backs login throttling: use a shared one (Redis) as soon as there is more than
# one web process, otherwise each process counts failures on its own.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["CACHE_URL"]}
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ofelia"}
    )
}
LOGIN_THROTTLE_FAILURES = int(os.environ.get("LOGIN_THROTTLE_FAILURES", "5"))
LOGIN_THROTTLE_WINDOW = int(os.environ.get("LOGIN_THROTTLE_WINDOW", "900"))  # seconds
# The same account from anywhere, and one address over every account (password spraying).
LOGIN_THROTTLE_ACCOUNT_FAILURES = int(os.environ.get("LOGIN_THROTTLE_ACCOUNT_FAILURES", "10"))
LOGIN_THROTTLE_ADDRESS_FAILURES = int(os.environ.get("LOGIN_THROTTLE_ADDRESS_FAILURES", "10"))
# Password-reset e-mails: per requesting address and per mailbox, in an hour.
PASSWORD_RESET_PER_IP = int(os.environ.get("PASSWORD_RESET_PER_IP", "5"))
PASSWORD_RESET_PER_EMAIL = int(os.environ.get("PASSWORD_RESET_PER_EMAIL", "3"))
PASSWORD_RESET_THROTTLE_WINDOW = 3600
# Only behind a proxy that sets it: the client address recorded in the audit log.
OFELIA_TRUST_X_FORWARDED_FOR = env_bool("OFELIA_TRUST_X_FORWARDED_FOR")
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(3 * 24 * 3600)))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# E-mail: console by default; SMTP when EMAIL_HOST is set; a provider through anymail
# when EMAIL_BACKEND names one.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Ofelia <noreply@ofelia.localhost>")

# Background work: eager when no broker is configured.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TIMEZONE = TIME_ZONE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every record carries the request id ("-" outside a request or task).
    "filters": {"request_id": {"()": "ofelia.core.request_id.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "ofelia.core.request_id.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             "formatter": os.environ.get("OFELIA_LOG_FORMAT", "plain")}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every rendering step at INFO; only its problems matter.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Scheduled deadlines (Celery beat), each an idempotent daily scan, in Paris time:
# settlement (drafts after FUN-D1, CAN-L1 and every event), collections (late interest,
# fee, dunning steps), formal notice
# letters of the day's steps, later instalments of 3x/4x orders.
CELERY_BEAT_SCHEDULE = {
    "billing-collections-daily": {
        "task": "ofelia.billing.tasks.collections_daily", "schedule": crontab(hour=6, minute=15)},
    "billing-settlement-daily": {
        "task": "ofelia.billing.tasks.settlement_daily", "schedule": crontab(hour=6, minute=0)},
    "billing-dunning-letters": {
        "task": "ofelia.billing.tasks.dunning_letters", "schedule": crontab(hour=6, minute=45)},
    "billing-instalments-daily": {
        "task": "ofelia.billing.tasks.instalments_daily", "schedule": crontab(hour=7, minute=0)},
    "billing-class-invoices-daily": {
        "task": "ofelia.billing.tasks.class_invoices_daily", "schedule": crontab(hour=6, minute=15)},
    "billing-orders-expire-daily": {
        "task": "ofelia.billing.tasks.orders_expire_daily", "schedule": crontab(hour=7, minute=30)},
    # LRN-4: reminders before the evaluation video's deadline.
    "elearning-evaluation-reminders": {
        "task": "ofelia.elearning.tasks.evaluation_reminders", "schedule": crontab(hour=8, minute=0)},
    # LRN-5: warning, then deletion of accounts inactive for years after their training.
    "privacy-inactivity-scan": {
        "task": "ofelia.privacy.tasks.inactivity_scan", "schedule": crontab(hour=3, minute=30)},
    # ACC-6: learners' and trainers' documents deleted when their retention ends.
    "documents-purge-expired": {
        "task": "ofelia.documents.tasks.purge_expired", "schedule": crontab(hour=3, minute=45)},
}
