"""Accessibility (issue 10, item 8): axe-core, run inside Chromium on the demo data, finds no
serious or critical violation on the pages each role reaches from its menu.

axe-core comes from the npm registry at set-up (`make test` fetches it into .cache/npm); it
is evaluated by the test harness, never served by Ofelia, so the site's CSP stays strict.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from .test_login import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]
AXE = Path(os.environ.get("OFELIA_AXE") or Path(__file__).resolve().parents[2] / ".cache/npm/axe-core/package/axe.min.js")
# WCAG 2.1 A and AA: what the RGAA (the French public accessibility standard) builds on.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LOGINS = ["admin@dixneuf.demo", "staff@formagogy.demo", "formateur@dixneuf.demo", "client@dixneuf.demo",
          "stagiaire@dixneuf.demo", "particulier@laporte.demo"]
PAGES_PER_ROLE = 25


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        reason = f"axe-core introuvable ({AXE}) : lancez `make test`, qui le télécharge"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE.read_text()


def _menu_pages(page: Any) -> list[str]:
    hrefs = page.eval_on_selector_all("nav a[href^='/']", "links => links.map(a => a.getAttribute('href'))")
    seen: list[str] = []
    for href in [page.url.split(page.url.split("/")[2], 1)[1], *hrefs]:
        if href not in seen and not href.startswith(("/admin", "/i18n")):
            seen.append(href)
    return seen[:PAGES_PER_ROLE]


def _violations(page: Any, axe_source: str) -> list[str]:
    page.evaluate(axe_source)
    found = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
        }""",
        TAGS,
    )
    return list(found)


@pytest.mark.parametrize("login", LOGINS)
def test_no_serious_or_critical_accessibility_violation_on_each_roles_pages(
        page: Any, login: str, axe_source: str) -> None:
    log_in(page, login)
    page.wait_for_load_state()
    problems = []
    for path in _menu_pages(page):
        page.goto(path)
        problems += [f"{path}: {v}" for v in _violations(page, axe_source)]
    assert not problems, "\n".join(problems)
