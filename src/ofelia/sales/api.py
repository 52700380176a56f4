"""`/api/v1` resources of the sales app: sessions, enrolments, contracts and their events.

Access: a member of the organisation with a staff role, either signed in (session cookie,
CSRF token on writes) or through an API token (`Authorization: Bearer <token>`, see
ofelia.apitokens), which scopes every call to the token's organisation. A refusal by the
terms answers 409 with the rule id and the clause's explanation.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from ninja import Field, Router, Schema, Status

from ofelia.apitokens.auth import SESSION_OR_TOKEN
from ofelia.core import clock
from ofelia.core.validators import (
    MAX_QUOTE_LINES,
    BusinessDate,
    Hours,
    IsoDate,
    Limit,
    MoneyOrZero,
    Offset,
    Quantity,
    ShortText,
    Text,
    VatRate,
)
from ofelia.organisations.models import STAFF_ROLES, Learner

from . import rules_io, selectors, services
from .models import Contract, ContractEvent, Quote

router = Router(tags=["ventes"], auth=SESSION_OR_TOKEN)
PROBLEM = "application/problem+json"


def _problem(status: int, title: str, detail: str, **more: Any) -> JsonResponse:
    return JsonResponse({"type": "about:blank", "title": title, "status": status, "detail": detail,
                         **more}, status=status, content_type=PROBLEM,
                        json_dumps_params={"ensure_ascii": False})


def _staff_org(request: HttpRequest) -> Any:
    membership = getattr(request, "membership", None)
    if membership is None or membership.role not in STAFF_ROLES:
        return None
    return request.organisation  # type: ignore[attr-defined]


def _scoped_contract(request: HttpRequest, contract_id: int) -> Contract | JsonResponse:
    """The contract of the caller's organisation, or the problem response to send."""
    org = _staff_org(request)
    if org is None:
        return _problem(403, "Accès refusé", "Réservé à l'administration de l'organisme.")
    contract = selectors.contract_get(organisation=org, pk=contract_id)
    if contract is None:
        return _problem(404, "Introuvable", "Contrat introuvable dans cet organisme.")
    return contract


class SessionOut(Schema):
    id: int
    training: str
    start_date: date
    end_date: date
    place: str
    capacity: int
    confirmed: int
    waitlisted: int


class EnrolmentOut(Schema):
    id: int
    session_id: int
    learner_id: int
    learner: str
    status: str


class EnrolmentIn(Schema):
    learner_id: int


class EventIn(Schema):
    type: ShortText
    on: BusinessDate
    by: ShortText = ""
    reason: Text = ""
    hours_attended: Hours | None = None
    note: Text = ""
    force_reason: Text = ""
    # funding_refused (CAN-L1): opco, faf, france_travail or cpf; blank for other types.
    payer: ShortText = ""


class EventOut(Schema):
    id: int
    type: str
    on: date
    by: str
    reason: str
    hours_attended: Decimal | None
    payer: str
    forced: bool
    force_reason: str
    evaluated_as_of: date | None
    outcome: dict[str, Any]


class ContractOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    client: str
    session_id: int
    title: str
    price: Decimal
    vat_rate: Decimal
    hours: Decimal
    start_date: date
    end_date: date
    deposit: Decimal
    signed_on: date | None
    policy_id: str
    policy_version: str
    policy_sha256: str


def _contract_out(c: Contract) -> dict[str, Any]:
    data = {f: getattr(c, f) for f in ContractOut.model_fields if f != "client"}
    data["client"] = str(c.client or "")
    return data


def _event_out(e: ContractEvent) -> dict[str, Any]:
    return {f: getattr(e, f) for f in EventOut.model_fields}


_FORBIDDEN = {403: dict[str, Any], 404: dict[str, Any]}


@router.get("/sessions", response={200: list[SessionOut], **_FORBIDDEN},
            summary="Sessions de l'organisme, avec leurs places occupées")
def list_sessions(request: HttpRequest, start_from: IsoDate | None = None, limit: Limit = 100,
                  offset: Offset = 0) -> Any:
    org = _staff_org(request)
    if org is None:
        return _problem(403, "Accès refusé", "Réservé à l'administration de l'organisme.")
    qs = selectors.session_list(organisation=org)
    if start_from:
        qs = qs.filter(start_date__gte=start_from)
    return [
        {"id": s.pk, "training": s.training.title, "start_date": s.start_date,
         "end_date": s.end_date, "place": s.place, "capacity": s.capacity,
         "confirmed": s.confirmed, "waitlisted": s.waitlisted}
        for s in qs[offset:offset + limit]
    ]


