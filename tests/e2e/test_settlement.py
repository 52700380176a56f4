"""Issue 9, item 4 in a real browser: a cancellation is one POST; settlement drafts the
credit note and the CAN-D1 fee invoice; staff issue them in one click and download the fee
invoice, which bears no VAT although the price bore 20 %."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .test_login import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]


def _signed_invoiced_convention() -> Any:
    """A DIXNEUF convention signed 30 days ago for a session in 9 days, its price (20 %
    VAT: the organisation is made subject to VAT here) invoiced."""
    from ofelia.billing.settlement import contract_settle, settlement_issue
    from ofelia.billing.tests.contracts import DOCUMENT
    from ofelia.catalogue.models import Training, TrainingSession
    from ofelia.core import clock
    from ofelia.organisations.models import ClientCompany, Organisation
    from ofelia.sales import services

    org = Organisation.objects.get(slug="dixneuf")
    org.vat_status, org.vat_number = Organisation.VatStatus.SUBJECT, "FR40732829320"
    org.save(update_fields=["vat_status", "vat_number"])
    today = clock.today()
    training = Training.objects.create(
        organisation=org, title="Gestes et postures", reference="E2E-SETTLE",
        duration_hours=Decimal("21"), price_excl_vat=Decimal("2400.00"))
    session = TrainingSession.objects.create(
        organisation=org, training=training, start_date=today + timedelta(days=9),
        end_date=today + timedelta(days=11), place="La Romagne", capacity=10)
    company = ClientCompany.objects.for_organisation(org).exclude(siret="").first()
    with clock.frozen(clock.now() - timedelta(days=30)):
        contract = services.contract_create(actor=None, organisation=org, session=session,
                                            client_company=company, vat_rate=Decimal("20"),
                                            **DOCUMENT)
        contract = services.contract_sign(actor=None, contract=contract,
                                          accepted_by_name=company.name,
                                          method="signed_document")
    contract_settle(contract=contract, as_of=today)
    settlement_issue(actor=None, contract=contract, on=today)
    return contract


def test_can_d1_cancellation_one_post_then_drafts_issued_in_one_click(page: Any) -> None:
    from ofelia.billing.models import Invoice

    contract = _signed_invoiced_convention()
    price = Invoice.objects.get(contract=contract, purpose="price")
    assert price.total_vat == Decimal("480.00")

    log_in(page, "staff@dixneuf.demo")
    page.goto(f"/ventes/contrats/{contract.pk}/")
    form = page.locator("form[action$='/evenement/']")
    form.locator("[name=type]").select_option("cancellation")
    form.locator("[name=on]").fill(page.evaluate("new Date().toISOString().slice(0, 10)"))
    form.locator("[name=by]").select_option("client")
    form.locator("[name=reason]").select_option("other")
    with page.expect_response(re.compile(r"/evenement/$")) as posted:
        form.locator("button").first.click()
    assert posted.value.request.method == "POST"
    expect(page.get_by_role("status")).to_contain_text("Événement enregistré")

    page.goto(f"/facturation/contrats/{contract.pk}/")
    drafts = page.locator("section.settlement-drafts")
    expect(drafts).to_contain_text("Avoir (brouillon)")
    expect(drafts).to_contain_text("2 880,00")
    expect(drafts).to_contain_text("Dédommagement")
    expect(drafts).to_contain_text("1 200,00")
    expect(drafts).to_contain_text("TVA 0")
    expect(page.get_by_role("link", name=re.compile("Retour au contrat"))).to_be_visible()
    page.screenshot(path="/tmp/settle-drafts.png", full_page=True)

    page.get_by_role("button", name="Émettre les brouillons").click()
    expect(page.get_by_role("status")).to_contain_text("document(s) émis")
    expect(page.locator("section.settlement-drafts")).to_have_count(0)
    page.screenshot(path="/tmp/settle-issued.png", full_page=True)

    fee = Invoice.objects.get(contract=contract, purpose="fee")
    assert (fee.status, fee.total_vat, fee.total_incl_vat) == (
        "issued", Decimal("0.00"), Decimal("1200.00"))
    price.refresh_from_db()
    assert price.status == "cancelled"
    row = page.get_by_role("listitem").filter(has_text=fee.number)
    href = row.get_by_role("link", name="PDF").get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    Path("/tmp/settle-fee.pdf").write_bytes(response.body())
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", "/tmp/settle-fee.pdf", "-"], check=True,
                              capture_output=True, text=True).stdout
        assert "Dédommagement" in text and "annulation (CAN-D1)" in text
        assert "Sans TVA (CAN-D1)" in text and "0,00 €" in text and "1 200,00 €" in text
