"""The contract page is the hub: learners, events with their outcome, documents, billing;
its event form offers only the events of this contract's terms and client, in plain French,
and asks only for the fields of the chosen event."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.test import Client

from ofelia.catalogue.seats import enrolment_create
from ofelia.core import clock
from ofelia.sales import services
from ofelia.sales.forms import ContractEventForm, event_types_for
from ofelia.sales.rules_io import contract_policy

from .conftest import DOCUMENT_FIELDS, make_learner, make_session
from .test_flows import record


def _web(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _signed_with_learners(org: Any, admin: Any, company: Any) -> Any:
    session = make_session(org, start=date(2026, 3, 16), end=date(2026, 3, 18))
    with clock.frozen(datetime(2026, 1, 12, 10, 0)):
        enrolments = [enrolment_create(actor=admin, organisation=org, session=session,
                                       learner=make_learner(org, company=company,
                                                            first_name=n, last_name="Dupont"))
                      for n in ("Anne", "Marc")]
        contract = services.contract_from_enrolment(actor=admin, enrolment=enrolments[0],
                                                    **DOCUMENT_FIELDS)
        services.contract_from_enrolment(actor=admin, enrolment=enrolments[1])
        return services.contract_sign(actor=admin, contract=contract,
                                      accepted_by_name="Claire Martin", method="signed_document")


def _options(html: str) -> list[str]:
    select = re.search(r'<select name="type".*?</select>', html, re.S)
    assert select is not None
    return re.findall(r'<option value="([^"]*)"', select.group(0))


def test_hub_shows_learners_events_documents_and_billing(org: Any, admin: Any, company: Any) -> None:
    contract = _signed_with_learners(org, admin, company)
    first = record(contract, admin, as_of="2026-03-02", type="schedule_change",
                   on=date(2026, 3, 2), note="Salle changée")
    record(contract, admin, as_of="2026-03-03", type="schedule_change", on=date(2026, 3, 3),
           note="Horaires changés")
    web = _web(admin)
    with clock.frozen(datetime(2026, 3, 6, 9, 0)):
        body = web.get(f"/ventes/contrats/{contract.pk}/").content.decode()
        # Earlier events load their outcome when opened (htmx), the last one is shown.
        outcome_url = f"/ventes/contrats/{contract.pk}/evenements/{first.pk}/resultat/"
        assert f'hx-get="{outcome_url}"' in body
        fragment = web.get(outcome_url).content.decode()
        assert "Échéances" in fragment or "Aucun montant dû" in fragment
        assert web.get(f"/ventes/contrats/{contract.pk}/evenements/999999/resultat/").status_code == 404
    assert "Anne Dupont" in body and "Marc Dupont" in body
    assert f"/ventes/sessions/{contract.session_id}/" in body
    assert "Report / changement de dates" in body and "Salle changée" in body
    assert "Résultat calculé" in body
    assert f"/ventes/contrats/{contract.pk}/document.pdf" in body
    assert f"/facturation/contrats/{contract.pk}/" in body  # the billing page, both ways
    assert "<script>" not in body.split("<main", 1)[-1].split("</main>")[0]


def test_event_types_offered_follow_the_terms_and_the_client(
    org: Any, admin: Any, company: Any, consumer: Any,
) -> None:
    from .conftest import make_contract

    convention = _signed_with_learners(org, admin, company)
    offered = dict(event_types_for(convention, contract_policy(convention)))
    assert "retraction" not in offered  # a company has no retraction right (RET-4)
    assert "funding_refused" not in offered and "opco_agreement" not in offered  # no funder
    assert {"delivery", "rescission", "complaint"}.isdisjoint(offered)  # PRV-F1 is Formagogy's
    assert "cancellation" in offered and "abandonment" in offered
    assert not any(re.search(r"[A-Z]{3}-[A-Z]?\d", label) for label in offered.values())
    with clock.frozen(datetime(2026, 1, 12, 10, 0)):
        contrat = make_contract(org, admin, client=consumer,
                                funding=[{"payer": "opco", "amount": "100.00"}])
    offered = dict(event_types_for(contrat, contract_policy(contrat)))
    assert {"retraction", "funding_refused", "opco_agreement"} <= set(offered)


def test_event_form_asks_only_for_the_fields_of_the_chosen_event(
    org: Any, admin: Any, company: Any,
) -> None:
    contract = _signed_with_learners(org, admin, company)
    policy = contract_policy(contract)

    def fields(event_type: str) -> set[str]:
        return set(ContractEventForm(contract=contract, policy=policy, event_type=event_type).fields)

    assert fields("cancellation") == {"type", "on", "by", "reason", "note", "force_reason"}
    assert fields("abandonment") == {"type", "on", "reason", "hours_attended", "note"}
    assert fields("retraction") == {"type", "on", "note"}
    web = _web(admin)
    with clock.frozen(datetime(2026, 3, 17, 9, 0)):
        page = web.get(f"/ventes/contrats/{contract.pk}/").content.decode()
        fragment = web.get(f"/ventes/contrats/{contract.pk}/evenement/champs/",
                           {"type": "abandonment", "on": "2026-03-17"}).content.decode()
    assert f'hx-get="/ventes/contrats/{contract.pk}/evenement/champs/"' in page
    assert "retraction" not in _options(page)
    assert 'name="hours_attended"' in fragment and 'name="by"' not in fragment
    assert 'value="7.00"' in fragment or 'value="7"' in fragment  # 1 day of 3 delivered


def test_event_form_errors_name_the_field_in_french(org: Any, admin: Any, company: Any) -> None:
    contract = _signed_with_learners(org, admin, company)
    with clock.frozen(datetime(2026, 3, 6, 9, 0)):
        response = _web(admin).post(f"/ventes/contrats/{contract.pk}/evenement/",
                                    {"type": "retraction", "on": "2026-03-06"}, follow=True)
    body = response.content.decode()
    assert "Événement" in body and "retraction" not in re.sub(r"<[^>]+>", "", body).split(
        "Formulaire incomplet")[-1][:200]
    assert not contract.events.exists()


def test_hub_pages_are_scoped_to_the_organisation_and_to_staff(
    org: Any, admin: Any, company: Any, other_org: Any,
) -> None:
    from ofelia.organisations.models import Role

    from .conftest import make_user

    contract = _signed_with_learners(org, admin, company)
    event = record(contract, admin, as_of="2026-03-02", type="schedule_change", on=date(2026, 3, 2))
    base = f"/ventes/contrats/{contract.pk}"
    urls = [f"{base}/modifier/", f"{base}/evenement/champs/?type=cancellation",
            f"{base}/evenements/{event.pk}/resultat/", f"{base}/avenants/1.pdf",
            "/ventes/devis/stagiaires/?client_company=abc"]
    outsider = _web(make_user(other_org, Role.ADMINISTRATOR))
    assert [outsider.get(u).status_code for u in urls[:4]] == [404, 404, 404, 404]
    # Another organisation's client gives an empty picker, a bad id no error.
    assert outsider.get(f"/ventes/devis/stagiaires/?client_company={company.pk}").status_code == 200
    assert outsider.get(urls[4]).status_code == 200
    contact = _web(make_user(org, Role.CLIENT_CONTACT, company=company))
    assert {contact.get(u).status_code for u in urls} == {403}
    # A signed contract is not edited through the form: back to the hub with a message.
    assert _web(admin).get(f"{base}/modifier/").status_code == 302
