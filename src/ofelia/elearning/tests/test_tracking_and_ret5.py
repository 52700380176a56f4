"""SCORM tracking stored per attempt, idempotent and bounded; RET-5 consent before access."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from ofelia.core import clock
from ofelia.elearning import selectors, services
from ofelia.elearning.models import Attempt, ModuleCompletion
from ofelia.elearning.testing import scorm_zip
from ofelia.elearning.tracking import tracking_token

from .conftest import ORDER_AT, World, build_world

IN_PERIOD = ORDER_AT + timedelta(days=3)


@pytest.fixture
def scorm_world(db: Any, settings: Any, tmp_path: Path) -> tuple[World, Any]:
    settings.MEDIA_ROOT = tmp_path
    world = build_world(core=1, extra=0)
    draft = services.version_new_draft(actor=world.staff, course=world.course)
    services.module_delete(actor=world.staff, module=draft.modules.get())
    data = scorm_zip()
    module = services.scorm_upload(actor=world.staff, version=draft, title="", upload=io.BytesIO(data),
                                   size=len(data))
    services.module_add(actor=world.staff, version=draft, kind="page", title="Après", body="…")
    services.version_publish(actor=world.staff, version=draft)
    # A learner who starts now gets version 2.
    world.cpf_lc.delete()
    world.cpf_lc = services.learner_course_start(actor=world.cpf_user, enrolment=world.cpf_lc.enrolment,
                                                 course=world.course)
    return world, module


def _cmi(status: str, suspend: str = "") -> dict[str, Any]:
    return {"cmi": {"core": {"lesson_status": status, "score": {"raw": "80"}, "session_time": "00:01:00"},
                    "suspend_data": suspend}}


def test_scorm_upload_unpacks_under_media_per_version(scorm_world: Any, tmp_path: Path) -> None:
    world, module = scorm_world
    assert module.scorm_version == "1.2" and module.scorm_launch == "index.html"
    assert "/v2/scorm-" in module.scorm_root
    assert (tmp_path / module.scorm_root / "sco.js").is_file()


def test_tracking_is_stored_per_attempt_and_a_replayed_commit_changes_nothing(scorm_world: Any) -> None:
    world, module = scorm_world
    lc = world.cpf_lc
    stored, done = services.tracking_commit(learner_course=lc, module=module, attempt=1, seq=1,
                                            cmi=_cmi("incomplete", "p=1"))
    row = Attempt.objects.get(learner_course=lc, module=module, number=1)
    assert (row.completion, row.suspend_data, row.commits, stored, done) == ("incomplete", "p=1", 1, True, False)
    # The same commit again (network retry), then an older one: nothing changes.
    assert services.tracking_commit(learner_course=lc, module=module, attempt=1, seq=1,
                                    cmi=_cmi("incomplete", "p=1")) == (False, False)
    assert services.tracking_commit(learner_course=lc, module=module, attempt=1, seq=1,
                                    cmi=_cmi("passed")) == (False, False)
    row.refresh_from_db()
    assert (row.commits, row.completion) == (1, "incomplete")
    # A second attempt is its own row.
    services.tracking_commit(learner_course=lc, module=module, attempt=2, seq=1, cmi=_cmi("browsed"))
    assert Attempt.objects.filter(learner_course=lc, module=module).count() == 2
    # SCORM says completed: the module completes, once.
    _, done = services.tracking_commit(learner_course=lc, module=module, attempt=1, seq=2,
                                       cmi=_cmi("completed"))
    row.refresh_from_db()
    assert done and row.score == 80 and row.session_time == "00:01:00" and row.commits == 2
    _, again = services.tracking_commit(learner_course=lc, module=module, attempt=1, seq=3, cmi=_cmi("completed"))
    assert not again and ModuleCompletion.objects.filter(learner_course=lc).count() == 1


def test_tracking_failed_does_not_complete_and_size_is_bounded(scorm_world: Any) -> None:
    world, module = scorm_world
    _, done = services.tracking_commit(learner_course=world.cpf_lc, module=module, attempt=1, seq=1,
                                       cmi=_cmi("failed"))
    assert not done
    with pytest.raises(ValidationError, match="suspend_data dépasse"):
        services.tracking_commit(learner_course=world.cpf_lc, module=module, attempt=1, seq=2,
                                 cmi=_cmi("incomplete", "x" * (services.MAX_SUSPEND_DATA + 1)))
    services.tracking_commit(learner_course=world.cpf_lc, module=module, attempt=1, seq=2,
                             cmi=_cmi("incomplete", "x" * services.MAX_SUSPEND_DATA))


def test_tracking_endpoint_checks_token_and_size_and_unlocks_the_next(scorm_world: Any) -> None:
    world, module = scorm_world
    lc = world.cpf_lc
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.cpf_user)
    nxt = lc.version.modules.get(title="Après")
    assert client.get(reverse("elearning:my-module", args=[lc.pk, nxt.pk])).status_code == 403
    page = client.get(reverse("elearning:my-module", args=[lc.pk, module.pk])).content.decode()
    assert 'id="scorm-player"' in page and 'data-token="' in page
    assert "elearning/player.js" in page and "onclick" not in page
    content = client.get(reverse("elearning:my-content", args=[lc.pk, module.pk, "index.html"]))
    assert content.status_code == 200
    assert client.get(reverse("elearning:my-content", args=[lc.pk, module.pk, "../../x"])).status_code == 404
    url = reverse("elearning:my-tracking", args=[lc.pk, module.pk])
    token = tracking_token(learner_course=lc, module=module, user=world.cpf_user,
                           session_key=client.session.session_key)
    body = {"attempt": 1, "seq": 1, "token": "forged", "cmi": _cmi("completed")}
    assert client.post(url, json.dumps(body), content_type="application/json").status_code == 403
    body["token"] = token
    big = dict(body, cmi={"x": "y" * 200_000})
    assert client.post(url, json.dumps(big), content_type="application/json").status_code == 413
    assert client.post(url, "[1]", content_type="application/json").status_code == 400
    response = client.post(url, json.dumps(body), content_type="text/plain")  # sendBeacon
    assert response.json() == {"result": "true", "errorCode": 0, "completed": True}
    # The token is bound to the session that loaded the page and to its learner course and
    # module: another browser (even the same user's), no session, another module → refused.
    elsewhere = Client()
    elsewhere.force_login(world.cpf_user)
    again = dict(body, seq=2)
    assert elsewhere.post(url, json.dumps(again), content_type="text/plain").status_code == 403
    assert Client().post(url, json.dumps(again), content_type="text/plain").status_code == 403
    other_url = reverse("elearning:my-tracking", args=[world.self_lc.pk, module.pk])
    assert client.post(other_url, json.dumps(again), content_type="text/plain").status_code == 403
    assert client.get(url).status_code == 405
    assert client.post(url, json.dumps(dict(body, seq=2**70)), content_type="text/plain").status_code == 400
    attempt = Attempt.objects.get(learner_course=lc, module=module)
    assert attempt.seq == 1 and attempt.commits == 1 and attempt.completion == "completed"
    assert client.get(reverse("elearning:my-module", args=[lc.pk, nxt.pk])).status_code == 200


# --- RET-5 ------------------------------------------------------------------------------


def _ret5_state(world: World) -> selectors.CourseState:
    world.self_lc.refresh_from_db()
    with clock.frozen(IN_PERIOD + timedelta(hours=1)):
        return selectors.course_state(world.self_lc)


def test_ret_5_consumer_in_period_is_asked_before_the_first_access(world: World) -> None:
    assert _ret5_state(world).needs_consent
    # The CPF learner has no online order: nothing to ask.
    with clock.frozen(IN_PERIOD):
        assert not selectors.course_state(world.cpf_lc).needs_consent
    # Boundary: after the 14 days, the retraction is over, nothing to ask either.
    with clock.frozen(ORDER_AT + timedelta(days=20)):
        assert not selectors.course_state(world.self_lc).needs_consent


def test_ret_5_consent_recorded_on_the_order_ends_retraction_at_first_access(world: World, django_capture_on_commit_callbacks: Any) -> None:
    contract = selectors.live_contract(world.self_lc.enrolment)
    with clock.frozen(IN_PERIOD), django_capture_on_commit_callbacks(execute=True):
        services.access_consent_record(actor=world.self_user, learner_course=world.self_lc,
                                       contract=contract, consent=True)
    world.order.refresh_from_db()
    assert world.order.digital_consent_at == IN_PERIOD
    assert "perdre mon droit de rétractation" in world.order.digital_consent_text
    assert len(mail.outbox) == 1 and "perdre mon droit de rétractation" in mail.outbox[0].body
    state = _ret5_state(world)
    assert world.self_lc.first_access_at > world.order.digital_consent_at
    assert not state.retraction_open and "perdu au premier accès" in state.retraction_explanation


def test_ret_5_without_consent_the_first_access_keeps_the_retraction_open(world: World) -> None:
    client = Client()
    client.force_login(world.self_user)
    with clock.frozen(IN_PERIOD):
        first = world.modules[0]
        response = client.get(reverse("elearning:my-module", args=[world.self_lc.pk, first.pk]))
        assert response.status_code == 302 and "?module=" in response["Location"]
        page = client.get(response["Location"]).content.decode()
        assert "Avant votre premier accès" in page and 'name="consent"' in page
        response = client.post(reverse("elearning:my-consent", args=[world.self_lc.pk]),
                               {"module": str(first.pk)})
        assert response.status_code == 302
        assert client.get(response["Location"]).status_code == 200
    world.order.refresh_from_db()
    assert world.order.digital_consent_at is None and len(mail.outbox) == 0
    state = _ret5_state(world)
    assert state.retraction_open and "faute de consentement" in state.retraction_explanation


def test_staff_preview_plays_the_package_without_tracking(scorm_world: Any) -> None:
    world, module = scorm_world
    client = Client()
    client.force_login(world.staff)
    page = client.get(reverse("elearning:preview", args=[world.course.pk, module.pk])).content.decode()
    assert 'data-preview="1"' in page and 'data-commit-url=""' in page
    url = reverse("elearning:preview-content", args=[world.course.pk, module.pk, "index.html"])
    content = client.get(url)
    assert content.status_code == 200
    # The package runs its own inline scripts inside the player's frame, on this site only.
    policy = content["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "'unsafe-inline'" in policy
    assert content["X-Frame-Options"] == "SAMEORIGIN"
    client.force_login(world.cpf_user)
    assert client.get(url).status_code == 403
