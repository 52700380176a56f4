"""Merging two learners (organisations.merge) keeps the merged learner's course follow-up."""

from __future__ import annotations

from ofelia.elearning import services
from ofelia.elearning.models import LearnerCourse
from ofelia.organisations import merge
from ofelia.organisations.models import Learner
from ofelia.sales import services as sales_services

from .conftest import World


def _duplicate(world: World) -> Learner:
    original = world.cpf_lc.learner
    return Learner.objects.create(organisation=world.org, first_name=original.first_name,
                                  last_name=original.last_name, email="")


def test_merge_moves_the_course_of_the_merged_learner(world: World) -> None:
    merged = world.cpf_lc.learner
    services.module_complete(actor=world.cpf_user, learner_course=world.cpf_lc,
                             module=world.modules[0], how="viewed")
    kept = _duplicate(world)

    merge.person_merge(actor=world.staff, kept=kept, merged=merged)

    follow_up = LearnerCourse.objects.get(pk=world.cpf_lc.pk)
    assert follow_up.learner_id == kept.pk
    assert follow_up.completions.count() == 1


def test_merge_of_two_followers_of_one_course_keeps_the_more_advanced(world: World) -> None:
    merged = world.cpf_lc.learner
    services.module_complete(actor=world.cpf_user, learner_course=world.cpf_lc,
                             module=world.modules[0], how="viewed")
    kept = _duplicate(world)
    enrolment = sales_services.enrolment_create(actor=None, organisation=world.org,
                                                session=world.cpf_lc.enrolment.session, learner=kept)
    services.learner_course_start(actor=world.staff, enrolment=enrolment, course=world.course)

    merge.person_merge(actor=world.staff, kept=kept, merged=merged)

    (follow_up,) = LearnerCourse.objects.filter(learner=kept)
    assert follow_up.pk == world.cpf_lc.pk, "the follow-up with a completed module is kept"
    assert follow_up.completions.count() == 1
    assert follow_up.enrolment.learner_id == kept.pk
