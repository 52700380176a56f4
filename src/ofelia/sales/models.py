"""Quotes, contracts (convention / contrat de formation), their events and terms acceptances.

A contract keeps a copy of what was agreed (title, programme, price, dates…) rather than
pointing at the catalogue: the catalogue changes, the signed document does not. It also
keeps the policy id, version and file hash in force at signature (ACC-4).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ofelia.core.models import TenantModel
from ofelia.rules.money import cents
from ofelia.rules.order_payment import OrderPaymentDeadline, order_payment_deadline

from .mentions import CONTRAT, CONVENTION

ZERO = Decimal("0.00")


class ClientKind(models.TextChoices):
    CONSUMER = "consumer", _("Consumer")
    PROFESSIONAL = "professional", _("Professional")


class ContractFormat(models.TextChoices):
    # SIMULATION.md `contract.format`.
    INTER = "inter", _("Inter-company")
    INTRA = "intra", _("Intra-company")
    ELEARNING = "elearning", _("E-learning")
    SERVICE = "service", _("Service")
    PRODUCT = "product", _("Product")
    LONG_SERVICE = "long_service", _("Long-running service")


class Quote(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        CONVERTED = "converted", _("Converted into a contract")

    number = models.CharField(_("number"), max_length=30)
    client_company = models.ForeignKey(
        "organisations.ClientCompany", on_delete=models.PROTECT, null=True, blank=True,
        related_name="quotes", verbose_name=_("client company"),
    )
    consumer = models.ForeignKey(
        "organisations.ConsumerClient", on_delete=models.PROTECT, null=True, blank=True,
        related_name="quotes", verbose_name=_("consumer client"),
    )
    session = models.ForeignKey(
        "catalogue.TrainingSession", on_delete=models.PROTECT, null=True, blank=True,
        related_name="quotes", verbose_name=_("session"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2, default=ZERO)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by_name = models.CharField(_("accepted by"), max_length=255, blank=True)
    acceptance_method = models.CharField(_("acceptance method"), max_length=40, blank=True)
    # When the status last changed (sent, accepted, declined, converted), shown to staff.
    status_changed_at = models.DateTimeField("statut modifié le", null=True, blank=True)
    decline_reason = models.TextField("motif du refus", blank=True)
    # Who the quote is for (D6353-1: the convention names its learners): named learners of
    # the client, or only a head count when the names are not known yet.
    learners = models.ManyToManyField("organisations.Learner", blank=True, related_name="quotes",
                                      verbose_name="stagiaires")
    workforce = models.PositiveIntegerField("effectif (nombre de stagiaires)", null=True,
                                            blank=True, validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="quote_number_unique_per_organisation"),
        ]

    def __str__(self) -> str:
        return f"Devis {self.number}"

    @property
    def client_name(self) -> str:
        return str(self.client_company or self.consumer or "")

    def total_excl_vat(self) -> Decimal:
        return cents(sum((line.amount for line in self.lines.all()), ZERO))

    def total_vat(self) -> Decimal:
        return cents(self.total_excl_vat() * self.vat_rate / 100)

    def total_incl_vat(self) -> Decimal:
        return self.total_excl_vat() + self.total_vat()

    @property
    def acceptance_method_label(self) -> str:
        """The acceptance method in French (the stored value is a code)."""
        methods = dict(TermsAcceptance.Method.choices)
        return str(methods.get(self.acceptance_method, self.acceptance_method))


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(_("description"), max_length=255)
    quantity = models.DecimalField(_("quantity"), max_digits=9, decimal_places=2, default=Decimal(1))
    unit_price = models.DecimalField(_("unit price excl. VAT"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description

    @property
    def amount(self) -> Decimal:
        return cents(self.quantity * self.unit_price)


class Contract(TenantModel):
    class Kind(models.TextChoices):
        CONVENTION = CONVENTION, _("Training agreement (convention)")
        CONTRAT = CONTRAT, _("Training contract (contrat de formation)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        RETRACTED = "retracted", _("Retracted")
        CANCELLED = "cancelled", _("Cancelled")
        ENDED = "ended", _("Ended early")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=30)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    client_company = models.ForeignKey(
        "organisations.ClientCompany", on_delete=models.PROTECT, null=True, blank=True,
        related_name="contracts", verbose_name=_("client company"),
    )
    consumer = models.ForeignKey(
        "organisations.ConsumerClient", on_delete=models.PROTECT, null=True, blank=True,
        related_name="contracts", verbose_name=_("consumer client"),
    )
    session = models.ForeignKey(
        "catalogue.TrainingSession", on_delete=models.PROTECT, related_name="contracts",
        verbose_name=_("session"),
    )
    enrolments = models.ManyToManyField("catalogue.Enrolment", blank=True, related_name="contracts")
    quote = models.ForeignKey(
        Quote, on_delete=models.PROTECT, null=True, blank=True, related_name="contracts"
    )
    purchase_order_ref = models.CharField(_("client purchase order"), max_length=60, blank=True)
    format = models.CharField(_("format"), max_length=12, choices=ContractFormat.choices)
    at_distance = models.BooleanField(_("concluded at distance"), default=False)
    price = models.DecimalField(_("price excl. VAT"), max_digits=10, decimal_places=2,
                                validators=[MinValueValidator(ZERO)])
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2, default=ZERO)
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    deposit = models.DecimalField(_("deposit excl. VAT"), max_digits=10, decimal_places=2, default=ZERO)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    # The terms that govern this contract (ACC-4), fixed at signature.
    policy_id = models.CharField(_("policy"), max_length=60)
    policy_version = models.CharField(_("policy version"), max_length=40, blank=True)
    policy_sha256 = models.CharField(_("policy file SHA-256"), max_length=64, blank=True)
    # What the document says (mentions of D6353-1 / L6353-4).
    title = models.CharField(_("title"), max_length=255)
    objectives = models.TextField(_("objectives"), blank=True)
    programme = models.TextField(_("programme"), blank=True)
    prerequisites = models.TextField(_("prerequisites"), blank=True)
    means = models.TextField(_("teaching and technical means"), blank=True)
    delivery = models.TextField(_("delivery (place, modality, hours)"), blank=True)
    follow_up = models.TextField(_("follow-up of attendance"), blank=True)
    assessment = models.TextField(_("assessment and sanction"), blank=True)
    trainers = models.TextField(_("trainers and their titles"), blank=True)
    payment_terms = models.TextField(_("payment terms"), blank=True)
    early_termination = models.TextField(_("terms on early termination or abandonment"), blank=True)
    workforce = models.PositiveIntegerField(_("number of learners"), default=1)
    # Online orders only (PAY-L1): 3 or 4 monthly instalments, evaluated by the rules core.
    instalments = models.PositiveSmallIntegerField("paiement en plusieurs fois", null=True,
                                                   blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="contract_number_unique_per_organisation"),
            # One live convention per client and session: more learners amend it.
            models.UniqueConstraint(
                fields=["session", "client_company"],
                condition=models.Q(status__in=["draft", "signed"], client_company__isnull=False),
                name="one_live_convention_per_client_and_session",
            ),
            models.UniqueConstraint(
                fields=["session", "consumer"],
                condition=models.Q(status__in=["draft", "signed"], consumer__isnull=False),
                name="one_live_contrat_per_consumer_and_session",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        label = "Convention" if self.kind == CONVENTION else "Contrat"
        return f"{label} {self.number}"

    @property
    def status_label(self) -> str:
        """The status agreeing with the document: « Convention signée », « Contrat signé »."""
        if self.kind == CONVENTION:
            return CONVENTION_STATUS.get(self.status, str(self.get_status_display()))
        return CONTRAT_STATUS.get(self.status, str(self.get_status_display()))

    @property
    def client_kind(self) -> str:
        return ClientKind.PROFESSIONAL if self.kind == CONVENTION else ClientKind.CONSUMER

    @property
    def client(self) -> object:
        return self.client_company if self.kind == CONVENTION else self.consumer

    @property
    def vat_amount(self) -> Decimal:
        return cents(self.price * self.vat_rate / 100)


CONVENTION_STATUS = {"draft": "brouillon", "signed": "signée", "retracted": "rétractée",
                     "cancelled": "annulée", "ended": "terminée avant terme"}
CONTRAT_STATUS = {"draft": "brouillon", "signed": "signé", "retracted": "rétracté",
                  "cancelled": "annulé", "ended": "terminé avant terme"}


class ContractAmendment(TenantModel):
    """An avenant to a signed contract: a learner of the same client joins it. The workforce
    (and, for an inter training priced per learner, the price) before and after are kept;
    the avenant's PDF is what the client countersigns (docs/contracts.md)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="amendments",
                                 verbose_name="contrat")
    number = models.PositiveSmallIntegerField("numéro d'avenant")
    on = models.DateField("date")
    enrolment = models.ForeignKey("catalogue.Enrolment", on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+", verbose_name="inscription ajoutée")
    summary = models.TextField("objet de l'avenant")
    workforce_before = models.PositiveIntegerField("effectif avant")
    workforce_after = models.PositiveIntegerField("effectif après")
    price_before = models.DecimalField("prix HT avant", max_digits=10, decimal_places=2)
    price_after = models.DecimalField("prix HT après", max_digits=10, decimal_places=2)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["contract", "number"]
        verbose_name = "avenant"
        verbose_name_plural = "avenants"
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="amendment_number_unique_per_contract"),
        ]

    def __str__(self) -> str:
        return f"Avenant n° {self.number} à {self.contract}"


