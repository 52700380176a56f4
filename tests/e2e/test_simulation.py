"""The clarified simulation contract in a real browser, on the demo data: an administrator
pastes cases in the staff simulation page and reads what Ofelia answers (SIMULATION.md:
missing legal data, a date before the terms, a zero-hour service, the availability month)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .test_login import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]

SHOTS = Path("/tmp")
ROOT = Path(__file__).resolve().parents[2]


def paste(page: Any, case: dict[str, Any]) -> Any:
    page.get_by_role("textbox", name="Cas JSON").fill(json.dumps(case, ensure_ascii=False, indent=2))
    page.get_by_role("button", name="Simuler le JSON").click()
    return page.locator("#result")


def test_simulation_page_answers_the_clarified_contract(page: Any) -> None:
    log_in(page, "admin@virtualeo.demo")
    page.goto("/simulation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Simulation")

    # VCL-7: a month below 99.95 %, the credit that may be granted.
    result = paste(page, {
        "case": "availability", "policy": "virtualeo", "month": "2026-03", "services_amount": "2400.00",
        "incidents": [
            {"from": "2026-03-10T09:00:00+01:00", "to": "2026-03-10T09:40:00+01:00", "cause": "outage"},
            {"from": "2026-03-14T22:00:00+01:00", "to": "2026-03-15T02:00:00+01:00",
             "cause": "maintenance", "announced_at": "2026-03-11T10:00:00+01:00"}]})
    expect(result.get_by_role("heading", name="Disponibilité du mois 2026-03")).to_be_visible()
    expect(result.get_by_role("cell", name="99.9097 %", exact=True)).to_be_visible()
    expect(result.get_by_role("row").filter(has_text="Avoir de disponibilité")).to_contain_text("-2,17\u00a0€")
    page.screenshot(path=str(SHOTS / "simul-availability.png"), full_page=True)

    # A late invoice reaching 2026-H2: the legal rate is not known yet, the page says which.
    from ofelia.rules.tests.test_simulate import H2_CASE

    result = paste(page, H2_CASE)
    expect(result.get_by_role("alert")).to_contain_text("Donnée légale manquante")
    expect(result.get_by_role("alert")).to_contain_text("taux de l'intérêt légal 2026-H2")
    page.screenshot(path=str(SHOTS / "simul-missing-legal.png"), full_page=True)

    # Mi4's terms date from 24 January 2026: a change notified before has no terms to read.
    result = paste(page, {"case": "terms_change", "policy": "mi4", "notified_on": "2025-11-30"})
    expect(result.get_by_role("alert")).to_contain_text("policy_version")
    expect(result.get_by_role("alert")).to_contain_text("2026-01-24")

    # A FORMAGOGY service without training hours, cancelled 21 days before: 50 % of the price.
    case = json.loads((ROOT / "tests" / "cases" / "formagogy-cancellation-21-days-before.json")
                      .read_text(encoding="utf-8"))["input"]
    case["contract"]["hours"] = "0"
    result = paste(page, case)
    expect(result.get_by_role("row").filter(has_text="Dédommagement d'annulation")).to_contain_text(
        "5\u00a0000,00\u00a0€")
    page.screenshot(path=str(SHOTS / "simul-service-zero-hours.png"), full_page=True)
