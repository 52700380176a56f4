"""The class day of the hosting tests, and the comparison of a consumption invoice with `ofelia simulate` of the same ledger (VCL-6),
shared by the ledger's and the provisioning's tests."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ofelia.core import clock
from ofelia.hosting import rules_io
from ofelia.simcli import run_case

ORDERED = datetime(2026, 5, 20, 11, 0, tzinfo=clock.PARIS)
START = datetime(2026, 6, 2, 9, 0, tzinfo=clock.PARIS)


def assert_invoice_is_the_simulation(invoice: Any, klass: Any, *, today: date) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The invoice's totals and clauses equal the CLI's charges for the class's ledger case;
    returns that case and the simulated consumption charges."""
    case = rules_io.consumption_case(klass, now=clock.now())
    simulated = run_case(json.loads(json.dumps(case)), today=today)
    billed = [c for c in simulated["charges"] if c["kind"] in rules_io.CONSUMPTION_KINDS]
    assert invoice.total_excl_vat == sum(Decimal(c["amount"]) for c in billed)
    assert invoice.total_vat == sum(Decimal(c["vat"]) for c in billed)
    assert {line.rule for line in invoice.lines.all()} == {c["rule"] for c in billed}
    return case, billed
