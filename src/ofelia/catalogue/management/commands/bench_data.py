"""`ofelia bench-data`: a large, realistic data set for the benchmarks in bench/.

Organisations, their staff and learner accounts go through the services (audited);
the bulk rows (companies, learners, trainings, sessions, enrolments) are inserted with
bulk_create in batches inside one transaction, with one audit row per organisation
summarising the load — a per-row audit would measure the audit log, not the app.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from ofelia.catalogue.models import Enrolment, Format, Modality, Training, TrainingSession
from ofelia.core import audit
from ofelia.organisations.models import ClientCompany, Learner, Organisation, Role
from ofelia.organisations.services import membership_grant, organisation_create, user_create
from ofelia.organisations.validators import luhn_ok

BATCH = 5000
SLUG_PREFIX = "bench-"
EMAIL_DOMAIN = "ofelia.test"  # reserved TLD: these addresses can never receive mail

FIRST_NAMES = (
    "Camille Léa Manon Chloé Inès Jade Louise Emma Alice Lina Sarah Zoé Anaïs Julie Claire "
    "Lucas Hugo Louis Nathan Gabriel Arthur Jules Tom Paul Théo Hamza Karim Yanis Pierre Marc"
).split()
LAST_NAMES = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
    "Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Mercier "
    "Dupont Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc Guerin Muller"
).split()
CITIES = (
    ("75011", "Paris"), ("69003", "Lyon"), ("13001", "Marseille"), ("31000", "Toulouse"),
    ("67000", "Strasbourg"), ("57000", "Metz"), ("33000", "Bordeaux"), ("59000", "Lille"),
    ("44000", "Nantes"), ("35000", "Rennes"),
)
SUBJECTS = (
    "Excel perfectionnement", "Gestion de projet agile", "Management d'équipe", "Anglais professionnel",
    "Python pour l'analyse de données", "Sécurité des systèmes d'information", "Prise de parole en public",
    "Comptabilité générale", "Droit du travail", "Linux administration", "Photoshop initiation",
    "Relation client", "Docker et Kubernetes", "Power BI", "Négociation commerciale", "RGPD en pratique",
)


def make_siret(rng: random.Random) -> str:
    """A syntactically valid SIRET (Luhn key) that is not La Poste's special range."""
    while True:
        body = str(rng.randrange(1, 10)) + "".join(str(rng.randrange(10)) for _ in range(12))
        for key in range(10):
            candidate = body + str(key)
            if luhn_ok(candidate) and not candidate.startswith("356000000"):
                return candidate


