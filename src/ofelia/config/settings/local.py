"""Developer machine and demo: embedded SQLite, console e-mail, served without debug pages.

`make run` is what a visitor of the demo sees: no Django debug page, French 404/500 pages.
`DJANGO_DEBUG=true` opts in to the debug pages (and to static files read from the sources).
"""

from .base import *  # noqa: F403
from .base import DATA_DIR, env_bool, env_list

DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-ofelia-local-key-change-me-in-production"  # noqa: F405
# With debug on, static files are read from the sources at each request (no collectstatic).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
DATA_DIR.mkdir(parents=True, exist_ok=True)
