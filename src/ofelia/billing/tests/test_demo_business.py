"""`ofelia demo` also creates business data: trainings, sessions, contracts, invoices.

The clock is frozen on a day whose legal rates are known (2026-H1), so the collections run
charges interest everywhere; on a day without them it says so instead (tested too).
"""

import io
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command

from ofelia.billing.models import (
    DunningStep,
    Invoice,
    InvoiceStatus,
    Payment,
    PenaltyAssessment,
)
from ofelia.catalogue.demo import session_starts
from ofelia.catalogue.models import Enrolment, Training, TrainingSession
from ofelia.core import clock
from ofelia.core.models import AuditEntry
from ofelia.organisations.demo import DEMO_PASSWORD
from ofelia.organisations.models import Organisation
from ofelia.sales.models import Contract, ContractEvent, FundingEntry, Quote, TermsAcceptance

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 6, 10, 9, 0)
MODELS = [Training, TrainingSession, Enrolment, Quote, Contract, ContractEvent, FundingEntry,
          TermsAcceptance, Invoice, Payment, PenaltyAssessment, DunningStep, AuditEntry]


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def demo():
    out = io.StringIO()
    with clock.frozen(TODAY):
        call_command("demo", stdout=out)
    return out.getvalue()


def test_sessions_fall_on_weekdays_about_five_weeks_ago_two_weeks_and_two_months_ahead():
    for day in range(14):
        today = date(2026, 6, 1) + timedelta(days=day)
        past, soon, later = session_starts(today, 0)
        assert past.weekday() == soon.weekday() == later.weekday() == 0
        assert 35 <= (today - past).days <= 41
        assert 14 <= (soon - today).days <= 20
        assert 60 <= (later - today).days <= 66


