"""Invoice speed: issuing rate (services, with numbering lock and audit) and PDF + Factur-X rate.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ofelia_bench \\
        .venv/bin/python bench/invoices.py [--issue 500] [--pdf 30]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--issue", type=int, default=500)
    parser.add_argument("--pdf", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ofelia.config.settings.local")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from ofelia.billing.models import Invoice
    from ofelia.billing.pdf import invoice_pdf
    from ofelia.billing.services import invoice_create_draft, invoice_issue
    from ofelia.billing.terms import invoice_terms
    from ofelia.organisations.models import Organisation

    org, _ = Organisation.objects.get_or_create(
        slug="bench-invoices", defaults={"legal_name": "BENCH FACTURES", "siret": "73282932000074",
                                         "nda_number": "52490402749", "policy_id": "dixneuf",
                                         "address_line1": "1 rue du Banc", "postal_code": "49000",
                                         "city": "Angers"})
    terms = invoice_terms(policy_id="dixneuf", buyer_kind="professional", on=date(2025, 9, 1))
    drafts = [
        invoice_create_draft(
            actor=None, organisation=org, buyer_kind="professional", buyer_name=f"Client {i}",
            buyer_address="12 avenue du Port\n44000 Nantes", service_start=date(2025, 9, 8),
            lines=[{"description": "Formation (3 jours)", "quantity": "3", "unit_price": "400"},
                   {"description": "Supports", "quantity": "1", "unit_price": "35.5"}],
            **terms.as_fields())
        for i in range(args.issue)
    ]
    today = max(date(2025, 9, 15), *(Invoice.objects.filter(organisation=org).exclude(issue_date=None)
                                     .values_list("issue_date", flat=True)), date(2025, 9, 15))
    started = time.perf_counter()
    issued = [invoice_issue(actor=None, invoice=d, issue_date=today) for d in drafts]
    elapsed = time.perf_counter() - started
    print(f"issued {len(issued)} invoices in {elapsed:.2f} s: {len(issued) / elapsed:,.0f} invoices/s "
          "(one process, mentions checked, sequence row locked, audit row written)")
    started = time.perf_counter()
    size = 0
    for invoice in issued[: args.pdf]:
        size += len(invoice_pdf(invoice))
    elapsed = time.perf_counter() - started
    count = min(args.pdf, len(issued))
    print(f"rendered {count} PDF/A-3 + Factur-X (XSD-checked) in {elapsed:.2f} s: "
          f"{count / elapsed:.1f} PDF/s, {elapsed / count * 1000:.0f} ms each, {size // count} bytes avg")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
