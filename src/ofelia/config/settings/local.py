"""Developer machine: embedded SQLite, console e-mail, debug on."""

from .base import *  # noqa: F403
from .base import DATA_DIR, env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-ofelia-local-key-change-me-in-production"  # noqa: F405
DATA_DIR.mkdir(parents=True, exist_ok=True)