def test_every_demo_organisation_gets_its_business_data(demo, client):
    for organisation in Organisation.objects.all():
        trainings = Training.objects.for_organisation(organisation)
        assert trainings.filter(is_published=True).count() == 3
        assert all(t.objectives and t.programme and t.prerequisites for t in trainings)
        sessions = TrainingSession.objects.for_organisation(organisation)
        assert sessions.count() == 10  # nine of the catalogue + attendance's session today
        assert sessions.filter(end_date__lt=TODAY.date()).count() == 3
        assert all(s.slots.exists() and (s.place or s.remote_link) for s in sessions)
        assert Enrolment.objects.for_organisation(organisation).filter(
            status=Enrolment.Status.WAITLISTED).exists()
        signed = Contract.objects.for_organisation(organisation).exclude(status=Contract.Status.DRAFT)
        assert signed.filter(kind=Contract.Kind.CONVENTION).exists()
        assert TermsAcceptance.objects.for_organisation(organisation).count() == signed.count()
        statuses = set(Quote.objects.for_organisation(organisation).values_list("status", flat=True))
        assert statuses == {Quote.Status.DRAFT, Quote.Status.SENT}
        invoices = Invoice.objects.for_organisation(organisation).filter(kind="invoice")
        numbers = sorted(invoices.values_list("sequence_number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1)), organisation  # gapless
        assert {InvoiceStatus.PAID, InvoiceStatus.ISSUED} <= set(invoices.values_list("status", flat=True))
        assert invoices.filter(status=InvoiceStatus.ISSUED, amount_paid__gt=0).exists()  # partly paid
        overdue = invoices.filter(status=InvoiceStatus.ISSUED, due_date__lt=TODAY.date(),
                                  buyer_kind="professional", amount_paid=0)
        penalty = PenaltyAssessment.objects.get(invoice=overdue.first())
        assert penalty.interest > 0 and penalty.recovery_fee == 40 and penalty.explanation
        assert DunningStep.objects.filter(invoice=overdue.first(), step="reminder").exists()
        body = client.get(f"/o/{organisation.slug}/catalogue/").content.decode()
        assert trainings.first().title in body
    # Where the terms have the clauses: consumers, OPCO subrogation, a cancellation fee.
    dixneuf = Organisation.objects.get(slug="dixneuf")
    assert Contract.objects.for_organisation(dixneuf).filter(kind=Contract.Kind.CONTRAT,
                                                             status="signed").exists()
    assert not Contract.objects.for_organisation(Organisation.objects.get(slug="formagogy")).filter(
        kind=Contract.Kind.CONTRAT).exists()
    assert Invoice.objects.for_organisation(dixneuf).get(
        source_reference__endswith="/opco").status == InvoiceStatus.PAID
    event = ContractEvent.objects.for_organisation(dixneuf).get()
    assert event.contract.status == Contract.Status.CANCELLED
    assert [c["rule"] for c in event.outcome["charges"]] == ["CAN-D1"]
    assert Training.objects.for_organisation(Organisation.objects.get(slug="laporte")).filter(
        cpf_eligible=True).exists()
    assert AuditEntry.objects.filter(action="collections.run").count() == 5


def test_staff_pages_and_client_extranet_show_the_demo_rows(demo, client):
    dixneuf = Organisation.objects.get(slug="dixneuf")
    invoice = Invoice.objects.for_organisation(dixneuf).filter(
        client_company__name="Entreprise Exemple (dixneuf)").first()
    assert client.login(username="admin@dixneuf.demo", password=DEMO_PASSWORD)
    with clock.frozen(TODAY):
        pages = {url: client.get(url) for url in (
            "/gestion/catalogue/", "/ventes/sessions/", "/ventes/", "/facturation/factures/",
            "/facturation/creances/", "/facturation/chiffre-affaires/")}
    assert all(r.status_code == 200 for r in pages.values())
    assert "Habilitation électrique B1V-B2V-BR-BC" in pages["/gestion/catalogue/"].content.decode()
    assert "Sauveteur Secouriste du Travail" in pages["/ventes/sessions/"].content.decode()
    assert "Entreprise Exemple (dixneuf)" in pages["/ventes/"].content.decode()
    assert invoice.number in pages["/facturation/factures/"].content.decode()
    overdue = pages["/facturation/creances/"]
    assert overdue.context["total"] > 0 and "<svg" in overdue.content.decode()
    assert [b for b in overdue.context["buckets"] if b.key != "not_due" and b.amount > 0]
    revenue = pages["/facturation/chiffre-affaires/"]
    assert revenue.context["total"] > 0 and "<svg" in revenue.content.decode()
    client.logout()
    assert client.login(username="client@dixneuf.demo", password=DEMO_PASSWORD)
    with clock.frozen(TODAY):
        assert invoice.number in client.get("/espace/factures/").content.decode()


def test_running_demo_again_writes_nothing_even_days_later(demo):
    first = _counts()
    with clock.frozen(TODAY):
        call_command("demo", stdout=io.StringIO())
    assert _counts() == first
    out = io.StringIO()
    with clock.frozen(TODAY + timedelta(days=3)):
        call_command("demo", stdout=out)
    assert _counts() == first
    assert "Campus DIXNEUF : 3 formations, 10 sessions" in out.getvalue()
    assert "rien n'a été modifié" in out.getvalue()


def test_a_missing_legal_rate_is_reported_never_guessed():
    out = io.StringIO()
    with clock.frozen(datetime(2026, 12, 2, 9, 0)):  # the 2026-H2 legal rate is not in the table
        call_command("demo", stdout=out)
    text = out.getvalue()
    assert "Recouvrement — Campus DIXNEUF" in text and "taux de l'intérêt légal 2026-H2" in text
    dixneuf = Organisation.objects.get(slug="dixneuf")
    assert not PenaltyAssessment.objects.for_organisation(dixneuf).exists()
    assert Invoice.objects.for_organisation(dixneuf).filter(status=InvoiceStatus.ISSUED).exists()
