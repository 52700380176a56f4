"""The bilan pédagogique et financier (cerfa 10443) as plain rows and sums: no Django here.

`ofelia.quality.selectors` reads the invoices and enrolments of a civil year into the
rows below; this module says on which line of the form each row lands and adds them up,
keeping the ids of the rows counted by every line (the drill-down pages list them). The
readings (which payer is which line, who is a « salarié », hours from attendance or
planned) are in docs/quality.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0.00")

# Cadre C — origine des produits (excl. VAT, credit notes deducted).
PRODUCT_LINES: tuple[tuple[str, str], ...] = (
    ("C1", "Entreprises pour la formation de leurs salariés"),
    ("C2e", "Organismes gestionnaires des fonds : compte personnel de formation (Caisse des Dépôts)"),
    ("C2g", "Organismes gestionnaires des fonds : travailleurs non-salariés (FAF)"),
    ("C2h", "Organismes gestionnaires des fonds : plan de développement des compétences et "
            "autres dispositifs (OPCO)"),
    ("C3", "Pouvoirs publics pour la formation de leurs agents"),
    ("C7", "France Travail (personnes en recherche d'emploi)"),
    ("C9", "Contrats conclus avec des personnes à titre individuel et à leurs frais"),
    ("C10", "Contrats conclus avec d'autres organismes de formation (sous-traitance)"),
    ("C11", "Autres produits au titre de la formation professionnelle"),
)

# Cadre F-1 — type de stagiaires.
TRAINEE_LINES: tuple[tuple[str, str], ...] = (
    ("F1a", "Salariés d'employeurs privés hors apprentis"),
    ("F1b", "Apprentis"),
    ("F1c", "Personnes en recherche d'emploi formées par votre organisme"),
    ("F1d", "Particuliers à leurs propres frais formés par votre organisme"),
    ("F1e", "Autres stagiaires"),
)

# Cadre F-3 — objectif général des prestations (the training's `bpf_objective`).
OBJECTIVE_LINES: tuple[tuple[str, str], ...] = (
    ("F3a_rncp_6_8", "Certification RNCP de niveau 6 à 8"),
    ("F3a_rncp_5", "Certification RNCP de niveau 5"),
    ("F3a_rncp_4", "Certification RNCP de niveau 4"),
    ("F3a_rncp_3", "Certification RNCP de niveau 3"),
    ("F3a_rncp_2", "Certification RNCP de niveau 2"),
    ("F3a_rncp_cqp", "CQP enregistré au RNCP sans niveau"),
    ("F3b_rs", "Certification ou habilitation du répertoire spécifique"),
    ("F3c_cqp", "CQP non enregistré"),
    ("F3d_other", "Autres formations professionnelles"),
    ("F3e_skills_assessment", "Bilans de compétences"),
    ("F3f_vae", "Actions d'accompagnement à la VAE"),
)
OBJECTIVE_CODES = {code.split("_", 1)[1]: code for code, _ in OBJECTIVE_LINES}

# Cadres F-2 and G — subcontracting, both ways.
SUBCONTRACTING_LINES: tuple[tuple[str, str], ...] = (
    ("F2", "Formations confiées par votre organisme à un autre organisme de formation"),
    ("G", "Formations confiées à votre organisme par un autre organisme de formation"),
)

LABELS = {code: label for lines in (PRODUCT_LINES, TRAINEE_LINES, OBJECTIVE_LINES,
                                    SUBCONTRACTING_LINES) for code, label in lines}
LABELS.update({"F1_foad": "dont stagiaires ayant suivi une action en tout ou partie à distance",
               "F1_total": "Total des stagiaires", "C_total": "Total des produits"})

# payer kind of the invoice → line (the client and employer lines depend on the buyer).
_PAYER_LINES = {"opco": "C2h", "cpf": "C2e", "faf": "C2g", "france_travail": "C7",
                "learner": "C9"}
_COMPANY_LINES = {"": "C1", "company": "C1", "public_body": "C3",
                  "training_organisation": "C10", "other": "C11"}
REMOTE_MODALITIES = frozenset({"remote", "elearning", "virtual_class", "blended"})


@dataclass(frozen=True)
class InvoiceRow:
    id: int
    number: str
    is_credit_note: bool
    payer_kind: str
    buyer_kind: str
    buyer_name: str
    company_id: int | None
    company_category: str  # the client company's `bpf_category` ("" when not said)
    amount_excl_vat: Decimal

    @property
    def signed_amount(self) -> Decimal:
        return -self.amount_excl_vat if self.is_credit_note else self.amount_excl_vat


def product_line(row: InvoiceRow) -> str:
    """The cadre C line of an invoice or credit note, from who pays and who buys."""
    if row.payer_kind in _PAYER_LINES:
        return _PAYER_LINES[row.payer_kind]
    if row.buyer_kind == "consumer":
        return "C9"
    return _COMPANY_LINES.get(row.company_category, "C1")


def product_missing(row: InvoiceRow) -> str:
    """Why the line of this invoice is a guess ("" when the data says it)."""
    if row.payer_kind in _PAYER_LINES or row.buyer_kind == "consumer":
        return ""
    if row.company_id is None:
        return "facture à un professionnel sans entreprise cliente liée : comptée en « entreprises »"
    if not row.company_category:
        return "catégorie BPF de l'entreprise cliente non renseignée : comptée en « entreprises »"
    return ""


@dataclass(frozen=True)
class EnrolmentRow:
    id: int
    learner: str
    session_id: int
    training: str
    objective: str  # the training's `bpf_objective` ("" when not said)
    remote: bool
    subcontracted: bool  # the session is delivered by another organisation (F-2)
    has_company: bool  # the learner is sent by a client company
    contract_kind: str  # "convention", "contrat" or "" (no contract)
    company_category: str  # the contract's client company category
    funders: frozenset[str]  # payers of the contract's funding plan
    hours: Decimal
    attended_hours: bool  # every half-day of the year counted has a closed sheet


def trainee_line(row: EnrolmentRow) -> str:
    """F-1: job seekers are those France Travail funds; a company's learners are employees
    unless their employer is a public body or a training organisation (then « autres »);
    a consumer's contract without an employer is « à leurs propres frais » unless a funder
    (CPF) pays."""
    if "france_travail" in row.funders:
        return "F1c"
    if row.contract_kind == "convention" or (row.has_company and row.contract_kind != "contrat"):
        return "F1e" if row.company_category in ("public_body", "training_organisation",
                                                 "other") else "F1a"
    if row.has_company:
        return "F1a"
    if row.contract_kind == "contrat":
        return "F1e" if row.funders & {"cpf", "opco", "faf"} else "F1d"
    return "F1e"


def objective_line(row: EnrolmentRow) -> str:
    return OBJECTIVE_CODES.get(row.objective, "F3d_other")


@dataclass
class Figure:
    """One line: an amount (cadre C) or trainees and hours (cadres F, G), and its rows."""

    code: str
    label: str
    amount: Decimal = ZERO
    trainees: int = 0
    hours: Decimal = ZERO
    ids: list[int] = field(default_factory=list)


@dataclass
class Report:
    year: int
    products: list[Figure]
    trainees: list[Figure]
    objectives: list[Figure]
    subcontracting: list[Figure]
    products_total: Figure
    trainees_total: Figure
    remote: Figure

    def figures(self) -> dict[str, Figure]:
        every = [*self.products, *self.trainees, *self.objectives, *self.subcontracting,
                 self.products_total, self.trainees_total, self.remote]
        return {f.code: f for f in every}


def _figures(lines: Iterable[tuple[str, str]]) -> dict[str, Figure]:
    return {code: Figure(code, label) for code, label in lines}


def _count(figure: Figure, row: EnrolmentRow) -> None:
    figure.trainees += 1
    figure.hours += row.hours
    figure.ids.append(row.id)


def compute(year: int, invoices: Iterable[InvoiceRow], enrolments: Iterable[EnrolmentRow]
            ) -> Report:
    products = _figures(PRODUCT_LINES)
    total = Figure("C_total", LABELS["C_total"])
    for invoice in invoices:
        for figure in (products[product_line(invoice)], total):
            figure.amount += invoice.signed_amount
            figure.ids.append(invoice.id)
    trainees, objectives = _figures(TRAINEE_LINES), _figures(OBJECTIVE_LINES)
    subcontracting = _figures(SUBCONTRACTING_LINES)
    trainees_total = Figure("F1_total", LABELS["F1_total"])
    remote = Figure("F1_foad", LABELS["F1_foad"])
    for row in enrolments:
        _count(trainees[trainee_line(row)], row)
        _count(trainees_total, row)
        _count(objectives[objective_line(row)], row)
        if row.remote:
            _count(remote, row)
        if row.subcontracted:
            _count(subcontracting["F2"], row)
        if row.company_category == "training_organisation":
            _count(subcontracting["G"], row)
    return Report(year=year, products=list(products.values()), trainees=list(trainees.values()),
                  objectives=list(objectives.values()),
                  subcontracting=list(subcontracting.values()), products_total=total,
                  trainees_total=trainees_total, remote=remote)


def invoice_codes() -> frozenset[str]:
    return frozenset({code for code, _ in PRODUCT_LINES} | {"C_total"})
