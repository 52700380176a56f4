"""Case "availability" of SIMULATION.md: one calendar month of a hosted service (VCL-7).

The month is Europe/Paris with its real number of minutes (summer-time changes included);
incidents are clipped to it and overlapping ones count once (`classrooms.split_downtime`).
Under a policy with VCL-7 (VIRTUALEO: 99.95 %, maintenance announced 48 h ahead
excluded) a month below the target carries a negative `availability_credit` charge that
*may* be granted and the breach `availability`. A policy without VCL-7 (Mi4 states no
figure) gives the measure only: no target, no credit, a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ofelia.rules.calendars import add_months
from ofelia.rules.classrooms import (
    Downtime,
    DowntimeCause,
    measured_percent,
    month_span,
    monthly_availability,
    split_downtime,
)
from ofelia.rules.errors import CaseError
from ofelia.rules.legal import LegalData
from ofelia.rules.outcome import Breach, Charge, Outcome
from ofelia.rules.policy import Policy
from ofelia.rules.validation import (
    array,
    join,
    obj,
    opt_instant,
    reject_unknown,
    req_decimal,
    req_enum,
    req_instant,
    req_str,
)

CAUSES: Mapping[str, DowntimeCause] = {
    "outage": "incident", "maintenance": "maintenance", "force_majeure": "force_majeure",
    "third_party": "third_party",
}
# Without VCL-7 (Mi4), maintenance still needs the notice of ACC-3 to be excluded.
_DEFAULT_NOTICE_HOURS = 48
_MINUTE = timedelta(minutes=1)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class AvailabilityCase:
    year: int
    month: int
    services_amount: Decimal
    incidents: tuple[Downtime, ...]


def parse_case(data: Mapping[str, object]) -> AvailabilityCase:
    root = obj(data, "")
    reject_unknown(root, ("case", "month", "services_amount", "incidents"), "")
    text = req_str(root, "month", "")
    try:
        first = date.fromisoformat(f"{text}-01") if len(text) == 7 else None
    except ValueError:
        first = None
    if first is None:
        raise CaseError("month", f"mois invalide « {text} » (format AAAA-MM)")
    amount = req_decimal(root, "services_amount", "")
    incidents = []
    for i, raw in enumerate(array(root.get("incidents", []), "incidents")):
        path = join("incidents", i)
        item = obj(raw, path)
        cause = req_enum(item, "cause", path, CAUSES)
        reject_unknown(item, ("from", "to", "cause", "announced_at") if cause == "maintenance"
                       else ("from", "to", "cause"), path)
        start, end = req_instant(item, "from", path), req_instant(item, "to", path)
        if end <= start:
            raise CaseError(join(path, "to"), "la fin de l'incident doit suivre son début")
        announced = opt_instant(item, "announced_at", path) if cause == "maintenance" else None
        incidents.append(Downtime(start, end, CAUSES[cause], announced))
    return AvailabilityCase(first.year, first.month, amount, tuple(incidents))


def reference_date(case: AvailabilityCase) -> date:
    """The first day of the month: the terms in force then govern it."""
    return date(case.year, case.month, 1)


def _minutes(duration: timedelta) -> int | str:
    """Whole minutes as an integer; a fraction (incidents to the second) as a decimal string."""
    if duration % _MINUTE == timedelta(0):
        return duration // _MINUTE
    return f"{Decimal(duration.total_seconds()) / 60:.4f}"


def evaluate(case: AvailabilityCase, *, policy: Policy, legal: LegalData | None = None,
             as_of: date | datetime) -> Outcome:
    del legal, as_of  # a closed month: no legal value, nothing depends on the evaluation day
    label = f"{case.year}-{case.month:02d}"
    clause = policy.clause("VCL-7")
    span = month_span(case.year, case.month)
    period = span[1] - span[0]
    measure: dict[str, Any] = {"month": label, "minutes": _minutes(period)}
    if clause is None:
        acc3 = policy.clause("ACC-3")
        hours = int(acc3.params.get("notice_hours", _DEFAULT_NOTICE_HOURS)) if acc3 else \
            _DEFAULT_NOTICE_HOURS
        down, excluded = split_downtime(span, case.incidents, timedelta(hours=hours))
        measure.update(downtime_minutes=_minutes(down), excluded_minutes=_minutes(excluded),
                       measured=str(measured_percent(period, down, excluded)), target=None)
        return Outcome(policy=policy.id, policy_version=policy.version, extra={"availability": measure},
                       warnings=(f"Les conditions de la politique {policy.id} n'annoncent aucun taux "
                                 "de disponibilité ni aucun avoir (VCL-7) : disponibilité mesurée "
                                 "à titre d'information.",))
    result = monthly_availability(case.year, case.month, case.incidents,
                                  services_amount=case.services_amount, policy=policy)
    measure.update(downtime_minutes=_minutes(result.downtime),
                   excluded_minutes=_minutes(result.excluded), measured=str(result.percent),
                   target=str(clause.params["target_percent"]))
    if not result.below_target:
        return Outcome(policy=policy.id, policy_version=policy.version,
                       extra={"availability": measure}, warnings=(result.explanation,))
    base = period - result.excluded
    credit = (case.services_amount * Decimal(result.downtime // timedelta(microseconds=1))
              / Decimal(base // timedelta(microseconds=1))).quantize(_CENT, rounding=ROUND_HALF_UP)
    charge = Charge(kind="availability_credit", payer="client", amount=-credit, vat=Decimal("0.00"),
                    rule=result.rule, explanation=result.explanation)
    last_day = add_months(reference_date(case), 1) - timedelta(days=1)
    breach = Breach("availability", last_day, result.rule, result.explanation)
    return Outcome(policy=policy.id, policy_version=policy.version, charges=(charge,),
                   breaches=(breach,), extra={"availability": measure})
