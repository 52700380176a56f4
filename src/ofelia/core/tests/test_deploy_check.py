"""`manage.py check --deploy` with the production settings prints no warning."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[3]


def _check_deploy(tmp_path, **extra):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ofelia.config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "ofelia.example.org",
        "OFELIA_DATA_DIR": str(tmp_path),
        "PYTHONPATH": str(SRC),
        **extra,
    }
    env.pop("DATABASE_URL", None)
    if "CACHE_URL" not in extra:
        env.pop("CACHE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_settings_is_clean(tmp_path):
    result = _check_deploy(tmp_path, CACHE_URL="redis://127.0.0.1:6379/1")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def test_production_refuses_to_start_when_login_throttling_is_per_process(tmp_path):
    result = _check_deploy(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "CACHE_URL must name a shared cache" in output, output


def test_check_errors_in_production_and_warns_elsewhere_on_a_local_cache(settings):
    from ofelia.core.checks import shared_cache_check, shared_cache_required

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.OFELIA_REQUIRE_SHARED_CACHE = True
    assert [m.id for m in shared_cache_required()] == ["ofelia.E001"]
    assert shared_cache_check() == []
    settings.OFELIA_REQUIRE_SHARED_CACHE = False
    assert shared_cache_required() == [] and [m.id for m in shared_cache_check()] == ["ofelia.W001"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:6379/1"}}
    settings.OFELIA_REQUIRE_SHARED_CACHE = True
    assert shared_cache_required() == [] and shared_cache_check() == []
