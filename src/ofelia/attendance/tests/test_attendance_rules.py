"""Issue 11 item 1: signatures within their half-day only, QR codes not replayable, closed
sheets immutable, amendments audited, and the hours attended they prove."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from ofelia.attendance import selectors, services
from ofelia.attendance.models import AttendanceSheet, Channel, Document, Mark
from ofelia.core.models import AuditEntry

from .conftest import SIGNATURE, World, at

pytestmark = pytest.mark.django_db


def _open(world: World, slot: Any = None) -> AttendanceSheet:
    with at(9 if slot is None else slot.starts_at.hour):
        return services.sheet_open(actor=world.trainer_user, organisation=world.org,
                                   slot=slot or world.morning, trainer=world.trainer)


def _sign(world: World, sheet: AttendanceSheet, index: int, **extra: Any) -> Mark:
    return services.mark_sign(actor=world.trainer_user, organisation=world.org, sheet=sheet,
                              enrolment=world.enrolments[index], signature=SIGNATURE,
                              channel=Channel.TRAINER_DEVICE, ip_address="10.0.0.5",
                              user_agent="Tablette", **extra)


def _closed_sheet(world: World) -> AttendanceSheet:
    sheet = _open(world)
    with at(9, 5):
        _sign(world, sheet, 0)
        _sign(world, sheet, 1, arrived_at="10:00", reason="Train en retard")
        services.mark_absent(actor=world.trainer_user, organisation=world.org, sheet=sheet,
                             enrolment=world.enrolments[2], reason="Malade")
    with at(12, 35):
        return services.sheet_close(actor=world.trainer_user, organisation=world.org, sheet=sheet,
                                    signature=SIGNATURE, ip_address="10.0.0.5", user_agent="Tablette")


def _refusals(action: str) -> int:
    return AuditEntry.objects.filter(action=f"attendance.refused.{action}").count()


@pytest.mark.parametrize(("hour", "minute", "accepted"), [
    (8, 29, False), (8, 30, True), (12, 30, True), (12, 31, False), (14, 0, False)])
def test_att_1_signature_only_within_its_half_day(world: World, hour: int, minute: int,
                                                   accepted: bool) -> None:
    sheet = _open(world)
    with at(hour, minute):
        if accepted:
            assert _sign(world, sheet, 0).status == Mark.Status.PRESENT
            return
        with pytest.raises(ValidationError, match="Trop (tôt|tard)"):
            _sign(world, sheet, 0)
    assert not Mark.objects.exists()
    assert _refusals("mark_sign") == 1


def test_att_1_qr_code_signs_once_and_a_replay_is_refused_and_audited(world: World) -> None:
    sheet = _open(world)
    token = services.qr_token(sheet)
    kwargs = {"actor": world.learner_user, "organisation": world.org, "token": token,
              "learner": world.learners[0], "signature": SIGNATURE, "ip_address": "192.0.2.7",
              "user_agent": "Téléphone"}
    with at(9, 2):
        mark = services.qr_sign(**kwargs)
        assert (mark.channel, mark.ip_address, mark.user_agent) == ("qr_code", "192.0.2.7", "Téléphone")
        assert mark.signed_by == world.learner_user
        with pytest.raises(ValidationError, match="déjà émargé"):
            services.qr_sign(**kwargs)
    assert Mark.objects.count() == 1 and _refusals("mark_replayed") == 1
    with at(13, 40), pytest.raises(ValidationError, match="Trop tard"):
        services.qr_sign(**{**kwargs, "learner": world.learners[1]})


def test_att_1_qr_token_forged_or_of_another_sheet_is_refused(world: World) -> None:
    sheet = _open(world)
    token = services.qr_token(sheet)
    for bad in ("", "abc", token[:-2] + "xx"):
        with pytest.raises(ValidationError, match="QR code"):
            services.sheet_from_qr(organisation=world.org, token=bad)
    sheet.nonce = "renouvele"
    sheet.save()
    with pytest.raises(ValidationError, match="plus valide"):
        services.sheet_from_qr(organisation=world.org, token=token)


def test_att_1_late_arrival_needs_a_reason_and_absence_too(world: World) -> None:
    sheet = _open(world)
    with at(10):
        with pytest.raises(ValidationError, match="Motif du retard"):
            _sign(world, sheet, 1, arrived_at="10:00")
        with pytest.raises(ValidationError, match="Motif de l'absence"):
            services.mark_absent(actor=world.trainer_user, organisation=world.org, sheet=sheet,
                                 enrolment=world.enrolments[2], reason=" ")
        with pytest.raises(ValidationError, match="heure invalide"):
            _sign(world, sheet, 1, arrived_at="dix heures", reason="Train")
    assert not Mark.objects.exists()


def test_att_1_trainer_closes_last_only_when_everyone_is_marked(world: World) -> None:
    sheet = _open(world)
    with at(9, 5):
        _sign(world, sheet, 0)
    with at(12, 35), pytest.raises(ValidationError, match="Avant de clôturer"):
        services.sheet_close(actor=world.trainer_user, organisation=world.org, sheet=sheet,
                             signature=SIGNATURE, ip_address="10.0.0.5", user_agent="Tablette")
    sheet.refresh_from_db()
    assert sheet.status == AttendanceSheet.Status.OPEN


def test_att_1_closed_sheet_is_immutable_edits_refused_and_audited(world: World) -> None:
    sheet = _closed_sheet(world)
    assert sheet.is_closed and sheet.trainer_ip == "10.0.0.5"
    before = list(Mark.objects.values_list("status", "reason"))
    with at(12, 40):
        with pytest.raises(ValidationError, match="clôturée"):
            services.mark_absent(actor=world.trainer_user, organisation=world.org, sheet=sheet,
                                 enrolment=world.enrolments[0], reason="Erreur")
        with pytest.raises(ValidationError, match="clôturée"):
            services.sheet_close(actor=world.trainer_user, organisation=world.org, sheet=sheet,
                                 signature=SIGNATURE, ip_address="1.1.1.1", user_agent="x")
    assert list(Mark.objects.values_list("status", "reason")) == before
    assert _refusals("mark_absent") == 1 and _refusals("sheet_close") == 1


def test_att_1_amendment_keeps_who_why_before_after_and_seals_a_new_version(world: World) -> None:
    sheet = _closed_sheet(world)
    late = Mark.objects.get(enrolment=world.enrolments[1])
    with at(18):
        amendment = services.mark_amend(actor=world.admin, organisation=world.org, mark=late,
                                        why="Le formateur confirme une arrivée à 9 h 30",
                                        status="late", arrived_at="09:30", reason="Train en retard")
    assert amendment.before["arrived_at"] == "10:00:00" and amendment.after["arrived_at"] == "09:30:00"
    entry = AuditEntry.objects.get(action="attendance.mark_amend")
    assert entry.actor == world.admin and entry.after["motif_correction"].startswith("Le formateur")
    versions = Document.objects.filter(sheet=sheet, kind=Document.Kind.SHEET).order_by("version")
    assert [d.version for d in versions] == [1, 2]
    with pytest.raises(ValidationError, match="Motif de la correction"):
        services.mark_amend(actor=world.admin, organisation=world.org, mark=late, why="",
                            status="present")
    with pytest.raises(ValidationError, match="dans la demi-journée"):
        services.mark_amend(actor=world.admin, organisation=world.org, mark=late, why="x",
                            status="late", arrived_at="14:00", reason="r")


def test_att_2_hours_attended_count_late_arrival_from_arrival_on_closed_sheets(world: World) -> None:
    sheet = _open(world)
    with at(9, 5):
        _sign(world, sheet, 0)
        _sign(world, sheet, 1, arrived_at="10:00", reason="Train en retard")
        services.mark_absent(actor=world.trainer_user, organisation=world.org, sheet=sheet,
                             enrolment=world.enrolments[2], reason="Malade")
    # Not counted while the trainer has not closed the sheet.
    assert selectors.hours_attended(world.enrolments[0]) == Decimal("0")
    with at(12, 35):
        services.sheet_close(actor=world.trainer_user, organisation=world.org, sheet=sheet,
                             signature=SIGNATURE, ip_address=None, user_agent="")
    assert selectors.hours_attended(world.enrolments[0]) == Decimal("3.50")
    assert selectors.hours_attended(world.enrolments[1]) == Decimal("2.50")
    assert selectors.hours_attended(world.enrolments[2]) == Decimal("0")
    assert selectors.hours_attended(world.enrolments[0], until=world.morning.day.replace(day=15)) == 0
    assert selectors.hours_attended_by_enrolment(world.session) == {
        world.enrolments[0].pk: Decimal("3.50"), world.enrolments[1].pk: Decimal("2.50"),
        world.enrolments[2].pk: Decimal("0")}
    assert selectors.planned_hours(world.session) == Decimal("7.00")
