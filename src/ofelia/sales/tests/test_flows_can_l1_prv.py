"""CAN-L1 (a funder refuses), PRV-F1 (delivery, rescission, complaint) and PRV-X (remote
switch) recorded on real contracts: the outcome kept is what `ofelia simulate` gives for the
same facts, typed by hand below; what the service refuses leaves no event and no audit row."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from ofelia.core import clock
from ofelia.core.models import AuditEntry
from ofelia.organisations.models import ClientCompany, ConsumerClient, Organisation
from ofelia.sales import services
from ofelia.sales.models import Contract, ContractEvent

from .conftest import make_organisation, make_session, make_user
from .test_flows import line, record, signed, simulated

LAPORTE_SIGNED = "2026-03-01"
FORMAGOGY_SIGNED = "2025-10-01"


def _company(org: Organisation) -> ClientCompany:
    return ClientCompany.objects.create(
        organisation=org, name="Société Cliente", siret="73282932000074",
        address_line1="3 avenue des Lilas", postal_code="69003", city="Lyon",
        email=f"achats@{org.slug}.example", contact_name="Claire Martin",
    )


def _consumer(org: Organisation) -> ConsumerClient:
    return ConsumerClient.objects.create(
        organisation=org, civility="mme", first_name="Léa", last_name="Moreau",
        email=f"lea@{org.slug}.example", address_line1="8 rue Haute", postal_code="35000",
        city="Rennes",
    )


@pytest.fixture
def laporte(db: Any) -> Organisation:
    return make_organisation("laporte", "laporte")


@pytest.fixture
def formagogy(db: Any) -> Organisation:
    return make_organisation("formagogy", "formagogy")


def _laporte_contract(org: Organisation, actor: Any, *, client: Any, funding: Any) -> Contract:
    session = make_session(org, start=date(2026, 3, 31), price="1490.00", hours="20")
    return signed(org, actor, on=LAPORTE_SIGNED, client=client, session=session,
                  funding=funding, format="elearning", at_distance=True,
                  payment_terms="Paiement comptant à la commande.")


def _opco_contract(org: Organisation) -> tuple[Any, Contract]:
    admin = make_user(org)
    return admin, _laporte_contract(org, admin, client=_company(org),
                                    funding=[{"payer": "opco", "amount": Decimal("1000.00")}])


def _faf_contract(org: Organisation) -> tuple[Any, Contract]:
    admin = make_user(org)
    return admin, _laporte_contract(org, admin, client=_consumer(org), funding=[{"payer": "faf"}])


def _laporte_case(client: str, as_of: str, funding: list[Any], events: list[Any]) -> dict[str, Any]:
    return {
        "case": "training", "policy": "laporte", "as_of": as_of,
        "contract": {"client": client, "format": "elearning", "signed_on": LAPORTE_SIGNED,
                     "at_distance": True, "price": "1490.00", "vat_rate": "0", "hours": "20",
                     "start": "2026-03-31", "end": "2026-03-31", "deposit": "0.00"},
        "funding": funding, "events": events,
    }


def _formagogy_contract(org: Organisation, actor: Any, client: Any = None) -> Contract:
    session = make_session(org, start=date(2025, 11, 30), price="10000.00", hours="35")
    return signed(org, actor, on=FORMAGOGY_SIGNED, client=client or _company(org), session=session,
                  format="service", vat_rate=Decimal("20"))


def _formagogy_signed(org: Organisation) -> tuple[Any, Contract]:
    admin = make_user(org)
    return admin, _formagogy_contract(org, admin)


def _formagogy_case(as_of: str, events: list[Any]) -> dict[str, Any]:
    return {
        "case": "training", "policy": "formagogy", "as_of": as_of,
        "contract": {"client": "professional", "format": "service", "signed_on": FORMAGOGY_SIGNED,
                     "at_distance": False, "price": "10000.00", "vat_rate": "20", "hours": "35",
                     "start": "2025-11-30", "end": "2025-11-30", "deposit": "0.00"},
        "funding": [], "events": events,
    }


def _dixneuf_contract(org: Organisation, admin: Any, company: ClientCompany) -> Contract:
    return signed(org, admin, on="2026-01-12", client=company,
                  session=make_session(org, start=date(2026, 3, 16)))


def _nothing_written(contract: Contract, events: int, audits: int) -> None:
    assert contract.events.count() == events
    assert AuditEntry.objects.filter(action__startswith="contract_event").count() == audits
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED


def _web(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- CAN-L1 ------------------------------------------------------------------------------------


def test_can_l1_opco_refusal_the_client_owes_the_whole_price_and_agrees_with_simulate(
    laporte: Organisation,
) -> None:
    admin, contract = _opco_contract(laporte)
    event = record(contract, admin, as_of="2026-03-12", type="funding_refused",
                   on=date(2026, 3, 10), payer="opco")

    expected = simulated(_laporte_case(
        "professional", "2026-03-12", [{"payer": "opco", "amount": "1000.00", "agreement_on": None}],
        [{"type": "funding_refused", "on": "2026-03-10", "payer": "opco"}]))
    assert event.outcome == expected
    assert line(event.outcome, "price", "client") == Decimal("1490.00")
    assert line(event.outcome, "price", "opco") == Decimal("0.00")
    client_line = next(c for c in event.outcome["charges"]
                       if c["kind"] == "price" and c["payer"] == "client")
    assert client_line["rule"] == "CAN-L1" and client_line["explanation"].endswith("(CGV, art. 7.2).")
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED  # the contract goes on, the client pays
    assert event.payer == "opco"
    entry = AuditEntry.objects.get(action="contract_event.record")
    assert entry.after["payer"] == "opco"


def test_can_l1_cpf_top_up_refused_then_cancelled_refunds_the_learner_and_agrees(
    laporte: Organisation,
) -> None:
    admin = make_user(laporte)
    funding = [{"payer": "cpf", "rights": Decimal("500.00"), "exempt": False},
               {"payer": "france_travail", "requested_on": date(2026, 2, 1)}]
    contract = _laporte_contract(laporte, admin, client=_consumer(laporte), funding=funding)
    refused = record(contract, admin, as_of="2026-03-20", type="funding_refused",
                     on=date(2026, 3, 20), payer="cpf")
    remainder = [c for c in refused.outcome["charges"] if c["kind"] == "remaining_charge"]
    assert [(c["payer"], c["amount"], c["rule"]) for c in remainder] == [
        ("learner", "990.00", "CAN-L1")]
    cancelled = record(contract, admin, as_of="2026-03-21", type="cancellation",
                       on=date(2026, 3, 21), by="client", reason="other")

    expected = simulated(_laporte_case(
        "consumer", "2026-03-21",
        [{"payer": "cpf", "rights": "500.00", "exempt": False},
         {"payer": "france_travail", "requested_on": "2026-02-01"}],
        [{"type": "funding_refused", "on": "2026-03-20", "payer": "cpf"},
         {"type": "cancellation", "on": "2026-03-21", "by": "client", "reason": "other"}]))
    assert cancelled.outcome == expected
    assert {c["rule"] for c in cancelled.outcome["charges"]} == {"CAN-L1"}
    assert sum(Decimal(r["amount"]) for r in cancelled.outcome["refunds"]
               if r["payee"] == "learner") == Decimal("990.00")


def test_can_l1_refusal_by_a_funder_outside_the_funding_plan_changes_nothing(
    laporte: Organisation,
) -> None:
    admin, contract = _faf_contract(laporte)
    with pytest.raises(ValidationError) as error:
        record(contract, admin, as_of="2026-03-12", type="funding_refused",
               on=date(2026, 3, 10), payer="opco")
    assert "pas déclaré dans le plan de financement" in str(error.value)
    assert "FAF" in str(error.value)
    _nothing_written(contract, 0, 0)


@pytest.mark.parametrize(("type_", "payer", "message"), [
    ("funding_refused", "", "Indiquez le financeur qui refuse"),
    ("funding_refused", "employer", "Financeur « employer » inconnu"),
    ("delivery", "faf", "Seul un refus de prise en charge (CAN-L1) indique un financeur"),
])
def test_can_l1_payer_required_for_a_refusal_and_only_there(
    laporte: Organisation, type_: str, payer: str, message: str
) -> None:
    admin, contract = _faf_contract(laporte)
    with pytest.raises(ValidationError) as error:
        record(contract, admin, as_of="2026-03-12", type=type_, on=date(2026, 3, 10), payer=payer)
    assert message in str(error.value)
    _nothing_written(contract, 0, 0)


def test_can_l1_faf_refusal_once_a_second_one_is_refused(laporte: Organisation) -> None:
    admin, contract = _faf_contract(laporte)
    first = record(contract, admin, as_of="2026-03-12", type="funding_refused",
                   on=date(2026, 3, 10), payer="faf")
    assert any("ni annulée ni remboursée" in w for w in first.outcome["warnings"])
    with pytest.raises(ValidationError) as error:
        record(contract, admin, as_of="2026-03-13", type="funding_refused",
               on=date(2026, 3, 12), payer="faf")
    assert "Le refus du FAF est déjà enregistré (le 10 mars 2026)" in str(error.value)
    _nothing_written(contract, 1, 1)


def test_can_l1_page_records_the_refusal_and_shows_the_clause(laporte: Organisation) -> None:
    admin, contract = _opco_contract(laporte)
    with clock.frozen(datetime(2026, 3, 12, 9, 0)):
        page = _web(admin).get(f"/ventes/contrats/{contract.pk}/").content.decode()
        response = _web(admin).post(f"/ventes/contrats/{contract.pk}/evenement/",
                                    {"type": "funding_refused", "on": "2026-03-10",
                                     "payer": "opco"}, follow=True)
    assert "Refus de prise en charge par un financeur" in page and "(CAN-L1)" not in page
    body = response.content.decode()
    assert response.status_code == 200
    assert contract.events.get().payer == "opco"
    assert "financeur : OPCO" in body
    assert "CAN-L1" in body and "CGV, art. 7.2" in body


def test_can_l1_api_creates_the_refusal_and_refuses_a_bad_payer_with_400(
    laporte: Organisation,
) -> None:
    admin, contract = _opco_contract(laporte)
    api = _web(admin)
    url = f"/api/v1/contracts/{contract.pk}/events"
    with clock.frozen(datetime(2026, 3, 12, 9, 0)):
        bad = api.post(url, {"type": "funding_refused", "on": "2026-03-10", "payer": "faf"},
                       content_type="application/json")
        missing = api.post(url, {"type": "funding_refused", "on": "2026-03-10"},
                           content_type="application/json")
        assert contract.events.count() == 0
        created = api.post(url, {"type": "funding_refused", "on": "2026-03-10", "payer": "opco"},
                           content_type="application/json")
    assert bad.status_code == 400 and "plan de financement" in bad.json()["detail"]
    assert missing.status_code == 400 and "Indiquez le financeur" in missing.json()["detail"]
    assert created.status_code == 201
    data = created.json()
    assert (data["type"], data["payer"]) == ("funding_refused", "opco")
    assert {(c["payer"], c["amount"], c["rule"]) for c in data["outcome"]["charges"]} == {
        ("opco", "0.00", "CAN-L1"), ("client", "1490.00", "CAN-L1")}
    case = api.get(f"{url.rsplit('/', 1)[0]}/case?as_of=2026-03-12").json()
    assert case["events"] == [{"type": "funding_refused", "on": "2026-03-10", "payer": "opco"}]


# --- PRV-F1 ------------------------------------------------------------------------------------


def test_prv_f1_rescission_the_day_after_3_months_refunds_the_deposit_and_agrees(
    formagogy: Organisation,
) -> None:
    admin, contract = _formagogy_signed(formagogy)
    event = record(contract, admin, as_of="2026-03-02", type="rescission", on=date(2026, 3, 1))

    expected = simulated(_formagogy_case("2026-03-02", [{"type": "rescission", "on": "2026-03-01"}]))
    assert event.outcome == expected
    assert event.outcome["deadlines"]["rescission_from"] == "2026-03-01"
    assert [(r["amount"], r["rule"]) for r in event.outcome["refunds"]] == [("3600.00", "PRV-F1")]
    assert line(event.outcome, "price", "client") == Decimal("0.00")
    contract.refresh_from_db()
    assert contract.status == Contract.Status.CANCELLED  # rescinded: nothing owed


def test_prv_f1_rescission_on_the_last_day_of_the_3_months_is_refused_naming_the_clause(
    formagogy: Organisation,
) -> None:
    admin, contract = _formagogy_signed(formagogy)
    with pytest.raises(services.RuleRefusal) as refused:
        record(contract, admin, as_of="2026-02-28", type="rescission", on=date(2026, 2, 28))
    assert refused.value.rule == "PRV-F1"
    assert "à partir du 1er mars 2026" in str(refused.value)
    assert "CGV, art. 5.1, 5.3 et 6" in str(refused.value)
    _nothing_written(contract, 0, 0)


def test_prv_f1_rescission_after_the_delivery_is_refused(formagogy: Organisation) -> None:
    admin, contract = _formagogy_signed(formagogy)
    record(contract, admin, as_of="2026-03-05", type="delivery", on=date(2026, 3, 5))
    with pytest.raises(services.RuleRefusal) as refused:
        record(contract, admin, as_of="2026-03-10", type="rescission", on=date(2026, 3, 10))
    assert refused.value.rule == "PRV-F1" and "fournie le 5 mars 2026" in str(refused.value)
    _nothing_written(contract, 1, 1)
    with pytest.raises(ValidationError) as twice:
        record(contract, admin, as_of="2026-03-10", type="delivery", on=date(2026, 3, 8))
    assert "déjà enregistrée le 5 mars 2026" in str(twice.value)
    _nothing_written(contract, 1, 1)


def test_prv_f1_complaint_the_8th_day_after_delivery_is_a_breach_and_agrees(
    formagogy: Organisation,
) -> None:
    admin, contract = _formagogy_signed(formagogy)
    delivered = record(contract, admin, as_of="2026-01-10", type="delivery", on=date(2026, 1, 10))
    assert delivered.outcome["deadlines"]["complaints_by"] == "2026-01-17"
    assert "rescission_from" not in delivered.outcome["deadlines"]
    late = record(contract, admin, as_of="2026-01-20", type="complaint", on=date(2026, 1, 18))

    expected = simulated(_formagogy_case("2026-01-20", [{"type": "delivery", "on": "2026-01-10"},
                                                        {"type": "complaint", "on": "2026-01-18"}]))
    assert late.outcome == expected
    assert late.outcome["breaches"] == ["complaints_by"]
    assert late.outcome["breach_details"][0]["rule"] == "PRV-F1"
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED


def test_prv_f1_complaint_on_the_7th_day_is_in_time(formagogy: Organisation) -> None:
    admin, contract = _formagogy_signed(formagogy)
    record(contract, admin, as_of="2026-01-10", type="delivery", on=date(2026, 1, 10))
    event = record(contract, admin, as_of="2026-01-17", type="complaint", on=date(2026, 1, 17))
    assert event.outcome["breaches"] == []


def test_prv_f1_timeline_shows_the_deadlines_in_french_with_the_clause(
    formagogy: Organisation,
) -> None:
    admin, contract = _formagogy_signed(formagogy)
    record(contract, admin, as_of="2026-01-10", type="delivery", on=date(2026, 1, 10))
    record(contract, admin, as_of="2026-01-20", type="complaint", on=date(2026, 1, 18))
    other = _formagogy_contract(formagogy, admin, contract.client_company)
    record(other, admin, as_of="2026-03-02", type="rescission", on=date(2026, 3, 1))
    with clock.frozen(datetime(2026, 3, 2, 9, 0)):
        body = _web(admin).get(f"/ventes/contrats/{contract.pk}/").content.decode()
        rescinded = _web(admin).get(f"/ventes/contrats/{other.pk}/").content.decode()
    assert "Fourniture / livraison effectuée" in body and "Réclamation du client sur la fourniture" in body
    assert "Réserves et réclamations par écrit au plus tard le : 17 janvier 2026" in body
    assert "Délais non respectés" in body and "18 janvier 2026" in body
    assert "complaints_by" not in body
    assert "Demande de résolution pour retard de fourniture" in rescinded
    assert "Résolution pour retard de fourniture possible à partir du : 1er mars 2026" in rescinded
    assert "restitution intégrale des" in rescinded and "rescission_from" not in rescinded


def test_prv_f1_under_terms_without_the_clause_the_rescission_only_warns(
    org: Organisation, admin: Any, company: ClientCompany
) -> None:
    contract = _dixneuf_contract(org, admin, company)
    event = record(contract, admin, as_of="2026-06-20", type="rescission", on=date(2026, 6, 20))
    assert any("Demande de résolution du 20 juin 2026 sans effet" in w
               for w in event.outcome["warnings"])
    assert line(event.outcome, "price", "client") == Decimal("2400.00")
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED


# --- PRV-X -------------------------------------------------------------------------------------


def test_prv_x_remote_switch_refunds_nothing_and_agrees_with_simulate(
    org: Organisation, admin: Any, company: ClientCompany
) -> None:
    contract = _dixneuf_contract(org, admin, company)
    event = record(contract, admin, as_of="2026-03-12", type="remote_switch", on=date(2026, 3, 10))

    expected = simulated({
        "case": "training", "policy": "dixneuf", "as_of": "2026-03-12",
        "contract": {"client": "professional", "format": "inter", "signed_on": "2026-01-12",
                     "at_distance": False, "price": "2400.00", "vat_rate": "0", "hours": "21",
                     "start": "2026-03-16", "end": "2026-03-16", "deposit": "0.00"},
        "funding": [], "events": [{"type": "remote_switch", "on": "2026-03-10"}],
    })
    assert event.outcome == expected
    (refund,) = event.outcome["refunds"]
    assert (refund["amount"], refund["rule"]) == ("0.00", "PRV-X")
    assert refund["explanation"].endswith("(CGV Partie 2, art. 6).")
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED
    with clock.frozen(datetime(2026, 3, 12, 9, 0)):
        body = _web(admin).get(f"/ventes/contrats/{contract.pk}/").content.decode()
    assert "Passage à distance (circonstances exceptionnelles)" in body
    assert "ne donne droit au remboursement d&#x27;aucun montant" in body


def test_prv_x_under_terms_without_the_clause_warns(formagogy: Organisation) -> None:
    admin, contract = _formagogy_signed(formagogy)
    event = record(contract, admin, as_of="2025-11-20", type="remote_switch",
                   on=date(2025, 11, 20))
    assert event.outcome["refunds"] == []
    assert any("aucune clause" in w for w in event.outcome["warnings"])
    assert ContractEvent.objects.filter(type="remote_switch").count() == 1
