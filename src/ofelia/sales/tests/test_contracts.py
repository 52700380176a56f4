"""Contracts: creation from a session, signature under the policy in force (ACC-4),
mentions refused when missing, terms acceptance kept with the policy file's hash."""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from ofelia.core import clock
from ofelia.core.models import AuditEntry
from ofelia.sales import documents, selectors, services
from ofelia.sales.mentions import MissingMention
from ofelia.sales.models import Contract, TermsAcceptance

from .conftest import make_contract, make_organisation, make_session, make_user


def _sha(policy: str, version: str) -> str:
    data = resources.files("ofelia.policies").joinpath(policy, f"{version}.toml").read_bytes()
    return hashlib.sha256(data).hexdigest()


def test_acc_4_signature_fixes_policy_version_and_hash_and_records_acceptance(
    org: Any, admin: Any, company: Any
) -> None:
    with clock.frozen(datetime(2026, 1, 12, 10, 30)):
        contract = make_contract(org, admin, client=company)
    assert contract.kind == "convention" and contract.status == "signed"
    assert contract.number == "CV-2026-00001"
    assert str(contract.signed_on) == "2026-01-12"
    assert (contract.policy_id, contract.policy_version) == ("dixneuf", "2025.08.01")
    assert contract.policy_sha256 == _sha("dixneuf", "2025.08.01")
    acceptance = TermsAcceptance.objects.get(contract=contract)
    assert acceptance.accepted_by_name == "Acme Industrie"
    assert acceptance.method == "signed_document"
    assert acceptance.accepted_at == clock.FixedClock(datetime(2026, 1, 12, 10, 30)).now()
    assert (acceptance.policy_version, acceptance.policy_sha256) == ("2025.08.01", contract.policy_sha256)
    actions = set(AuditEntry.objects.filter(organisation=org).values_list("action", flat=True))
    assert {"contract.create", "contract.sign"} <= actions


def test_contract_copies_the_session_and_fills_terms_from_the_clauses(
    org: Any, admin: Any, consumer: Any
) -> None:
    session = make_session(org, price="3000.00", hours="60")
    with clock.frozen(datetime(2026, 1, 5, 9, 0)):
        contract = make_contract(org, admin, client=consumer, session=session, sign=False)
    assert contract.kind == "contrat" and contract.client_kind == "consumer"
    assert (contract.price, contract.hours) == (Decimal("3000.00"), Decimal("60.00"))
    assert contract.start_date == session.start_date
    assert "(CGV Partie 1, art. 3)" in contract.payment_terms  # PAY-D1 summary and article
    assert "(CGV Partie 1, art. 4)" in contract.early_termination  # ABD-D1/ABD-D2


def test_l6353_4_contrat_missing_trainers_cannot_be_signed_and_nothing_changes(
    org: Any, admin: Any, consumer: Any
) -> None:
    contract = make_contract(org, admin, client=consumer, sign=False, trainers="")
    with pytest.raises(MissingMention) as refused:
        services.contract_sign(actor=admin, contract=contract, accepted_by_name="Paul Durand",
                               method="signed_document")
    assert "diplômes, titres ou références des formateurs (Code du travail L6353-4, 4°)" in str(refused.value)
    contract.refresh_from_db()
    assert contract.status == "draft" and contract.policy_version == ""
    assert not TermsAcceptance.objects.exists()


def test_d6353_1_convention_pdf_refused_when_the_programme_is_missing(
    org: Any, admin: Any, company: Any
) -> None:
    contract = make_contract(org, admin, client=company, sign=False, programme="")
    with pytest.raises(MissingMention, match=r"contenu de l'action \(programme\) \(Code du travail D6353-1, I, 1°\)"):
        documents.render_contract_pdf(contract)


def test_contrat_and_convocation_pdfs_render(org: Any, admin: Any, consumer: Any) -> None:
    from .conftest import make_learner

    contract = make_contract(org, admin, client=consumer)
    assert documents.render_contract_pdf(contract).startswith(b"%PDF-")
    assert documents.render_convocation_pdf(contract, make_learner(org)).startswith(b"%PDF-")


def test_convocation_ics_has_one_event_per_weekday_in_paris_time(
    org: Any, admin: Any, company: Any
) -> None:
    from datetime import date

    session = make_session(org, start=date(2026, 3, 13), end=date(2026, 3, 16))  # Fri → Mon
    contract = make_contract(org, admin, client=company, session=session)
    ics = documents.convocation_ics(contract, uid_host="ofelia.test",
                                    stamp=clock.FixedClock(datetime(2026, 3, 1, 12, 0)).now())
    assert ics.count("BEGIN:VEVENT") == 2
    assert "DTSTART;TZID=Europe/Paris:20260313T090000" in ics
    assert "DTSTART;TZID=Europe/Paris:20260316T090000" in ics
    assert "DTSTAMP:20260301T110000Z" in ics  # 12:00 Paris in winter is 11:00 UTC
    assert ics.endswith("END:VCALENDAR\r\n")


def test_signed_contract_cannot_be_edited(org: Any, admin: Any, company: Any) -> None:
    contract = make_contract(org, admin, client=company)
    with pytest.raises(ValidationError, match="signé"):
        services.contract_update(actor=admin, contract=contract, price=Decimal("1.00"))


def test_contract_for_another_organisations_session_is_refused(org: Any, admin: Any, company: Any) -> None:
    foreign_session = make_session(make_organisation("laporte", "laporte"))
    with pytest.raises(ValidationError, match="autre organisme"):
        services.contract_create(actor=admin, organisation=org, session=foreign_session,
                                 client_company=company)


def test_organisation_b_cannot_see_organisation_a_contracts(
    org: Any, admin: Any, company: Any, other_org: Any
) -> None:
    contract = make_contract(org, admin, client=company)
    assert list(selectors.contract_list(organisation=org)) == [contract]
    assert list(selectors.contract_list(organisation=other_org)) == []
    assert selectors.contract_get(organisation=other_org, pk=contract.pk) is None
    assert selectors.contract_get(organisation=None, pk=contract.pk) is None
    other_admin = make_user(other_org)
    assert other_admin  # a member of B, used by the view tests
    assert Contract.objects.for_organisation(other_org).count() == 0
