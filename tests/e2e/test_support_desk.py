"""SUP-1 and SUP-2 in a real browser, on the demo data: VIRTUALEO's client administrator
declares a critical ticket on Friday at 17:50 and reads its take-charge deadline on Monday
(business hours); staff take charge, give a workaround and resolve from the queue; the
client sees each step. The project clock is fixed at each moment of the story."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from ofelia.core import clock

from .test_login import log_in
from .test_people_flows import log_out

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]
PARIS = clock.PARIS
CLIENT, STAFF = "client@virtualeo.demo", "staff@virtualeo.demo"


def _client_sees(page: Any, ticket_url: str, status: str, shot: str) -> None:
    log_in(page, CLIENT)
    page.goto(ticket_url)
    expect(page.get_by_test_id("ticket-status")).to_have_text(status)
    page.screenshot(path=f"/tmp/support-{shot}.png", full_page=True)
    log_out(page)


def _staff_does(page: Any, subject: str, button: str, note: tuple[str, str] | None = None) -> None:
    log_in(page, STAFF)
    page.goto("/gestion/support/")
    page.screenshot(path="/tmp/support-0-queue.png", full_page=True)
    page.get_by_role("row").filter(has_text=subject).get_by_role("link", name=subject).click()
    if note:
        page.get_by_label(note[0]).fill(note[1])
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("status")).to_contain_text("le client est prévenu par courriel")


def test_sup_1_client_declares_a_critical_ticket_friday_1750_and_follows_each_step(page: Any) -> None:
    subject = "Aucune classe virtuelle ne démarre"
    with clock.frozen(datetime(2026, 3, 6, 17, 50, tzinfo=PARIS)):
        log_in(page, CLIENT)
        page.get_by_role("link", name="Support").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Support")
        page.get_by_label("Critique (indisponibilité totale de la solution)").check()
        page.get_by_label("Objet").fill(subject)
        page.get_by_label("Description").fill("Les 30 postes restent noirs depuis 17 h 45.")
        page.get_by_role("button", name="Déclarer le ticket").click()
        expect(page.get_by_role("status")).to_contain_text("déclaré")
        row = page.get_by_role("row").filter(has_text="Prise en charge")
        # 10 minutes on Friday, the last 5 on Monday morning (CAL-5).
        expect(row).to_contain_text("lundi 9 mars 2026 à 08:35")
        expect(row.get_by_role("timer")).to_have_text(re.compile(r"^reste 2 j 14 h 4\d min \d\d s$"))
        expect(page.get_by_role("row").filter(has_text="Résolution finale")).to_contain_text(
            "mardi 10 mars 2026 à 10:50")
        page.screenshot(path="/tmp/support-1-declared.png", full_page=True)
        ticket_url = page.url
        log_out(page)

    with clock.frozen(datetime(2026, 3, 9, 8, 32, tzinfo=PARIS)):
        _staff_does(page, subject, "Prendre en charge")
        page.screenshot(path="/tmp/support-2-staff-taken.png", full_page=True)
        log_out(page)
        _client_sees(page, ticket_url, "Pris en charge", "3-client-taken")

    with clock.frozen(datetime(2026, 3, 9, 9, 40, tzinfo=PARIS)):
        _staff_does(page, subject, "Donner le contournement",
                    ("Solution de contournement", "Basculez sur la région de secours."))
        log_out(page)
        _client_sees(page, ticket_url, "Contournement donné", "4-client-workaround")

    with clock.frozen(datetime(2026, 3, 9, 16, 0, tzinfo=PARIS)):
        _staff_does(page, subject, "Résoudre le ticket", ("Résolution", "Hyperviseur remplacé."))
        log_out(page)
        log_in(page, CLIENT)
        page.goto(ticket_url)
        expect(page.get_by_test_id("ticket-status")).to_have_text("Résolu")
        expect(page.get_by_text("Basculez sur la région de secours.")).to_be_visible()
        expect(page.get_by_text("Hyperviseur remplacé.")).to_be_visible()
        expect(page.get_by_role("row").filter(has_text="Prise en charge")).to_contain_text("dans les délais")
        page.screenshot(path="/tmp/support-6-client-resolved.png", full_page=True)
    log_out(page)

    # Today, on the demo data: the late take-charge of VIRTUALEO's demo ticket is on the chart.
    log_in(page, STAFF)
    page.goto("/gestion/support/manquements/")
    expect(page.get_by_role("img", name="Manquements par mois")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Entreprise Exemple")).not_to_have_count(0)
    page.screenshot(path="/tmp/support-5-breaches.png", full_page=True)
