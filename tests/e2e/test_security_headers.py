"""Issue 14, item 4 in a real browser: every page works under the strict Content-Security-Policy
(no inline script, no inline style, no eval) — the staff home, the htmx forms, the extranet —
and the browser reports no violation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .test_login import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]

# Playwright's init scripts run outside the page's policy: they can listen to its violations.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


def _watch(page: Any) -> list[str]:
    problems: list[str] = []
    page.add_init_script(LISTEN)
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return problems


def _no_violation(page: Any, problems: list[str]) -> None:
    assert page.evaluate("Array.isArray(window.__csp)"), "the violation listener is not there"
    problems.extend(page.evaluate("window.__csp"))
    assert problems == []


def test_csp_staff_home_and_htmx_forms_work_without_violation(page: Any) -> None:
    problems = _watch(page)
    log_in(page, "admin@dixneuf.demo")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Tableau de bord"))
    response = page.goto("/gestion/")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "no-store" in response.headers["cache-control"]
    # The main menu's script is a static file now: a sub-menu opens, Escape closes it.
    group = page.locator(".site-nav details").first
    group.locator("summary").click()
    expect(group).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(group).not_to_have_attribute("open", "")
    _no_violation(page, problems)

    # htmx adds quote lines (the index travels without `js:` eval) and counts them in.
    page.goto("/ventes/devis/nouveau/")
    rows = page.locator("#quote-lines tr")
    before = rows.count()
    page.get_by_role("button", name="Ajouter une ligne").click()
    expect(rows).to_have_count(before + 1)
    page.get_by_role("button", name="Ajouter une ligne").click()
    expect(rows).to_have_count(before + 2)
    assert page.locator("#id_lines-TOTAL_FORMS").input_value() == str(before + 2)
    names = rows.locator("input").evaluate_all("els => els.map(e => e.name)")
    assert f"lines-{before + 1}-description" in names
    page.screenshot(path="/tmp/harden-csp-quote.png", full_page=True)
    _no_violation(page, problems)

    # The search of client companies answers through htmx as one types.
    page.goto("/clients/entreprises/")
    page.locator("#q").fill("zzz-aucune")
    expect(page).to_have_url(re.compile(r"q=zzz-aucune"))
    _no_violation(page, problems)

    page.goto("/ventes/")
    expect(page.locator(".columns").first).to_have_css("display", "grid")
    _no_violation(page, problems)


def test_csp_extranet_pages_work_without_violation(page: Any) -> None:
    problems = _watch(page)
    log_in(page, "particulier@virtualeo.demo")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Espace client"))
    page.goto("/espace/formations/")
    page.screenshot(path="/tmp/harden-csp-extranet.png", full_page=True)
    retract = page.get_by_role("button", name="Me rétracter en ligne")
    if retract.count():
        # `data-confirm` replaces the inline onclick: dismissing the question sends nothing.
        asked: list[str] = []
        page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
        retract.first.click()
        expect(retract.first).to_be_visible()
        assert asked == ["Confirmez-vous votre rétractation ?"]
    _no_violation(page, problems)
    page.get_by_role("button", name="Se déconnecter").click()
    log_in(page, "stagiaire@dixneuf.demo")
    page.goto("/espace/")
    _no_violation(page, problems)
