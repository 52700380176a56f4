"""The one door to send a mail: `notify(...)`. Every app calls it where its event commits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from ofelia.core import audit

from . import rendering
from .kinds import kind_of
from .models import MailAttachment, MailTemplate, OptOut, SentMail

# (file name, content, MIME type); or (file name, "dotted.path.of.a.function", object id, MIME
# type): the task calls the function with the id when it sends (a PDF made off the request).
Attachment = tuple[str, bytes, str] | tuple[str, str, int, str]


def _contract_id(about: Any) -> int | None:
    if about is None:
        return None
    if about._meta.label_lower == "sales.contract":
        return int(about.pk)
    found = getattr(about, "contract_id", None)
    return int(found) if found else None


def _attachment(mail: SentMail, file: Attachment) -> MailAttachment:
    if len(file) == 4:
        return MailAttachment(mail=mail, filename=file[0], source=file[1], source_id=file[2],
                              mimetype=file[3])
    return MailAttachment(mail=mail, filename=file[0], content=file[1], mimetype=file[2])


def opted_out(*, organisation: Any, email: str, kind: str) -> bool:
    return (not kind_of(kind).mandatory and OptOut.objects.for_organisation(organisation)
            .filter(email__iexact=email, kind=kind).exists())


@transaction.atomic
def notify(*, organisation: Any, kind: str, to: str | Iterable[str], context: dict[str, Any],
           about: Any = None, attachments: Iterable[Attachment] = ()) -> list[SentMail]:
    """Render the organisation's template for `kind`, write one `SentMail` per address and
    send each through the task queue once the transaction commits. An address that opted
    out of an optional kind gets nothing (the row says so)."""
    from .tasks import send_queued_mail

    spec = kind_of(kind)
    addresses = list(dict.fromkeys(a.strip() for a in ([to] if isinstance(to, str) else to)
                                   if a and a.strip()))
    if not addresses:
        return []
    subject, body = rendering.render(spec, **dict(zip(
        ("subject", "body"), rendering.template_for(organisation, spec), strict=True)),
        context={**rendering.organisation_context(organisation), **context})
    files = list(attachments)
    about_type = ContentType.objects.get_for_model(about) if about is not None else None
    mails = []
    for address in addresses:
        skipped = opted_out(organisation=organisation, email=address, kind=kind)
        mail = SentMail.objects.create(
            organisation=organisation, kind=kind, to=address, subject=subject, body=body,
            status=SentMail.Status.SKIPPED if skipped else SentMail.Status.QUEUED,
            about_type=about_type, about_id=about.pk if about is not None else None,
            contract_id=_contract_id(about))
        if not skipped:
            MailAttachment.objects.bulk_create(_attachment(mail, file) for file in files)
            # robust: a broker down never undoes nor breaks the event; the row stays queued.
            transaction.on_commit(lambda pk=mail.pk: send_queued_mail.delay(pk), robust=True)
        mails.append(mail)
    return mails


@transaction.atomic
def template_save(*, actor: Any, organisation: Any, kind: str, subject: str, body: str) -> MailTemplate:
    """The organisation's own text for a kind; refused (nothing written) if it does not render."""
    spec = kind_of(kind)
    rendering.render(spec, subject=subject, body=body, context=spec.variables)
    current = MailTemplate.objects.for_organisation(organisation).filter(kind=kind).first()
    before = audit.snapshot(current, ["subject", "body"]) if current else None
    template = current or MailTemplate(organisation=organisation, kind=kind)
    template.subject, template.body = subject, body
    template.save()
    audit.record(actor=actor, action="mail_template.save", organisation=organisation,
                 obj=template, before=before, after=audit.snapshot(template, ["kind", "subject", "body"]))
    return template


@transaction.atomic
def template_reset(*, actor: Any, organisation: Any, kind: str) -> None:
    current = MailTemplate.objects.for_organisation(organisation).filter(kind=kind).first()
    if current is None:
        return
    audit.record(actor=actor, action="mail_template.reset", organisation=organisation,
                 obj=current, before=audit.snapshot(current, ["kind", "subject", "body"]))
    current.delete()


@transaction.atomic
def preferences_save(*, actor: Any, organisation: Any, email: str, wanted: Iterable[str]) -> list[str]:
    """Opt out of every optional kind not in `wanted`; mandatory kinds cannot be refused."""
    from .kinds import KINDS

    wanted = set(wanted)
    refused = sorted(k.code for k in KINDS if not k.mandatory and k.code not in wanted)
    mine = OptOut.objects.for_organisation(organisation).filter(email__iexact=email)
    before = sorted(mine.values_list("kind", flat=True))
    mine.exclude(kind__in=refused).delete()
    for code in refused:
        OptOut.objects.get_or_create(organisation=organisation, email=email.lower(), kind=code)
    if before != refused:
        audit.record(actor=actor, action="mail_preferences.save", organisation=organisation,
                     object_type="notifications.optout", object_repr=email,
                     before={"refused": before}, after={"refused": refused})
    return refused
