"""Issue 13, ordering a class, in a real browser on the demo data: VIRTUALEO's client
administrator configures a class, reads the core's estimate and deadlines, is refused 31
learners with VCL-1, orders, then changes it; staff see the order in the back office."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from ofelia.core import clock

from .test_login import log_in
from .test_people_flows import log_out

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]


def test_client_configures_a_class_sees_the_estimate_orders_and_changes_it(page: Any) -> None:
    log_in(page, "client@virtualeo.demo")
    page.get_by_role("link", name="Classes virtuelles").click()
    day = (clock.today() + timedelta(days=21)).isoformat()
    page.get_by_label("Intitulé de la classe").fill("Python pour la data")
    page.get_by_label("Premier jour").fill(day)
    page.get_by_label("Nombre de jours").fill("2")
    page.get_by_label("Nombre de stagiaires").fill("31")
    page.get_by_role("button", name="Estimer").click()
    expect(page.locator(".form-errors, .errorlist, .field-error").first).to_contain_text("VCL-1")
    page.get_by_label("Nombre de stagiaires").fill("10")
    page.get_by_role("button", name="Estimer").click()
    estimate = page.get_by_role("status").filter(has_text="Estimation indicative")
    # 11 machines × 2 days × 9 h × 0,80 € + storage 11 × 2 × 0,40 € = 158,40 + 8,80 = 167,20 € HT
    expect(estimate).to_contain_text("167,20")
    expect(estimate).to_contain_text("CGV, art. 6")
    page.screenshot(path="/tmp/vclass-estimate.png", full_page=True)
    page.get_by_role("button", name="Commander la classe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Python pour la data")
    expect(page.get_by_test_id("class-status")).to_contain_text("Commandée")
    page.get_by_label("Nombre de stagiaires").fill("12")
    page.get_by_role("button", name="Enregistrer la modification").click()
    expect(page.get_by_text("Classe modifiée sans frais")).to_be_visible()
    expect(page.get_by_text("12 stagiaires + l'instructeur = 13 machines")).to_be_visible()
    page.screenshot(path="/tmp/vclass-detail.png", full_page=True)
    log_out(page)

    log_in(page, "staff@virtualeo.demo")
    page.goto("/gestion/classes-virtuelles/")
    expect(page.get_by_role("row").filter(has_text="Python pour la data")).to_contain_text("Commandée")
