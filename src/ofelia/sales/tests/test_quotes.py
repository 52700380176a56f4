"""Quotes (devis): lines and validity, written acceptance, then a contract at the quoted price."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from ofelia.core import clock
from ofelia.sales import services
from ofelia.sales.models import TermsAcceptance

from .conftest import DOCUMENT_FIELDS, make_session


def _quote(org: Any, admin: Any, company: Any, **kwargs: Any) -> Any:
    with clock.frozen(datetime(2026, 1, 5, 9, 0)):
        return services.quote_create(
            actor=admin, organisation=org, client_company=company,
            session=kwargs.pop("session", None) or make_session(org),
            valid_until=date(2026, 2, 4),
            lines=[
                {"description": "Formation management, 3 jours", "quantity": Decimal("1"),
                 "unit_price": Decimal("2100.00")},
                {"description": "Demi-journée de suivi", "quantity": Decimal("1.5"),
                 "unit_price": Decimal("33.33")},
            ],
            **kwargs,
        )


def test_quote_total_rounds_each_line_half_up(org: Any, admin: Any, company: Any) -> None:
    quote = _quote(org, admin, company, vat_rate=Decimal("20"))
    assert quote.number == "DV-2026-00001"
    assert [line.amount for line in quote.lines.all()] == [Decimal("2100.00"), Decimal("50.00")]
    assert quote.total_excl_vat() == Decimal("2150.00")  # 49.995 rounds half-up to 50.00
    assert quote.total_vat() == Decimal("430.00")


def test_written_acceptance_then_contract_at_the_quoted_price(org: Any, admin: Any, company: Any) -> None:
    quote = _quote(org, admin, company)
    services.quote_send(actor=admin, quote=quote)
    with clock.frozen(datetime(2026, 1, 20, 15, 0)):
        quote = services.quote_accept(actor=admin, quote=quote, accepted_by_name="Claire Martin",
                                      method="signed_quote")
        contract = services.quote_convert(actor=admin, quote=quote, **DOCUMENT_FIELDS)
    assert quote.status == "accepted" and quote.accepted_by_name == "Claire Martin"
    acceptance = TermsAcceptance.objects.get(quote=quote)
    assert (acceptance.policy_id, acceptance.policy_version) == ("dixneuf", "2025.08.01")
    assert len(acceptance.policy_sha256) == 64
    assert contract.price == Decimal("2150.00") and contract.quote_id == quote.pk
    assert contract.kind == "convention" and contract.status == "draft"
    quote.refresh_from_db()
    assert quote.status == "converted"


def test_acceptance_after_the_validity_date_is_refused(org: Any, admin: Any, company: Any) -> None:
    quote = _quote(org, admin, company)
    services.quote_send(actor=admin, quote=quote)
    with clock.frozen(datetime(2026, 2, 4, 18, 0)):  # last valid day: accepted
        services.quote_accept(actor=admin, quote=quote, accepted_by_name="C. Martin", method="email")
    late = _quote(org, admin, company)
    services.quote_send(actor=admin, quote=late)
    with clock.frozen(datetime(2026, 2, 5, 8, 0)), pytest.raises(ValidationError, match="expiré"):
        services.quote_accept(actor=admin, quote=late, accepted_by_name="C. Martin", method="email")
    late.refresh_from_db()
    assert late.status == "sent"


def test_a_draft_quote_cannot_be_accepted_nor_converted(org: Any, admin: Any, company: Any) -> None:
    quote = _quote(org, admin, company)
    with clock.frozen(datetime(2026, 1, 6, 9, 0)), pytest.raises(ValidationError):
        services.quote_accept(actor=admin, quote=quote, accepted_by_name="X", method="email")
    with pytest.raises(ValidationError, match="accepté"):
        services.quote_convert(actor=admin, quote=quote)
