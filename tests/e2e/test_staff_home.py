"""The staff home is a to-do list: on the demo data an administrator of each organisation
sees what is pending under six headings, follows a link to the page where it is done, and
reads the month's revenue as a chart."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .test_login import log_in
from .test_people_flows import log_out

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]


@pytest.mark.parametrize("slug", ["dixneuf", "formagogy", "laporte"])
def test_staff_home_lists_what_is_pending_and_links_to_it(page: Any, slug: str) -> None:
    log_in(page, f"staff@{slug}.demo")
    page.goto("/gestion/")
    todo = page.get_by_role("region", name="À faire")
    for title in ("Devis à relancer", "Conventions et contrats à faire signer",
                  "Sessions des 7 prochains jours sans convocations", "Accords OPCO attendus",
                  "Factures en retard", "Demandes à traiter"):
        expect(todo.get_by_role("heading", name=title, exact=False)).to_be_visible()
    expect(page.get_by_role("region", name="Chiffre d'affaires du mois")).to_be_visible()
    page.screenshot(path=f"/tmp/staff-home-{slug}.png", full_page=True)
    links = todo.get_by_role("link")
    if links.count():
        first = links.first
        target = first.get_attribute("href")
        first.click()
        assert target and target.startswith("/")
        expect(page).to_have_url(re.compile(re.escape(target) + "$"))
        expect(page.locator("h1")).to_be_visible()
    log_out(page)
