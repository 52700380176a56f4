"""Invoices and credit notes, their numbering, payments, online checkouts and collections."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models

from ofelia.core.models import TenantModel, TenantQuerySet, TimeStampedModel
from ofelia.rules.money import fmt_eur

ZERO = Decimal("0.00")


def money_field(verbose_name: str, **kwargs: Any) -> models.DecimalField:
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


class InvoiceImmutable(Exception):
    """An issued invoice (or credit note) is evidence: only its payment state may move."""


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", "Facture"
    CREDIT_NOTE = "credit_note", "Avoir"


class InvoiceSequence(models.Model):
    """The last number given, per organisation and kind; locked (select_for_update) to issue.

    One row per (organisation, kind) serialises concurrent issuing, so numbers are
    consecutive with no gap and in the order of their issue dates.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("type", max_length=20, choices=DocumentKind.choices)
    last_number = models.PositiveIntegerField("dernier numéro", default=0)
    last_issue_date = models.DateField("date de la dernière émission", null=True, blank=True)

    class Meta:
        verbose_name = "séquence de numérotation"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="billing_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.kind}: {self.last_number}"


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    ISSUED = "issued", "Émise"
    PAID = "paid", "Payée"
    CANCELLED = "cancelled", "Annulée par avoir"


class BuyerKind(models.TextChoices):
    PROFESSIONAL = "professional", "Professionnel"
    CONSUMER = "consumer", "Particulier"


class PayerKind(models.TextChoices):
    CLIENT = "client", "Client"
    EMPLOYER = "employer", "Employeur"
    OPCO = "opco", "OPCO"
    CPF = "cpf", "CPF (Caisse des dépôts)"
    FRANCE_TRAVAIL = "france_travail", "France Travail"
    FAF = "faf", "FAF"
    LEARNER = "learner", "Stagiaire (reste à charge)"


class InvoicePurpose(models.TextChoices):
    """What an invoice of a contract bills, after the core's charge kinds (SIMULATION.md)."""

    DEPOSIT = "deposit", "Acompte"
    PRICE = "price", "Prix de la formation"
    PRORATA = "prorata", "Heures réalisées (prorata)"
    FEE = "fee", "Dédommagement (annulation, abandon)"
    INSTALMENT = "instalment", "Échéance"
    REMAINING_CHARGE = "remaining_charge", "Reste à charge (CPF)"
    CONSUMPTION = "consumption", "Consommation (classe virtuelle)"
    OTHER = "other", "Autre"


# Once issued, only these columns may change (payment state); everything else is frozen.
MUTABLE_AFTER_ISSUE = frozenset({"status", "amount_paid", "amount_credited", "paid_on", "updated_at"})


class InvoiceQuerySet(TenantQuerySet):
    def update(self, **kwargs: Any) -> int:
        frozen = set(kwargs) - MUTABLE_AFTER_ISSUE
        if frozen and self.exclude(status=InvoiceStatus.DRAFT).exists():
            raise InvoiceImmutable(
                "Une facture émise ne peut pas être modifiée (champs : "
                + ", ".join(sorted(frozen))
                + ") ; corriger par un avoir."
            )
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.exclude(status=InvoiceStatus.DRAFT).exists():
            raise InvoiceImmutable("Une facture émise ne peut pas être supprimée.")
        return super().delete()

    def invoices(self) -> InvoiceQuerySet:
        return self.filter(kind=DocumentKind.INVOICE)

    def credit_notes(self) -> InvoiceQuerySet:
        return self.filter(kind=DocumentKind.CREDIT_NOTE)

    def open(self) -> InvoiceQuerySet:
        return self.filter(kind=DocumentKind.INVOICE, status=InvoiceStatus.ISSUED)