@router.get("/sessions/{session_id}/enrolments", response={200: list[EnrolmentOut], **_FORBIDDEN},
            summary="Inscrits d'une session : confirmés, puis liste d'attente dans l'ordre")
def list_enrolments(request: HttpRequest, session_id: int) -> Any:
    org = _staff_org(request)
    if org is None:
        return _problem(403, "Accès refusé", "Réservé à l'administration de l'organisme.")
    session = selectors.session_get(organisation=org, pk=session_id)
    if session is None:
        return _problem(404, "Introuvable", "Session introuvable dans cet organisme.")
    return [{"id": e.pk, "session_id": e.session_id, "learner_id": e.learner_id,
             "learner": str(e.learner), "status": e.status}
            for e in selectors.session_roster(organisation=org, session=session)]


@router.post("/sessions/{session_id}/enrolments",
             response={201: EnrolmentOut, 400: dict[str, Any], **_FORBIDDEN},
             summary="Inscrire un stagiaire (confirmé s'il reste une place, sinon en liste d'attente)")
def create_enrolment(request: HttpRequest, session_id: int, payload: EnrolmentIn) -> Any:
    org = _staff_org(request)
    if org is None:
        return _problem(403, "Accès refusé", "Réservé à l'administration de l'organisme.")
    session = selectors.session_get(organisation=org, pk=session_id)
    learner = Learner.objects.for_organisation(org).filter(pk=payload.learner_id).first()
    if session is None or learner is None:
        return _problem(404, "Introuvable", "Session ou stagiaire introuvable dans cet organisme.")
    try:
        e = services.enrolment_create(actor=request.user, organisation=org, session=session,
                                      learner=learner)
    except ValidationError as exc:
        return _problem(400, "Inscription refusée", " ".join(exc.messages))
    return Status(201, {"id": e.pk, "session_id": e.session_id, "learner_id": e.learner_id,
                        "learner": str(learner), "status": e.status})


@router.get("/contracts", response={200: list[ContractOut], **_FORBIDDEN},
            summary="Conventions et contrats de formation")
def list_contracts(request: HttpRequest, status: str | None = None, limit: Limit = 100,
                   offset: Offset = 0) -> Any:
    org = _staff_org(request)
    if org is None:
        return _problem(403, "Accès refusé", "Réservé à l'administration de l'organisme.")
    qs = selectors.contract_list(organisation=org, status=status)[offset:offset + limit]
    return [_contract_out(c) for c in qs]


@router.get("/contracts/{contract_id}", response={200: ContractOut, **_FORBIDDEN},
            summary="Un contrat")
def get_contract(request: HttpRequest, contract_id: int) -> Any:
    contract = _scoped_contract(request, contract_id)
    if isinstance(contract, JsonResponse):
        return contract
    return _contract_out(contract)


@router.get("/contracts/{contract_id}/case", response={200: dict[str, Any], 409: dict[str, Any],
                                                        **_FORBIDDEN},
            summary="Le cas `training` de ce contrat, à passer à /simulate")
def get_contract_case(request: HttpRequest, contract_id: int, as_of: IsoDate | None = None) -> Any:
    contract = _scoped_contract(request, contract_id)
    if isinstance(contract, JsonResponse):
        return contract
    if contract.signed_on is None:
        return _problem(409, "Contrat non signé", "Les conditions s'appliquent à la signature.")
    return rules_io.contract_case(contract, as_of=as_of or clock.today())


@router.get("/contracts/{contract_id}/events", response={200: list[EventOut], **_FORBIDDEN},
            summary="Événements du contrat avec leur résultat calculé")
def list_events(request: HttpRequest, contract_id: int) -> Any:
    contract = _scoped_contract(request, contract_id)
    if isinstance(contract, JsonResponse):
        return contract
    return [_event_out(e) for e in selectors.contract_events(contract=contract)]


@router.post("/contracts/{contract_id}/events",
             response={201: EventOut, 400: dict[str, Any], 409: dict[str, Any], **_FORBIDDEN},
             summary="Enregistrer un événement (annulation, rétractation, abandon, refus d'un "
                     "financeur, fourniture, résolution, réclamation, passage à distance…), "
                     "évalué par les règles")
