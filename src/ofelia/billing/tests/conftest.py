"""Fixtures of the billing tests: own organisations and clients, no /work/shared needed."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from ofelia.core import clock
from ofelia.organisations.models import Organisation


def make_organisation(slug: str = "campus", **fields: Any) -> Organisation:
    values: dict[str, Any] = {
        "legal_name": f"Campus {slug.title()} SAS",
        "slug": slug,
        "legal_form": "SAS",
        "share_capital": "10 000 €",
        "rcs": "RCS Angers 123 456 789",
        "siret": "73282932000074",
        "nda_number": "52490402749",
        "nda_region": "Pays de la Loire",
        "vat_status": "training_exempt",
        "address_line1": "1 rue des Écoles",
        "postal_code": "49740",
        "city": "La Romagne",
        "email": "compta@example.org",
        "policy_id": "dixneuf",
    }
    values.update(fields)
    return Organisation.objects.create(**values)


def draft_fields(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "buyer_kind": "professional",
        "buyer_name": "Ateliers Martin SARL",
        "buyer_address": "12 avenue du Port\n44000 Nantes",
        "buyer_siret": "35600000000048",
        "service_start": date(2025, 3, 3),
        "service_end": date(2025, 3, 5),
        "payment_terms": "Paiement à 30 jours date de facture, pas d'escompte (CGV Partie 2, art. 3)",
        "payment_delay_days": 30,
        "late_penalty_mention": "Pénalités de retard : 3 fois le taux d'intérêt légal (CGV Partie 2, art. 3)",
        "late_penalty_rule": "PEN-D2",
        "policy_id": "dixneuf",
        "lines": [
            {"description": "Formation Excel avancé (3 jours)", "quantity": "3",
             "unit_price": "400.00"},
        ],
    }
    values.update(overrides)
    return values


@pytest.fixture
def organisation(db: Any) -> Organisation:
    return make_organisation()


@pytest.fixture
def other_organisation(db: Any) -> Organisation:
    return make_organisation("autre", siret="73282932000074")


@pytest.fixture
def frozen_today() -> Any:
    with clock.frozen(datetime(2025, 3, 10, 10, 0)) as c:
        yield c


ZERO = Decimal("0.00")
