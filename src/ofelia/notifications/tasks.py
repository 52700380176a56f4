"""Sending through the task queue: a retried or duplicated task sends a mail once."""

from __future__ import annotations

from celery import shared_task
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils.module_loading import import_string

from ofelia.core import clock

from .models import SentMail


@shared_task(name="ofelia.notifications.tasks.send_queued_mail", bind=True, max_retries=5,
             default_retry_delay=120)
def send_queued_mail(self, mail_id: int) -> str:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        mail = SentMail.objects.select_for_update().filter(pk=mail_id).first()
        if mail is None or mail.status != SentMail.Status.QUEUED:
            return mail.status if mail is not None else "missing"
        message = EmailMessage(subject=mail.subject, body=mail.body, to=[mail.to],
                               reply_to=[mail.organisation.email] if mail.organisation.email else None)
        for file in mail.attachments.all():
            content = (bytes(file.content) if file.content is not None
                       else import_string(file.source)(file.source_id))
            message.attach(file.filename, content, file.mimetype)
        try:
            message.send()
        except Exception as exc:  # the SMTP server's error, kept for staff to read
            mail.error = str(exc)[:2000]
            # Eager (no broker): no later attempt exists, the failure is kept for staff.
            final = self.request.is_eager or self.request.retries >= self.max_retries
            mail.status = SentMail.Status.FAILED if final else SentMail.Status.QUEUED
            mail.save(update_fields=["error", "status"])
            if final:
                return mail.status
        else:
            mail.status = SentMail.Status.SENT
            mail.sent_at = clock.now()
            mail.save(update_fields=["status", "sent_at"])
            return mail.status
    raise self.retry()
