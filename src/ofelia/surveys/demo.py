"""Demo surveys: the default questionnaires, and the finished demo session (about five weeks
ago) surveyed as it would have been — positioning before, evaluation and satisfaction on the
last day — with most people having answered, so that its results page has charts.

Called by the `demo` command once per organisation, after the attendance demo; made through
the services (sending, answering, grading) like real ones.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.utils.datastructures import MultiValueDict

from ofelia.catalogue.models import Enrolment, TrainingSession
from ofelia.core import clock
from ofelia.organisations.models import Organisation

from . import services
from .models import Invitation, Scoring

REMARKS = [
    "Formateur très pédagogue, exemples concrets et adaptés à notre métier.",
    "Un peu dense sur la deuxième demi-journée, mais très utile.",
    "Les exercices pratiques étaient le point fort.",
    "J'aurais aimé davantage de temps pour les questions.",
    "Salle agréable, accueil chaleureux.",
]
EXPECTATIONS = [
    "Être autonome rapidement sur les situations de mon poste.",
    "Mettre à jour mes connaissances et obtenir l'habilitation.",
    "Comprendre les règles pour les appliquer avec mon équipe.",
]
SCALE5 = [5, 4, 5, 3, 4, 5, 4]
SCALE10 = [9, 8, 10, 7, 9, 8]


def demo_answers(invitation: Invitation, seed: int) -> MultiValueDict[str, str]:
    """Varied, plausible answers for every question of an invitation."""
    data: MultiValueDict[str, str] = MultiValueDict()
    for n, question in enumerate(invitation.snapshot):
        name, pick = f"q{question['key']}", seed + n
        if question["type"] == "scale5":
            data.setlist(name, [str(SCALE5[pick % len(SCALE5)])])
        elif question["type"] == "scale10":
            data.setlist(name, [str(SCALE10[pick % len(SCALE10)])])
        elif question["type"] == "single":
            # the middle choice ("Adaptée", "Un peu") most often, as real groups answer
            choices = question["choices"]
            data.setlist(name, [choices[min(1, len(choices) - 1) if pick % 3 else pick % len(choices)]])
        elif question["type"] == "multiple":
            data.setlist(name, [question["choices"][pick % len(question["choices"])]])
        elif question["required"] or pick % 2:
            texts = EXPECTATIONS if invitation.kind == "positioning" else REMARKS
            data.setlist(name, [texts[pick % len(texts)]])
    return data


def _finished_session(organisation: Organisation) -> TrainingSession | None:
    today = clock.today()
    return (TrainingSession.objects.for_organisation(organisation)
            .filter(end_date__lt=today - timedelta(days=7), end_date__gte=today - timedelta(days=60),
                    enrolments__status=Enrolment.Status.CONFIRMED)
            .order_by("start_date").distinct().first())


def load_surveys(organisation: Organisation) -> dict[str, Any]:
    services.ensure_defaults(organisation)
    session = _finished_session(organisation)
    if session is None or Invitation.objects.filter(session=session).exists():
        return {}
    before = session.start_date - timedelta(days=7)
    with clock.frozen(datetime.combine(before, time(9))):
        services.send_for_session(session, today=before)
    with clock.frozen(datetime.combine(session.end_date, time(17))):
        services.send_for_session(session, today=session.end_date)
    invitations = list(Invitation.objects.filter(session=session).order_by("id"))
    answered = 0
    for seed, invitation in enumerate(invitations):
        if seed % 5 == 4:
            continue  # some never answer: the response rate is not 100 %
        day = invitation.due_on if invitation.kind == "positioning" else session.end_date
        with clock.frozen(datetime.combine(day, time(18)) + timedelta(minutes=seed)):
            response = services.submit(token=services.token_for(invitation),
                                       data=demo_answers(invitation, seed))
        if invitation.scoring == Scoring.TRAINER:
            services.grade(actor=None, organisation=organisation, response=response,
                           score=str(12 + seed % 8), comment="Objectifs atteints.")
        answered += 1
    return {"session": session, "sent": len(invitations), "answered": answered}
