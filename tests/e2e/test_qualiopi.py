"""The Qualiopi file in a real browser, on the demo data: the administrator (quality
manager) opens it from the « Qualité » menu, drills into the trainers' CVs (indicator 21),
marks indicator 13 (alternance) non applicable with a reason, and downloads the auditor's
ZIP, whose index and evidence files are checked."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .test_login import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]
ADMIN = "admin@dixneuf.demo"


def test_administrator_reads_the_qualiopi_file_and_downloads_it(page: Any, results_dir: Path) -> None:
    responses: list[Any] = []
    page.on("response", lambda r: responses.append(r))
    log_in(page, ADMIN)
    page.locator("summary", has_text="Qualité").click()
    page.get_by_role("link", name="Dossier Qualiopi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dossier Qualiopi")
    expect(page.get_by_role("heading", level=2, name="Critère 7 — Recueil")).to_be_visible()
    expect(page.get_by_test_id("qualiopi-summary")).to_contain_text("couvert")
    page.screenshot(path=str(results_dir / "qualiopi-1-file.png"), full_page=True)

    page.get_by_test_id("indicator-21").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Indicateur 21")
    cvs = page.get_by_test_id("finding").filter(has_text="CV des formateurs")
    expect(cvs).to_contain_text("CV déposé le")
    page.screenshot(path=str(results_dir / "qualiopi-2-indicator-21.png"), full_page=True)
    page.get_by_role("link", name="← Dossier Qualiopi").click()

    page.get_by_test_id("indicator-13").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Indicateur 13")
    page.get_by_label("Motif (lu par l'auditeur)").fill("Nous ne proposons aucune formation en alternance.")
    page.get_by_role("button", name="Déclarer non applicable").click()
    expect(page.get_by_text("Indicateur 13 déclaré non applicable.")).to_be_visible()
    expect(page.get_by_test_id("indicator-status")).to_have_text("non applicable")
    page.get_by_role("link", name="← Dossier Qualiopi").click()
    expect(page.get_by_test_id("indicator-13")).to_contain_text("non applicable")
    expect(page.get_by_test_id("indicator-13")).to_contain_text("aucune formation en alternance")

    with page.expect_download() as download:
        page.get_by_test_id("qualiopi-zip").click()
    target = results_dir / "dossier-qualiopi.zip"
    download.value.save_as(target)
    archive = zipfile.ZipFile(target)
    names = archive.namelist()
    assert names[0] == "index.html"
    index = archive.read("index.html").decode()
    assert "Indicateur 32" in index and "alternance." in index
    assert any(n.startswith("preuves/formateurs/") and n.endswith(".pdf") for n in names), names
    assert "preuves/reclamations/registre-des-reclamations.csv" in names
    assert any(n.startswith("preuves/bpf/") for n in names) and any(n.startswith("preuves/programmes/") for n in names)
    for name in names:
        if name.endswith(".pdf"):
            assert archive.read(name).startswith(b"%PDF"), name
        assert f'href="{name}"' in index or name == "index.html", name
    failed = [f"{r.status} {r.request.method} {r.url}" for r in responses if r.status >= 500]
    assert not failed, failed
