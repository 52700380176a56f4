"""Reads: the organisation's templates by kind, a contract's mails, a person's choices."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .kinds import KINDS, Kind
from .models import MailTemplate, OptOut, SentMail


def templates_by_kind(organisation: Any) -> list[tuple[Kind, MailTemplate | None]]:
    own = {t.kind: t for t in MailTemplate.objects.for_organisation(organisation)}
    return [(kind, own.get(kind.code)) for kind in KINDS]


def contract_mails(*, organisation: Any, contract_id: int) -> QuerySet[SentMail]:
    return SentMail.objects.for_organisation(organisation).filter(contract_id=contract_id)


def refused_kinds(*, organisation: Any, email: str) -> set[str]:
    return set(OptOut.objects.for_organisation(organisation).filter(email__iexact=email)
               .values_list("kind", flat=True))