class Invoice(TenantModel):
    """A facture or an avoir (credit note, `kind`), with its own numbering per kind."""

    kind = models.CharField("type", max_length=20, choices=DocumentKind.choices, default="invoice")
    status = models.CharField(
        "état", max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    sequence_number = models.PositiveIntegerField("rang", null=True, blank=True, editable=False)
    number = models.CharField("numéro", max_length=30, blank=True, editable=False)
    issue_date = models.DateField("date d'émission", null=True, blank=True)
    due_date = models.DateField("date d'échéance", null=True, blank=True)
    # When the due date is not fixed, it is the issue date plus this many days (PAY-D2: 30).
    payment_delay_days = models.PositiveSmallIntegerField("délai de paiement (jours)", default=0)
    service_start = models.DateField("début de la prestation", null=True, blank=True)
    service_end = models.DateField("fin de la prestation", null=True, blank=True)
    issued_at = models.DateTimeField("émise le", null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # Buyer, copied on the invoice: the document must read the same forever.
    buyer_kind = models.CharField("type de client", max_length=20, choices=BuyerKind.choices)
    payer_kind = models.CharField(
        "payeur", max_length=20, choices=PayerKind.choices, default=PayerKind.CLIENT
    )
    buyer_name = models.CharField("client", max_length=255)
    buyer_address = models.TextField("adresse de facturation", blank=True)
    buyer_country = models.CharField("pays", max_length=2, default="FR")
    buyer_siret = models.CharField("SIRET du client", max_length=14, blank=True)
    buyer_vat_number = models.CharField("TVA du client", max_length=20, blank=True)
    buyer_email = models.EmailField("courriel du client", blank=True)
    client_company = models.ForeignKey(
        "organisations.ClientCompany", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consumer_client = models.ForeignKey(
        "organisations.ConsumerClient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Seller identity frozen at issue (name, address, SIRET, VAT, NDA, legal form, capital, RCS).
    seller = models.JSONField("vendeur", default=dict, blank=True)

    vat_exempt = models.BooleanField("exonéré de TVA (formation)", default=True)
    payment_terms = models.CharField("conditions de paiement", max_length=255, blank=True)
    late_penalty_mention = models.TextField("mention des pénalités de retard", blank=True)
    recovery_fee_applies = models.BooleanField("indemnité forfaitaire de 40 €", default=False)
    policy_id = models.CharField("politique", max_length=60, blank=True)
    policy_version = models.CharField("version de la politique", max_length=30, blank=True)
    late_penalty_rule = models.CharField("clause de retard", max_length=30, blank=True)

    total_excl_vat = money_field("total HT")
    total_vat = money_field("TVA")
    total_incl_vat = money_field("total TTC")
    amount_paid = money_field("payé")
    amount_credited = money_field("crédité par avoir")
    paid_on = models.DateField("soldée le", null=True, blank=True)

    credited_invoice = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes"
    )
    reason = models.CharField("motif", max_length=255, blank=True)
    source_reference = models.CharField("origine", max_length=100, blank=True, db_index=True)
    # The contract billed (settlement finds a contract's invoices by this key, never by text).
    contract = models.ForeignKey(
        "sales.Contract", on_delete=models.PROTECT, null=True, blank=True, related_name="invoices",
        verbose_name="contrat")
    purpose = models.CharField("objet", max_length=20, choices=InvoicePurpose.choices,
                               default=InvoicePurpose.OTHER)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "-sequence_number", "-id"]
        verbose_name = "facture"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "sequence_number"],
                condition=models.Q(sequence_number__isnull=False),
                name="billing_invoice_number_unique",
            )
        ]
        indexes = [models.Index(fields=["organisation", "kind", "status", "due_date"])]

    def __str__(self) -> str:
        label = "Avoir" if self.kind == DocumentKind.CREDIT_NOTE else "Facture"
        return f"{label} {self.number or '(brouillon)'}"

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Invoice:
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    @property
    def is_draft(self) -> bool:
        return self.status == InvoiceStatus.DRAFT

    @property
    def balance(self) -> Decimal:
        """What is still owed on an invoice (never below zero: over-payment is refused)."""
        return self.total_incl_vat - self.amount_paid - self.amount_credited

    def _stored_status(self) -> str | None:
        if self._state.adding or self.pk is None:
            return None
        if hasattr(self, "_loaded_status"):
            return self._loaded_status  # type: ignore[no-any-return]
        return Invoice.objects.filter(pk=self.pk).values_list("status", flat=True).first()

    def save(self, *args: Any, **kwargs: Any) -> None:
        stored = self._stored_status()
        if stored is not None and stored != InvoiceStatus.DRAFT:
            update_fields = kwargs.get("update_fields")
            if update_fields is None or not set(update_fields) <= MUTABLE_AFTER_ISSUE:
                raise InvoiceImmutable(
                    f"{self} est émise : elle ne peut plus être modifiée ; corriger par un avoir."
                )
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self._stored_status() not in (None, InvoiceStatus.DRAFT):
            raise InvoiceImmutable(f"{self} est émise : elle ne peut pas être supprimée.")
        return super().delete(*args, **kwargs)


class InvoiceLineQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        if self.exclude(invoice__status=InvoiceStatus.DRAFT).exists():
            raise InvoiceImmutable("Les lignes d'une facture émise ne peuvent pas être modifiées.")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.exclude(invoice__status=InvoiceStatus.DRAFT).exists():
            raise InvoiceImmutable("Les lignes d'une facture émise ne peuvent pas être supprimées.")
        return super().delete()


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField("rang", default=1)
    description = models.CharField("désignation", max_length=500)
    quantity = models.DecimalField("quantité", max_digits=12, decimal_places=3, default=Decimal(1))
    unit = models.CharField("unité", max_length=20, default="C62")  # UN/ECE rec 20: "one"
    # Up to 4 decimals (EN 16931 allows them on unit prices); lines are rounded to the cent.
    unit_price = models.DecimalField(
        "prix unitaire HT", max_digits=16, decimal_places=4, default=ZERO
    )
    vat_rate = models.DecimalField("taux de TVA", max_digits=5, decimal_places=2, default=ZERO)
    amount_excl_vat = money_field("montant HT")
    vat_amount = money_field("TVA")
    amount_incl_vat = money_field("montant TTC")
    # The clause that produced the charge (e.g. "CAN-D2") and its French explanation.
    rule = models.CharField("clause", max_length=30, blank=True)
    explanation = models.TextField("explication", blank=True)

    objects = InvoiceLineQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "ligne de facture"

    def __str__(self) -> str:
        return self.description

    def save(self, *args: Any, **kwargs: Any) -> None:
        status = Invoice.objects.filter(pk=self.invoice_id).values_list("status", flat=True).first()
        if status not in (None, InvoiceStatus.DRAFT):
            raise InvoiceImmutable("Les lignes d'une facture émise ne peuvent pas être modifiées.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.invoice.status != InvoiceStatus.DRAFT:
            raise InvoiceImmutable("Les lignes d'une facture émise ne peuvent pas être supprimées.")
        return super().delete(*args, **kwargs)


class PaymentMethod(models.TextChoices):
    CARD = "card", "Carte bancaire"
    SEPA = "sepa_debit", "Prélèvement SEPA"
    TRANSFER = "transfer", "Virement"
    CHEQUE = "cheque", "Chèque"
    CASH = "cash", "Espèces"


class PaymentStatus(models.TextChoices):
    SUCCEEDED = "succeeded", "Encaissé"
    FAILED = "failed", "Refusé"


class Payment(TenantModel):
    method = models.CharField("moyen", max_length=20, choices=PaymentMethod.choices)
    status = models.CharField(
        "état", max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.SUCCEEDED
    )
    amount = money_field("montant")
    allocated = money_field("affecté")
    received_on = models.DateField("reçu le")
    payer_name = models.CharField("payeur", max_length=255, blank=True)
    reference = models.CharField("référence", max_length=120, blank=True)
    provider_reference = models.CharField(
        "référence du prestataire", max_length=120, null=True, blank=True, unique=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField("note", blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = "paiement"

    def __str__(self) -> str:
        return f"Paiement {self.get_method_display()} {self.amount} € du {self.received_on}"

    @property
    def unallocated(self) -> Decimal:
        return self.amount - self.allocated


class PaymentAllocation(TenantModel):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = money_field("montant")

    class Meta:
        ordering = ["id"]
        verbose_name = "affectation"

    def __str__(self) -> str:
        return f"{self.amount} € → {self.invoice}"


class CheckoutStatus(models.TextChoices):
    OPEN = "open", "En attente du paiement"
    PAID = "paid", "Payée"
    VOIDED = "voided", "Annulée (paiement refusé)"


class OnlineCheckout(TenantModel):
    """An online order's payment at Stripe, in 1, 3 or 4 instalments (PAY-L1)."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="checkouts"
    )
    order_reference = models.CharField("commande", max_length=100, db_index=True)
    amount = money_field("montant TTC")
    instalment_count = models.PositiveSmallIntegerField("échéances", default=1)
    status = models.CharField(
        "état", max_length=20, choices=CheckoutStatus.choices, default=CheckoutStatus.OPEN
    )
    provider_reference = models.CharField("référence Stripe", max_length=120, blank=True, db_index=True)
    payment_url = models.URLField("lien de paiement", max_length=1000, blank=True)
    failure_reason = models.CharField("motif du refus", max_length=255, blank=True)
    # Saved at the first payment: the later instalments are charged off-session with them.
    customer_reference = models.CharField("client Stripe", max_length=120, blank=True)
    payment_method_reference = models.CharField("moyen de paiement enregistré", max_length=120,
                                                blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "paiement en ligne"

    def __str__(self) -> str:
        return f"Commande {self.order_reference} ({self.get_status_display()})"


class Instalment(TimeStampedModel):
    checkout = models.ForeignKey(OnlineCheckout, on_delete=models.CASCADE, related_name="instalments")
    position = models.PositiveSmallIntegerField("rang")
    amount = money_field("montant")
    due_on = models.DateField("échéance")
    paid = models.BooleanField("payée", default=False)
    # One off-session attempt per instalment; a refusal hands over to dunning.
    attempted_on = models.DateField("prélèvement tenté le", null=True, blank=True)
    provider_reference = models.CharField("référence du prélèvement", max_length=120, blank=True)
    failure_reason = models.CharField("motif du refus", max_length=255, blank=True)

    class Meta:
        ordering = ["position"]
        verbose_name = "échéance"
        constraints = [
            models.UniqueConstraint(fields=["checkout", "position"], name="billing_instalment_unique")
        ]

    def __str__(self) -> str:
        return f"Échéance {self.position} : {self.amount} € le {self.due_on}"


class StripeEventStatus(models.TextChoices):
    PROCESSED = "processed", "Traité"
    IGNORED = "ignored", "Ignoré"
    REJECTED = "rejected", "Refusé (voir le détail)"


class StripeEvent(models.Model):
    """One row per Stripe event id: a replayed event finds its row and does nothing."""

    event_id = models.CharField("identifiant", max_length=255, unique=True)
    event_type = models.CharField("type", max_length=100)
    status = models.CharField("état", max_length=20, choices=StripeEventStatus.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField("reçu le")
    detail = models.CharField("résultat", max_length=500, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = "événement Stripe"

    def __str__(self) -> str:
        return f"{self.event_id} {self.event_type}"


class PenaltyAssessment(TenantModel):
    """The late-payment penalty of one overdue invoice as last evaluated by collections."""

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="penalty")
    evaluated_on = models.DateField("évalué le")
    days_late = models.PositiveIntegerField("jours de retard")
    interest = money_field("intérêts de retard")
    recovery_fee = money_field("indemnité forfaitaire")
    rule = models.CharField("clause", max_length=30)
    explanation = models.TextField("explication")

    class Meta:
        verbose_name = "pénalité de retard"

    def __str__(self) -> str:
        return f"{self.invoice}: {self.interest} € + {self.recovery_fee} €"


class DunningStepKind(models.TextChoices):
    REMINDER = "reminder", "Relance"
    FORMAL_NOTICE = "formal_notice", "Mise en demeure"
    ORDER_TO_PAY = "order_to_pay", "Injonction de payer possible"
    SUSPENSION = "suspension", "Suspension de l'accès possible"


class DunningStep(TenantModel):
    """A step of the collection of one invoice; (invoice, step) is unique so a rerun adds nothing."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="dunning_steps")
    step = models.CharField("étape", max_length=20, choices=DunningStepKind.choices)
    reached_on = models.DateField("atteinte le")
    rule = models.CharField("clause", max_length=30)
    explanation = models.TextField("explication")
    # The formal notice letter (PDF), written once by `dunning_letters` or on first download.
    letter_pdf = models.BinaryField("lettre (PDF)", null=True, blank=True, editable=False)
    letter_generated_at = models.DateTimeField("lettre générée le", null=True, blank=True)

    class Meta:
        ordering = ["reached_on", "id"]
        verbose_name = "étape de recouvrement"
        constraints = [
            models.UniqueConstraint(fields=["invoice", "step"], name="billing_dunning_step_unique")
        ]

    def __str__(self) -> str:
        return f"{self.invoice}: {self.get_step_display()} ({self.reached_on})"


class FundingPlan(TenantModel):
    """How a contract is funded beyond the facts the rules core reads (sales `FundingEntry`).

    The entries (OPCO amount and agreement date, CPF rights, France Travail request…) stay
    on the contract, where `ofelia simulate` reads them; the plan adds what only billing
    needs: whether the OPCO pays us directly (subrogation), when the cover was requested,
    who the funders are on an invoice, and whether the FUN-D1 re-billing already ran.
    """

    contract = models.OneToOneField(
        "sales.Contract", on_delete=models.PROTECT, related_name="funding_plan"
    )
    opco_subrogation = models.BooleanField("subrogation de paiement à l'OPCO", default=True)
    opco_requested_on = models.DateField("prise en charge demandée le", null=True, blank=True)
    funder_names = models.JSONField("nom et adresse des financeurs", default=dict, blank=True)
    # FUN-D1: the day the whole price was re-billed to the client (the job runs once).
    client_rebilled_on = models.DateField("refacturé au client le", null=True, blank=True)

    class Meta:
        verbose_name = "plan de financement"

    def __str__(self) -> str:
        return f"Plan de financement du contrat {self.contract_id}"


class RefundStatus(models.TextChoices):
    # Proposed by settlement, not yet scheduled: staff issue the drafts in one step.
    DRAFT = "draft", "Proposé (brouillon)"
    DUE = "due", "À rembourser"
    PAID = "paid", "Remboursé"


class Refund(TenantModel):
    """Money going back to a payer (RET-3 after a retraction, an over-payment after an avoir)."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    contract = models.ForeignKey(
        "sales.Contract", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payee_name = models.CharField("bénéficiaire", max_length=255)
    amount = money_field("montant")
    due_on = models.DateField("à rembourser au plus tard le", null=True, blank=True)
    status = models.CharField("état", max_length=10, choices=RefundStatus.choices,
                              default=RefundStatus.DUE)
    paid_on = models.DateField("remboursé le", null=True, blank=True)
    method = models.CharField("moyen", max_length=20, choices=PaymentMethod.choices, blank=True)
    reference = models.CharField("référence", max_length=120, blank=True)
    # The Stripe refund (re_…) of a refund to a card or SEPA payment: recorded once, whether
    # our call or the `charge.refunded` webhook reports it first.
    provider_reference = models.CharField(
        "référence du prestataire", max_length=120, null=True, blank=True, unique=True
    )
    rule = models.CharField("clause", max_length=30, blank=True)
    explanation = models.TextField("explication", blank=True)
    source_reference = models.CharField("origine", max_length=100, blank=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "remboursement"

    def __str__(self) -> str:
        return f"Remboursement de {fmt_eur(self.amount)} à {self.payee_name}"

    def is_overdue(self, today: Any) -> bool:
        return self.status == RefundStatus.DUE and self.due_on is not None and self.due_on < today


class ClassInvoice(models.Model):
    """The consumption invoice of a virtual class (VCL-6): one per class, so that drafting it
    again (the daily job, a second click) finds it instead of billing twice."""

    virtual_class = models.OneToOneField("hosting.VirtualClass", on_delete=models.PROTECT, related_name="+",
                                         verbose_name="classe virtuelle")
    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="class_link",
                                   verbose_name="facture")

    class Meta:
        verbose_name = "facture de classe virtuelle"

    def __str__(self) -> str:
        return f"{self.invoice} ({self.virtual_class})"


class StoredInvoicePdf(TenantModel):
    """The PDF of an issued invoice or credit note, rendered once and kept as bytes.

    An issued document must read the same forever: it is rendered at issue (or, for a
    document issued before this table existed, at its first download) and every later
    download serves these very bytes. Drafts have no PDF. Kept out of `Invoice` so that
    lists of invoices never carry the bytes.
    """

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="stored_pdf",
                                   verbose_name="pièce")
    content = models.BinaryField("PDF")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)

    class Meta:
        verbose_name = "PDF émis"

    def __str__(self) -> str:
        return f"PDF de {self.invoice_id}"
