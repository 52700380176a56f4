from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from ofelia.catalogue.management.commands.bench_data import make_siret, spread
from ofelia.catalogue.models import Enrolment, Training, TrainingSession
from ofelia.organisations.models import Learner, Membership, Organisation, Role
from ofelia.organisations.validators import validate_siret

pytestmark = pytest.mark.django_db

SMALL = {"organisations": 3, "learners": 301, "sessions": 31, "trainings": 4, "companies": 5}


def run(**options: object) -> str:
    out = StringIO()
    call_command("bench_data", stdout=out, **{**SMALL, **options})
    return out.getvalue()


def test_bench_data_creates_the_requested_volumes_spread_over_the_organisations() -> None:
    output = run(enrolments_per_session=3)
    orgs = Organisation.objects.filter(slug__startswith="bench-")
    assert orgs.count() == 3
    assert Learner.objects.filter(organisation__in=orgs).count() == 301
    assert TrainingSession.objects.count() == 31
    assert Enrolment.objects.count() == 31 * 3
    # 301 = 101 + 100 + 100: the remainder goes to the first organisation.
    assert [Learner.objects.filter(organisation=o).count() for o in orgs.order_by("slug")] == [101, 100, 100]
    assert "301 apprenants, 31 sessions, 93 inscriptions" in output


def test_bench_data_never_mixes_organisations() -> None:
    run()
    assert not Enrolment.objects.exclude(learner__organisation=F("organisation")).exists()
    assert not Enrolment.objects.exclude(session__organisation=F("organisation")).exists()
    assert not TrainingSession.objects.exclude(training__organisation=F("organisation")).exists()
    assert not TrainingSession.objects.filter(end_date__lt=F("start_date")).exists()
    for training in Training.objects.filter(cpf_eligible=True):
        training.full_clean()  # CPF trainings carry a valid certification code


def test_bench_data_gives_each_organisation_a_staff_and_a_learner_account() -> None:
    run()
    user = get_user_model().objects.get(email="stagiaire@bench-1.ofelia.test")
    assert user.check_password("ofelia-bench")
    assert Membership.objects.get(user=user).role == Role.LEARNER
    learner = Learner.objects.get(user=user)
    assert Enrolment.objects.filter(learner=learner).exists()
    staff = get_user_model().objects.get(email="personnel@bench-2.ofelia.test")
    assert Membership.objects.get(user=staff).role == Role.STAFF


def test_bench_data_refuses_to_pile_up_and_replaces_on_request() -> None:
    run()
    with pytest.raises(CommandError, match="--replace"):
        run()
    run(replace=True, learners=30)
    assert Learner.objects.count() == 30
    assert Organisation.objects.filter(slug__startswith="bench-").count() == 3
    assert get_user_model().objects.filter(email__endswith=".ofelia.test").count() == 6


def test_bench_data_rejects_empty_volumes() -> None:
    with pytest.raises(CommandError):
        run(organisations=0)
    with pytest.raises(CommandError):
        run(learners=2)  # fewer learners than organisations
    assert not Organisation.objects.exists()


def test_bench_helpers_make_valid_sirets_and_exact_spreads() -> None:
    import random

    rng = random.Random(1)
    for _ in range(50):
        validate_siret(make_siret(rng))
    assert spread(10, 3) == [4, 3, 3]
    assert sum(spread(100_000, 7)) == 100_000
