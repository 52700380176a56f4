"""Reads. Always scoped to one organisation; a person's data is read for that person only."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from ofelia.billing.models import Invoice, InvoiceStatus
from ofelia.catalogue.models import Enrolment, Trainer
from ofelia.documents.models import PersonDocument
from ofelia.organisations.models import ConsumerClient, Learner, Membership, Organisation
from ofelia.rules.accounts import invoice_kept_until
from ofelia.sales.models import Contract, TermsAcceptance

from .models import DataRequest


def data_request_list(*, organisation: Organisation, open_only: bool = False) -> QuerySet[DataRequest]:
    requests = DataRequest.objects.for_organisation(organisation).select_related("handled_by")
    if open_only:
        requests = requests.filter(status=DataRequest.Status.OPEN)
    return requests.order_by("answer_by", "id") if open_only else requests


def data_request_get(*, organisation: Organisation, pk: int) -> DataRequest | None:
    return data_request_list(organisation=organisation).filter(pk=pk).first()


def data_requests_of_user(*, organisation: Organisation, user: Any) -> QuerySet[DataRequest]:
    return DataRequest.objects.for_organisation(organisation).filter(user=user)


def kept_invoices(*, organisation: Organisation, user: Any) -> list[dict[str, Any]]:
    """The person's issued invoices and credit notes with the day their legal retention ends:
    an erasure request does not remove them before (Code de commerce L123-22; ACC-6)."""
    invoices = (Invoice.objects.for_organisation(organisation).filter(consumer_client__user=user)
                .exclude(status=InvoiceStatus.DRAFT).order_by("issue_date", "id"))
    return [{
        "number": i.number, "kind": str(i.get_kind_display()), "issue_date": i.issue_date,
        "total_incl_vat": i.total_incl_vat,
        "kept_until": invoice_kept_until(i.issue_date) if i.issue_date else None,
    } for i in invoices]


def _person(record: ConsumerClient | Learner) -> dict[str, Any]:
    return {
        "civility": str(record.get_civility_display()),
        "first_name": record.first_name,
        "last_name": record.last_name,
        "email": record.email,
        "phone": record.phone,
        "postal_address": record.postal_address,
        "billing_address": record.billing_address,
        "recorded_on": record.created_at.date(),
    }


def personal_data(*, organisation: Organisation, membership: Membership, user: Any) -> dict[str, Any]:
    """ACC-6 (access, portability): what `organisation` holds about `user`, and nothing of
    another organisation. Company documents a client contact sees are the company's, not
    the person's: only records naming the person are listed."""
    consumers = ConsumerClient.objects.for_organisation(organisation).filter(user=user)
    learners = Learner.objects.for_organisation(organisation).filter(user=user).select_related("company")
    enrolments = (Enrolment.objects.for_organisation(organisation).filter(learner__user=user)
                  .select_related("session__training").order_by("session__start_date", "id"))
    contracts = (Contract.objects.for_organisation(organisation)
                 .filter(Q(consumer__user=user) | Q(enrolments__learner__user=user))
                 .exclude(status=Contract.Status.DRAFT).distinct().order_by("start_date", "id"))
    acceptances = TermsAcceptance.objects.for_organisation(organisation).filter(user=user).order_by("accepted_at")
    trainer = Trainer.objects.for_organisation(organisation).filter(membership=membership).first()
    return {
        "organisation": {"name": organisation.legal_name, "siret": organisation.siret,
                         "email": organisation.email},
        "account": {
            "first_name": user.first_name, "last_name": user.last_name, "email": user.email,
            "created_at": user.date_joined, "last_login": user.last_login,
        },
        "membership": {
            "role": str(membership.get_role_display()),
            "company": str(membership.company) if membership.company_id else "",
            "active": membership.is_active,
            "since": membership.created_at.date(),
        },
        "trainer_titles": trainer.titles if trainer is not None else None,
        "documents": [{
            "kind": str(d.get_kind_display()), "title": d.title, "file": d.original_name,
            "uploaded_on": d.uploaded_on, "kept_until": d.keep_until,
        } for d in PersonDocument.objects.for_organisation(organisation)
            .filter(Q(learner__in=learners) | Q(trainer=trainer) if trainer is not None
                    else Q(learner__in=learners)).order_by("uploaded_on", "id")],
        "consumer_records": [_person(c) for c in consumers],
        "learner_records": [{**_person(learner), "employer": str(learner.company or "")}
                            for learner in learners],
        "enrolments": [{
            "training": e.session.training.title, "start_date": e.session.start_date,
            "end_date": e.session.end_date, "place": e.session.place, "status": str(e.get_status_display()),
        } for e in enrolments],
        "contracts": [{
            "number": c.number, "kind": str(c.get_kind_display()), "title": c.title,
            "start_date": c.start_date, "end_date": c.end_date, "status": str(c.get_status_display()),
            "signed_on": c.signed_on,
        } for c in contracts],
        "invoices": kept_invoices(organisation=organisation, user=user),
        "terms_acceptances": [{
            "accepted_at": a.accepted_at, "method": str(a.get_method_display()), "policy": a.policy_id,
            "policy_version": a.policy_version, "ip_address": a.ip_address,
        } for a in acceptances],
        "data_requests": [{
            "right": str(r.get_right_display()), "message": r.message, "received_on": r.received_on,
            "answer_by": r.answer_by, "status": str(r.get_status_display()), "answered_on": r.answered_on,
            "answer": r.answer,
        } for r in data_requests_of_user(organisation=organisation, user=user)],
    }
