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
    page.locator("summary", has_text="Classes virtuelles").click()
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


def test_staff_see_the_class_machines_open_a_terminal_and_stop_one(page: Any, settings: Any, tmp_path: Any,
                                                                     results_dir: Any) -> None:
    """Issue 13 item 2: the demo class provisioned on the local libcloud driver; staff see
    13 / 13 machines ready with their addresses, open a machine's terminal, stop one."""
    from ofelia.hosting import local_driver, provisioning
    from ofelia.hosting.models import VirtualClass

    nodes = tmp_path / "nodes"
    settings.OFELIA_HOSTING_PROVIDER = local_driver.PROVIDER
    settings.OFELIA_HOSTING_LOCAL_STATE_DIR = str(nodes)
    settings.OFELIA_HOSTING_LOCAL_BOOT_SECONDS = 0.2
    settings.OFELIA_HOSTING_WARM_POOL = {}
    klass = VirtualClass.objects.get(title="Docker et Kubernetes — atelier")
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    try:
        provisioning.provision_class(klass)
        log_in(page, "staff@virtualeo.demo")
        page.goto(f"/gestion/classes-virtuelles/{klass.pk}/")
        expect(page.get_by_test_id("machines-ready")).to_contain_text("13 / 13")
        row = page.get_by_role("row").filter(has_text="Stagiaire 1").first
        address = row.get_by_role("link").get_attribute("href")
        assert address is not None and address.startswith("http://127.0.0.1:")
        page.screenshot(path=str(results_dir / "vclass-machines.png"), full_page=True)
        row.get_by_role("button", name="Arrêter").click()
        expect(page.get_by_text("Machine « Stagiaire 1 » arrêtée.")).to_be_visible()
        expect(page.get_by_test_id("machines-ready")).to_contain_text("12 / 13")
        expect(page.get_by_role("row").filter(has_text="Stagiaire 1").first).to_contain_text("Arrêtée")
        other = page.get_by_role("row").filter(has_text="Stagiaire 2").first.get_by_role("link").get_attribute("href")
        page.goto(str(other))
        expect(page.get_by_role("heading", level=1)).to_contain_text("Terminal de la machine")
        assert len(local_driver.node_processes(nodes)) == 12
        assert not [f"{r.status} {r.url}" for r in responses if r.status >= 500]
    finally:
        local_driver.destroy_all(nodes)
    assert local_driver.node_processes(nodes) == {}
