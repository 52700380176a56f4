"""BPF (cerfa 10443) of the fixture year 2026, every figure computed by hand below."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.test import Client

from ofelia.quality import exports, selectors

from .conftest import YEAR, Year

D = Decimal


def test_bpf_products_by_funder_net_of_credit_notes(year: Year) -> None:
    report, _ = selectors.report(organisation=year.world.org, year=YEAR)
    amounts = {f.code: f.amount for f in report.products}
    # C1: F-1 1000 − avoir A-1 250 (Alpha, category not said → entreprises).
    assert amounts["C1"] == D("750.00")
    assert amounts["C2h"] == D("2100.00")  # OPCO
    assert amounts["C2e"] == D("1500.00")  # CPF
    assert amounts["C9"] == D("800.00")  # consumer at their own expense
    assert amounts["C10"] == D("1200.00")  # Beta Formation, a training organisation
    assert amounts["C7"] == D("900.00")  # France Travail
    assert amounts["C3"] == amounts["C11"] == amounts["C2g"] == D("0")
    # the draft (5000) and the 2025 invoice (333) are not counted
    assert report.products_total.amount == D("7250.00")


def test_bpf_trainees_and_hours_from_attendance_else_planned(year: Year) -> None:
    report, _ = selectors.report(organisation=year.world.org, year=YEAR)
    f = report.figures()
    # L0 3.5 (morning signed) + 3.5 (afternoon planned) = 7; L1 2.5 (late 10:00) + 3.5 = 6
    assert (f["F1a"].trainees, f["F1a"].hours) == (2, D("13.00"))
    # L2: absent in the morning, afternoon planned 3.5; funded by France Travail
    assert (f["F1c"].trainees, f["F1c"].hours) == (1, D("3.50"))
    assert (f["F1d"].trainees, f["F1b"].trainees) == (0, 0)
    # Hugo (Beta Formation's learner): 24 planned hours (no half-day), « autres stagiaires »
    assert (f["F1e"].trainees, f["F1e"].hours) == (1, D("24.00"))
    assert (f["F1_total"].trainees, f["F1_total"].hours) == (4, D("40.50"))
    assert (f["F1_foad"].trainees, f["F1_foad"].hours) == (1, D("24.00"))
    assert (f["F3a_rncp_5"].trainees, f["F3a_rncp_5"].hours) == (3, D("16.50"))
    assert (f["F3d_other"].trainees, f["F3d_other"].hours) == (1, D("24.00"))
    assert (f["F2"].trainees, f["F2"].hours) == (1, D("24.00"))
    assert (f["G"].trainees, f["G"].hours) == (1, D("24.00"))


def test_bpf_checker_lists_what_is_missing(year: Year) -> None:
    org = year.world.org
    _, data = selectors.report(organisation=org, year=YEAR)
    problems = selectors.checker(organisation=org, year=YEAR, data=data)
    kinds = sorted(p.kind for p in problems)
    assert kinds == ["attendance", "funder", "objective", "session"]
    text = " | ".join(p.label for p in problems)
    assert "1 demi-journée sur 2 sans feuille d'émargement clôturée" in text
    assert "Alpha SA" in text and "catégorie BPF" in text
    assert "Bilan à distance" in text


def test_bpf_drilldown_lists_the_rows_counted(year: Year) -> None:
    org = year.world.org
    c1 = selectors.drilldown(organisation=org, year=YEAR, code="C1")
    assert c1 is not None and sorted(r.number for r in c1["invoices"]) == ["A-1", "F-1"]
    f1a = selectors.drilldown(organisation=org, year=YEAR, code="F1a")
    assert f1a is not None and {r.id for r in f1a["enrolments"]} == {
        year.world.enrolments[0].id, year.world.enrolments[1].id}
    assert selectors.drilldown(organisation=org, year=YEAR, code="nope") is None


def test_bpf_csv_french_conventions(year: Year) -> None:
    report, data = selectors.report(organisation=year.world.org, year=YEAR)
    year.company_a.name = "=HYPERLINK(1)"
    text = exports.bpf_csv(report, [selectors.Problem("funder", "=SUM(A1)", "", None)])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    by_code = {r[1]: r for r in rows[1:]}
    assert by_code["C_total"][3] == "7250,00"
    assert by_code["F1a"][4:6] == ["2", "13,00"]
    assert rows[-1][2] == "'=SUM(A1)"


def test_bpf_pages_for_staff_only(year: Year, client: Client) -> None:
    w = year.world
    client.force_login(w.admin)
    page = client.get("/gestion/qualite/bpf/?annee=2026")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Points à vérifier avant l'export (4)" in body
    assert "/gestion/qualite/bpf/2026/detail/C1/" in body
    assert client.get("/gestion/qualite/bpf/2026/detail/C1/").status_code == 200
    assert client.get("/gestion/qualite/bpf/2026/detail/zzz/").status_code == 404
    assert client.get("/gestion/qualite/bpf/?annee=abc").status_code == 200
    response: Any = client.get("/gestion/qualite/bpf/2026/bpf.csv")
    assert response["Content-Type"].startswith("text/csv")
    pdf: Any = client.get("/gestion/qualite/bpf/2026/bpf.pdf")
    assert pdf.content.startswith(b"%PDF")
    client.force_login(w.trainer_user)
    assert client.get("/gestion/qualite/bpf/").status_code == 403
    client.force_login(year.contact_user)
    assert client.get("/gestion/qualite/bpf/2026/bpf.csv").status_code == 403


def test_bpf_counts_only_what_was_carried_out_and_only_its_organisation(year: Year) -> None:
    from datetime import datetime

    from ofelia.attendance.tests.conftest import make_world
    from ofelia.core import clock

    from .conftest import invoice

    other = make_world("autre-bpf")
    invoice(other.org, "X-1", "99999.00")
    # On 1 April 2026 the May session (no half-day, starts 4 May) has not happened yet.
    with clock.frozen(datetime(2026, 4, 1, 10, 0)):
        report, data = selectors.report(organisation=year.world.org, year=YEAR)
    f = report.figures()
    assert (f["F1_total"].trainees, f["F1_total"].hours) == (3, D("16.50"))
    assert report.products_total.amount == D("7250.00")
    assert all(r.number != "X-1" for r in data.invoices)
