"""Issue 14, items 1-2: every bad input of the issue's list gets a 4xx with a French problem
document naming the field, never a 500; a refused request writes nothing."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from ofelia.billing.models import Invoice, Payment
from ofelia.billing.services import invoice_create_draft, invoice_issue
from ofelia.billing.tests.conftest import draft_fields, make_organisation
from ofelia.core import clock
from ofelia.organisations.models import ClientCompany, Role
from ofelia.organisations.testing import make_member
from ofelia.sales.models import Quote

pytestmark = pytest.mark.django_db
CASES = Path(__file__).resolve().parents[4] / "tests" / "cases"
LISTS = ["invoices", "contracts", "quotes", "sessions", "payments"]


@pytest.fixture
def today() -> Any:
    with clock.frozen(datetime(2025, 11, 20, 10, 0)):
        yield date(2025, 11, 20)


@pytest.fixture
def org(db: Any) -> Any:
    return make_organisation(slug="dur")


@pytest.fixture
def api(client: Any, org: Any, today: Any) -> Any:
    client.force_login(make_member(org, Role.ADMINISTRATOR))
    return client


@pytest.fixture
def invoice(org: Any, today: Any) -> Invoice:
    draft = invoice_create_draft(actor=None, organisation=org, client_company=None,
                                 consumer_client=None, **draft_fields())
    return invoice_issue(actor=None, invoice=draft, issue_date=date(2025, 11, 1))


def post(client: Any, url: str, body: Any) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json")


def problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response.headers["Content-Type"] == "application/problem+json"
    doc = response.json()
    assert doc["status"] == status and doc["title"] and doc["detail"]
    if field is not None:
        assert doc["field"] == field, doc
    return doc


@pytest.mark.parametrize("resource", LISTS)
@pytest.mark.parametrize(("param", "value"), [("offset", "-1"), ("limit", "-1"), ("limit", "0"),
                                              ("offset", "99999999999999999999"),
                                              ("limit", "100000"), ("offset", "abc")])
def test_i14_list_endpoints_refuse_bad_pages_with_422(api: Any, resource: str, param: str,
                                                      value: str) -> None:
    doc = problem(api.get(f"/api/v1/{resource}?{param}={value}"), 422, param)
    assert "doit être" in doc["detail"] or "attendu" in doc["detail"]


@pytest.mark.parametrize("resource", LISTS)
def test_i14_list_endpoints_accept_the_bounds(api: Any, resource: str) -> None:
    assert api.get(f"/api/v1/{resource}?offset=1000000&limit=500").status_code == 200
    assert api.get(f"/api/v1/{resource}?offset=0&limit=1").status_code == 200


def _payment(invoice: Invoice, **changes: Any) -> dict[str, Any]:
    return {"method": "cheque", "amount": "100", "received_on": "2025-11-20",
            "allocations": [{"invoice": invoice.pk, "amount": "100"}], **changes}


@pytest.mark.parametrize(("changes", "field"), [
    ({"amount": "1e20"}, "amount"),
    ({"amount": "-4.2e228"}, "amount"),
    ({"amount": "NaN"}, "amount"),
    ({"amount": "12.345"}, "amount"),
    ({"amount": 1e400}, "amount"),
    ({"received_on": "9999-12-31"}, "received_on"),
    ({"received_on": "1999-12-31"}, "received_on"),
    ({"reference": "chèque\x00 n° 1"}, "reference"),
    ({"allocations": [{"invoice": "abc", "amount": "10"}]}, "allocations.0.invoice"),
    ({"allocations": [{"invoice": 1}]}, "allocations.0.amount"),
    ({"allocations": ["abc"]}, "allocations.0.invoice"),
])
def test_i14_payments_refuse_out_of_range_values_and_write_nothing(
        api: Any, invoice: Invoice, changes: dict[str, Any], field: str) -> None:
    body = _payment(invoice, **changes)
    raw = json.dumps(body).replace('"amount": Infinity', '"amount": 1e400')
    doc = problem(post(api, "/api/v1/payments", raw), 422, field)
    assert field in doc["detail"]
    assert not Payment.objects.exists()


def test_i14_payment_received_in_the_future_is_refused_by_the_rule(api: Any, invoice: Invoice) -> None:
    doc = problem(post(api, "/api/v1/payments", _payment(invoice, received_on="2025-11-22")), 409)
    assert "Date de réception 22 novembre 2025 impossible" in doc["detail"]
    assert not Payment.objects.exists()


def test_i14_payment_dates_within_bounds_are_accepted(api: Any, invoice: Invoice) -> None:
    assert post(api, "/api/v1/payments", _payment(invoice, received_on="2025-11-21")).status_code == 201
    assert post(api, "/api/v1/payments", _payment(invoice, received_on="2000-01-01")).status_code == 201


@pytest.mark.parametrize("amount", ["-3.65e16", "1e20", "0", "-1"])
def test_i14_credit_note_amount_is_bounded(api: Any, invoice: Invoice, amount: str) -> None:
    response = post(api, f"/api/v1/invoices/{invoice.pk}/credit-notes",
                    {"reason": "Geste", "amount_excl_vat": amount})
    problem(response, 422, "amount_excl_vat")
    assert not Invoice.objects.filter(kind="credit_note").exists()


@pytest.fixture
def company(org: Any) -> ClientCompany:
    return ClientCompany.objects.create(organisation=org, name="Acme", siret="73282932000074")


def _quote(company: ClientCompany, **changes: Any) -> dict[str, Any]:
    return {"client_company_id": company.pk, "valid_until": "2025-12-31", "vat_rate": "20",
            "lines": [{"description": "Formation", "quantity": "1", "unit_price": "1000"}],
            **changes}


@pytest.mark.parametrize(("changes", "field", "status"), [
    ({"vat_rate": "-50"}, "vat_rate", 422),
    ({"vat_rate": "19.6"}, "vat_rate", 422),
    ({"vat_rate": "100"}, "vat_rate", 422),
    ({"lines": [{"description": "Form\x00ation", "unit_price": "10"}]}, "lines.0.description", 422),
    ({"lines": [{"description": "Formation", "unit_price": "1e400"}]}, "lines.0.unit_price", 422),
    ({"lines": [{"description": "Formation", "unit_price": "-5"}]}, "lines.0.unit_price", 422),
    ({"lines": [{"description": "Formation", "quantity": "1e9", "unit_price": "5"}]},
     "lines.0.quantity", 422),
    ({"lines": []}, "lines", 422),
    ({"lines": [{"description": "x", "unit_price": "1"}] * 201}, "lines", 422),
    ({"valid_until": "9999-12-31"}, "valid_until", 422),
])
def test_i14_quotes_refuse_illegal_vat_bad_lines_and_too_many_lines(
        api: Any, company: ClientCompany, changes: dict[str, Any], field: str, status: int) -> None:
    doc = problem(post(api, "/api/v1/quotes", _quote(company, **changes)), status, field)
    if field == "vat_rate":
        assert "taux légaux français sont 0, 2,1, 5,5, 10, 20 %" in doc["detail"]
    assert not Quote.objects.exists()


@pytest.mark.parametrize("rate", ["0", "2.1", "5.5", "10", "20", "20.00"])
def test_i14_quotes_accept_each_legal_vat_rate(api: Any, company: ClientCompany, rate: str) -> None:
    assert post(api, "/api/v1/quotes", _quote(company, vat_rate=rate)).status_code == 201


def test_i14_quote_line_count_is_capped_at_the_bound(api: Any, company: ClientCompany) -> None:
    lines = [{"description": f"Module {i}", "unit_price": "1"} for i in range(200)]
    assert post(api, "/api/v1/quotes", _quote(company, lines=lines)).status_code == 201


def test_i14_body_not_json_or_too_deep_is_a_400(api: Any) -> None:
    problem(post(api, "/api/v1/payments", "{pas du json"), 400)
    problem(post(api, "/api/v1/payments", "[" * 100_000 + "]" * 100_000), 400)


def test_i14_body_over_the_upload_cap_is_a_413(api: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    problem(post(api, "/api/v1/payments", {"reference": "x" * 2000}), 413)


def test_i14_simulate_refuses_deep_json_nul_and_huge_price(api: Any) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    problem(post(api, "/api/v1/simulate", deep), 400)
    case = json.loads((CASES / "dixneuf-pro-cancellation-9-jours-francs.json").read_text())["input"]
    for price in ("1e400", "-1e400", "1e20", "NaN", "Infinity"):
        case["contract"]["price"] = price
        response = post(api, "/api/v1/simulate", case)
        assert 400 <= response.status_code < 500, (price, response.content)
        assert response.headers["Content-Type"] == "application/problem+json"
        assert "price" in response.json()["field"]
    case["contract"]["price"] = "2400.00"
    case["events"][0]["reason"] = "other\x00"
    problem(post(api, "/api/v1/simulate", case), 400, "events.0.reason")


def test_i14_api_without_session_is_a_french_401_problem(client: Any, db: Any) -> None:
    doc = problem(client.get("/api/v1/invoices"), 401)
    assert "Authentification" in doc["title"]


def test_i14_revenue_page_refuses_year_zero_with_a_french_error(api: Any) -> None:
    for year in ("0", "-1", "99999", "abc", "1e5"):
        response = api.get(f"/facturation/chiffre-affaires/?annee={year}")
        assert response.status_code == 400, (year, response.status_code)
        assert "Année" in response.content.decode()
    assert api.get("/facturation/chiffre-affaires/?annee=2025").status_code == 200


def test_i14_openapi_documents_401_405_422_as_problem_documents() -> None:
    from ofelia.api import api

    schema = api.get_openapi_schema()
    assert "Problem" in schema["components"]["schemas"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            answers = operation["responses"]
            assert {"400", "401", "405", "413", "422"} <= set(answers), (method, path)
            for code, answer in answers.items():
                if code.startswith("4"):
                    assert list(answer["content"]) == ["application/problem+json"], (path, code)
    payment = schema["components"]["schemas"]["PaymentIn"]["properties"]
    assert payment["amount"]["type"] == "string" and payment["amount"]["pattern"]


def test_i14_wrong_method_and_unknown_api_address_are_problem_documents(api: Any) -> None:
    doc = problem(api.delete("/api/v1/payments"), 405)
    assert "DELETE" in doc["detail"]
    problem(api.get("/api/v1/nulle-part"), 404)


@pytest.mark.parametrize("name", LISTS)
def test_i14_a_query_parameter_given_twice_is_refused_naming_it(api: Any, name: str) -> None:
    answer = api.get(f"/api/v1/{name}?limit=5&limit=10")
    assert answer.status_code == 422
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["field"] == "query.limit"
    assert api.get(f"/api/v1/{name}?limit=5").status_code == 200
