"""Issue 9, item 2 in a real browser, on the demo data: staff of DIXNEUF run a session's
roster — search and enrol learners (for their employer, as a consumer), fill it to the
waiting list, remove one (the first waitlisted person is promoted), transfer one to a later
session of the same training — and find convocations refused on a session already held."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from ofelia.catalogue.models import Enrolment, TrainingSession
from ofelia.core import clock
from ofelia.rules.french import fr_date

from .test_login import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]
SHOTS = "/tmp/enrol-{}.png"


def _sessions(days: int = 40) -> tuple[TrainingSession, TrainingSession, TrainingSession]:
    """A new 3-seat session of DIXNEUF's first training in `days` days, the demo's later
    session of the same training (the transfer's target) and its session held five weeks ago."""
    today = clock.today()
    demo = list(TrainingSession.objects.filter(organisation__slug="dixneuf",
                                               training__reference="DX-HAB-B1V")
                .order_by("start_date"))
    past, later = demo[0], demo[-1]
    fresh = TrainingSession.objects.create(
        organisation=past.organisation, training=past.training, place="La Romagne, salle 2",
        start_date=today + timedelta(days=days), end_date=today + timedelta(days=days + 1),
        capacity=3)
    return fresh, later, past


def _enrol(page: Any, query: str, name: str, expected: str) -> None:
    search = page.get_by_label("Rechercher un stagiaire de l'organisme (nom, prénom ou e-mail)")
    search.fill(query)
    button = page.locator("#learner-results").get_by_role("button", name=f"Inscrire {name}")
    button.click()
    expect(page.get_by_role("status")).to_contain_text(expected)


def test_staff_enrol_fill_to_the_waiting_list_remove_transfer_and_no_convocation_after_start(
        page: Any) -> None:
    fresh, later, past = _sessions()
    log_in(page, "staff@dixneuf.demo")
    page.goto("/ventes/sessions/")
    row = page.get_by_role("row").filter(has_text=f"{fresh.start_date:%d/%m/%Y}")
    row.get_by_role("link", name="Habilitation électrique").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Habilitation électrique"))
    expect(page.locator("#seats")).to_contain_text("0 / 3")

    # Search as one types (htmx): by last name, then by e-mail.
    page.get_by_label("Rechercher un stagiaire de l'organisme (nom, prénom ou e-mail)").fill("bern")
    results = page.locator("#learner-results")
    expect(results).to_contain_text("Hugo Bernard")
    page.screenshot(path=SHOTS.format("1-search"), full_page=True)
    _enrol(page, "bern", "Hugo Bernard", "place confirmée")
    _enrol(page, "particulier@dix", "", "place confirmée")
    _enrol(page, "julien pe", "Julien Petit", "place confirmée")
    expect(page.locator("#seats")).to_contain_text("complète")
    _enrol(page, "roux", "Karima Roux", "liste d'attente (position 1)")
    expect(page.get_by_role("row").filter(has_text="Karima Roux")).to_contain_text("n° 1")
    page.screenshot(path=SHOTS.format("2-full"), full_page=True)

    # Removing a confirmed learner without a contract: the first waitlisted takes the seat.
    page.get_by_role("link", name="Retirer Hugo Bernard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retirer Hugo Bernard de la session")
    expect(page.get_by_text("simplement annulée")).to_be_visible()
    page.get_by_role("button", name="Retirer le stagiaire").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Karima Roux passe de la liste d'attente aux confirmés")
    page.screenshot(path=SHOTS.format("3-removed"), full_page=True)

    # Transfer to the later session of the same training (seats checked there).
    julien = page.get_by_role("row").filter(has_text="Julien Petit")
    julien.get_by_label("Transférer Julien Petit vers").select_option(str(later.pk))
    julien.get_by_role("button", name="Transférer Julien Petit").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Julien Petit est transféré(e) à la session du {fr_date(later.start_date)}")
    page.screenshot(path=SHOTS.format("4-transferred"), full_page=True)
    assert Enrolment.objects.filter(session=later, learner__last_name="Petit",
                                    status="confirmed").exists()
    assert list(Enrolment.objects.filter(session=fresh, status="confirmed")
                .values_list("learner__last_name", flat=True).order_by("learner__last_name")) \
        == sorted(["Roux", Enrolment.objects.get(session=fresh, learner__email__startswith="particulier")
                   .learner.last_name])

    # A session already held: no convocation, and the page says why.
    page.goto(f"/ventes/sessions/{past.pk}/")
    expect(page.get_by_role("button", name="Envoyer les convocations (PDF + agenda .ics)")) \
        .to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Transférer"))).to_have_count(0)
    expect(page.locator("#convocations-closed")).to_contain_text(
        f"la session a commencé le {fr_date(past.start_date)}")
    page.screenshot(path=SHOTS.format("5-past"), full_page=True)


def test_can_d1_removal_of_a_signed_conventions_only_learner_shows_the_fee_then_cancels(
        page: Any) -> None:
    from ofelia.catalogue.seats import enrolment_create
    from ofelia.organisations.models import ClientCompany, Learner
    from ofelia.sales.tests.conftest import make_contract

    fresh, _later, _past = _sessions(days=20)  # 19 jours francs: CAN-D1 charges 50 %
    fresh.capacity = 1
    fresh.save(update_fields=["capacity"])
    org = fresh.organisation
    company = ClientCompany.objects.get(organisation=org, name="Entreprise Exemple (dixneuf)")
    ines, hugo = (Learner.objects.get(organisation=org, last_name=n) for n in ("Moreau", "Bernard"))
    holder = enrolment_create(actor=None, organisation=org, session=fresh, learner=ines)
    enrolment_create(actor=None, organisation=org, session=fresh, learner=hugo)
    contract = make_contract(org, None, client=company, session=fresh)
    contract.enrolments.add(holder)

    log_in(page, "staff@dixneuf.demo")
    page.goto(f"/ventes/sessions/{fresh.pk}/")
    expect(page.get_by_role("row").filter(has_text="Inès Moreau")).to_contain_text(contract.number)
    page.get_by_role("link", name="Retirer Inès Moreau").click()
    expect(page.get_by_text("l'annulation du contrat par le client")).to_be_visible()
    outcome = page.get_by_role("table")
    expect(outcome).to_contain_text(re.compile(r"50\s%\sdu prix.*\(CGV Partie 2, art\. 4\)"))
    page.screenshot(path=SHOTS.format("6-preview-other"), full_page=True)
    page.get_by_label("Motif de l'annulation").select_option("legitimate")
    page.get_by_role("button", name="Voir les conséquences").click()
    expect(outcome).to_contain_text("motif légitime")
    page.screenshot(path=SHOTS.format("7-preview-legitimate"), full_page=True)
    page.get_by_role("button", name="Confirmer l'annulation et retirer le stagiaire").click()
    expect(page.get_by_role("status")).to_contain_text(f"Annulation enregistrée sur {contract}")
    expect(page.get_by_role("status")).to_contain_text(
        "Hugo Bernard passe de la liste d'attente aux confirmés")
    contract.refresh_from_db()
    event = contract.events.get()
    assert (contract.status, event.type, event.by, event.reason) == (
        "cancelled", "cancellation", "client", "legitimate")
