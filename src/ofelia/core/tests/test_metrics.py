"""Issue 14 item 6: /metrics for Prometheus, only with the bearer token of the environment."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

TOKEN = "jeton-metriques-de-test-0123456789"


def test_metrics_without_a_configured_token_does_not_exist(client):
    with override_settings(OFELIA_METRICS_TOKEN=""):
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer mauvais-jeton", f"Basic {TOKEN}", "Bearer "])
def test_metrics_refuse_a_missing_or_wrong_token(client, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    with override_settings(OFELIA_METRICS_TOKEN=TOKEN):
        response = client.get("/metrics", **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "django_http" not in response.content.decode()


def test_metrics_with_the_token_count_requests(client):
    client.get("/healthz")
    with override_settings(OFELIA_METRICS_TOKEN=TOKEN):
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "django_http_requests_before_middlewares_total" in body
    assert "django_http_responses_total_by_status_total" in body
    assert response["Cache-Control"].startswith("max-age=0")
