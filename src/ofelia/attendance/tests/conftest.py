"""An organisation with a trainer, a one-day session (two half-days) and three learners."""

from __future__ import annotations

import base64
import itertools
import struct
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from ofelia.catalogue.models import Enrolment, SessionSlot, Trainer, Training, TrainingSession
from ofelia.core import clock
from ofelia.organisations.models import Learner, Membership, Organisation, Role

DAY = date(2026, 3, 16)
_seq = itertools.count(1)


def png_data_url() -> str:
    """A tiny valid PNG, as signature_pad's toDataURL() gives."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 1, 8, 0, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(b"\x00\x00\xff")) + chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(raw).decode()


SIGNATURE = png_data_url()


def at(hour: int, minute: int = 0, day: date = DAY) -> Any:
    return clock.frozen(datetime(day.year, day.month, day.day, hour, minute))


def make_user(org: Organisation, role: str, **extra: Any) -> Any:
    n = next(_seq)
    user = get_user_model().objects.create_user(
        username=f"att{n}", email=f"att{n}@example.org", password="pw-for-tests-only",
        first_name=f"Prénom{n}", last_name=f"Nom{n}")
    Membership.objects.create(user=user, organisation=org, role=role, **extra)
    return user


@dataclass
class World:
    org: Organisation
    admin: Any
    trainer_user: Any
    trainer: Trainer
    session: TrainingSession
    morning: SessionSlot
    afternoon: SessionSlot
    learners: list[Learner]
    enrolments: list[Enrolment]
    learner_user: Any


def make_world(slug: str = "orga") -> World:
    org = Organisation.objects.create(
        legal_name=f"Organisme {slug}", slug=slug, siret="73282932000074", nda_number="11755555575",
        address_line1="1 rue de la Paix", postal_code="75002", city="Paris", policy_id="dixneuf")
    admin = make_user(org, Role.ADMINISTRATOR)
    trainer_user = make_user(org, Role.TRAINER)
    trainer = Trainer.objects.create(organisation=org, membership=trainer_user.memberships.get())
    training = Training.objects.create(
        organisation=org, title="Management d'équipe", reference=f"MGT-{next(_seq)}",
        duration_hours=Decimal("7"), price_excl_vat=Decimal("900"), objectives="Animer une équipe.")
    session = TrainingSession.objects.create(organisation=org, training=training, start_date=DAY,
                                             end_date=DAY, capacity=10, place="Paris")
    session.trainers.add(trainer)
    morning = SessionSlot.objects.create(session=session, day=DAY, part="morning",
                                         starts_at=time(9), ends_at=time(12, 30))
    afternoon = SessionSlot.objects.create(session=session, day=DAY, part="afternoon",
                                           starts_at=time(13, 30), ends_at=time(17))
    learner_user = make_user(org, Role.LEARNER)
    learners = [Learner.objects.create(organisation=org, civility="mme", first_name=f"Léa{i}",
                                       last_name=f"Stagiaire{i}", email=f"lea{i}.{slug}@example.org",
                                       user=learner_user if i == 0 else None) for i in range(3)]
    enrolments = [Enrolment.objects.create(organisation=org, session=session, learner=learner)
                  for learner in learners]
    return World(org, admin, trainer_user, trainer, session, morning, afternoon, learners,
                  enrolments, learner_user)


@pytest.fixture
def world(db: Any) -> World:
    return make_world()
