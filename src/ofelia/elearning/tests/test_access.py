"""LRN-1 / LRN-2: what a learner may open is the rules core's answer for their funding."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from ofelia.core import clock
from ofelia.elearning import rules_io, selectors, services
from ofelia.elearning.models import Module
from ofelia.simulator.selectors import simulate_for

from .conftest import ORDER_AT, World

LATER = ORDER_AT + timedelta(days=30)


def _state(world: World, lc: Any) -> selectors.CourseState:
    lc.refresh_from_db()
    with clock.frozen(LATER):
        return selectors.course_state(lc)


def _open(state: selectors.CourseState) -> list[str]:
    return [r.ident for r in state.rows if r.open]


def test_lrn_1_self_funded_opens_every_module_at_once(world: World) -> None:
    state = _state(world, world.self_lc)
    assert state.rule == "LRN-1"
    assert _open(state) == ["core-1", "core-2", "core-3", "extra-1"]
    assert "Financement personnel" in state.explanation


def test_lrn_2_cpf_funded_opens_core_one_after_the_other_then_extras(world: World) -> None:
    lc, (m1, m2, m3, _bonus) = world.cpf_lc, world.modules
    state = _state(world, lc)
    assert state.rule == "LRN-2" and _open(state) == ["core-1"]
    with clock.frozen(LATER):
        services.module_complete(actor=None, learner_course=lc, module=m1, how="test")
    assert _open(_state(world, lc)) == ["core-1", "core-2"]
    with clock.frozen(LATER):
        services.module_complete(actor=None, learner_course=lc, module=m2, how="test")
    # Boundary: the last core module open, the extra still closed until it is done.
    assert _open(_state(world, lc)) == ["core-1", "core-2", "core-3"]
    with clock.frozen(LATER):
        services.module_complete(actor=None, learner_course=lc, module=m3, how="test")
    state = _state(world, lc)
    assert _open(state) == ["core-1", "core-2", "core-3", "extra-1"]
    assert (state.done, state.percent) == (3, 75)


def test_lrn_2_the_case_is_what_ofelia_simulate_says(world: World) -> None:
    lc = world.cpf_lc
    modules = list(world.modules)
    with clock.frozen(LATER):
        case = rules_io.learning_case(lc, contract=selectors.live_contract(lc.enrolment),
                                      modules=modules, completions={}, as_of=LATER)
    assert case["order"]["funding"] == "cpf"
    assert case["course"] == {"core_modules": 3, "extra_modules": 1, "evaluation_modules": 1}
    outcome = simulate_for(organisation=world.org, case=case, today=LATER.date())
    assert outcome["access"]["unlocked"] == ["core-1"]


def test_lrn_2_locked_module_shows_the_clause_and_does_not_open(world: World) -> None:
    client = Client()
    client.force_login(world.cpf_user)
    m2 = world.modules[1]
    response = client.get(reverse("elearning:my-module", args=[world.cpf_lc.pk, m2.pk]))
    assert response.status_code == 403
    assert "CGV, art. 8.2 et 8.3.1" in response.content.decode()
    page = client.get(reverse("elearning:my-course", args=[world.cpf_lc.pk])).content.decode()
    assert "verrouillé" in page and "0/4 modules terminés" in page
    # Opening module 1 (a page) completes it: module 2 opens.
    assert client.get(reverse("elearning:my-module", args=[world.cpf_lc.pk, world.modules[0].pk])).status_code == 200
    assert client.get(reverse("elearning:my-module", args=[world.cpf_lc.pk, m2.pk])).status_code == 200


def test_lrn_3_staff_see_each_learners_progress(world: World) -> None:
    with clock.frozen(LATER):
        services.module_complete(actor=None, learner_course=world.cpf_lc, module=world.modules[0], how="t")
    client = Client()
    client.force_login(world.staff)
    page = client.get(reverse("elearning:course-progress", args=[world.course.pk])).content.decode()
    assert "Camille Martin" in page and "1/4 (25 %)" in page and "Léa Martin" in page


def test_another_learner_or_organisation_gets_404(world: World) -> None:
    client = Client()
    client.force_login(world.self_user)
    url = reverse("elearning:my-course", args=[world.cpf_lc.pk])
    assert client.get(url).status_code == 404
    client.force_login(world.cpf_user)
    assert client.get(reverse("elearning:course-edit", args=[world.course.pk])).status_code == 403


def test_published_version_is_immutable_and_learners_keep_theirs(world: World) -> None:
    published = world.course.versions.get()
    with pytest.raises(ValidationError, match="publiée"):
        services.module_add(actor=world.staff, version=published, kind="page", title="Ajout")
    draft = services.version_new_draft(actor=world.staff, course=world.course)
    assert draft.number == 2 and draft.modules.count() == 4
    services.module_add(actor=world.staff, version=draft, kind="page", title="Module 4", body="…")
    services.module_move(actor=world.staff, module=draft.modules.get(title="Module 4"), up=True)
    assert [m.title for m in draft.modules.order_by("position")][-2:] == ["Module 4", "Bonus 1"]
    services.version_publish(actor=world.staff, version=draft)
    world.cpf_lc.refresh_from_db()
    assert world.cpf_lc.version_id == published.pk
    assert len(_state(world, world.cpf_lc).rows) == 4


def test_quiz_passes_at_the_pass_mark_only(world: World) -> None:
    draft = services.version_new_draft(actor=world.staff, course=world.course)
    quiz = services.module_add(actor=world.staff, version=draft, kind="quiz", title="Quiz",
                               questions=[{"question": "2+2 ?", "choices": ["3", "4"], "answer": 1},
                                          {"question": "1+1 ?", "choices": ["2", "5"], "answer": 0}],
                               pass_mark=50)
    assert services.quiz_score(quiz, {0: 1, 1: 1}) == 50
    assert services.quiz_score(quiz, {0: 0, 1: 1}) == 0
    with pytest.raises(ValidationError, match="bonne réponse"):
        services.module_add(actor=world.staff, version=draft, kind="quiz", title="Mauvais",
                            questions=[{"question": "?", "choices": ["a", "b"], "answer": 5}])
    assert Module.objects.filter(title="Mauvais").count() == 0


