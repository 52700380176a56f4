import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_healthz_eager_broker_without_url(client):
    with override_settings(CELERY_BROKER_URL=""):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}


def test_healthz_unreachable_broker_is_503(client):
    # Port 1 on localhost refuses connections at once.
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    data = response.json()
    assert data["status"] == "error"
    assert data["database"] == "ok"
    assert data["broker"].startswith("error")


def test_healthz_reachable_redis_broker_is_ok(client):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/15"):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"
