"""Issue 13 item 5 in a real browser on the demo data: VIRTUALEO's staff declare an outage and
announce a maintenance (the client is e-mailed), open the month's availability report, grant
the credit the core proposes (VCL-7); the client contact reads the report and the credit note
in the extranet."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from ofelia.availability.selectors import month_label
from ofelia.availability.tests.factories import consumption_invoice
from ofelia.billing.models import DocumentKind, Invoice
from ofelia.core import clock
from ofelia.notifications.models import SentMail
from ofelia.organisations.models import Membership, Organisation

from . import test_accessibility as accessibility
from .test_login import log_in
from .test_people_flows import log_out

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]


def _local(instant: Any) -> str:
    return instant.astimezone(clock.PARIS).strftime("%Y-%m-%dT%H:%M")


def _axe(page: Any) -> list[str]:
    """axe-core's serious or critical violations on the page (when `make test` fetched it)."""
    if not accessibility.AXE.exists():
        return []
    return accessibility._violations(page, accessibility.AXE.read_text())


def test_staff_declare_announce_and_grant_the_credit_the_client_reads_it(page: Any, results_dir: Path) -> None:
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    org = Organisation.objects.get(slug="virtualeo")
    contact = Membership.objects.get(organisation=org, user__email="client@virtualeo.demo")
    now = clock.now().replace(second=0, microsecond=0)
    # Last month, over (a credit is granted once the month is over): 120 minutes down.
    month = (now.astimezone(clock.PARIS).date().replace(day=1) - timedelta(days=1)).replace(day=1)
    start = datetime.combine(month.replace(day=10), time(9, 0), tzinfo=clock.PARIS)
    end = start + timedelta(minutes=120)
    # What VCL-7's credit is a share of: the client's consumption invoice for the month.
    consumption_invoice(org, contact.company, service_end=start.astimezone(clock.PARIS).date(), amount="2400.00")

    log_in(page, "staff@virtualeo.demo")
    page.locator("summary", has_text="Classes virtuelles").click()
    page.get_by_role("link", name="Disponibilité").click()
    page.get_by_role("link", name="Déclarer un incident").first.click()
    page.get_by_label("Début (heure de Paris)").fill(_local(start))
    page.get_by_label("Fin (heure de Paris)").fill(_local(end))
    page.get_by_label("Services touchés").fill("classes virtuelles")
    page.get_by_label("Description").fill("Panne du stockage des machines")
    page.get_by_label("Tous les clients de l'organisme").check()
    page.get_by_role("button", name="Déclarer l'incident").click()
    expect(page.get_by_text("déclaré.")).to_be_visible()

    page.get_by_role("link", name="Annoncer une maintenance").first.click()
    window = (now + timedelta(days=3)).astimezone(clock.PARIS).replace(hour=22, minute=0)
    page.get_by_label("Début (heure de Paris)").fill(_local(window))
    page.get_by_label("Fin (heure de Paris)").fill(_local(window + timedelta(hours=3)))
    page.get_by_label("Services touchés").fill("classes virtuelles")
    page.get_by_role("button", name="Annoncer la maintenance").click()
    expect(page.get_by_text("annoncée au moins 48 heures à l'avance")).to_be_visible()
    page.screenshot(path=str(results_dir / "availability-incidents.png"), full_page=True)
    announced = SentMail.objects.get(kind="maintenance_announced", to="client@virtualeo.demo")
    assert "Maintenance programmée" in announced.subject and "à 22:00" in announced.body
    assert any(m.to == ["client@virtualeo.demo"] and "Maintenance" in m.subject for m in mail.outbox)

    page.goto(f"/gestion/disponibilite/?mois={month:%Y-%m}")
    row = page.get_by_test_id("availability-report").get_by_role("row").filter(has_text=contact.company.name)
    expect(row).to_contain_text("120 min")
    expect(row.get_by_role("cell").nth(1)).to_have_text("0 min")  # the maintenance announced is to come
    expect(row).to_contain_text("peut être accordé (CGV, art. 7.1)")
    page.screenshot(path=str(results_dir / "availability-report.png"), full_page=True)
    problems = _axe(page)
    row.get_by_role("button", name="Accorder l'avoir").click()
    expect(page.get_by_text("accordé à")).to_be_visible()
    note = Invoice.objects.get(organisation=org, kind=DocumentKind.CREDIT_NOTE, lines__rule="VCL-7")
    expect(page.get_by_test_id("availability-report")).to_contain_text(f"avoir {note.number}")
    log_out(page)

    log_in(page, "client@virtualeo.demo")
    page.locator("summary", has_text="Classes virtuelles").click()
    page.get_by_role("link", name="Disponibilité").click()
    label = month_label(month).capitalize()
    mine = page.get_by_test_id("my-availability").get_by_role("row").filter(has_text=label)
    expect(mine).to_contain_text("120 min")
    expect(mine).to_contain_text(f"Avoir {note.number}")
    expect(page.get_by_role("main")).to_contain_text("(CGV, art. 7.1)")
    page.screenshot(path=str(results_dir / "availability-client.png"), full_page=True)
    problems += _axe(page)
    assert problems == []  # axe: no serious or critical violation on the report pages
    page.goto("/espace/factures/")
    expect(page.get_by_role("main")).to_contain_text(note.number)
    failed = [f"{r.status} {r.request.method} {r.url}" for r in responses if r.status >= 500]
    assert failed == []
