"""Demo business data, part 1: trainings, sessions and who attends them, per demo organisation.

Built through the staff forms and services (so validation and the audit log are the real
ones), with dates relative to today: a session finished about five weeks ago, one starting
in about two weeks (full, with a waiting list) and one in about two months per training.

Idempotent per organisation: when its first demo training exists, nothing is written.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from ofelia.core import clock
from ofelia.organisations import services as org_services
from ofelia.organisations.demo import ORGANISATIONS
from ofelia.organisations.models import ClientCompany, Learner, Membership, Organisation, Role

from . import services
from .forms import SessionForm, SlotFormSet, TrainingForm
from .models import Enrolment, Trainer, Training, TrainingSession

# Shared wording of what every demo training promises (D6353-1 mentions).
_MEANS = ("Salle équipée ou classe virtuelle, supports remis à chaque stagiaire, exercices "
          "pratiques ; un formateur pour {n} stagiaires au plus.")
_FOLLOW_UP = "Feuilles d'émargement signées par demi-journée ; certificat de réalisation."
_ASSESSMENT = ("Positionnement à l'entrée, évaluation des acquis en fin de formation (QCM et mise "
               "en situation), questionnaire de satisfaction.")

# Per organisation, from its own terms (seeds): what it sells, where, and its trainer.
TRAININGS: dict[str, list[dict[str, Any]]] = tomllib.loads(
    (Path(__file__).with_name("demo_trainings.toml")).read_text(encoding="utf-8"))

PLACES = {
    "mi4": "Mi4, 930 Route des Dolines, 06560 Valbonne",
    "dixneuf": "Campus DIXNEUF, 388 rue de Touraine, 49740 La Romagne",
    "formagogy": "FORMAGOGY, 6 bis rue du Parc des Vergers, 91250 Tigery",
}
TRAINER_TITLES = {
    "mi4": "Consultante en management, master en psychologie du travail",
    "dixneuf": "Formatrice habilitée prévention des risques, certifiée formateur SST (INRS)",
    "laporte": "Monteuse vidéo professionnelle, certifiée Adobe Premiere Pro",
    "formagogy": "Ingénieure pédagogique, titre RNCP de formateur professionnel d'adultes",
    "virtualeo": "Formatrice digitale, 10 ans d'animation de classes virtuelles",
}

# Who sells to private persons, per their terms: Mi4 (« Client particulier »), DIXNEUF
# (Partie 1 of its CGV) and LA PORTE ACADÉMIE (consumers); FORMAGOGY and VIRTUALEO sell to
# professionals only.
SELLS_TO_CONSUMERS = frozenset({"mi4", "dixneuf", "laporte"})

# The learners of the demo client companies (one generated roster per organisation).
GENERATED_LEARNERS = [
    ("m", "Hugo", "Bernard"), ("mme", "Inès", "Moreau"), ("m", "Julien", "Petit"),
    ("mme", "Karima", "Roux"), ("m", "Louis", "Fournier"), ("mme", "Manon", "Girard"),
    ("m", "Nathan", "Bonnet"), ("mme", "Océane", "Lambert"), ("m", "Pierre", "Fontaine"),
    ("mme", "Rose", "Chevalier"),
]
# Which employer each generated learner works for (index into OTHER_COMPANIES, or None for
# the demo client company of organisations.demo).
LEARNER_EMPLOYER: list[int | None] = [None, None, 0, 0, 1, None, 0, 1, None, 0]
OTHER_COMPANIES = [
    {"name": "Transports Bréhat", "siret": "51247896300014", "address_line1": "4 quai Duguay",
     "postal_code": "35400", "city": "Saint-Malo", "contact_name": "Gaëlle Bréhat"},
    {"name": "Atelier Lumière SARL", "siret": "43982156700013",
     "address_line1": "22 rue des Tanneurs", "postal_code": "37000", "city": "Tours",
     "contact_name": "Yann Lefèvre"},
]


@dataclass
class DemoCatalogue:
    """What the sales loader needs: the rows it builds its contracts on."""

    organisation: Organisation
    trainings: list[Training]
    # sessions[i] = (finished, in about two weeks, in about two months) of trainings[i]
    sessions: list[tuple[TrainingSession, TrainingSession, TrainingSession]]
    company: ClientCompany
    others: list[ClientCompany]
    learner: Learner  # stagiaire@
    consumer_learner: Learner | None  # particulier@
    generated: list[Learner] = field(default_factory=list)
    # Who is to be enrolled where, in order (the sales loader enrols them through the
    # enrolment service, which holds the seat lock and the waiting list).
    rosters: list[tuple[TrainingSession, list[Learner]]] = field(default_factory=list)


def monday_on_or_before(day: date) -> date:
    return day - timedelta(days=day.weekday())


def monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def session_starts(today: date, index: int) -> tuple[date, date, date]:
    """Weekdays: finished about five weeks ago, in about two weeks, in about two months."""
    past = monday_on_or_before(today - timedelta(days=35)) + timedelta(days=index)
    soon = monday_on_or_after(today + timedelta(days=14)) + timedelta(days=index)
    later = monday_on_or_after(today + timedelta(days=60)) + timedelta(days=index)
    return past, soon, later


def _days(hours: Decimal, modality: str) -> int:
    # E-learning is followed at one's own pace; its sessions are two live coaching half-days.
    return 1 if modality == "elearning" else max(1, int(hours // 7))


def _complete_legal_data(organisation: Organisation) -> None:
    """A database made by an older `ofelia demo` lacks the demo NDA of Mi4 and VIRTUALEO,
    without which no convention can be signed (R6351-6): complete it from the demo data."""
    data = next((d for d in ORGANISATIONS if d["slug"] == organisation.slug), {})
    if organisation.nda_number or not data.get("nda_number"):
        return
    org_services.organisation_update(
        actor=None, organisation=organisation, nda_number=data["nda_number"],
        nda_region=data["nda_region"], legal_mentions=data["legal_mentions"])


def _trainer(organisation: Organisation) -> Trainer:
    membership = Membership.objects.get(organisation=organisation, role=Role.TRAINER,
                                        user__email__iexact=f"formateur@{organisation.slug}.demo")
    trainer = Trainer.objects.filter(membership=membership).first()
    return trainer or services.trainer_titles_set(
        actor=None, organisation=organisation, membership=membership,
        titles=TRAINER_TITLES[organisation.slug])


def _training(organisation: Organisation, data: dict[str, Any], trainer: Trainer) -> Training:
    hours = Decimal(data["duration_hours"])
    form = TrainingForm(organisation=organisation, data={
        "title": data["title"], "reference": data["reference"], "audience": data["audience"],
        "objectives": data["objectives"], "programme": data["programme"],
        "prerequisites": data["prerequisites"], "duration_hours": str(hours),
        "modality": data["modality"], "format": "inter", "price_excl_vat": data["price"],
        "price_intra_excl_vat": data.get("intra", ""), "cpf_eligible": "on" if data.get("cpf") else "",
        "certification_code": data.get("cpf", ""), "means": _MEANS.format(n=12),
        "follow_up": _FOLLOW_UP, "assessment": _ASSESSMENT, "trainers": [trainer.pk],
        "is_published": "on", "is_active": "on",
    })
    if not form.is_valid():
        raise ValueError(f"Formation de démonstration invalide : {form.errors.as_text()}")
    return services.training_save(actor=None, organisation=organisation, form=form)


def _session(organisation: Organisation, training: Training, trainer: Trainer, start: date,
             capacity: int) -> TrainingSession:
    days = _days(training.duration_hours, training.modality)
    end = start + timedelta(days=days - 1)
    remote = training.modality in ("remote", "elearning", "virtual_class")
    place = "" if remote else PLACES.get(organisation.slug, organisation.city)
    link = f"https://classe.{organisation.slug}.demo/{training.reference.lower()}-{start:%Y%m%d}"
    data: dict[str, Any] = {
        "training": training.pk, "start_date": start.isoformat(), "end_date": end.isoformat(),
        "place": place, "remote_link": link if remote else "", "capacity": capacity,
        "trainers": [trainer.pk],
    }
    slots: list[tuple[date, str, str, str]] = []
    for n in range(days):
        day = start + timedelta(days=n)
        slots += [(day, "morning", "09:00", "12:30"), (day, "afternoon", "13:30", "17:00")]
    data.update({"slots-TOTAL_FORMS": str(len(slots)), "slots-INITIAL_FORMS": "0",
                 "slots-MIN_NUM_FORMS": "0", "slots-MAX_NUM_FORMS": "1000"})
    for i, (day, part, starts, ends) in enumerate(slots):
        data.update({f"slots-{i}-day": day.isoformat(), f"slots-{i}-part": part,
                     f"slots-{i}-starts_at": starts, f"slots-{i}-ends_at": ends})
    form = SessionForm(data=data, organisation=organisation)
    formset = SlotFormSet(data, instance=TrainingSession(), prefix="slots")
    if not (form.is_valid() and formset.is_valid()):
        raise ValueError(f"Session de démonstration invalide : {form.errors.as_text()} "
                         f"{formset.errors}")
    return services.session_save(actor=None, organisation=organisation, form=form, slots=formset)


def _other_companies(organisation: Organisation) -> list[ClientCompany]:
    found = []
    for data in OTHER_COMPANIES:
        company = ClientCompany.objects.for_organisation(organisation).filter(name=data["name"]).first()
        if company is None:
            local = data["name"].split()[-1].lower()
            company = org_services.client_company_create(
                actor=None, organisation=organisation, email=f"compta@{local}.{organisation.slug}.demo",
                **data)
        found.append(company)
    return found


def _generated_learners(organisation: Organisation, company: ClientCompany,
                        others: list[ClientCompany]) -> list[Learner]:
    learners = []
    for (civility, first, last), employer in zip(GENERATED_LEARNERS, LEARNER_EMPLOYER, strict=True):
        email = f"{first.lower().replace('è', 'e').replace('é', 'e').replace('ï', 'i')}." \
                f"{last.lower()}@stagiaires.{organisation.slug}.demo"
        learner = Learner.objects.for_organisation(organisation).filter(email=email).first()
        if learner is None:
            learner = org_services.learner_create(
                actor=None, organisation=organisation, civility=civility, first_name=first,
                last_name=last, email=email,
                company=company if employer is None else others[employer])
        learners.append(learner)
    return learners


def demo_company(organisation: Organisation) -> ClientCompany:
    return ClientCompany.objects.for_organisation(organisation).get(
        name=f"Entreprise Exemple ({organisation.slug})")


def find_catalogue(organisation: Organisation) -> DemoCatalogue | None:
    """The demo rows already there, or None when this organisation has none."""
    refs = [t["reference"] for t in TRAININGS.get(organisation.slug, [])]
    trainings = {t.reference: t for t in Training.objects.for_organisation(organisation)
                 .filter(reference__in=refs)}
    if not refs or refs[0] not in trainings:
        return None
    ordered = [trainings[r] for r in refs if r in trainings]
    sessions: list[tuple[TrainingSession, TrainingSession, TrainingSession]] = []
    for training in ordered:
        rows = list(TrainingSession.objects.filter(training=training).order_by("start_date")[:3])
        if len(rows) == 3:
            sessions.append((rows[0], rows[1], rows[2]))
    company = demo_company(organisation)
    learners = Learner.objects.for_organisation(organisation)
    return DemoCatalogue(
        organisation=organisation, trainings=ordered, sessions=sessions, company=company,
        others=_other_companies_existing(organisation),
        learner=learners.get(email__iexact=f"stagiaire@{organisation.slug}.demo"),
        consumer_learner=_consumer_learner(organisation),
        generated=list(learners.filter(email__endswith=f"@stagiaires.{organisation.slug}.demo")
                       .order_by("id")),
    )


def _consumer_learner(organisation: Organisation) -> Learner | None:
    if organisation.slug not in SELLS_TO_CONSUMERS:
        return None
    return Learner.objects.for_organisation(organisation).filter(
        email__iexact=f"particulier@{organisation.slug}.demo", consumer__isnull=False).first()


def _other_companies_existing(organisation: Organisation) -> list[ClientCompany]:
    names = [c["name"] for c in OTHER_COMPANIES]
    rows = {c.name: c for c in ClientCompany.objects.for_organisation(organisation).filter(name__in=names)}
    return [rows[n] for n in names if n in rows]


@transaction.atomic
def load_catalogue(organisation: Organisation) -> DemoCatalogue | None:
    """Trainings, sessions and rosters of one demo organisation; None when already there."""
    if organisation.slug not in TRAININGS or find_catalogue(organisation) is not None:
        return None
    today = clock.today()
    _complete_legal_data(organisation)
    trainer = _trainer(organisation)
    company = demo_company(organisation)
    others = _other_companies(organisation)
    generated = _generated_learners(organisation, company, others)
    learners = Learner.objects.for_organisation(organisation)
    learner = learners.get(email__iexact=f"stagiaire@{organisation.slug}.demo")
    consumer_learner = _consumer_learner(organisation)
    trainings = [_training(organisation, data, trainer) for data in TRAININGS[organisation.slug]]
    sessions: list[tuple[TrainingSession, TrainingSession, TrainingSession]] = []
    for index, training in enumerate(trainings):
        past, soon, later = session_starts(today, index)
        capacity = 8 if index == 0 else 10 + index
        sessions.append((
            _session(organisation, training, trainer, past, capacity),
            _session(organisation, training, trainer, soon, capacity),
            _session(organisation, training, trainer, later, capacity),
        ))
    first = sessions[0]
    # The finished session: the demo learner with colleagues, a second employer's staff and,
    # where the organisation sells to consumers, the demo private learner.
    finished = [learner, generated[0], generated[1], generated[2], generated[3]]
    # The second-employer learner stands in for the private one where there is none.
    finished.append(consumer_learner if consumer_learner is not None else generated[4])
    rosters = [
        (first[0], finished),
        # In two weeks: full (8 seats), two people on the waiting list.
        (first[1], [learner, *generated]),
        (first[2], [generated[5], generated[6]]),
    ]
    if len(sessions) > 1:
        rosters += [(sessions[1][1], [generated[4], generated[7], generated[9]]),
                    (sessions[1][2], [learner])]
    return DemoCatalogue(organisation=organisation, trainings=trainings, sessions=sessions,
                         company=company, others=others, learner=learner,
                         consumer_learner=consumer_learner, generated=generated, rosters=rosters)


def catalogue_summary(organisation: Organisation) -> dict[str, int]:
    return {
        "trainings": Training.objects.for_organisation(organisation).count(),
        "sessions": TrainingSession.objects.for_organisation(organisation).count(),
        "enrolments": Enrolment.objects.for_organisation(organisation).count(),
    }
