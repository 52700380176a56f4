"""SCORM 1.2 / 2004 packages: checked before anything is written, then unpacked under media.

A package is refused, with a French message naming the problem, when it is not a zip, has
no `imsmanifest.xml` at its root or one that does not parse, names no launch file present in
the package, is too large (compressed or unpacked) or has too many files, or holds an entry
that could escape its folder (absolute path, `..`, backslashes, drive letters) or a symlink.
"""

from __future__ import annotations

import posixpath
import stat
import xml.etree.ElementTree as ET  # noqa: N817 — parsing our own bounded manifest
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.core.exceptions import ValidationError

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
MAX_UNPACKED_BYTES = 500 * 1024 * 1024
MAX_FILES = 2000
MAX_MANIFEST_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Package:
    version: str  # "1.2" or "2004"
    launch: str  # path inside the package
    title: str
    files: int
    unpacked_bytes: int


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} Mo"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _safe_name(name: str) -> bool:
    if not name or name.startswith(("/", "\\")) or "\\" in name or "\x00" in name:
        return False
    if len(name) > 1 and name[1] == ":":  # C:...
        return False
    parts = name.split("/")
    return all(part not in ("..",) for part in parts)


def _parse_manifest(data: bytes) -> tuple[str, str, str]:
    """(version, launch href, title) from the manifest; ValidationError if unusable."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValidationError("Paquet SCORM refusé : le fichier imsmanifest.xml contient une "
                              "déclaration DOCTYPE ou ENTITY, non acceptée.")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValidationError(f"Paquet SCORM refusé : imsmanifest.xml n'est pas un XML valide ({exc}).") from exc
    if _local(root.tag) != "manifest":
        raise ValidationError("Paquet SCORM refusé : imsmanifest.xml n'a pas d'élément <manifest>.")
    schema_version = ""
    for el in root.iter():
        if _local(el.tag) == "schemaversion" and el.text:
            schema_version = el.text.strip()
            break
    namespaces = " ".join(el.tag for el in root.iter())
    version = "2004" if ("2004" in schema_version or "CAM 1.3" in schema_version
                         or "adlcp_v1p3" in namespaces) else "1.2"
    title = ""
    for el in root.iter():
        if _local(el.tag) == "title" and el.text and el.text.strip():
            title = el.text.strip()
            break
    # The launch file: the resource referenced by the first item, else the first SCO resource.
    resources = {}
    first_sco = ""
    for el in root.iter():
        if _local(el.tag) == "resource":
            href = el.get("href", "")
            base = next((v for k, v in el.attrib.items() if _local(k) == "base"), "")
            resources[el.get("identifier", "")] = posixpath.join(base, href) if href else ""
            kind = next((v for k, v in el.attrib.items() if _local(k).lower() == "scormtype"), "")
            if href and not first_sco and kind.lower() == "sco":
                first_sco = resources[el.get("identifier", "")]
    launch = ""
    for el in root.iter():
        if _local(el.tag) == "item" and el.get("identifierref") in resources:
            launch = resources[el.get("identifierref", "")]
            if launch:
                break
    launch = launch or first_sco or next((h for h in resources.values() if h), "")
    if not launch:
        raise ValidationError("Paquet SCORM refusé : imsmanifest.xml ne désigne aucun fichier de "
                              "lancement (élément <resource href=…>).")
    return version, launch.split("?", 1)[0].split("#", 1)[0], title


def inspect(upload: IO[bytes], *, size: int) -> Package:
    """Check a SCORM zip without unpacking it; ValidationError in French on any problem."""
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(f"Paquet SCORM refusé : le fichier pèse {_mb(size)}, au-delà de la "
                              f"limite de {_mb(MAX_UPLOAD_BYTES)}.")
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValidationError("Paquet SCORM refusé : le fichier n'est pas une archive zip lisible.") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_FILES:
            raise ValidationError(f"Paquet SCORM refusé : {len(infos)} fichiers, au-delà de la "
                                  f"limite de {MAX_FILES}.")
        total = 0
        names = set()
        for info in infos:
            if not _safe_name(info.filename):
                raise ValidationError(f"Paquet SCORM refusé : le chemin « {info.filename[:120]} » "
                                      "sortirait du dossier du paquet (chemin absolu ou « .. »).")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise ValidationError(f"Paquet SCORM refusé : « {info.filename[:120]} » est un lien "
                                      "symbolique, non accepté.")
            total += info.file_size
            names.add(info.filename)
        if total > MAX_UNPACKED_BYTES:
            raise ValidationError(f"Paquet SCORM refusé : {_mb(total)} une fois décompressé, au-delà "
                                  f"de la limite de {_mb(MAX_UNPACKED_BYTES)}.")
        if "imsmanifest.xml" not in names:
            raise ValidationError("Paquet SCORM refusé : le fichier imsmanifest.xml est absent de la "
                                  "racine de l'archive.")
        manifest = archive.getinfo("imsmanifest.xml")
        if manifest.file_size > MAX_MANIFEST_BYTES:
            raise ValidationError("Paquet SCORM refusé : imsmanifest.xml est anormalement volumineux.")
        version, launch, title = _parse_manifest(archive.read(manifest))
        launch = posixpath.normpath(launch)
        if not _safe_name(launch) or launch not in names:
            raise ValidationError(f"Paquet SCORM refusé : le fichier de lancement « {launch[:120]} » "
                                  "désigné par imsmanifest.xml est absent de l'archive.")
        files = sum(1 for i in infos if not i.is_dir())
        return Package(version=version, launch=launch, title=title, files=files, unpacked_bytes=total)


def unpack(upload: IO[bytes], destination: Path) -> None:
    """Write an inspected package under `destination` (entries re-checked on the way)."""
    destination.mkdir(parents=True, exist_ok=True)
    root = destination.resolve()
    with zipfile.ZipFile(upload) as archive:
        written = 0
        for info in archive.infolist():
            target = (root / info.filename).resolve()
            if not _safe_name(info.filename) or not target.is_relative_to(root):
                raise ValidationError("Paquet SCORM refusé : chemin hors du dossier du paquet.")
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, open(target, "wb") as out:
                while chunk := source.read(1024 * 1024):
                    written += len(chunk)
                    if written > MAX_UNPACKED_BYTES:  # a header that lied about its size
                        raise ValidationError("Paquet SCORM refusé : trop volumineux une fois "
                                              "décompressé.")
                    out.write(chunk)
