"""Issue 10 item 1: staff see the shop's orders — search, filter by status, CSV export —
scoped to their organisation."""

from __future__ import annotations

from typing import Any

import pytest

from ofelia.core import clock
from ofelia.organisations.models import Role
from ofelia.organisations.testing import member_client
from ofelia.sales import orders
from ofelia.sales.models import Order

from .conftest import make_organisation, make_user
from .test_orders import ORDER_DAY, _consumer_user, _published_session

pytestmark = pytest.mark.django_db


_web = member_client


def _placed(org: Any) -> Order:
    user, consumer = _consumer_user(org)
    with clock.frozen(ORDER_DAY):
        return orders.order_create(actor=user, organisation=org, consumer=consumer,
                                   session=_published_session(org), accept_terms=True)


def test_staff_list_search_filter_and_csv_of_online_orders(db: Any) -> None:
    laporte, other = make_organisation("laporte", "laporte"), make_organisation("autre", "laporte")
    mine, theirs = _placed(laporte), _placed(other)
    Order.objects.filter(pk=mine.pk).update(status=Order.Status.PAID)
    web = _web(make_user(laporte, Role.STAFF), laporte)
    with clock.frozen(ORDER_DAY):
        page = web.get("/ventes/commandes/").content.decode()
        assert mine.number in page and "Martin" in page
        assert f"/ventes/contrats/{theirs.contract_id}/" not in page  # another organisation's
        assert mine.number not in web.get("/ventes/commandes/?statut=awaiting_payment").content.decode()
        assert mine.number in web.get("/ventes/commandes/?statut=paid&q=marti").content.decode()
        assert "Aucune commande ne correspond" in web.get("/ventes/commandes/?q=zzz").content.decode()
        assert web.get("/ventes/commandes/?statut=%00&q=" + "x" * 500).status_code == 200
        csv = web.get("/ventes/commandes/?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert text.startswith("Numéro;Commandée le;Client") and mine.number in text
    assert "payée" in text and len(text.strip().split("\r\n")) == 2  # theirs is not exported


@pytest.mark.parametrize("role", [Role.CONSUMER, Role.TRAINER, Role.LEARNER])
def test_order_list_is_for_staff_only(db: Any, role: str) -> None:
    laporte = make_organisation("laporte", "laporte")
    assert _web(make_user(laporte, role), laporte).get("/ventes/commandes/").status_code == 403
