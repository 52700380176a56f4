"""LRN-5: an account with no login for 3 years after the training ends is warned, then
deleted — the account only: the learner record, contracts and invoices stay."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core import mail

from ofelia.catalogue.models import Enrolment
from ofelia.core import clock
from ofelia.organisations.models import Learner, Membership, Role
from ofelia.privacy import inactivity
from ofelia.privacy.models import InactivityNotice
from ofelia.sales.tests.conftest import make_organisation, make_user
from ofelia.sales.tests.test_orders import _published_session
from ofelia.simcli import run_case

END = date(2026, 4, 13)   # the session's last day
DELETION = date(2029, 4, 13)  # 3 years later (CAL-6)


@pytest.fixture
def account(db: Any) -> dict[str, Any]:
    org = make_organisation("laporte", "laporte")
    org.policy_id = "laporte"
    org.save(update_fields=["policy_id"])
    user = make_user(org, Role.LEARNER)
    learner = Learner.objects.create(organisation=org, user=user, first_name="Léa", last_name="Martin",
                                     email=user.email)
    session = _published_session(org, start=END)
    Enrolment.objects.create(organisation=org, session=session, learner=learner)
    return {"org": org, "user": user, "learner": learner}


def _scan(day: date) -> dict[str, int]:
    with clock.frozen(datetime(day.year, day.month, day.day, 3, 30, tzinfo=UTC)):
        return inactivity.inactivity_scan(today=day)


def test_lrn_5_the_date_is_what_ofelia_simulate_says() -> None:
    case = inactivity.account_case(policy_id="laporte", training_ended_on=END, last_login_on=None,
                                   as_of=END)
    out = run_case(json.loads(json.dumps(case)), today=END)
    assert out["deadlines"]["deletion_from"] == DELETION.isoformat()


def test_lrn_5_warned_30_days_before_then_deleted_not_before(account: dict[str, Any]) -> None:
    user = account["user"]
    mail.outbox.clear()
    assert _scan(date(2029, 3, 13)) == {"warned": 0, "deleted": 0}     # 31 days before
    assert _scan(date(2029, 3, 14)) == {"warned": 1, "deleted": 0}     # 30 days before
    assert _scan(date(2029, 3, 15)) == {"warned": 0, "deleted": 0}     # rerun: no second e-mail
    assert len(mail.outbox) == 1 and "13 avril 2029" in mail.outbox[0].body
    assert _scan(date(2029, 4, 12)) == {"warned": 0, "deleted": 0}     # the day before
    assert _scan(DELETION) == {"warned": 0, "deleted": 1}
    assert _scan(DELETION) == {"warned": 0, "deleted": 0}
    user.refresh_from_db()
    assert not user.is_active and user.email == "" and not user.has_usable_password()
    assert not Membership.objects.filter(user=user).exists()
    learner = Learner.objects.get(pk=account["learner"].pk)   # the record stays (retention)
    assert learner.user is None and learner.last_name == "Martin"
    assert Enrolment.objects.filter(learner=learner).exists()


def test_lrn_5_a_login_pushes_the_date_back(account: dict[str, Any]) -> None:
    user = account["user"]
    assert _scan(date(2029, 3, 14))["warned"] == 1
    user.last_login = datetime(2029, 3, 20, 9, 0, tzinfo=UTC)    # they came back
    user.save(update_fields=["last_login"])
    assert _scan(DELETION) == {"warned": 0, "deleted": 0}
    user.refresh_from_db()
    assert user.is_active
    assert _scan(date(2032, 2, 19)) == {"warned": 1, "deleted": 0}   # 30 days before 20/03/2032
    assert InactivityNotice.objects.filter(user=user).count() == 2


def test_lrn_5_staff_and_trainers_are_not_touched(account: dict[str, Any]) -> None:
    staff = make_user(account["org"], Role.STAFF)
    _scan(date(2029, 3, 14))
    _scan(DELETION)
    staff.refresh_from_db()
    assert staff.is_active and not InactivityNotice.objects.filter(user=staff).exists()


def test_lrn_6_a_stopped_organisation_keeps_accounts_12_months(account: dict[str, Any]) -> None:
    org = account["org"]
    org.activity_stopped_on = date(2028, 12, 31)     # kept until 31/12/2029 at least
    org.save(update_fields=["activity_stopped_on"])
    assert _scan(date(2029, 3, 14)) == {"warned": 0, "deleted": 0}
    assert _scan(DELETION) == {"warned": 0, "deleted": 0}
    assert _scan(date(2029, 12, 1)) == {"warned": 1, "deleted": 0}
    notice = InactivityNotice.objects.get()
    assert notice.deletion_from == date(2029, 12, 31) and "12 mois" in notice.explanation
    assert _scan(date(2029, 12, 31)) == {"warned": 0, "deleted": 1}
