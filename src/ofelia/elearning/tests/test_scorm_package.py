"""SCORM packages are checked before anything is written; refusals say why, in French."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from ofelia.elearning import scorm
from ofelia.elearning.testing import scorm_zip


def _inspect(data: bytes, size: int | None = None) -> scorm.Package:
    return scorm.inspect(io.BytesIO(data), size=len(data) if size is None else size)


def _refused(data: bytes, size: int | None = None) -> str:
    with pytest.raises(ValidationError) as exc:
        _inspect(data, size)
    return " ".join(exc.value.messages)


def test_scorm_valid_12_package_is_read(tmp_path: Path) -> None:
    package = _inspect(scorm_zip(title="Découpe"))
    assert (package.version, package.launch, package.title) == ("1.2", "index.html", "Découpe")
    assert package.files == 3
    scorm.unpack(io.BytesIO(scorm_zip()), tmp_path / "pkg")
    assert (tmp_path / "pkg" / "index.html").is_file()


def test_scorm_2004_manifest_is_recognised() -> None:
    data = scorm_zip()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buffer, "w") as out:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "imsmanifest.xml":
                body = body.replace(b"<schemaversion>1.2", b"<schemaversion>2004 4th Edition")
            out.writestr(info, body)
    assert _inspect(buffer.getvalue()).version == "2004"


@pytest.mark.parametrize("name", ["../evil.html", "a/../../evil.html", "/etc/passwd",
                                  "C:/windows/evil.dll", "dir\\..\\evil"])
def test_scorm_path_escape_is_refused_in_french(name: str) -> None:
    message = _refused(scorm_zip(extra=[(name, b"x")]))
    assert "sortirait du dossier du paquet" in message


def test_scorm_missing_manifest_is_refused_in_french() -> None:
    assert "imsmanifest.xml est absent" in _refused(scorm_zip(manifest=False))


def test_scorm_missing_launch_file_is_refused() -> None:
    assert "fichier de lancement « start.html »" in _refused(scorm_zip(launch="start.html"))


def test_scorm_too_large_upload_is_refused_before_reading() -> None:
    # A 2 GB upload: refused on its declared size, nothing is read.
    message = _refused(b"", size=2 * 1024 ** 3)
    assert "au-delà de la limite" in message and "2048 Mo" in message


def test_scorm_upload_at_the_limit_is_read() -> None:
    data = scorm_zip()
    assert _inspect(data, size=scorm.MAX_UPLOAD_BYTES).launch == "index.html"


def test_scorm_too_large_unpacked_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scorm, "MAX_UNPACKED_BYTES", 1000)
    assert "une fois décompressé" in _refused(scorm_zip(extra=[("big.bin", b"0" * 2000)]))


def test_scorm_too_many_files_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scorm, "MAX_FILES", 3)
    assert "fichiers, au-delà" in _refused(scorm_zip(extra=[("x.txt", b"x")]))
    monkeypatch.setattr(scorm, "MAX_FILES", 4)
    assert _inspect(scorm_zip(extra=[("x.txt", b"x")])).files == 4


def test_scorm_symlink_is_refused() -> None:
    buffer = io.BytesIO(scorm_zip())
    with zipfile.ZipFile(buffer, "a") as archive:
        info = zipfile.ZipInfo("link.html")
        info.external_attr = (0o120777 << 16)
        archive.writestr(info, "/etc/passwd")
    assert "lien symbolique" in _refused(buffer.getvalue())


def test_scorm_not_a_zip_and_bad_xml_are_refused() -> None:
    assert "pas une archive zip" in _refused(b"not a zip at all")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("imsmanifest.xml", "<manifest><oops")
    assert "n'est pas un XML valide" in _refused(buffer.getvalue())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("imsmanifest.xml", '<!DOCTYPE x [<!ENTITY a "b">]><manifest/>')
    assert "DOCTYPE" in _refused(buffer.getvalue())
