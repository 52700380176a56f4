"""PAdES seals on issued PDFs, with the organisation's certificate (pyHanko).

Each organisation has one `SealingKey`. Where it has none, a self-signed certificate is
generated (demo, tests, first use); its private key is stored encrypted (PKCS#8) with a
key derived from SECRET_KEY and the organisation, so a database dump alone cannot seal.
A sealed PDF shows any later change: the signed byte ranges no longer match the digest.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction

from ofelia.core import clock

from .models import SealingKey

FIELD_NAME = "CachetOrganisme"
T = TypeVar("T")


def _run(make: Callable[[], Awaitable[T]]) -> T:
    """pyHanko is asynchronous inside; where this thread already runs an event loop (an ASGI
    server, Playwright's sync API in the tests), the coroutine runs in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())  # type: ignore[arg-type]
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()  # type: ignore[arg-type]


def _passphrase(organisation: Any) -> bytes:
    message = f"ofelia.attendance.seal:{organisation.pk}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest().encode()


def _generate(organisation: Any) -> tuple[str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation.legal_name[:64]),
        x509.NameAttribute(NameOID.COMMON_NAME, f"Cachet {str(organisation)[:50]}"),
    ])
    now = clock.now()
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_passphrase(organisation))).decode()
    return cert_pem, key_pem


def sealing_key_for(organisation: Any) -> SealingKey:
    """The organisation's seal, generated (self-signed) on first use."""
    found = SealingKey.objects.for_organisation(organisation).first()
    if found is not None:
        return found
    cert_pem, key_pem = _generate(organisation)
    with transaction.atomic():
        found, _ = SealingKey.objects.get_or_create(
            organisation=organisation,
            defaults={"certificate_pem": cert_pem, "encrypted_key_pem": key_pem, "self_signed": True})
    return found


def certificate_of(organisation: Any) -> Any:
    from pyhanko.keys.pemder import load_certs_from_pemder_data

    return next(iter(load_certs_from_pemder_data(
        sealing_key_for(organisation).certificate_pem.encode())))


def seal_pdf(pdf: bytes, *, organisation: Any, reason: str) -> bytes:
    """The PDF with a PAdES seal of the organisation over the whole file."""
    from pyhanko.keys import load_private_key_from_pemder_data
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    sealing = sealing_key_for(organisation)
    cert = certificate_of(organisation)
    key = load_private_key_from_pemder_data(sealing.encrypted_key_pem.encode(),
                                            passphrase=_passphrase(organisation))
    signer = signers.SimpleSigner(signing_cert=cert, signing_key=key,
                                  cert_registry=SimpleCertificateStore.from_certs([cert]))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES, reason=reason,
        name=organisation.legal_name, location=organisation.city or None)
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    out = _run(lambda: signers.async_sign_pdf(writer, meta, signer=signer, timestamper=None))
    return out.getvalue()  # type: ignore[no-any-return]


@dataclass(frozen=True)
class SealCheck:
    intact: bool
    trusted: bool
    whole_file: bool
    signer: str
    message: str

    @property
    def ok(self) -> bool:
        return self.intact and self.trusted and self.whole_file


def verify_pdf(data: bytes, *, organisation: Any) -> SealCheck:
    """Checks the seal against the organisation's certificate; never raises on bad input."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
        if not signatures:
            return SealCheck(False, False, False, "", "Aucun cachet dans ce document.")
        context = ValidationContext(trust_roots=[certificate_of(organisation)])
        status = _run(lambda: async_validate_pdf_signature(signatures[-1], context))
    except Exception as exc:  # a damaged file is an answer, not a crash
        return SealCheck(False, False, False, "", f"Document illisible ou altéré : {exc}")
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    signer = status.signing_cert.subject.human_friendly if status.signing_cert else ""
    if not status.intact:
        message = "Le document a été modifié après son scellement."
    elif not status.valid or not status.trusted:
        message = "Le cachet n'est pas celui de l'organisme."
    elif not whole:
        message = "Des ajouts ont été faits après le scellement."
    else:
        message = "Cachet valide : le document n'a pas été modifié depuis son scellement."
    return SealCheck(bool(status.intact), bool(status.valid and status.trusted), whole, signer,
                     message)
