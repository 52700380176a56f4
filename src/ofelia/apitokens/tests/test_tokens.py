"""API tokens: hashed secret shown once, bearer auth scoped to the token's organisation,
revocation, and `ofelia openapi`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from ofelia.apitokens import services
from ofelia.apitokens.models import ApiToken
from ofelia.organisations.models import Role
from ofelia.sales.tests.conftest import make_organisation, make_session, make_user

pytestmark = pytest.mark.django_db


def _bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_token_is_stored_hashed_and_scopes_the_api_to_its_organisation() -> None:
    org_a, org_b = make_organisation("orga", "dixneuf"), make_organisation("orgb", "formagogy")
    admin_a = make_user(org_a, Role.ADMINISTRATOR)
    make_session(org_a)
    session_b = make_session(org_b)
    token, clear = services.api_token_create(actor=admin_a, organisation=org_a, label="ERP")
    assert clear.startswith("ofl_") and clear not in token.secret_hash
    assert token.secret_hash == services.hash_secret(clear)
    api = Client()  # no session cookie at all
    listed = api.get("/api/v1/sessions", **_bearer(clear))
    assert listed.status_code == 200 and len(listed.json()) == 1
    assert api.get(f"/api/v1/sessions/{session_b.pk}/enrolments", **_bearer(clear)).status_code == 404
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_writes_need_no_csrf_but_session_writes_still_do() -> None:
    org = make_organisation("orga", "dixneuf")
    admin = make_user(org, Role.ADMINISTRATOR)
    _token, clear = services.api_token_create(actor=admin, organisation=org, label="CRM")
    api = Client(enforce_csrf_checks=True)
    payload = {"consumer_id": None, "valid_until": "2099-01-31", "lines": []}
    # Passes authentication to the schema's checks (422: no line), not a 403 CSRF refusal.
    answer = api.post("/api/v1/quotes", payload, content_type="application/json", **_bearer(clear))
    assert answer.status_code == 422
    api.force_login(admin)
    assert api.post("/api/v1/quotes", payload, content_type="application/json").status_code == 403


def test_revoked_unknown_or_orphaned_tokens_answer_401() -> None:
    org = make_organisation("orga", "dixneuf")
    admin, staff = make_user(org, Role.ADMINISTRATOR), make_user(org, Role.STAFF)
    token, clear = services.api_token_create(actor=admin, organisation=org, label="ERP")
    services.api_token_revoke(actor=admin, token=token)
    api = Client()
    revoked = api.get("/api/v1/sessions", **_bearer(clear))
    assert revoked.status_code == 401 and revoked["WWW-Authenticate"].startswith("Bearer")
    assert api.get("/api/v1/sessions", **_bearer("ofl_nope")).status_code == 401
    _token, orphan = services.api_token_create(actor=staff, organisation=org, label="BI")
    staff.memberships.update(role=Role.TRAINER)  # no longer staff: the token stops working
    assert api.get("/api/v1/sessions", **_bearer(orphan)).status_code == 401


def test_staff_page_shows_the_token_once_and_revokes_tenancy_scoped() -> None:
    org_a, org_b = make_organisation("orga", "dixneuf"), make_organisation("orgb", "formagogy")
    admin_a, admin_b = make_user(org_a, Role.ADMINISTRATOR), make_user(org_b, Role.ADMINISTRATOR)
    web = Client()
    web.force_login(admin_a)
    created = web.post("/gestion/jetons-api/", {"label": "Comptabilité"}).content.decode()
    assert "il ne sera plus jamais affiché" in created
    token = ApiToken.objects.get()
    clear = created.split('<code id="new-token">')[1].split("</code>")[0]
    assert services.hash_secret(clear) == token.secret_hash
    assert clear not in web.get("/gestion/jetons-api/").content.decode()
    other = Client()
    other.force_login(admin_b)
    assert "Comptabilité" not in other.get("/gestion/jetons-api/").content.decode()
    assert other.post(f"/gestion/jetons-api/{token.pk}/revoquer/").status_code == 404
    web.post(f"/gestion/jetons-api/{token.pk}/revoquer/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_ofelia_openapi_prints_valid_json_with_the_simulate_sessions_contracts_paths() -> None:
    out = StringIO()
    call_command("openapi", stdout=out)
    schema = json.loads(out.getvalue())
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/simulate", "/api/v1/sessions", "/api/v1/contracts", "/api/v1/quotes"):
        assert path in schema["paths"], path
    assert schema["components"]["securitySchemes"]["ApiTokenAuth"]["scheme"] == "bearer"
