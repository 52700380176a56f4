"""The demo gives the trainer a session today and a finished session fully signed, with
sealed documents whose hours come from the sheets."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from ofelia.attendance.models import AttendanceSheet, Document
from ofelia.attendance.sealing import verify_pdf
from ofelia.catalogue.models import TrainingSession
from ofelia.core import clock
from ofelia.organisations.models import Organisation


@pytest.mark.django_db(transaction=True)
def test_demo_has_a_session_today_and_a_signed_finished_session(transactional_db: Any) -> None:
    call_command("demo", verbosity=0)
    org = Organisation.objects.get(slug="dixneuf")
    today = TrainingSession.objects.for_organisation(org).filter(start_date=clock.today(),
                                                                 place__contains="démonstration")
    assert today.count() == 1 and today.get().slots.count() == 2
    assert AttendanceSheet.objects.for_organisation(org).filter(status="closed").exists()
    completion = Document.objects.for_organisation(org).filter(kind="completion").first()
    assert completion is not None and completion.hours > 0
    assert verify_pdf(bytes(completion.pdf), organisation=org).ok