def spread(total: int, parts: int) -> list[int]:
    """`total` split into `parts` near-equal integers, the remainder on the first parts."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def batched(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class Command(BaseCommand):
    help = (
        "Génère un jeu de données volumineux pour les mesures de performance "
        "(organisations bench-N, apprenants, formations, sessions, inscriptions)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisations", type=int, default=5)
        parser.add_argument("--learners", type=int, default=100_000, help="au total")
        parser.add_argument("--sessions", type=int, default=10_000, help="au total")
        parser.add_argument("--trainings", type=int, default=40, help="par organisation")
        parser.add_argument("--companies", type=int, default=200, help="par organisation")
        parser.add_argument("--enrolments-per-session", type=int, default=6)
        parser.add_argument("--password", default="ofelia-bench")
        parser.add_argument("--seed", type=int, default=19)
        parser.add_argument(
            "--replace", action="store_true", help="efface d'abord les données bench existantes"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        n_orgs = opts["organisations"]
        if n_orgs < 1 or opts["learners"] < n_orgs or opts["sessions"] < n_orgs:
            raise CommandError(
                "Il faut au moins une organisation, et au moins un apprenant et une session par organisation."
            )
        if opts["trainings"] < 1 or opts["companies"] < 1 or opts["enrolments_per_session"] < 0:
            raise CommandError("Les nombres de formations et d'entreprises doivent être positifs.")
        rng = random.Random(opts["seed"])
        started = time.perf_counter()
        with transaction.atomic():
            existing = Organisation.objects.filter(slug__startswith=SLUG_PREFIX)
            if Learner.objects.filter(organisation__in=existing).exists():
                if not opts["replace"]:
                    raise CommandError(
                        "Des données bench existent déjà ; relancez avec --replace pour les remplacer."
                    )
                self._wipe(existing)
            counts = {"learners": 0, "sessions": 0, "enrolments": 0}
            learner_shares = spread(opts["learners"], n_orgs)
            session_shares = spread(opts["sessions"], n_orgs)
            for index in range(n_orgs):
                org = self._organisation(index + 1, rng, opts["password"])
                made = self._fill(
                    org,
                    rng,
                    learners=learner_shares[index],
                    sessions=session_shares[index],
                    trainings=opts["trainings"],
                    companies=opts["companies"],
                    per_session=opts["enrolments_per_session"],
                )
                for key, value in made.items():
                    counts[key] += value
                audit.record(
                    actor=None,
                    action="bench.bulk_load",
                    organisation=org,
                    obj=org,
                    after=made,
                )
        if connection.vendor == "postgresql":
            # Fresh statistics: without them the planner guesses row counts of the tables
            # just filled and may pick nested loops over 100 000 enrolments.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"{n_orgs} organisations, {counts['learners']} apprenants, {counts['sessions']} sessions, "
            f"{counts['enrolments']} inscriptions en {elapsed:.1f} s"
        )
        self.stdout.write(
            f"Connexion : personnel@bench-1.{EMAIL_DOMAIN} (personnel) et "
            f"stagiaire@bench-1.{EMAIL_DOMAIN} (stagiaire), mot de passe « {opts['password']} »"
        )

    def _wipe(self, organisations: Any) -> None:
        # Plain DELETEs, children first (the foreign keys are PROTECT on purpose): the ORM's
        # delete() would load every one of the 100 000 rows to look for dependants.
        ids = list(organisations.values_list("id", flat=True))
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            for model in (Enrolment, TrainingSession, Training, Learner, ClientCompany):
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"DELETE FROM {table} WHERE organisation_id IN ({marks})", ids)

    def _organisation(self, number: int, rng: random.Random, password: str) -> Organisation:
        slug = f"{SLUG_PREFIX}{number}"
        org = Organisation.objects.filter(slug=slug).first()
        if org is None:
            postal_code, city = CITIES[number % len(CITIES)]
            org = organisation_create(
                actor=None,
                legal_name=f"Organisme de test n°{number} (bench)",
                display_name=f"Bench {number}",
                slug=slug,
                siret=make_siret(rng),
                nda_number=f"{rng.randrange(10**10, 10**11)}",
                address_line1=f"{number} rue des Essais",
                postal_code=postal_code,
                city=city,
                holiday_calendar=(
                    Organisation.HolidayCalendar.ALSACE_MOSELLE
                    if postal_code.startswith(("67", "68", "57"))
                    else Organisation.HolidayCalendar.NATIONAL
                ),
            )
        User = get_user_model()
        for local, role in (("personnel", Role.STAFF), ("stagiaire", Role.LEARNER)):
            email = f"{local}@{slug}.{EMAIL_DOMAIN}"
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                user = user_create(
                    actor=None,
                    organisation=org,
                    email=email,
                    password=password,
                    first_name=local.capitalize(),
                    last_name=f"Bench {number}",
                )
            membership_grant(actor=None, organisation=org, user=user, role=role)
        return org

    @staticmethod
    def _title(index: int) -> str:
        subject = SUBJECTS[index % len(SUBJECTS)]
        level = index // len(SUBJECTS)
        return f"{subject} — niveau {level + 1}" if level else subject

    def _fill(
        self,
        org: Organisation,
        rng: random.Random,
        *,
        learners: int,
        sessions: int,
        trainings: int,
        companies: int,
        per_session: int,
    ) -> dict[str, int]:
        slug = org.slug
        ClientCompany.objects.bulk_create(
            (
                ClientCompany(
                    organisation=org,
                    name=f"Entreprise {i + 1} ({slug})",
                    siret=make_siret(rng),
                    email=f"contact{i + 1}@entreprise.{slug}.{EMAIL_DOMAIN}",
                    city=rng.choice(CITIES)[1],
                )
                for i in range(companies)
            ),
            batch_size=BATCH,
        )
        company_ids = list(ClientCompany.objects.filter(organisation=org).values_list("id", flat=True))

        def learner_rows() -> Iterator[Learner]:
            for i in range(learners):
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                postal_code, city = rng.choice(CITIES)
                yield Learner(
                    organisation=org,
                    civility=rng.choice(("mme", "m")),
                    first_name=first,
                    last_name=last,
                    email=f"apprenant{i + 1}@{slug}.{EMAIL_DOMAIN}",
                    postal_code=postal_code,
                    city=city,
                    # Two learners in three are sent by a client company.
                    company_id=rng.choice(company_ids) if rng.random() < 0.66 else None,
                )

        for batch in batched(learner_rows(), BATCH):
            Learner.objects.bulk_create(batch)
        learner_ids = list(Learner.objects.filter(organisation=org).values_list("id", flat=True))

        # The bench learner account is one of these learners, so its extranet has content.
        user = get_user_model().objects.get(email__iexact=f"stagiaire@{slug}.{EMAIL_DOMAIN}")
        Learner.objects.filter(pk=learner_ids[0]).update(
            user=user, email=user.email, first_name=user.first_name, last_name=user.last_name
        )

        Training.objects.bulk_create(
            (
                Training(
                    organisation=org,
                    title=self._title(i),
                    reference=f"F{i + 1:04d}",
                    duration_hours=Decimal(rng.choice((7, 14, 21, 35))),
                    modality=rng.choice(Modality.values),
                    format=rng.choice(Format.values),
                    price_excl_vat=Decimal(rng.randrange(400, 3500, 50)),
                    cpf_eligible=(cpf := rng.random() < 0.3),
                    certification_code=f"RS{rng.randrange(5000, 7000)}" if cpf else "",
                )
                for i in range(trainings)
            ),
            batch_size=BATCH,
        )
        training_rows = list(Training.objects.filter(organisation=org).values_list("id", "duration_hours"))

        first_day = date(2025, 9, 1)

        def session_rows() -> Iterator[TrainingSession]:
            for _ in range(sessions):
                training_id, hours = rng.choice(training_rows)
                start = first_day + timedelta(days=rng.randrange(0, 730))
                yield TrainingSession(
                    organisation=org,
                    training_id=training_id,
                    start_date=start,
                    end_date=start + timedelta(days=max(int(hours // 7) - 1, 0)),
                    place=rng.choice(CITIES)[1],
                    capacity=rng.choice((8, 10, 12, 15, 20)),
                )

        for batch in batched(session_rows(), BATCH):
            TrainingSession.objects.bulk_create(batch)
        session_ids = list(TrainingSession.objects.filter(organisation=org).values_list("id", flat=True))

        statuses = (
            [Enrolment.Status.CONFIRMED] * 8 + [Enrolment.Status.WAITLISTED] + [Enrolment.Status.CANCELLED]
        )
        take = min(per_session, len(learner_ids))

        def enrolment_rows() -> Iterator[Enrolment]:
            for position, session_id in enumerate(session_ids):
                chosen = rng.sample(learner_ids, take)
                # The bench learner follows a handful of sessions.
                if position < 12 and learner_ids[0] not in chosen and take:
                    chosen[0] = learner_ids[0]
                for learner_id in chosen:
                    yield Enrolment(
                        organisation=org,
                        session_id=session_id,
                        learner_id=learner_id,
                        status=rng.choice(statuses),
                    )

        enrolments = 0
        for batch in batched(enrolment_rows(), BATCH):
            Enrolment.objects.bulk_create(batch)
            enrolments += len(batch)
        return {"learners": learners, "sessions": sessions, "enrolments": enrolments}
