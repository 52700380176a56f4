"""Settings of the gunicorn workers started by test_shared_throttling: the demo settings
(no debug), a SQLite file of the test's own, the shared Redis cache, mails written to files."""

import os

from ofelia.config.settings.local import *  # noqa: F403

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.environ["OFELIA_THROTTLE_DB"]}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["OFELIA_THROTTLE_MAIL_DIR"]
OFELIA_TRUST_X_FORWARDED_FOR = True  # each scenario speaks from its own address
