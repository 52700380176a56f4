"""Probable duplicates and their merge: one record kept, everything that pointed at the other
(enrolments, quotes, contracts, orders, invoices, invitations) follows; audited before/after."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from ofelia.billing.models import Invoice
from ofelia.catalogue.models import Enrolment, Training, TrainingSession
from ofelia.core.models import AuditEntry
from ofelia.organisations import merge, services
from ofelia.organisations.models import Learner, Organisation, Role
from ofelia.organisations.testing import PASSWORD, make_member
from ofelia.sales.models import Contract, Quote


def _session(organisation: Organisation, n: int) -> TrainingSession:
    training = Training.objects.create(organisation=organisation, title="Excel", reference=f"XL-{n}",
                                       duration_hours=Decimal("7"), price_excl_vat=Decimal("500"))
    return TrainingSession.objects.create(organisation=organisation, training=training, start_date=date(2026, 3, 2),
                                          end_date=date(2026, 3, 2), place="Angers", capacity=10)


def _contract(organisation: Organisation, session: TrainingSession, **client: Any) -> Contract:
    return Contract.objects.create(
        organisation=organisation, kind="contrat" if "consumer" in client else "convention",
        number=f"C-{Contract.objects.count() + 1}", format="inter", price=Decimal("500"), hours=Decimal("7"),
        start_date=session.start_date, end_date=session.end_date, policy_id="dixneuf", title="Excel",
        session=session, **client)


def _learner(organisation: Organisation, first: str, last: str, email: str, phone: str = "") -> Learner:
    return services.learner_create(actor=None, organisation=organisation, civility="mme", first_name=first,
                                   last_name=last, email=email, phone=phone)


def test_people_duplicates_same_name_ignoring_accents_with_same_phone_or_email_start(org_a: Organisation,
                                                                                     org_b: Organisation) -> None:
    a = _learner(org_a, "Émilie", "Dupré", "emilie.dupre@gmail.com", "06 12 34 56 78")
    b = _learner(org_a, "emilie", "DUPRE", "e.dupre@orange.fr", "+33 6 12 34 56 78")
    c = _learner(org_a, "Emilie", "Dupre", "Emilie.Dupre@free.fr")
    _learner(org_a, "Emilie", "Dupont", "emilie.dupont@free.fr", "06 12 34 56 78")  # other name
    _learner(org_b, "Émilie", "Dupré", "emilie.dupre@gmail.com", "06 12 34 56 78")  # other organisation
    pairs = merge.duplicate_pairs(organisation=org_a, model=Learner)
    assert {(p.first_id, p.second_id, p.reason) for p in pairs} == {
        (a.pk, b.pk, "même nom et même téléphone"),
        (a.pk, c.pk, "même nom et même début d'adresse e-mail"),
    }


def test_people_merge_learners_enrolments_and_contracts_follow(org_a: Organisation, admin_a: Any) -> None:
    kept = _learner(org_a, "Anne", "Roy", "anne.roy@ex.fr")
    merged = _learner(org_a, "Anne", "Roy", "anne.roy@autre.fr", "06 11 22 33 44")
    only_merged, both = _session(org_a, 1), _session(org_a, 2)
    moved = Enrolment.objects.create(organisation=org_a, session=only_merged, learner=merged)
    twin_kept = Enrolment.objects.create(organisation=org_a, session=both, learner=kept,
                                         status=Enrolment.Status.WAITLISTED)
    twin_merged = Enrolment.objects.create(organisation=org_a, session=both, learner=merged)
    company = services.client_company_create(actor=None, organisation=org_a, name="Acme")
    contract = _contract(org_a, both, client_company=company)
    contract.enrolments.add(twin_merged)

    merge.person_merge(actor=admin_a, kept=kept, merged=merged)

    assert not Learner.objects.filter(pk=merged.pk).exists()
    kept.refresh_from_db()
    assert kept.phone == "06 11 22 33 44"  # empty field filled from the merged record
    moved.refresh_from_db()
    assert moved.learner_id == kept.pk
    twin_kept.refresh_from_db()
    assert twin_kept.status == Enrolment.Status.CONFIRMED  # the better status of the two
    assert not Enrolment.objects.filter(pk=twin_merged.pk).exists()
    assert list(contract.enrolments.all()) == [twin_kept]
    entry = AuditEntry.objects.get(action="learner.merge")
    assert entry.before["merged"]["email"] == "anne.roy@autre.fr"
    assert entry.after["moved"] == {"enrolments_moved": 1, "enrolments_combined": 1, "invitations": 0,
                                   "courses_moved": 0, "courses_combined": 0}


def test_people_merge_consumers_quotes_contracts_invoices_and_learners_follow(org_a: Organisation, admin_a: Any) -> None:
    kept = services.consumer_client_create(actor=None, organisation=org_a, civility="m", first_name="Paul",
                                           last_name="Durand", email="paul@ex.fr")
    merged = services.consumer_client_create(actor=None, organisation=org_a, civility="m", first_name="Paul",
                                             last_name="Durand", email="paul.durand@ex.fr", city="Rennes")
    learner = services.learner_create(actor=None, organisation=org_a, civility="m", first_name="Paul",
                                      last_name="Durand", email="paul.durand@ex.fr", consumer=merged)
    session = _session(org_a, 3)
    contract = _contract(org_a, session, consumer=merged)
    quote = Quote.objects.create(organisation=org_a, number="D-1", consumer=merged, session=session,
                                 issued_on=date(2026, 2, 1), valid_until=date(2026, 3, 1))
    issued = Invoice.objects.create(organisation=org_a, status="issued", buyer_kind="consumer",
                                    buyer_name="Paul Durand", consumer_client=merged)

    merge.person_merge(actor=admin_a, kept=kept, merged=merged)

    for obj in (contract, quote, learner):
        obj.refresh_from_db()
    issued.refresh_from_db()
    assert contract.consumer_id == quote.consumer_id == learner.consumer_id == issued.consumer_client_id == kept.pk
    assert issued.buyer_name == "Paul Durand"  # the issued document itself is unchanged
    kept.refresh_from_db()
    assert kept.city == "Rennes"
    after = AuditEntry.objects.get(action="consumer_client.merge").after
    assert after["moved"] == {"learners": 1, "quotes": 1, "contracts": 1, "orders": 0, "invoices": 1}


def test_people_merge_refusals_change_nothing(org_a: Organisation, org_b: Organisation, admin_a: Any) -> None:
    a = _learner(org_a, "Anne", "Roy", "anne.roy@ex.fr")
    other_org = _learner(org_b, "Anne", "Roy", "anne.roy@ex.fr")
    with pytest.raises(ValidationError, match="deux organismes"):
        merge.person_merge(actor=admin_a, kept=a, merged=other_org)
    with pytest.raises(ValidationError, match="différentes"):
        merge.person_merge(actor=admin_a, kept=a, merged=a)
    b = _learner(org_a, "Anne", "Roy", "anne.roy2@ex.fr")
    a.user, b.user = make_member(org_a, Role.LEARNER), make_member(org_a, Role.LEARNER)
    a.save(), b.save()
    with pytest.raises(ValidationError, match="compte utilisateur"):
        merge.person_merge(actor=admin_a, kept=a, merged=b)
    assert Learner.objects.filter(organisation=org_a).count() == 2
    assert not AuditEntry.objects.filter(action="learner.merge").exists()


def test_people_merge_page_staff_only_and_scoped(org_a: Organisation, org_b: Organisation) -> None:
    a = _learner(org_a, "Anne", "Roy", "anne.roy@ex.fr", "0611223344")
    b = _learner(org_a, "Anne", "Roy", "anne.roy@autre.fr", "0611223344")
    foreign = _learner(org_b, "Anne", "Roy", "anne.roy@ex.fr", "0611223344")
    staff_b = make_member(org_b, Role.STAFF)
    client = Client()
    client.login(username=staff_b.email, password=PASSWORD)
    assert "anne.roy@autre.fr" not in client.get(reverse("person-duplicates")).content.decode()
    response = client.post(reverse("person-merge"), {"type": "apprenants", "kept": foreign.pk, "merged": a.pk})
    assert response.status_code == 404 and Learner.objects.filter(pk=a.pk).exists()
    staff_a = make_member(org_a, Role.STAFF)
    client.login(username=staff_a.email, password=PASSWORD)
    page = client.get(reverse("person-duplicates"), {"type": "apprenants"}).content.decode()
    assert "anne.roy@autre.fr" in page and "même nom et même téléphone" in page
    response = client.post(reverse("person-merge"), {"type": "apprenants", "kept": a.pk, "merged": b.pk})
    assert response.status_code == 302 and not Learner.objects.filter(pk=b.pk).exists()
    assert client.get(reverse("person-duplicates"), {"type": "inconnu"}).status_code == 404


def test_people_merge_is_confirmed_first_and_the_confirmation_changes_nothing(
        org_a: Organisation, org_b: Organisation) -> None:
    """The duplicates page leads to a confirmation (GET) naming the kept and the deleted
    record and what is copied; only its POST merges. Another organisation's record: 404."""
    kept = _learner(org_a, "Anne", "Roy", "anne.roy@ex.fr")
    other = _learner(org_a, "Anne", "Roy", "anne.roy@autre.fr", "0611223344")
    foreign = _learner(org_b, "Anne", "Roy", "anne.roy@ex.fr", "0611223344")
    assert merge.merge_preview(kept=kept, merged=other) == [("téléphone", "0611223344")]
    client = Client()
    client.login(username=make_member(org_a, Role.STAFF).email, password=PASSWORD)
    query = {"type": "apprenants", "kept": kept.pk, "merged": other.pk}
    page = client.get(reverse("person-merge"), query)
    html = page.content.decode()
    assert page.status_code == 200 and "Confirmer la fusion" in html
    assert "anne.roy@autre.fr" in html and "téléphone : 0611223344" in html and "supprimée" in html
    assert Learner.objects.filter(pk=other.pk).exists()
    assert not AuditEntry.objects.filter(action="learner.merge").exists()
    assert client.get(reverse("person-merge"), {**query, "merged": foreign.pk}).status_code == 404
    assert client.post(reverse("person-merge"), query).status_code == 302
    assert not Learner.objects.filter(pk=other.pk).exists()
