"""Production: every secret from the environment, HTTPS everywhere."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to a random value of at least 50 characters.")
DEBUG = False
# Throttling counters must be shared by every worker and machine: production does not start
# on a per-process cache (system check ofelia.E001 says the same to `manage.py check`).
OFELIA_REQUIRE_SHARED_CACHE = True
if not os.environ.get("CACHE_URL"):
    raise ImproperlyConfigured(
        "CACHE_URL must name a shared cache (Redis, e.g. redis://127.0.0.1:6379/1): login and "
        "password-reset limits must hold across workers.")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Kept connections: each gunicorn worker reuses its own (set 0 behind PgBouncer in
# transaction mode).
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))  # noqa: F405
# Static files: hashed names and pre-compressed copies made by `collectstatic`, served by
# WhiteNoise from each worker with a one-year cache.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# One JSON object per log line (request id included), for the log collector; OFELIA_LOG_FORMAT
# =plain for a human at the console.
LOGGING["handlers"]["console"]["formatter"] = os.environ.get("OFELIA_LOG_FORMAT", "json")  # noqa: F405