def create_event(request: HttpRequest, contract_id: int, payload: EventIn) -> Any:
    contract = _scoped_contract(request, contract_id)
    if isinstance(contract, JsonResponse):
        return contract
    try:
        event = services.contract_event_record(actor=request.user, contract=contract,
                                               **payload.dict())
    except services.RuleRefusal as exc:
        return _problem(409, "Refusé par les conditions générales", exc.explanation, rule=exc.rule)
    except ValidationError as exc:
        return _problem(400, "Événement invalide", " ".join(exc.messages))
    return Status(201, _event_out(event))


class QuoteLineIO(Schema):
    description: ShortText
    quantity: Quantity = Decimal(1)
    unit_price: MoneyOrZero


class QuoteIn(Schema):
    client_company_id: int | None = None
    consumer_id: int | None = None
    session_id: int | None = None
    valid_until: BusinessDate
    vat_rate: VatRate = Decimal(0)
    lines: list[QuoteLineIO] = Field(min_length=1, max_length=MAX_QUOTE_LINES)


class QuoteOut(Schema):
    id: int
    number: str
    status: str
    client: str
    session_id: int | None
    issued_on: date
    valid_until: date
    vat_rate: Decimal
    total_excl_vat: Decimal
    lines: list[QuoteLineIO]


def _quote_out(q: Quote) -> dict[str, Any]:
    return {"id": q.pk, "number": q.number, "status": q.status, "client": q.client_name,
            "session_id": q.session_id, "issued_on": q.issued_on, "valid_until": q.valid_until,
            "vat_rate": q.vat_rate, "total_excl_vat": q.total_excl_vat(),
            "lines": [{"description": li.description, "quantity": li.quantity,
                       "unit_price": li.unit_price} for li in q.lines.all()]}


@router.get("/quotes", response={200: list[QuoteOut], **_FORBIDDEN}, summary="Devis de l'organisme")
def list_quotes(request: HttpRequest, status: str | None = None, limit: Limit = 100,
                offset: Offset = 0) -> Any:
    org = _staff_org(request)
    if org is None:
        return _problem(403, "Accès refusé", "Réservé à l'administration de l'organisme.")
    qs = selectors.quote_list(organisation=org)
    if status:
        qs = qs.filter(status=status)
    return [_quote_out(q) for q in qs[offset:offset + limit]]


@router.get("/quotes/{quote_id}", response={200: QuoteOut, **_FORBIDDEN}, summary="Un devis")
def get_quote(request: HttpRequest, quote_id: int) -> Any:
    org = _staff_org(request)
    if org is None:
        return _problem(403, "Accès refusé", "Réservé à l'administration de l'organisme.")
    quote = selectors.quote_get(organisation=org, pk=quote_id)
    if quote is None:
        return _problem(404, "Introuvable", "Devis introuvable dans cet organisme.")
    return _quote_out(quote)


@router.post("/quotes", response={201: QuoteOut, 400: dict[str, Any], **_FORBIDDEN},
             summary="Créer un devis avec ses lignes")
def create_quote(request: HttpRequest, payload: QuoteIn) -> Any:
    from ofelia.catalogue.models import TrainingSession
    from ofelia.organisations.models import ClientCompany, ConsumerClient

    org = _staff_org(request)
    if org is None:
        return _problem(403, "Accès refusé", "Réservé à l'administration de l'organisme.")
    refs: dict[str, Any] = {}
    for key, model, value in (("client_company", ClientCompany, payload.client_company_id),
                              ("consumer", ConsumerClient, payload.consumer_id),
                              ("session", TrainingSession, payload.session_id)):
        if value is not None:
            refs[key] = model.objects.for_organisation(org).filter(pk=value).first()
            if refs[key] is None:
                return _problem(404, "Introuvable", f"{key} {value} introuvable dans cet organisme.")
    try:
        quote = services.quote_create(actor=request.user, organisation=org,
                                      valid_until=payload.valid_until, vat_rate=payload.vat_rate,
                                      lines=[li.dict() for li in payload.lines], **refs)
    except ValidationError as exc:
        return _problem(400, "Devis refusé", " ".join(exc.messages))
    return Status(201, _quote_out(selectors.quote_get(organisation=org, pk=quote.pk)))  # type: ignore[arg-type]
