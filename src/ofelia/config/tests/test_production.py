"""Served like production (issue 14, item 5): the demo shows no debug page, 404 and 500 answer
in French, WhiteNoise serves the static files (`check --deploy`: core/tests/test_deploy_check)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.test import RequestFactory

from ofelia.core.views import server_error


def test_prod_local_settings_default_to_no_debug_pages() -> None:
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_DEBUG"}
    code = "from ofelia.config.settings import local; print(local.DEBUG, local.ALLOWED_HOSTS)"
    off = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True,
                         text=True, timeout=60, check=True)
    assert off.stdout.startswith("False") and "localhost" in off.stdout
    on = subprocess.run([sys.executable, "-c", code], env={**environ, "DJANGO_DEBUG": "true"},
                        capture_output=True, text=True, timeout=60, check=True)
    assert on.stdout.startswith("True")


@pytest.mark.django_db
def test_prod_unknown_page_answers_a_french_404(client) -> None:
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_prod_server_error_page_is_french_and_tells_nothing_of_the_code() -> None:
    response = server_error(RequestFactory().get("/x/"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "Erreur du serveur" in body and "Traceback" not in body


def test_prod_static_files_are_served_by_whitenoise(client) -> None:
    response = client.get("/static/ofelia/ofelia.css")
    # The test client has no static handler of its own: only the middleware answers this.
    assert response.status_code == 200
    assert "max-age" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_prod_a_form_body_over_the_cap_is_a_french_400(client) -> None:
    response = client.post("/connexion/", {"username": "x" * (1024 * 1024 + 10), "password": "y"})
    assert response.status_code == 400
    assert "Requête invalide" in response.content.decode()
    fields = {f"f{i}": "x" for i in range(1001)}
    assert client.post("/connexion/", fields).status_code == 400
