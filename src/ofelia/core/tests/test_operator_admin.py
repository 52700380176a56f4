"""The operator's admin is branded Ofelia, in French."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_operator_admin_is_branded_ofelia_not_django(client):
    operator = get_user_model().objects.create_superuser("operateur", "op@ofelia.test", "x-long-pass-1")
    client.force_login(operator)
    page = client.get("/admin/").content.decode()
    assert "Ofelia · console de l&#x27;opérateur" in page or "Ofelia · console de l'opérateur" in page
    assert "Administration de Django" not in page and "Django administration" not in page
