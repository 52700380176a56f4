"""Issue 14, item 4: a strict Content-Security-Policy on every answer, `no-store` on what a
signed-in person or an API client receives (the browser test proves the pages work under it)."""

from __future__ import annotations

from typing import Any

from ofelia.organisations.testing import PASSWORD


def test_csp_every_page_carries_the_strict_policy_and_public_pages_may_be_cached(
        client, org_a: Any) -> None:
    response = client.get("/o/org-a/catalogue/")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    # « Payer en ligne » is redirected to Stripe Checkout after its POST: allowed, nothing else.
    assert "form-action 'self' https://checkout.stripe.com;" in policy
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_csp_no_store_on_signed_in_pages_and_on_every_api_answer(client, admin_a: Any) -> None:
    assert client.login(username="admin@org-a.test", password=PASSWORD)
    page = client.get("/gestion/")
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    api = client.get("/api/v1/invoices")
    assert api.status_code == 200 and "no-store" in api.headers["Cache-Control"]
    client.logout()
    refused = client.get("/api/v1/invoices")
    assert refused.status_code == 401 and "no-store" in refused.headers["Cache-Control"]


def test_csp_templates_hold_no_inline_script_style_or_handler() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for template in root.rglob("templates/**/*.html"):
        if any(part in str(template) for part in ("/pdf/", "/email", "/archive/")):
            # rendered by WeasyPrint, a mail client, or written as a standalone file into a
            # download (the Qualiopi ZIP): never served under the page policy
            continue
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)|<style|\son[a-z]+=|\sstyle=|hx-on|js:", text):
            offenders.append(str(template.relative_to(root)))
    assert offenders == []
