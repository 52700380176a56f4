"""The declarative schema of policy parameters: which clause takes which parameters.

A policy file has one `[rules.<RULE-ID>]` table per clause. Besides `article` (required)
and `summary`, the table's keys are the clause's parameters. When the rule id has a
`RuleSpec` in `PARAM_SPECS`, `parse_policy` checks every parameter against it and hands
the engine typed values:

| kind      | TOML value                        | value in `Clause.params`              |
|-----------|-----------------------------------|---------------------------------------|
| `int`     | integer                           | `int`                                 |
| `decimal` | string or integer ("40.00", 40)   | `Decimal` (a TOML float is refused)   |
| `percent` | string or integer, 0 to 100       | `Decimal`                             |
| `bool`    | boolean                           | `bool`                                |
| `str`     | string                            | `str`                                 |
| `enum`    | string among `choices`            | `str`                                 |
| `date`    | TOML date or "YYYY-MM-DD"         | `datetime.date`                       |
| `list`    | array of `item` values            | `tuple` of converted items            |
| `bands`   | array of tables `{min, max, ...}` | `tuple` of `Band`                     |
| `table`   | table; `fields` when given        | read-only mapping of converted values |

Bands split an integer quantity (days, jours francs...) into consecutive ranges, both
bounds inclusive; `min` omitted means "no lower bound", `max` omitted "no upper bound".
They must leave no gap and no overlap, start at 0 or below (or have no `min`) and end
without `max`, so that every value falls in exactly one band (see `check_bands`).

`role` marks the parameters the linter reads for its warnings whatever their name:
`late_rate` (one late-interest rate component; on a list, each item is one component),
`legal_multiplier` (a multiple of the legal interest rate), `recovery_fee`,
`retraction_days`, `notice_months`. Rule ids without a spec keep their raw TOML values
(floats refused), so a family can ship its tables before its spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

Kind = Literal["int", "decimal", "percent", "bool", "str", "enum", "date", "list", "bands", "table"]

Role = Literal["late_rate", "legal_multiplier", "recovery_fee", "retraction_days", "notice_months"]


@dataclass(frozen=True)
class Param:
    kind: Kind
    required: bool = True
    choices: tuple[str, ...] = ()  # enum
    item: Param | None = None  # list: the kind of each item
    fields: Mapping[str, Param] | None = None  # bands (value columns) and table
    minimum: Decimal | int | None = None  # int / decimal
    role: Role | None = None
    help: str = ""


@dataclass(frozen=True)
class RuleSpec:
    params: Mapping[str, Param] = field(default_factory=dict)
    help: str = ""


@dataclass(frozen=True)
class Band:
    """One range of a banded parameter: `low <= n <= high` (None = unbounded)."""

    low: int | None
    high: int | None
    values: Mapping[str, object]

    def contains(self, n: int) -> bool:
        return (self.low is None or n >= self.low) and (self.high is None or n <= self.high)


def band_for(bands: tuple[Band, ...], n: int) -> Band:
    """The band that contains `n` (the policy was checked: exactly one does)."""
    for band in bands:
        if band.contains(n):
            return band
    raise LookupError(f"aucune tranche ne contient {n}")


# Every rule id of RULES.md. A clause id outside this list must start with "X-" (an
# organisation's own clause, free parameters); anything else is a policy error.
KNOWN_RULE_IDS: tuple[str, ...] = (
    "CAL-1", "CAL-2", "CAL-3", "CAL-4", "CAL-5", "CAL-6",
    "RET-1", "RET-2", "RET-3", "RET-4", "RET-5", "RET-6",
    "PAY-D1", "PAY-D2", "PAY-L1", "PAY-F1", "PAY-V1",
    "PEN-1", "PEN-2", "PEN-D1", "PEN-D2", "PEN-F1", "PEN-V1", "PEN-2b",
    "CAN-D1", "CAN-D2", "CAN-F1", "CAN-F2", "CAN-F3", "CAN-V1", "CAN-L1",
    "ABD-D1", "ABD-D2", "PRV-D1", "PRV-D2", "PRV-D3", "PRV-D4", "PRV-F1", "PRV-X",
    "FUN-D1", "FUN-L1", "FUN-L2", "FUN-L3", "FUN-L4",
    "LRN-1", "LRN-2", "LRN-3", "LRN-4", "LRN-5", "LRN-6",
    "ACC-1", "ACC-2", "ACC-3", "ACC-4", "ACC-5", "ACC-6", "ACC-7", "ACC-8", "ACC-9", "ACC-10",
    "VCL-1", "VCL-2", "VCL-3", "VCL-4", "VCL-5", "VCL-6", "VCL-7", "VCL-8",
    "SUP-1", "SUP-2",
)  # fmt: skip

OWN_CLAUSE_PREFIX = "X-"


def bands(**fields: Param) -> Param:
    """A banded parameter whose bands carry these value columns."""
    return Param("bands", fields=fields)


PARAM_SPECS: dict[str, RuleSpec] = {}

# --- R1 (SUP, ACC, LRN-5)
# Read by ofelia.rules.tickets and ofelia.rules.accounts. Business-time durations are
# whole minutes (CAL-5); "opens"/"closes" ("HH:MM", Europe/Paris) default to 08:30–18:00.

_SUP_PRIORITY = Param("table", fields={
    "label": Param("str", required=False, help="libellé français de la priorité"),
    "take_charge_minutes": Param("int", minimum=1, help="délai de prise en charge"),
    "workaround_minutes": Param("int", required=False, minimum=1,
                                help="délai de contournement (absent : sans objet)"),
    "resolution_minutes": Param("int", minimum=1, help="délai de résolution finale"),
})

PARAM_SPECS.update({
    "SUP-1": RuleSpec(params={
        "opens": Param("str", required=False, help="ouverture du support, HH:MM"),
        "closes": Param("str", required=False, help="fermeture du support, HH:MM"),
        "priorities": Param("table", fields={
            "critical": _SUP_PRIORITY, "important": _SUP_PRIORITY, "minor": _SUP_PRIORITY,
        }),
    }, help="délais de support en heures ouvrées, par priorité"),
    "SUP-2": RuleSpec(help="un délai manqué est un manquement, rapporté par client et par mois"),
    "ACC-3": RuleSpec(params={
        "notice_hours": Param("int", minimum=0, help="préavis de maintenance en heures"),
        "emergency_exempt": Param("bool", help="l'urgence dispense du préavis"),
    }),
    "ACC-4": RuleSpec(params={
        "mode": Param("enum", choices=("notice", "version_at_signature"),
                      help="notice : la modification s'applique N mois après notification ; "
                           "version_at_signature : la version signée régit le contrat"),
        "notice_months": Param("int", required=False, minimum=0, role="notice_months"),
    }),
    "ACC-8": RuleSpec(params={
        "notify_within_business_hours": Param("int", minimum=1,
                                              help="information du client, heures ouvrées"),
    }),
    "LRN-5": RuleSpec(params={
        "inactivity_years": Param("int", minimum=1,
                                  help="années sans connexion après la fin de la formation"),
    }),
})

# --- R2 (RET, PAY, PEN, CAN-D/F, ABD, PRV, FUN)
# Read by ofelia.rules.training*. `applies_to` restricts a clause to some clients and
# formats (absent: every contract); `article_by_client` names the article of each part
# of the terms when the clause sits in both (DIXNEUF Partie 1 / Partie 2).

CLIENTS = ("consumer", "professional")
FORMATS = ("inter", "intra", "elearning", "service", "product", "long_service")
PAYERS = ("client", "learner", "opco", "cpf", "france_travail", "faf", "employer")
REASONS = ("force_majeure", "legitimate", "other")


def _r2_common(**params: Param) -> RuleSpec:
    base: dict[str, Param] = {
        "applies_to": Param("table", required=False, fields={
            "client": Param("list", required=False, item=Param("enum", choices=CLIENTS)),
            "format": Param("list", required=False, item=Param("enum", choices=FORMATS)),
        }, help="clients et formats auxquels la clause s'applique"),
        "article_by_client": Param("table", required=False, fields={
            "consumer": Param("str", required=False),
            "professional": Param("str", required=False),
        }, help="article cité selon le type de client"),
    }
    base.update(params)
    return RuleSpec(params=base)


_DAYS = Param("int", minimum=0)
_DUE = Param("int", minimum=0, help="jours entre la facture et son échéance (0 : à réception)")
_PRICE_DUE = Param("enum", required=False, choices=("order", "start", "end", "invoice"),
                   help="quand le prix (ou son solde) est exigible")
_RATE = Param("table", fields={
    "base": Param("enum", choices=("legal", "ecb")),
    "multiplier": Param("decimal", required=False, minimum=Decimal(0)),
    "plus_points": Param("decimal", required=False, minimum=Decimal(0)),
})
_CANCELLATION = _r2_common(
    when=Param("enum", required=False, choices=("before_start", "during_performance")),
    measure=Param("enum", choices=("jours_francs", "calendar_days")),
    bands=bands(percent=Param("percent")),
    excused_reasons=Param("list", required=False, item=Param("enum", choices=REASONS)),
    deposit_kept=Param("bool", required=False),
    compensation=Param("bool", required=False, help="indemnité sans TVA"),
    funders_owe_nothing=Param("bool", required=False),
    whole_price_formats=Param("list", required=False, item=Param("enum", choices=FORMATS)),
)
_ABANDONMENT = _r2_common(
    reasons=Param("list", item=Param("enum", choices=REASONS)),
    pays=Param("enum", choices=("prorata", "whole_price")),
    compensation_percent=Param("percent", required=False),
)
_PENALTY = _r2_common(
    rates=Param("list", item=_RATE, role="late_rate"),
    recovery_fee=Param("bool"),
    grace_days_after_invoice=Param("int", required=False, minimum=0),
    count_from=Param("enum", required=False, choices=("due_date", "invoice")),
    order_to_pay_after_days=Param("int", required=False, minimum=0),
    formal_notice_required=Param("bool", required=False),
    suspension_after_notice_days=Param("int", required=False, minimum=0),
)
_FUNDERS = Param("list", item=Param("enum", choices=PAYERS))

PARAM_SPECS.update({
    "RET-1": _r2_common(days=Param("int", minimum=0, role="retraction_days")),
    "RET-2": _r2_common(days=Param("int", minimum=0, role="retraction_days"),
                        requires_at_distance=Param("bool")),
    "RET-3": _r2_common(refund_within_days=_DAYS),
    "RET-4": _r2_common(),
    "PAY-D1": _r2_common(invoice_due_days=_DUE, price_due=_PRICE_DUE,
                         first_payment_max_percent=Param("percent"),
                         no_payment_before_retraction_end=Param("bool", required=False)),
    "PAY-D2": _r2_common(invoice_due_days=_DUE, price_due=_PRICE_DUE),
    "PAY-L1": _r2_common(invoice_due_days=_DUE, price_due=_PRICE_DUE,
                         instalment_counts=Param("list", item=Param("int", minimum=2)),
                         instalment_threshold=Param("decimal", minimum=Decimal(0))),
    "PAY-F1": _r2_common(invoice_due_days=_DUE, price_due=_PRICE_DUE,
                         deposit_percent=Param("percent")),
    "PAY-V1": _r2_common(invoice_due_days=_DUE, price_due=_PRICE_DUE),
    "PEN-D1": _PENALTY, "PEN-D2": _PENALTY, "PEN-F1": _PENALTY, "PEN-V1": _PENALTY,
    "CAN-D1": _CANCELLATION, "CAN-F1": _CANCELLATION, "CAN-F2": _CANCELLATION,
    "CAN-F3": _r2_common(days_before=_DAYS),
    "ABD-D1": _ABANDONMENT, "ABD-D2": _ABANDONMENT, "CAN-D2": _ABANDONMENT,
    "PRV-D1": _r2_common(jours_francs=_DAYS),
    "PRV-D2": _r2_common(),
    "PRV-D3": _r2_common(),
    "PRV-D4": _r2_common(end_until_jours_francs=_DAYS),
    "PRV-F1": _r2_common(
        delay_months=Param("int", minimum=1,
                           help="retard de fourniture au-delà duquel le client peut demander la "
                                "résolution (mois calendaires, CAL-6)"),
        complaint_days=Param("int", minimum=0,
                             help="jours après la fourniture pour émettre réserves et réclamations"),
    ),
    "PRV-X": _r2_common(),
    "CAN-L1": _r2_common(refusals=Param("list", item=Param("table", fields={
        "payer": Param("enum", choices=("opco", "faf", "france_travail"),
                       help="financeur dont le refus est visé (france_travail : abondement du CPF)"),
        "effect": Param("enum", choices=("whole_price", "order_kept", "pay_or_cancel"),
                        help="whole_price : tout le prix dû par le client ; order_kept : ni "
                             "annulation ni remboursement ; pay_or_cancel : le client paie le "
                             "reste ou annule"),
        "article": Param("str", help="article cité pour ce refus"),
    }))),
    "FUN-D1": _r2_common(payers=_FUNDERS, agreement_days_after_start=_DAYS,
                         remainder_due_days=_DUE),
    "FUN-L1": _r2_common(payers=_FUNDERS,
                         exempt_with_payers=Param("list", required=False,
                                                  item=Param("enum", choices=PAYERS))),
    "FUN-L2": _r2_common(payers=_FUNDERS, working_days=_DAYS),
    "FUN-L3": _r2_common(payers=_FUNDERS, remainder_due_days=_DUE),
    "FUN-L4": _r2_common(payers=_FUNDERS,
                         not_with_payers=Param("list", required=False,
                                               item=Param("enum", choices=PAYERS))),
})

# --- R3 (LRN, VCL, CAN-V1)
# Read by ofelia.rules.learning (RET-5, LRN-1..4, LRN-6) and ofelia.rules.classrooms
# (VCL-*, CAN-V1, ACC-10). Prices are decimals excluding VAT, durations whole units.

_LEARNING_FUNDINGS = Param("list", item=Param(
    "enum", choices=("self", "cpf", "opco", "france_travail", "faf")))
_RATE = Param("decimal", minimum=Decimal(0))
_PRICE_LIST = Param("table", fields={
    "from": Param("date", help="première date de création de classe à ce tarif"),
    "example": Param("bool", required=False, help="grille d'exemple, à remplacer"),
    "machine_hour": _RATE,
    "storage_machine_day": _RATE,
    "outside_hours_machine_hour": _RATE,
    "extension_machine_hour": _RATE,
})

PARAM_SPECS.update({
    "RET-5": RuleSpec(params={
        "waived_on_first_access": Param(
            "bool", help="le premier accès, précédé d'un consentement exprès, met fin à la rétractation"),
    }),
    "LRN-1": RuleSpec(params={"fundings": _LEARNING_FUNDINGS},
                      help="financements dont l'élève reçoit tous les contenus dès la commande"),
    "LRN-2": RuleSpec(params={"fundings": _LEARNING_FUNDINGS},
                      help="financements dont l'élève débloque le tronc commun module par module"),
    "LRN-3": RuleSpec(params={
        "require_all_core": Param("bool", help="tous les modules du tronc commun terminés"),
        "require_evaluations": Param("bool", help="tous les modules d'évaluation transmis"),
    }),
    "LRN-4": RuleSpec(params={
        "months_self_funded": Param("int", minimum=0),
        "months_funded": Param("int", minimum=0),
    }, help="délai de transmission de l'évaluation après la fin du tronc commun (CAL-6)"),
    "LRN-6": RuleSpec(params={"months": Param("int", minimum=0)},
                      help="accès maintenu après l'arrêt d'activité"),
    "CAN-V1": RuleSpec(params={
        "hours_before": Param("int", minimum=0, help="modification ou annulation libre jusqu'à N h avant"),
    }),
    "VCL-1": RuleSpec(params={"max_learners": Param("int", minimum=1)},
                      help="stagiaires par classe, l'instructeur ayant en plus sa machine"),
    "VCL-2": RuleSpec(params={
        "vat_rate": Param("percent"),
        "price_lists": Param("list", item=_PRICE_LIST,
                             help="tarifs datés ; s'applique celui en vigueur à la création"),
    }),
    "VCL-3": RuleSpec(params={
        "on_demand_earliest_minutes": Param("int", minimum=0),
        "on_demand_latest_minutes": Param("int", minimum=0),
    }),
    "VCL-4": RuleSpec(params={
        "standard_daily_hours": Param("decimal", minimum=Decimal(0)),
        "max_extension_hours": Param("decimal", minimum=Decimal(0)),
    }),
    "VCL-5": RuleSpec(help="facturation au consommé à partir de l'heure limite de CAN-V1"),
    "VCL-6": RuleSpec(help="facture finale : usage réel, extensions, hors plages, stockage"),
    "VCL-7": RuleSpec(params={
        "target_percent": Param("percent"),
        "maintenance_notice_hours": Param("int", minimum=0),
        "credit_basis": Param("enum", choices=("downtime_share", "shortfall"),
                              help="downtime_share : montant × part d'indisponibilité ; "
                                   "shortfall : montant × écart à l'objectif"),
    }),
    "VCL-8": RuleSpec(params={
        "administrative_staff": Param("int", minimum=0),
        "administrators": Param("int", minimum=0),
        "trainers": Param("int", minimum=0),
    }),
    "ACC-10": RuleSpec(params={
        "cap_percent": Param("percent"),
        "months": Param("int", minimum=1),
        "cap_ttc_when_nothing_invoiced": Param("decimal", minimum=Decimal(0)),
    }),
})
