"""Legal data rows entered in the product by the platform operator (LEGAL-DATA.md).

They extend the shipped tables (and the `OFELIA_LEGAL_DATA_DIR` files) without a release:
a new half-year's legal interest rate, an ECB decision, next year's CPF participation.
Platform-wide, not per organisation: a legal rate is the same for every organisation.
Append-only like the shipped files: a later row with the same key replaces the value.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ofelia.core import clock


class LegalDataRow(models.Model):
    class Table(models.TextChoices):
        LEGAL_INTEREST_RATES = "legal_interest_rates", "Taux de l'intérêt légal (semestre)"
        ECB_RATES = "ecb_rates", "Taux de refinancement de la BCE"
        AMOUNTS = "amounts", "Montant légal daté"
        COVERAGE = "coverage", "Série vérifiée jusqu'au"

    table = models.CharField("table", max_length=30, choices=Table.choices)
    # The CSV row of that table (column -> text), exactly as a line of its shipped file.
    row = models.JSONField("ligne")
    created_at = models.DateTimeField("saisie le", default=clock.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name="saisie par")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "ligne de données légales"
        verbose_name_plural = "lignes de données légales"

    def __str__(self) -> str:
        return f"{self.get_table_display()} : {', '.join(str(v) for v in self.row.values())}"
