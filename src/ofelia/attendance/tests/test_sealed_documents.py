"""Issue 11 items 1 and 3: the sheet and the learners' documents are sealed (PAdES) with
the organisation's certificate; pyHanko verifies them and one changed byte breaks the seal."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from ofelia.attendance import services
from ofelia.attendance.models import Document, SealingKey
from ofelia.attendance.sealing import verify_pdf

from .conftest import World, make_world
from .test_attendance_rules import _closed_sheet, _open

pytestmark = pytest.mark.django_db


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_att_1_sheet_pdf_is_sealed_and_a_changed_byte_breaks_the_seal(world: World) -> None:
    sheet = _closed_sheet(world)
    doc = Document.objects.get(sheet=sheet, kind=Document.Kind.SHEET)
    data = bytes(doc.pdf)
    check = verify_pdf(data, organisation=world.org)
    assert check.ok, check.message
    key = SealingKey.objects.get(organisation=world.org)
    assert "PRIVATE KEY" in key.encrypted_key_pem and "ENCRYPTED" in key.encrypted_key_pem
    # One byte of the signed content changed (inside the first object, before the seal).
    position = data.index(b"stream") + 20
    tampered = data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1:]
    broken = verify_pdf(tampered, organisation=world.org)
    assert not broken.ok and not broken.intact
    # Another organisation's certificate does not vouch for it.
    other = make_world("orgb")
    assert not verify_pdf(data, organisation=other.org).ok
    assert not verify_pdf(b"pas un pdf", organisation=world.org).ok


def test_att_3_no_end_document_while_a_sheet_of_the_session_is_open(world: World) -> None:
    _closed_sheet(world)
    _open(world, world.afternoon)
    with pytest.raises(ValidationError, match="encore ouverte"):
        services.documents_generate(actor=world.admin, organisation=world.org, session=world.session)
    assert not Document.objects.filter(enrolment__isnull=False).exists()


def test_att_3_certificat_de_realisation_shows_hours_attended(world: World,
                                                            django_capture_on_commit_callbacks) -> None:
    _closed_sheet(world)
    with django_capture_on_commit_callbacks(execute=True):
        docs = services.documents_generate(actor=world.admin, organisation=world.org,
                                           session=world.session)
    assert len(docs) == 9
    completion = next(d for d in docs if d.kind == Document.Kind.COMPLETION
                      and d.enrolment == world.enrolments[1])
    assert completion.hours == Decimal("2.50")
    assert verify_pdf(bytes(completion.pdf), organisation=world.org).ok
    text = " ".join(_pdf_text(bytes(completion.pdf)).split())
    assert "CERTIFICAT DE RÉALISATION" in text.upper(), text
    assert "durée de 2,50 heures réalisées" in text, text
    assert "action de formation" in text
    assert len(mail.outbox) == 3 and len(mail.outbox[0].attachments) == 3


def test_att_3_documents_of_another_organisation_cannot_be_generated(world: World) -> None:
    other = make_world("orgb")
    with pytest.raises(ValidationError, match="autre organisme"):
        services.documents_generate(actor=world.admin, organisation=world.org,
                                    session=other.session)


def test_att_3_zip_of_a_session_holds_every_document(world: World) -> None:
    from ofelia.attendance.exports import session_zip

    _closed_sheet(world)
    services.documents_generate(actor=world.admin, organisation=world.org, session=world.session,
                                notify=False)
    archive = zipfile.ZipFile(io.BytesIO(session_zip(organisation=world.org, session=world.session)))
    names = archive.namelist()
    assert len([n for n in names if n.startswith("completion-")]) == 3
    assert any(n.startswith("emargement-") for n in names)
