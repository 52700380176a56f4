"""Issue 11 item 1: a remote session is signed from the learner's extranet, with the
connection (IP, browser) recorded, and only during the half-day."""

from __future__ import annotations

import pytest
from django.test import Client

from ofelia.attendance.models import Mark

from .conftest import SIGNATURE, World, at

pytestmark = pytest.mark.django_db


def test_att_1_remote_learner_signs_from_the_extranet_with_the_connection_recorded(world: World) -> None:
    world.session.training.modality = "virtual_class"
    world.session.training.save()
    web = Client()
    web.force_login(world.learner_user)
    with at(9, 5):
        page = web.get("/espace/mes-attestations/").content.decode()
        assert f"/espace/emarger-a-distance/{world.morning.pk}/" in page
        response = web.post(f"/espace/emarger-a-distance/{world.morning.pk}/",
                            {"signature": SIGNATURE}, HTTP_USER_AGENT="Firefox à la maison",
                            REMOTE_ADDR="198.51.100.4")
        assert "est enregistrée" in response.content.decode()
    mark = Mark.objects.get()
    assert (mark.channel, mark.ip_address, mark.user_agent) == (
        "extranet", "198.51.100.4", "Firefox à la maison")
    with at(12, 45):
        late = web.post(f"/espace/emarger-a-distance/{world.afternoon.pk}/", {"signature": SIGNATURE})
    assert late.status_code == 400 and "Trop tôt" in late.content.decode()


def test_att_1_classroom_session_is_not_signed_from_the_extranet(world: World) -> None:
    web = Client()
    web.force_login(world.learner_user)
    with at(9, 5):
        response = web.post(f"/espace/emarger-a-distance/{world.morning.pk}/", {"signature": SIGNATURE})
    assert response.status_code == 400 and "ne s&#x27;émarge pas depuis l&#x27;extranet" in response.content.decode()
    assert not Mark.objects.exists()
