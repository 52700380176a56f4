"""One door to "which terms apply": an organisation's own policy version (made on the
simulation page) used end to end — signature, invoices, deposit, settlement, collections,
online payment — where billing used to read only the shipped files (a PolicyError, a 500)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from importlib import resources

import pytest

from ofelia.billing.collections import run_collections
from ofelia.billing.contract_invoices import deposit_invoice_create
from ofelia.billing.models import Invoice, PenaltyAssessment
from ofelia.billing.online import invoice_instalment_counts
from ofelia.billing.settlement import contract_settle, settlement_drafts, settlement_issue
from ofelia.core import clock
from ofelia.organisations.models import Role
from ofelia.organisations.testing import make_member
from ofelia.sales import rules_io
from ofelia.sales.services import contract_event_record
from ofelia.simulator.services import policy_version_create
from ofelia.simulator.terms import policy_terms

from .conftest import make_organisation
from .contracts import company, consumer, signed_contract

pytestmark = pytest.mark.django_db


def _own_policy_text() -> str:
    """The DIXNEUF terms, adopted under the organisation's own id and version."""
    text = resources.files("ofelia.policies").joinpath("dixneuf", "2025.08.01.toml").read_text(
        encoding="utf-8")
    return (text.replace('id = "dixneuf"', 'id = "maison"')
            .replace('version = "2025.08.01"', 'version = "2026.01.01"')
            .replace('effective_from = "2025-08-01"', 'effective_from = "2026-01-01"'))


@pytest.fixture
def org():
    organisation = make_organisation(slug="maison", policy_id="maison")
    policy_version_create(actor=None, organisation=organisation, source=_own_policy_text())
    return organisation


def test_acc_4_the_door_knows_the_organisation_s_own_versions(org):
    policy = policy_terms(organisation=org, policy_id="maison", on=date(2026, 1, 12))
    assert (policy.id, policy.version) == ("maison", "2026.01.01")
    assert policy_terms(organisation=org, policy_id="maison", version="2026.01.01") == policy
    assert policy_terms(organisation=org.pk, policy_id="maison", version="2026.01.01") == policy
    # Shipped policies still come through the same door.
    assert policy_terms(organisation=org, policy_id="dixneuf", on=date(2026, 1, 12)).id == "dixneuf"


def test_own_version_signed_invoiced_settled_and_collected_without_error(org, client):
    contract = signed_contract(org, client=company(org), signed=date(2026, 1, 12),
                               start=date(2026, 3, 16))
    assert (contract.policy_id, contract.policy_version) == ("maison", "2026.01.01")
    assert rules_io.contract_policy(contract).version == "2026.01.01"
    contract_settle(contract=contract, as_of=date(2026, 1, 13))
    [price] = settlement_issue(actor=None, contract=contract, on=date(2026, 1, 13))
    assert (price.policy_id, price.policy_version, price.total_incl_vat) == (
        "maison", "2026.01.01", Decimal("2400.00"))
    assert "Pénalités de retard" in price.late_penalty_mention
    # Collections read the same version: overdue, dunned, no PolicyError.
    report = run_collections(as_of=date(2026, 4, 30), organisation_id=org.pk)
    assert report.problems == [] and PenaltyAssessment.objects.filter(invoice=price).exists()
    # Online payment reads the invoice's terms through the door too.
    assert invoice_instalment_counts(price)[0] == 1
    # A cancellation under the own version: credit note + fee drafted (CAN-D1 of its text).
    contract_event_record(actor=None, contract=contract, type="cancellation", by="client",
                          reason="other", on=date(2026, 3, 6), as_of=date(2026, 3, 6))
    contract_settle(contract=contract, as_of=date(2026, 3, 6))
    credits, invoices, _ = settlement_drafts(contract)
    assert len(credits) == 1 and invoices[0].lines.get().rule == "CAN-D1"
    # The contract's billing page and panel answer (no 500).
    client.force_login(make_member(org, Role.STAFF))
    with clock.frozen(datetime(2026, 3, 6, 9, 0)):
        assert client.get(f"/facturation/contrats/{contract.pk}/").status_code == 200
        assert client.get(f"/facturation/contrats/{contract.pk}/panneau/").status_code == 200


def test_pay_d1_deposit_under_the_own_version(org):
    contract = signed_contract(org, client=consumer(org), signed=date(2026, 1, 12),
                               start=date(2026, 3, 16))
    deposit = deposit_invoice_create(actor=None, contract=contract, amount="720.00",
                                     on=date(2026, 1, 27))
    assert (deposit.purpose, deposit.policy_version, deposit.total_incl_vat) == (
        "deposit", "2026.01.01", Decimal("720.00"))
    # The price invoice deducts the deposit already invoiced (an advance, not a credit).
    contract_settle(contract=contract, as_of=date(2026, 1, 27))
    credits, invoices, _ = settlement_drafts(contract)
    assert credits == [] and [i.total_incl_vat for i in invoices] == [Decimal("1680.00")]
    assert Invoice.objects.filter(contract=contract).count() == 2
