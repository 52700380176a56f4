"""VCL-1 on sessions: a VIRTUALEO virtual class accepts 30 learners, not 31 (the instructor's
environment comes on top); the refusal names the rule and the clause, and changes nothing.
A classroom training of the same organisation, or a virtual class under terms without VCL-1,
keeps its free capacity."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from ofelia.catalogue import services
from ofelia.catalogue.forms import SessionForm, SlotFormSet
from ofelia.catalogue.models import Modality, Training, TrainingSession
from ofelia.organisations.models import Role
from ofelia.sales.tests.conftest import make_organisation, make_user

pytestmark = pytest.mark.django_db


def _training(org: Any, modality: str = Modality.VIRTUAL_CLASS) -> Training:
    return Training.objects.create(organisation=org, title="Classe virtuelle Python", reference="CV-1",
                                   duration_hours=Decimal("7"), price_excl_vat=Decimal("900"),
                                   objectives="Programmer", modality=modality)


def _post(web: Client, training: Training, capacity: int, url: str = "/gestion/sessions/nouvelle/") -> Any:
    return web.post(url, {
        "training": training.pk, "start_date": "2026-04-07", "end_date": "2026-04-07",
        "place": "", "remote_link": "https://classe.example.org/salle", "capacity": str(capacity),
        "slots-TOTAL_FORMS": "0", "slots-INITIAL_FORMS": "0", "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "1000"})


def _web(org: Any) -> Client:
    web = Client()
    web.force_login(make_user(org, Role.ADMINISTRATOR))
    return web


def test_vcl_1_virtualeo_virtual_class_accepts_30_learners() -> None:
    org = make_organisation("virtualeo", "virtualeo")
    training = _training(org)
    assert _post(_web(org), training, 30).status_code == 302
    assert TrainingSession.objects.get(training=training).capacity == 30


def test_vcl_1_virtualeo_virtual_class_refuses_31_with_the_clause() -> None:
    org = make_organisation("virtualeo", "virtualeo")
    training = _training(org)
    web = _web(org)
    response = _post(web, training, 31)
    assert response.status_code == 200
    text = response.content.decode()
    assert "au plus 30 stagiaires par classe" in text and "VCL-1" in text and "CGV, art. 7" in text
    assert not TrainingSession.objects.exists()
    # The 45 places the issue found: refused on an edit too; the session keeps its 30.
    _post(web, training, 30)
    session = TrainingSession.objects.get(training=training)
    edited = _post(web, training, 45, f"/gestion/sessions/{session.pk}/modifier/")
    assert edited.status_code == 200 and "VCL-1" in edited.content.decode()
    session.refresh_from_db()
    assert session.capacity == 30


def test_vcl_1_the_service_refuses_too() -> None:
    org = make_organisation("virtualeo", "virtualeo")
    training = _training(org)
    form = SessionForm({"training": training.pk, "start_date": "2026-04-07", "end_date": "2026-04-07",
                        "place": "En ligne", "capacity": "31"}, organisation=org)
    assert not form.is_valid() and "VCL-1" in str(form.errors["capacity"])
    form.instance.training, form.instance.capacity = training, 31  # as if the form had let it pass
    form.instance.start_date = form.instance.end_date = date(2026, 4, 7)
    with pytest.raises(ValidationError) as refused:
        services.session_save(actor=None, organisation=org, form=form,
                              slots=SlotFormSet(prefix="slots"))
    assert "VCL-1" in str(refused.value)
    assert not TrainingSession.objects.exists()


@pytest.mark.parametrize(("policy", "modality"), [("virtualeo", Modality.CLASSROOM),
                                                    ("dixneuf", Modality.VIRTUAL_CLASS)])
def test_vcl_1_does_not_apply_elsewhere(policy: str, modality: str) -> None:
    org = make_organisation(policy, policy)
    training = _training(org, modality)
    assert _post(_web(org), training, 45).status_code == 302
