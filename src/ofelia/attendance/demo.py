"""Demo attendance: a session today for the demo trainer (to try the sheet on a phone), and
the finished demo session signed half-day by half-day, closed, with its sealed documents.

Called by the `demo` command once per organisation, right after its business data.
"""

from __future__ import annotations

import base64
import math
import struct
import zlib
from datetime import datetime, time, timedelta
from typing import Any

from ofelia.catalogue.models import Enrolment, SessionSlot, Trainer, Training, TrainingSession
from ofelia.catalogue.seats import enrolment_create
from ofelia.core import clock
from ofelia.organisations.models import Learner, Organisation

from . import selectors, services
from .models import AttendanceSheet, Channel

TODAY_PLACE_SUFFIX = " — salle d'émargement (démonstration)"
# Signing a finished session seals a dozen PDFs: one organisation shows it, the demo stays quick.
SIGNED_PAST = frozenset({"dixneuf"})


def demo_signature(seed: int = 1) -> str:
    """A drawn-looking signature as a PNG data URL (a wave, varied by `seed`)."""
    width, height = 160, 48
    pixels = [[255] * width for _ in range(height)]
    for x in range(8, width - 8):
        y = int(height / 2 + 12 * math.sin(x / (7 + seed)) * math.cos(x / 23))
        for dy in (-1, 0, 1):
            pixels[max(0, min(height - 1, y + dy))][x] = 30
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _trainer(organisation: Organisation) -> Trainer | None:
    return (Trainer.objects.for_organisation(organisation)
            .filter(membership__user__email__iexact=f"formateur@{organisation.slug}.demo").first())


def session_today(organisation: Organisation, trainer: Trainer) -> TrainingSession | None:
    """A one-day session today (morning and afternoon) with the demo learner and three others."""
    training = Training.objects.for_organisation(organisation).filter(trainers=trainer).order_by("id").first()
    if training is None:
        return None
    today = clock.today()
    session = TrainingSession.objects.create(
        organisation=organisation, training=training, start_date=today, end_date=today,
        capacity=8, place=(organisation.city or "Salle 1") + TODAY_PLACE_SUFFIX)
    session.trainers.add(trainer)
    SessionSlot.objects.create(session=session, day=today, part="morning", starts_at=time(9),
                               ends_at=time(12, 30))
    SessionSlot.objects.create(session=session, day=today, part="afternoon", starts_at=time(13, 30),
                               ends_at=time(17))
    learners = Learner.objects.for_organisation(organisation)
    chosen = [learners.filter(email__iexact=f"stagiaire@{organisation.slug}.demo").first(),
              *learners.filter(email__endswith=f"@stagiaires.{organisation.slug}.demo").order_by("id")[:3]]
    for learner in chosen:
        if learner is not None:
            enrolment_create(actor=None, organisation=organisation, session=session, learner=learner)
    return session


def _finished_session(organisation: Organisation, trainer: Trainer) -> TrainingSession | None:
    today = clock.today()
    return (TrainingSession.objects.for_organisation(organisation)
            .filter(trainers=trainer, end_date__lt=today - timedelta(days=7),
                    enrolments__status=Enrolment.Status.CONFIRMED)
            .order_by("start_date").distinct().first())


def sign_finished_session(organisation: Organisation, trainer: Trainer, session: TrainingSession) -> int:
    """Every half-day signed and closed (one late arrival, one absence), then the documents."""
    user = trainer.membership.user
    roster = list(selectors.roster(session))
    sheets = 0
    for index, slot in enumerate(session.slots.all()):
        if AttendanceSheet.objects.filter(slot=slot).exists():
            continue
        start = datetime.combine(slot.day, slot.starts_at)
        with clock.frozen(start + timedelta(minutes=5)):
            sheet = services.sheet_open(actor=user, organisation=organisation, slot=slot,
                                        trainer=trainer)
            for n, enrolment in enumerate(roster):
                if index == 1 and n == len(roster) - 1:
                    services.mark_absent(actor=user, organisation=organisation, sheet=sheet,
                                         enrolment=enrolment, reason="Arrêt maladie (justificatif reçu)")
                    continue
                late = index == 0 and n == 1
                arrival = (start + timedelta(minutes=40)).time() if late else None
                services.mark_sign(actor=user, organisation=organisation, sheet=sheet,
                                   enrolment=enrolment, signature=demo_signature(n + 1),
                                   channel=Channel.TRAINER_DEVICE, ip_address="192.0.2.10",
                                   user_agent="Tablette de démonstration", arrived_at=arrival,
                                   reason="Retard de train" if late else "")
        with clock.frozen(datetime.combine(slot.day, slot.ends_at) + timedelta(minutes=5)):
            services.sheet_close(actor=user, organisation=organisation, sheet=sheet,
                                 signature=demo_signature(9), ip_address="192.0.2.10",
                                 user_agent="Tablette de démonstration", trainer=trainer)
        sheets += 1
    with clock.frozen(datetime.combine(session.end_date, time(18))):
        services.documents_generate(actor=None, organisation=organisation, session=session,
                                    notify=False)
    return sheets


def load_attendance(organisation: Organisation, *, sign_past: bool | None = None) -> dict[str, Any]:
    """Once per organisation (the demo command calls it with the first business data)."""
    trainer = _trainer(organisation)
    if trainer is None:
        return {}
    today = session_today(organisation, trainer)
    if sign_past is None:
        sign_past = organisation.slug in SIGNED_PAST
    past = _finished_session(organisation, trainer) if sign_past else None
    signed = sign_finished_session(organisation, trainer, past) if past is not None else 0
    return {"today": today, "past": past, "sheets": signed}
