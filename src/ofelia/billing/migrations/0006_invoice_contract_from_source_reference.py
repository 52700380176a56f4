"""Existing contract invoices: the contract and the purpose, read once from `source_reference`.

Until now a contract's invoices were tied to it only by "<contract number>/<what>" (what =
the payer billed, or "acompte" for a deposit); credit notes copied their invoice's text.
"""

from django.db import migrations

PAYERS = {"client", "learner", "opco", "cpf", "france_travail", "faf", "employer"}


def fill(apps, schema_editor):
    Invoice = apps.get_model("billing", "Invoice")
    Contract = apps.get_model("sales", "Contract")
    numbers = {}
    for pk, org, number in Contract.objects.values_list("id", "organisation_id", "number"):
        numbers[(org, number)] = pk
    rows = Invoice.objects.filter(contract__isnull=True).exclude(source_reference="")
    for invoice in rows.only("id", "organisation_id", "source_reference").iterator():
        number, _, what = invoice.source_reference.rpartition("/")
        contract_id = numbers.get((invoice.organisation_id, number))
        if contract_id is None or not (what in PAYERS or what == "acompte"):
            continue
        purpose = "deposit" if what == "acompte" else "price"
        Invoice.objects.filter(pk=invoice.pk).update(contract_id=contract_id, purpose=purpose)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0005_invoice_contract_purpose"),
        ("sales", "0003_contractevent_own_events"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