class FundingEntry(models.Model):
    """SIMULATION.md `funding[]`: who else pays, with the facts each payer's rule needs."""

    class Payer(models.TextChoices):
        OPCO = "opco", "OPCO"
        CPF = "cpf", "CPF"
        FRANCE_TRAVAIL = "france_travail", "France Travail"
        FAF = "faf", "FAF"
        EMPLOYER = "employer", _("Employer")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="funding")
    payer = models.CharField(_("payer"), max_length=20, choices=Payer.choices)
    amount = models.DecimalField(_("amount excl. VAT"), max_digits=10, decimal_places=2, null=True, blank=True)
    agreement_on = models.DateField(_("agreement received on"), null=True, blank=True)
    rights = models.DecimalField(_("CPF rights"), max_digits=10, decimal_places=2, null=True, blank=True)
    exempt = models.BooleanField(_("exempt from the CPF participation"), default=False)
    requested_on = models.DateField(_("requested on"), null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_payer_display()


class ContractEvent(TenantModel):
    class Type(models.TextChoices):
        RETRACTION = "retraction", "Rétractation du particulier"
        CANCELLATION = "cancellation", "Annulation"
        ABANDONMENT = "abandonment", "Abandon en cours de formation"
        PROVIDER_STOP = "provider_stop", "Arrêt anticipé par l'organisme"
        SCHEDULE_CHANGE = "schedule_change", "Report / changement de dates, d'horaires ou de lieu"
        OPCO_AGREEMENT = "opco_agreement", "Accord de prise en charge de l'OPCO reçu"
        # PRV-D4 follow-up of a schedule change: the client ends the contract or moves.
        SCHEDULE_CHOICE = "schedule_choice", "Réponse du client au changement de dates"
        # Ofelia's own events of the training case (docs/simulation.md).
        FUNDING_REFUSED = "funding_refused", "Refus de prise en charge par un financeur"
        DELIVERY = "delivery", "Fourniture / livraison effectuée"
        RESCISSION = "rescission", "Demande de résolution pour retard de fourniture"
        COMPLAINT = "complaint", "Réclamation du client sur la fourniture"
        REMOTE_SWITCH = "remote_switch", "Passage à distance (circonstances exceptionnelles)"

    class Choice(models.TextChoices):
        END = "end", "mettre fin au contrat"
        MOVE = "move", "reporter à une session ultérieure"

    class By(models.TextChoices):
        CLIENT = "client", "Client"
        PROVIDER = "provider", "Organisme"

    class Reason(models.TextChoices):
        FORCE_MAJEURE = "force_majeure", "Force majeure"
        LEGITIMATE = "legitimate", "Motif légitime reconnu"
        OTHER = "other", "Autre motif"

    class RefusingPayer(models.TextChoices):
        # `funding_refused.payer`: `cpf` is the refused top-up of the CPF (CAN-L1).
        OPCO = "opco", "OPCO"
        FAF = "faf", "FAF"
        FRANCE_TRAVAIL = "france_travail", "France Travail"
        CPF = "cpf", "CPF (abondement)"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="events")
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    on = models.DateField(_("on"))
    by = models.CharField(_("by"), max_length=10, choices=By.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=15, choices=Reason.choices, blank=True)
    hours_attended = models.DecimalField(_("hours attended"), max_digits=7, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    choice = models.CharField("choix du client", max_length=5, choices=Choice.choices, blank=True)
    # CAN-L1: the funder that refuses (funding_refused only).
    payer = models.CharField("financeur qui refuse", max_length=20, choices=RefusingPayer.choices,
                             blank=True)
    moved_to = models.ForeignKey(
        "catalogue.TrainingSession", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name="session de report",
    )
    # An administrator may force what the terms refuse; the reason is kept as evidence.
    forced = models.BooleanField(_("forced by an administrator"), default=False)
    force_reason = models.TextField(_("reason for forcing"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    evaluated_as_of = models.DateField(_("evaluated as of"), null=True, blank=True)
    # The rules core's outcome (outcome_to_json) once this event is taken into account.
    outcome = models.JSONField(_("computed outcome"), default=dict, blank=True)

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("contract event")
        verbose_name_plural = _("contract events")

    def __str__(self) -> str:
        return f"{self.get_type_display()} — {self.on:%d/%m/%Y}"


class TermsAcceptance(TenantModel):
    """Evidence that someone accepted a given version of the terms: who, when, how, which text."""

    class Method(models.TextChoices):
        ONLINE_CHECKBOX = "online_checkbox", _("Checkbox on the website")
        SIGNED_DOCUMENT = "signed_document", _("Signed document")
        SIGNED_QUOTE = "signed_quote", _("Signed quote")
        EMAIL = "email", _("Written acceptance by email")
        ONLINE_EXTRANET = "online_extranet", "acceptation en ligne dans l'espace client"

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="acceptances"
    )
    quote = models.ForeignKey(
        Quote, on_delete=models.PROTECT, null=True, blank=True, related_name="acceptances"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_by_name = models.CharField(_("accepted by"), max_length=255)
    accepted_at = models.DateTimeField(_("accepted at"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    policy_id = models.CharField(_("policy"), max_length=60)
    policy_version = models.CharField(_("policy version"), max_length=40)
    policy_sha256 = models.CharField(_("policy file SHA-256"), max_length=64)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-accepted_at"]
        verbose_name = _("terms acceptance")
        verbose_name_plural = _("terms acceptances")


class Order(TenantModel):
    """An online order of a consumer (LA PORTE ACADÉMIE style), handed to billing for payment.

    Life: created `awaiting_payment` with its signed contrat (terms accepted online); billing
    collects it through `services.order_ready_for_payment(order)` and reports back through
    `order_mark_paid` / `order_void` (wired to billing's `order_paid` / `order_voided`
    signals, matched on `number` = the checkout's `order_reference`).
    """

    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", "en attente de paiement"
        PAID = "paid", "payée"
        VOIDED = "voided", "annulée (paiement refusé)"
        EXPIRED = "expired", "annulée faute de paiement dans le délai"

    number = models.CharField("numéro", max_length=30)
    status = models.CharField("statut", max_length=20, choices=Status.choices,
                              default=Status.AWAITING_PAYMENT)
    consumer = models.ForeignKey("organisations.ConsumerClient", on_delete=models.PROTECT,
                                 related_name="orders", verbose_name="client particulier")
    contract = models.OneToOneField(Contract, on_delete=models.PROTECT, related_name="order",
                                    verbose_name="contrat")
    ordered_at = models.DateTimeField("commandée le")
    amount_excl_vat = models.DecimalField("montant HT", max_digits=10, decimal_places=2)
    amount_incl_vat = models.DecimalField("montant TTC", max_digits=10, decimal_places=2)
    instalments = models.PositiveSmallIntegerField("nombre d'échéances", default=1)
    terms_acceptance = models.ForeignKey(TermsAcceptance, on_delete=models.PROTECT,
                                         related_name="+", verbose_name="acceptation des CGV")
    # RET-5: express consent to immediate access to digital content and acknowledgement
    # that the retraction right is lost on first access, recorded before that access.
    digital_consent_at = models.DateTimeField("consentement exprès (contenu numérique)",
                                              null=True, blank=True)
    digital_consent_text = models.TextField("texte accepté", blank=True)
    paid_at = models.DateTimeField("payée le", null=True, blank=True)
    voided_reason = models.CharField("motif d'annulation", max_length=255, blank=True)
    # What billing paid back (a retraction, RET-3), as the consumer's card tells it.
    refunded_amount = models.DecimalField("montant remboursé", max_digits=10, decimal_places=2,
                                          default=0)
    refunded_on = models.DateField("remboursée le", null=True, blank=True)

    class Meta:
        ordering = ["-ordered_at", "-id"]
        verbose_name = "commande en ligne"
        verbose_name_plural = "commandes en ligne"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"],
                                    name="order_number_unique_per_organisation"),
        ]
        indexes = [models.Index(fields=["organisation", "status"])]

    @property
    def payment_deadline(self) -> OrderPaymentDeadline:
        """The day this order must be paid by (the organisation's delay), from the rules core."""
        from django.utils import timezone

        from ofelia.core import clock

        return order_payment_deadline(
            ordered_on=timezone.localdate(self.ordered_at),
            days=self.organisation.order_payment_days, session_start=self.contract.start_date,
            today=clock.today())

    def __str__(self) -> str:
        return f"Commande {self.number}"


class AccessLink(TenantModel):
    """The personal extranet link of the Mi4 terms: one live link per person, expiring,
    revocable. Only the SHA-256 of the secret is stored; the link is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="access_links", verbose_name="personne")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField("expire le")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    revoked_reason = models.CharField("motif de révocation", max_length=30, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "lien d'accès personnel"
        verbose_name_plural = "liens d'accès personnels"
        constraints = [
            # One live link per person and organisation.
            models.UniqueConstraint(fields=["organisation", "user"],
                                    condition=models.Q(revoked_at__isnull=True),
                                    name="one_live_access_link_per_person"),
        ]

    def __str__(self) -> str:
        return f"Lien d'accès de {self.user}"
