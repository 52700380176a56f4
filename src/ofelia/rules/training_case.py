"""The facts of a `training` case (SIMULATION.md), parsed with an error naming the field.

Contract amounts (price, deposit, funding amounts, CPF rights) are excluding VAT; the
amounts of `invoice` and `payment` events are what was invoiced or paid, VAT included.

Besides the events of SIMULATION.md, Ofelia reads these (docs/simulation.md):

- `funding_refused` with `on` and `payer` (`opco`, `faf`, `france_travail`, or `cpf` for
  the refusal of the CPF top-up, the same as `france_travail`): a funder declared in
  `funding` refuses to pay (CAN-L1);
- `delivery` with `on`: the service or product was delivered (PRV-F1);
- `rescission` with `on`: the client asks for the contract to be rescinded because the
  delivery is late (PRV-F1);
- `complaint` with `on`: the client's written reservations or complaint (PRV-F1);
- `remote_switch` with `on`: the provider moves the training to remote delivery under
  exceptional circumstances (PRV-X).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Any, NamedTuple

from ofelia.rules.errors import CaseError
from ofelia.rules.validation import (
    DECIMAL_LIMIT,
    array,
    join,
    obj,
    opt_bool,
    opt_date,
    opt_decimal,
    opt_int,
    reject_unknown,
    req_bool,
    req_date,
    req_decimal,
    req_enum,
    req_str,
)

CLIENTS = ("consumer", "professional")
FORMATS = ("inter", "intra", "elearning", "service", "product", "long_service")
# SIMULATION.md: `hours` may be "0" for a service or a product that carries no training
# hours; every other format (inter, intra, elearning, long_service) needs a positive duration.
NO_HOURS_FORMATS = frozenset({"service", "product"})
FUNDERS = ("opco", "cpf", "france_travail", "faf", "employer")
INVOICE_PAYERS = ("client", "learner", "opco", "cpf", "france_travail", "faf", "employer")
REASONS = ("force_majeure", "legitimate", "other")
PARTIES = ("client", "provider")
INSTALMENT_COUNTS = (3, 4)
# `funding_refused.payer`: `cpf` names the refused top-up of the CPF, as `france_travail`.
REFUSED_PAYERS = ("opco", "faf", "france_travail", "cpf")
# Ofelia's own events (docs/simulation.md), beyond those of SIMULATION.md.
OWN_EVENTS = frozenset(("funding_refused", "delivery", "rescission", "complaint", "remote_switch"))

# Keys each event type accepts besides `type` and `on`.
_EVENT_KEYS: Mapping[str, tuple[str, ...]] = {
    "retraction": (),
    "cancellation": ("by", "reason"),
    "abandonment": ("hours_attended", "reason"),
    "provider_stop": ("hours_attended",),
    "schedule_change": (),
    "invoice": ("id", "amount", "payer", "due_on"),
    "payment": ("invoice", "amount"),
    "formal_notice": ("invoice",),
    # Ofelia's own events (docs/simulation.md)
    "funding_refused": ("payer",),
    "delivery": (),
    "rescission": (),
    "complaint": (),
    "remote_switch": (),
}
# Every key an event of each type may carry (built once, checked on every event).
_EVENT_FIELDS: Mapping[str, frozenset[str]] = {
    kind: frozenset(("type", "on", *keys)) for kind, keys in _EVENT_KEYS.items()
}
_CONTRACT_KEYS = frozenset(("client", "format", "signed_on", "at_distance", "price", "vat_rate",
                            "hours", "start", "end", "deposit"))
_FUNDING_KEYS: Mapping[str, tuple[str, ...]] = {
    "opco": ("amount", "agreement_on"),
    "cpf": ("rights", "exempt"),
    "france_travail": ("requested_on",),
    "faf": (),
    "employer": ("amount",),
}
_FUNDING_FIELDS: Mapping[str, frozenset[str]] = {
    payer: frozenset(("payer", *keys)) for payer, keys in _FUNDING_KEYS.items()
}
# `policy`, `policy_version` and `as_of` are read by the simulation entry point; they are
# accepted here too so that a whole case can be parsed on its own.
_CASE_KEYS = frozenset(("case", "contract", "funding", "events", "instalments",
                        "policy", "policy_version", "as_of"))


# The facts are immutable typed records. NamedTuple rather than a frozen dataclass: one
# is built in a single step (a frozen dataclass sets each field through
# object.__setattr__), and several are built for every simulated case.
class Contract(NamedTuple):
    client: str
    format: str
    signed_on: date
    at_distance: bool
    price: Decimal
    vat_rate: Decimal
    hours: Decimal
    start: date
    end: date
    deposit: Decimal = Decimal("0.00")

    @property
    def consumer(self) -> bool:
        return self.client == "consumer"


class Funding(NamedTuple):
    payer: str
    amount: Decimal | None = None  # opco, employer
    agreement_on: date | None = None  # opco
    rights: Decimal | None = None  # cpf
    exempt: bool = False  # cpf
    requested_on: date | None = None  # france_travail


class Event(NamedTuple):
    type: str
    on: date
    position: int  # index in the case's events, for messages and a stable order
    by: str | None = None
    reason: str | None = None
    hours_attended: Decimal | None = None
    id: str | None = None
    amount: Decimal | None = None
    payer: str | None = None
    due_on: date | None = None
    invoice: str | None = None


_CHRONOLOGICAL = attrgetter("on", "position")


@dataclass(frozen=True)
class TrainingCase:
    contract: Contract
    funding: tuple[Funding, ...] = ()
    events: tuple[Event, ...] = ()
    instalments: int | None = None
    # Some event is one of OWN_EVENTS (set by `parse_case`, which reads every event
    # anyway): without one, their rules are skipped at once.
    own_events: bool = False
    chronological: tuple[Event, ...] = field(init=False, repr=False, compare=False)

    def funder(self, payer: str) -> Funding | None:
        if not self.funding:  # the usual case: nobody but the client pays
            return None
        for f in self.funding:
            if f.payer == payer:
                return f
        return None

    def invoices(self) -> tuple[Event, ...]:
        return tuple([e for e in self.events if e.type == "invoice"])  # a list builds faster

    def of_type(self, *types: str) -> tuple[Event, ...]:
        """The events of these types in date order (ties: order in the case)."""
        if not self.events:
            return ()
        return tuple([e for e in self.chronological if e.type in types])

    def __post_init__(self) -> None:
        # Sorted once: the case is a frozen value, its events never change.
        object.__setattr__(self, "chronological", tuple(sorted(self.events, key=_CHRONOLOGICAL)))


_NO_DEPOSIT = Decimal("0.00")


def _amount(value: Any) -> Decimal:
    """An amount as a valid case carries it: the string of a finite number, 0 or more."""
    if type(value) is not str:
        raise TypeError(value)
    number = Decimal(value)
    if not number.is_finite() or number < 0 or number >= DECIMAL_LIMIT:
        raise ValueError(value)
    return number


def _usual_contract(c: Mapping[str, Any]) -> Contract | None:
    """The usual contract, read in one go; None when anything is unusual or wrong, for
    the field-by-field reading of `_contract` to name (it accepts exactly the same)."""
    try:
        client, format, at_distance = c["client"], c["format"], c["at_distance"]
        price, vat_rate, hours = _amount(c["price"]), _amount(c["vat_rate"]), _amount(c["hours"])
        deposit = c.get("deposit")
        deposit = _NO_DEPOSIT if deposit is None else _amount(deposit)
        signed_on = date.fromisoformat(c["signed_on"])
        start, end = date.fromisoformat(c["start"]), date.fromisoformat(c["end"])
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return None
    if (client in CLIENTS and format in FORMATS and (at_distance is True or at_distance is False)
            and vat_rate <= 100 and (hours > 0 or (hours == 0 and format in NO_HOURS_FORMATS))
            and start <= end and deposit <= price):
        return Contract(client, format, signed_on, at_distance, price, vat_rate, hours, start,
                        end, deposit)
    return None


def _contract(data: Any) -> Contract:
    c = obj(data, "contract")
    reject_unknown(c, _CONTRACT_KEYS, "contract")
    usual = _usual_contract(c)
    if usual is not None:
        return usual
    path = "contract"
    price = req_decimal(c, "price", path)
    vat_rate = req_decimal(c, "vat_rate", path)
    if vat_rate > 100:
        raise CaseError("contract.vat_rate", "un taux de TVA en pourcentage (0 à 100) est attendu")
    hours = req_decimal(c, "hours", path)
    if hours <= 0 and not (hours == 0 and c.get("format") in NO_HOURS_FORMATS):
        raise CaseError("contract.hours", "la durée en heures doit être positive (« 0 » n'est admis "
                                          "que pour une prestation « service » ou un produit "
                                          "« product » sans heures de formation)")
    start = req_date(c, "start", path)
    end = req_date(c, "end", path)
    if end < start:
        raise CaseError("contract.end", "la fin de la formation précède son début")
    deposit = opt_decimal(c, "deposit", path)
    deposit = _NO_DEPOSIT if deposit is None else deposit
    if deposit > price:
        raise CaseError("contract.deposit", "l'acompte dépasse le prix")
    return Contract(
        client=req_enum(c, "client", path, CLIENTS),
        format=req_enum(c, "format", path, FORMATS),
        signed_on=req_date(c, "signed_on", path),
        at_distance=req_bool(c, "at_distance", path),
        price=price,
        vat_rate=vat_rate,
        hours=hours,
        start=start,
        end=end,
        deposit=deposit,
    )


def _funding(data: Any, contract: Contract) -> tuple[Funding, ...]:
    out: list[Funding] = []
    for i, raw in enumerate(array(data, "funding")):
        path = join("funding", i)
        f = obj(raw, path)
        payer = req_enum(f, "payer", path, FUNDERS)
        reject_unknown(f, _FUNDING_FIELDS[payer], path)
        if any(seen.payer == payer for seen in out):
            raise CaseError(join(path, "payer"), f"financeur « {payer} » déjà déclaré")
        amount = None
        if payer in ("opco", "employer"):
            amount = req_decimal(f, "amount", path)
            if amount > contract.price:
                raise CaseError(join(path, "amount"), "la prise en charge dépasse le prix")
        out.append(Funding(
            payer=payer,
            amount=amount,
            agreement_on=opt_date(f, "agreement_on", path) if payer == "opco" else None,
            rights=req_decimal(f, "rights", path) if payer == "cpf" else None,
            exempt=opt_bool(f, "exempt", path) if payer == "cpf" else False,
            requested_on=req_date(f, "requested_on", path) if payer == "france_travail" else None,
        ))
    return tuple(out)


def _text(value: Any) -> str:
    """A non-blank string, as `req_str` wants it."""
    if type(value) is not str or not value.strip():
        raise ValueError(value)
    return value


def _usual_event(e: Mapping[str, Any], i: int, contract: Contract) -> Event | None:
    """The usual event, read in one go; None when anything is unusual or wrong, for the
    field-by-field reading of `_event` to name (it accepts exactly the same)."""
    kind = e.get("type")
    if type(kind) is not str:
        return None
    fields = _EVENT_FIELDS.get(kind)
    if fields is None or not e.keys() <= fields:
        return None
    try:
        on = date.fromisoformat(e["on"])
        if kind == "cancellation":
            by, reason = e["by"], e["reason"]
            return Event(kind, on, i, by=by, reason=reason) \
                if by in PARTIES and reason in REASONS else None
        if kind == "abandonment" or kind == "provider_stop":
            hours = _amount(e["hours_attended"])
            reason = e["reason"] if kind == "abandonment" else None
            ok = hours <= contract.hours and (kind == "provider_stop" or reason in REASONS)
            return Event(kind, on, i, hours_attended=hours, reason=reason) if ok else None
        if kind == "invoice":
            payer, due_on = e["payer"], e.get("due_on")
            event = Event(kind, on, i, id=_text(e["id"]), amount=_amount(e["amount"]), payer=payer,
                          due_on=None if due_on is None else date.fromisoformat(due_on))
            return event if payer in INVOICE_PAYERS else None
        if kind == "payment":
            return Event(kind, on, i, invoice=_text(e["invoice"]), amount=_amount(e["amount"]))
        if kind == "formal_notice":
            return Event(kind, on, i, invoice=_text(e["invoice"]))
        if kind == "funding_refused":
            payer = e["payer"]
            return Event(kind, on, i, payer=payer) if payer in REFUSED_PAYERS else None
        return Event(kind, on, i)
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return None


def _event(raw: Any, i: int, contract: Contract) -> Event:
    path = f"events[{i}]"
    e = obj(raw, path)
    usual = _usual_event(e, i, contract)
    if usual is not None:
        return usual
    kind = req_enum(e, "type", path, _EVENT_KEYS)
    reject_unknown(e, _EVENT_FIELDS[kind], path)
    on = req_date(e, "on", path)
    if kind == "cancellation":
        return Event(kind, on, i, by=req_enum(e, "by", path, PARTIES),
                     reason=req_enum(e, "reason", path, REASONS))
    if kind in ("abandonment", "provider_stop"):
        hours = req_decimal(e, "hours_attended", path)
        if hours > contract.hours:
            raise CaseError(join(path, "hours_attended"),
                            f"plus d'heures suivies que la durée du contrat ({contract.hours} h)")
        reason = req_enum(e, "reason", path, REASONS) if kind == "abandonment" else None
        return Event(kind, on, i, hours_attended=hours, reason=reason)
    if kind == "invoice":
        return Event(kind, on, i, id=req_str(e, "id", path), amount=req_decimal(e, "amount", path),
                     payer=req_enum(e, "payer", path, INVOICE_PAYERS),
                     due_on=opt_date(e, "due_on", path))
    if kind == "payment":
        return Event(kind, on, i, invoice=req_str(e, "invoice", path),
                     amount=req_decimal(e, "amount", path))
    if kind == "formal_notice":
        return Event(kind, on, i, invoice=req_str(e, "invoice", path))
    if kind == "funding_refused":
        return Event(kind, on, i, payer=req_enum(e, "payer", path, REFUSED_PAYERS))
    return Event(kind, on, i)


def _events(data: Any, contract: Contract,
            funding: tuple[Funding, ...]) -> tuple[tuple[Event, ...], bool]:
    """The events, and whether one is among OWN_EVENTS."""
    events = tuple([_event(raw, i, contract) for i, raw in enumerate(array(data, "events"))])
    ids: set[str] = set()
    own = False
    for e in events:
        if e.type == "invoice" and e.id is not None:
            if e.id in ids:
                raise CaseError(join(join("events", e.position), "id"), f"facture « {e.id} » déjà déclarée")
            ids.add(e.id)
        elif e.type in OWN_EVENTS:
            own = True
            if e.type == "funding_refused" and all(f.payer != e.payer for f in funding):
                raise CaseError(join(join("events", e.position), "payer"),
                                f"refus de prise en charge par « {e.payer} » : ce financeur n'est "
                                "pas déclaré dans funding", "CAN-L1")
    for e in events:
        if e.type in ("payment", "formal_notice") and e.invoice not in ids:
            raise CaseError(join(join("events", e.position), "invoice"),
                            f"facture « {e.invoice} » inconnue (aucun événement invoice ne la déclare)")
    return events, own


def parse_case(data: Mapping[str, Any]) -> TrainingCase:
    """A `training` case; CaseError naming the field for anything invalid or unknown."""
    root = obj(data, "")
    reject_unknown(root, _CASE_KEYS, "")
    if root.get("case", "training") != "training":
        raise CaseError("case", "un cas « training » est attendu")
    contract = _contract(root.get("contract"))
    funding = root.get("funding")  # absent, null or empty: nobody but the client pays
    funding = _funding(funding, contract) if funding else ()
    events = root.get("events")
    events, own = _events(events, contract, funding) if events else ((), False)
    instalments = opt_int(root, "instalments", "", rule="PAY-L1")
    if instalments is not None and instalments not in INSTALMENT_COUNTS:
        raise CaseError("instalments", "paiement en 3 ou 4 fois uniquement", "PAY-L1")
    return TrainingCase(contract, funding, events, instalments, own)


def reference_date(case: TrainingCase) -> date:
    """The signature date: it picks the version of the terms that governs the contract."""
    return case.contract.signed_on
