"""parse_case of `training` cases: every field checked, errors name the field path."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ofelia.rules.errors import CaseError
from ofelia.rules.tests.test_training_helpers import training
from ofelia.rules.training import parse_case, reference_date


def error_of(data) -> CaseError:
    with pytest.raises(CaseError) as caught:
        parse_case(data)
    return caught.value


def test_reference_date_is_the_signature_date():
    assert reference_date(parse_case(training(signed_on="2026-01-12"))) == date(2026, 1, 12)


def test_unknown_fields_are_errors_at_every_level():
    assert error_of({**training(), "colour": "blue"}).path == "colour"
    data = training()
    data["contract"]["colour"] = "blue"
    assert error_of(data).path == "contract.colour"
    assert error_of(training(events=[{"type": "retraction", "on": "2026-01-13", "by": "client"}])).path == "events[0].by"
    assert error_of(training(funding=[{"payer": "faf", "amount": "1"}])).path == "funding[0].amount"


@pytest.mark.parametrize(("field", "value", "path"), [
    ("price", 2400.0, "contract.price"),          # a float is never exact money
    ("price", "-1", "contract.price"),
    ("client", "company", "contract.client"),
    ("format", "webinar", "contract.format"),
    ("start", "2026-02-30", "contract.start"),
    ("hours", "0", "contract.hours"),  # inter: a training format
    ("vat_rate", "120", "contract.vat_rate"),
    ("deposit", "2400.01", "contract.deposit"),
    ("end", "2026-03-01", "contract.end"),
])
def test_contract_fields_are_validated(field, value, path):
    assert error_of(training(**{field: value})).path == path


def test_instalments_only_3_or_4_naming_pay_l1():
    error = error_of(training(instalments=5))
    assert (error.path, error.rule) == ("instalments", "PAY-L1")


def test_events_are_checked():
    assert error_of(training(events=[{"type": "payment", "invoice": "X", "on": "2026-01-01",
                                      "amount": "1"}])).path == "events[0].invoice"
    assert error_of(training(events=[{"type": "abandonment", "on": "2026-03-17", "hours_attended": "22",
                                      "reason": "other"}])).path == "events[0].hours_attended"
    assert error_of(training(events=[{"type": "cancellation", "by": "client", "on": "2026-03-01",
                                      "reason": "boredom"}])).path == "events[0].reason"
    invoice = {"type": "invoice", "id": "F-1", "on": "2026-01-15", "amount": "1", "payer": "client"}
    assert error_of(training(events=[invoice, invoice])).path == "events[1].id"


def test_funding_is_checked():
    assert error_of(training(funding=[{"payer": "bank"}])).path == "funding[0].payer"
    assert error_of(training(funding=[{"payer": "opco", "amount": "2400.01"}])).path == "funding[0].amount"
    assert error_of(training(funding=[{"payer": "faf"}, {"payer": "faf"}])).path == "funding[1].payer"
    assert error_of(training(funding=[{"payer": "cpf", "exempt": False}])).path == "funding[0].rights"


# SIMULATION.md: `hours` may be "0" for a service or a product that carries no training
# hours; the training formats (inter, intra, elearning) and long_service still need a
# positive duration.
@pytest.mark.parametrize("fmt", ["service", "product"])
@pytest.mark.parametrize("hours", ["0", "0.00"])
def test_hours_zero_is_valid_for_a_service_or_product(fmt, hours):
    case = parse_case(training(format=fmt, hours=hours))
    assert case.contract.hours == 0


@pytest.mark.parametrize("fmt", ["inter", "intra", "elearning", "long_service"])
def test_hours_zero_is_invalid_for_training_formats_and_long_services(fmt):
    error = error_of(training(format=fmt, hours="0"))
    assert error.path == "contract.hours" and "service" in error.message


@pytest.mark.parametrize("fmt", ["service", "product", "inter"])
def test_hours_below_zero_stay_invalid_whatever_the_format(fmt):
    assert error_of(training(format=fmt, hours="-0.5")).path == "contract.hours"


def test_hours_zero_service_simulates_its_cancellation_and_names_hours_if_a_prorata_is_asked():
    from ofelia.rules.tests.test_training_helpers import cancel, run, total

    outcome = run(training(format="service", hours="0", signed_on="2026-04-01", price="10000.00",
                           vat_rate="20", start="2026-06-15", end="2026-06-15", deposit="3000.00",
                           events=[cancel("2026-05-25")]), "formagogy")
    assert total(outcome, "cancellation_fee", "client") == Decimal("5000.00")
    stop = training(format="service", hours="0", events=[
        {"type": "provider_stop", "on": "2026-03-17", "hours_attended": "0"}])
    with pytest.raises(CaseError) as raised:
        run(stop)
    assert raised.value.path == "contract.hours"
