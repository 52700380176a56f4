"""Settings shared by every environment. Secrets and endpoints come from the environment."""

from __future__ import annotations

import json
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
    "ofelia.surveys",
    "ofelia.apitokens",
    "ofelia.privacy",
    "ofelia.support",
    "ofelia.hosting",
    "ofelia.desk",
    "ofelia.quality",
    "ofelia.availability",
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
    # SCORM tracking commits (every 30 s per learner): authenticated by a signed token bound
    # to the session cookie, answered here without reading the session, user or membership.
    "ofelia.elearning.tracking.TrackingCommitMiddleware",
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
            # `date_fr` and the labels of codes are written the same way on every page.
            "builtins": ["ofelia.core.templatetags.ofelia_ui"],
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

# The address mails link to when no request is at hand (the daily surveys' links).
OFELIA_PUBLIC_URL = os.environ.get("OFELIA_PUBLIC_URL", "http://localhost:8000")

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

# Hosted virtual classes (issue 13, docs/hosting.md): the machines' libcloud compute driver,
# chosen by provider name (`libcloud.compute.providers.get_driver`, e.g. « openstack »), its
# credentials and options (JSON: ex_force_auth_url, ex_tenant_name…), one image per software
# pack, and the timing. « ofelia-local » (the default) runs each machine as a local process.
OFELIA_HOSTING_PROVIDER = os.environ.get("OFELIA_HOSTING_PROVIDER", "ofelia-local")
OFELIA_HOSTING_KEY = os.environ.get("OFELIA_HOSTING_KEY", "local")
OFELIA_HOSTING_SECRET = os.environ.get("OFELIA_HOSTING_SECRET", "")
OFELIA_HOSTING_OPTIONS = json.loads(os.environ.get("OFELIA_HOSTING_OPTIONS", "{}"))
OFELIA_HOSTING_SIZE = os.environ.get("OFELIA_HOSTING_SIZE", "local")
OFELIA_HOSTING_IMAGES = json.loads(os.environ.get("OFELIA_HOSTING_IMAGES", "{}")) or {
    "office": "ofelia-office", "development": "ofelia-development", "data": "ofelia-data",
    "custom": "ofelia-custom"}
OFELIA_HOSTING_LOCAL_STATE_DIR = os.environ.get("OFELIA_HOSTING_LOCAL_STATE_DIR", str(DATA_DIR / "hosting-nodes"))
OFELIA_HOSTING_LOCAL_BOOT_SECONDS = float(os.environ.get("OFELIA_HOSTING_LOCAL_BOOT_SECONDS", "0.3"))
# Provisioning of a scheduled class starts this long before its start.
OFELIA_HOSTING_LEAD_MINUTES = int(os.environ.get("OFELIA_HOSTING_LEAD_MINUTES", "30"))
# A machine not answering its readiness probe within this time is failed and replaced.
OFELIA_HOSTING_READY_TIMEOUT = float(os.environ.get("OFELIA_HOSTING_READY_TIMEOUT", "120"))
# Pre-created machines per software pack, claimed first by a class (0: no pool).
OFELIA_HOSTING_WARM_POOL = json.loads(os.environ.get("OFELIA_HOSTING_WARM_POOL", "{}"))

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
    # Issue 11 item 4: questionnaires due today are sent, unanswered ones reminded.
    "surveys-daily": {
        "task": "ofelia.surveys.tasks.surveys_daily", "schedule": crontab(hour=9, minute=0)},
    # Virtual classes' machines: provisioning ahead of the start, readiness, daily power
    # schedule, failed machines replaced, warm pool, teardown after the storage period.
    "hosting-machines-tick": {"task": "ofelia.hosting.tasks.machines_tick", "schedule": 60.0},
    # LRN-5: warning, then deletion of accounts inactive for years after their training.
    "privacy-inactivity-scan": {
        "task": "ofelia.privacy.tasks.inactivity_scan", "schedule": crontab(hour=3, minute=30)},
    # VCL-7: the platform probes itself every minute (one row per minute and service), and
    # folds the raw rows older than three months into monthly aggregates each night.
    "availability-probe-minute": {
        "task": "ofelia.availability.tasks.probe_minute", "schedule": crontab()},
    "availability-compact-probes": {
        "task": "ofelia.availability.tasks.compact_probes", "schedule": crontab(hour=4, minute=10)},
    # ACC-6: learners' and trainers' documents deleted when their retention ends.
    "documents-purge-expired": {
        "task": "ofelia.documents.tasks.purge_expired", "schedule": crontab(hour=3, minute=45)},
}
# The health page the probes call over HTTP (e.g. https://ofelia.example/healthz); empty: the
# health view is called in-process (docs/availability.md).
OFELIA_HEALTH_URL = os.environ.get("OFELIA_HEALTH_URL", "")
