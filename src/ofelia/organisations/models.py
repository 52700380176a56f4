"""Tenants, people and their roles, client companies and consumer clients."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from ofelia.core.models import TenantModel, TenantQuerySet, TimeStampedModel

from .validators import validate_bic, validate_iban, validate_nda, validate_phone, validate_siret


class Civility(models.TextChoices):
    MADAME = "mme", _("Ms")
    MONSIEUR = "m", _("Mr")


class AddressFields(models.Model):
    """A postal address and a billing address (ACC-1 asks for both)."""

    address_line1 = models.CharField(_("address"), max_length=255, blank=True)
    address_line2 = models.CharField(_("address (continued)"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=2, default="FR")
    billing_line1 = models.CharField(_("billing address"), max_length=255, blank=True)
    billing_line2 = models.CharField(_("billing address (continued)"), max_length=255, blank=True)
    billing_postal_code = models.CharField(_("billing postal code"), max_length=10, blank=True)
    billing_city = models.CharField(_("billing city"), max_length=120, blank=True)
    billing_country = models.CharField(_("billing country"), max_length=2, default="FR")

    class Meta:
        abstract = True

    @property
    def postal_address(self) -> str:
        lines = [self.address_line1, self.address_line2, f"{self.postal_code} {self.city}".strip()]
        return "\n".join(line for line in lines if line)

    @property
    def postal_address_line(self) -> str:
        """The postal address on one line (page footers)."""
        return ", ".join(self.postal_address.splitlines())

    @property
    def billing_address(self) -> str:
        lines = [
            self.billing_line1,
            self.billing_line2,
            f"{self.billing_postal_code} {self.billing_city}".strip(),
        ]
        text = "\n".join(line for line in lines if line)
        return text or self.postal_address


class Organisation(AddressFields, TimeStampedModel):
    """A training organisation (organisme de formation): one tenant."""

    class VatStatus(models.TextChoices):
        SUBJECT = "subject", _("Subject to VAT")
        TRAINING_EXEMPT = "training_exempt", _("VAT exemption for vocational training (art. 261-4-4° a CGI)")

    class HolidayCalendar(models.TextChoices):
        NATIONAL = "national", _("National")
        ALSACE_MOSELLE = "alsace-moselle", _("Alsace-Moselle")

    legal_name = models.CharField(_("legal name"), max_length=255)
    display_name = models.CharField(_("display name"), max_length=120, blank=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    legal_form = models.CharField(_("legal form"), max_length=60, blank=True)
    share_capital = models.CharField(_("share capital"), max_length=60, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, validators=[validate_siret])
    rcs = models.CharField(_("trade register (RCS)"), max_length=120, blank=True)
    nda_number = models.CharField(
        _("activity declaration number (NDA)"),
        max_length=11,
        blank=True,
        validators=[validate_nda],
        help_text=_("11 digits, registered with the regional prefect."),
    )
    nda_region = models.CharField(_("NDA region"), max_length=120, blank=True)
    vat_status = models.CharField(
        _("VAT status"), max_length=20, choices=VatStatus.choices, default=VatStatus.TRAINING_EXEMPT
    )
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    legal_mentions = models.TextField(_("legal mentions"), blank=True)
    holiday_calendar = models.CharField(
        _("holiday calendar"),
        max_length=20,
        choices=HolidayCalendar.choices,
        default=HolidayCalendar.NATIONAL,
    )
    time_zone = models.CharField(_("time zone"), max_length=60, default="Europe/Paris")
    policy_id = models.SlugField(
        _("terms policy"), max_length=60, blank=True, help_text=_("For example: dixneuf.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Bank account clients pay by transfer into (printed with the EPC QR code on « Payer »).
    bank_account_holder = models.CharField("titulaire du compte", max_length=70, blank=True)
    iban = models.CharField("IBAN", max_length=34, blank=True, validators=[validate_iban])
    bic = models.CharField("BIC", max_length=11, blank=True, validators=[validate_bic])
    # An online order unpaid this many days after it was placed frees its seat.
    order_payment_days = models.PositiveSmallIntegerField(
        "délai de paiement des commandes en ligne (jours)", default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Passé ce délai sans paiement, la commande est annulée et la place libérée.")
    # LRN-6: set by the platform operator when the company stops its activity (or closes its
    # accounts after dissolution); learners keep access at least the policy's months after it.
    activity_stopped_on = models.DateField(
        "arrêt d'activité le", null=True, blank=True,
        help_text="Saisi par l'opérateur de la plateforme : l'accès des stagiaires à leurs "
                  "formations est maintenu au moins 12 mois après (LRN-6).")

    class Meta:
        ordering = ["legal_name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.display_name or self.legal_name

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.normalise_identifiers()
        super().save(*args, **kwargs)

    def normalise_identifiers(self) -> None:
        # Stored without spaces (as printed on documents) so that look-ups and checks agree.
        self.siret = "".join(self.siret.split())
        self.nda_number = "".join(self.nda_number.split())
        self.vat_number = "".join(self.vat_number.split()).upper()
        self.iban = "".join(self.iban.split()).upper()
        self.bic = "".join(self.bic.split()).upper()

    @property
    def iban_display(self) -> str:
        """The IBAN in groups of four, as banks print it."""
        return " ".join(self.iban[i:i + 4] for i in range(0, len(self.iban), 4))

    @property
    def takes_transfers(self) -> bool:
        return bool(self.iban and self.bic and (self.bank_account_holder or self.legal_name))

    def full_clean(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.normalise_identifiers()
        super().full_clean(*args, **kwargs)


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    STAFF = "staff", _("Administrative staff")
    TRAINER = "trainer", _("Trainer")
    CLIENT_CONTACT = "client_contact", _("Client company contact")
    LEARNER = "learner", _("Learner")
    CONSUMER = "consumer", _("Consumer client")


STAFF_ROLES = frozenset({Role.ADMINISTRATOR, Role.STAFF})
EXTRANET_ROLES = frozenset({Role.TRAINER, Role.CLIENT_CONTACT, Role.LEARNER, Role.CONSUMER})


class BpfClientCategory(models.TextChoices):
    """What kind of buyer a client company is, for cadre C of the BPF (cerfa 10443)."""

    COMPANY = "company", "Entreprise (formation de ses salariés)"
    PUBLIC_BODY = "public_body", "Employeur public (formation de ses agents)"
    TRAINING_ORGANISATION = "training_organisation", "Autre organisme de formation (sous-traitance)"
    OTHER = "other", "Autre"


class ClientCompany(AddressFields, TenantModel):
    """A company that buys trainings for its employees (convention de formation)."""

    name = models.CharField(_("company name"), max_length=255)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    contact_name = models.CharField(_("main contact"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Empty: not said yet, counted as a company in the BPF and listed by its checker.
    bpf_category = models.CharField("catégorie (bilan pédagogique et financier)", max_length=30,
                                    choices=BpfClientCategory.choices, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("client company")
        verbose_name_plural = _("client companies")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "siret"],
                condition=~models.Q(siret=""),
                name="client_company_siret_unique_per_organisation",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    """A user's role in one organisation. A user may belong to several organisations."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # For client contacts (and learners sent by their employer): the company they act for.
    company = models.ForeignKey(
        ClientCompany,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("client company"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # ACC-2: why an administrator suspended the account (e.g. suspicion of fraud); empty
    # when active or simply revoked.
    suspension_reason = models.CharField(_("suspension reason"), max_length=300, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__legal_name", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_one_role_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES


class Person(AddressFields, TenantModel):
    """Identity fields shared by consumer clients and learners (RULES.md ACC-1)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user account"),
    )
    civility = models.CharField(_("civility"), max_length=3, choices=Civility.choices)
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])

    class Meta:
        abstract = True
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ConsumerClient(Person):
    """A private individual who buys a training (contrat de formation)."""

    terms_accepted_at = models.DateTimeField(_("terms accepted at"), null=True, blank=True)
    terms_policy = models.CharField(_("terms accepted (policy)"), max_length=60, blank=True)

    class Meta(Person.Meta):
        verbose_name = _("consumer client")
        verbose_name_plural = _("consumer clients")
        constraints = [
            # One consumer client per e-mail within an organisation, whatever the case.
            models.UniqueConstraint(
                Lower("email"), "organisation", name="consumer_client_email_unique_per_organisation",
                violation_error_message="Un client particulier de l'organisme a déjà cette adresse e-mail.",
            )
        ]
        # The staff list pages by name without sorting the whole organisation.
        indexes = [models.Index(fields=["organisation", "last_name", "first_name", "id"],
                                name="consumer_client_by_name")]


class Learner(Person):
    """A trainee (stagiaire), sent by a company, buying for themselves, or funded."""

    company = models.ForeignKey(
        ClientCompany,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="learners",
        verbose_name=_("employer"),
    )
    consumer = models.ForeignKey(
        ConsumerClient,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="learners",
        verbose_name=_("consumer client"),
    )

    class Meta(Person.Meta):
        verbose_name = _("learner")
        verbose_name_plural = _("learners")
        constraints = [
            # One learner per e-mail within an organisation, whatever the case.
            models.UniqueConstraint(
                Lower("email"), "organisation", name="learner_email_unique_per_organisation",
                violation_error_message="Un apprenant de l'organisme a déjà cette adresse e-mail.",
            )
        ]
        # The staff list pages by name without sorting the whole organisation (100 000 learners).
        indexes = [models.Index(fields=["organisation", "last_name", "first_name", "id"],
                                name="learner_by_name")]


class CompanyContact(TenantModel):
    """A person at a client company (buyer, HR, accounts). Not a Person: no postal address
    and no ACC-1 identity; may be invited to the extranet as a `client_contact` member."""

    company = models.ForeignKey(
        ClientCompany, on_delete=models.CASCADE, related_name="contacts", verbose_name="entreprise"
    )
    civility = models.CharField("civilité", max_length=3, choices=Civility.choices, blank=True)
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    email = models.EmailField("courriel", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True, validators=[validate_phone])
    function = models.CharField("fonction", max_length=120, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="compte utilisateur",
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = "contact d'entreprise"
        verbose_name_plural = "contacts d'entreprise"
        constraints = [
            models.UniqueConstraint(
                Lower("email"), "company", condition=~models.Q(email=""),
                name="company_contact_email_unique_per_company",
                violation_error_message="Un contact de cette entreprise a déjà cette adresse e-mail.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
