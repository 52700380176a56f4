"""Settings of bench/floor.py: the local settings plus the floor view's URL (bench only)."""

from ofelia.config.settings.local import *  # noqa: F403

ROOT_URLCONF = "floor_urls"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405 — the in-process test client
