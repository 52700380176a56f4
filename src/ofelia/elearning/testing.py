"""A tiny SCORM 1.2 package built on the fly, for the tests, the e2e journey and the bench."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="ofelia.test" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>{title}</title>
    <item identifier="item1" identifierref="res1"><title>{title}</title></item>
  </organization></organizations>
  <resources><resource identifier="res1" type="webcontent" adlcp:scormtype="sco" href="{launch}">
    <file href="{launch}"/></resource></resources>
</manifest>
"""

INDEX = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>
<script src="sco.js" defer></script></head>
<body><h1>{title}</h1><p id="state">Chargement…</p>
<button id="finish" type="button">Terminer le module</button></body></html>
"""

# The SCO: finds the LMS's API in the parent page (SCORM 1.2), reports completion on click.
SCO_JS = """(function () {
  var api = window.parent && window.parent.API;
  var state = document.getElementById("state");
  if (!api) { state.textContent = "API SCORM introuvable"; return; }
  api.LMSInitialize("");
  state.textContent = "Module ouvert";
  document.getElementById("finish").addEventListener("click", function () {
    api.LMSSetValue("cmi.core.lesson_status", "completed");
    api.LMSSetValue("cmi.core.score.raw", "90");
    api.LMSSetValue("cmi.suspend_data", "page=3");
    var ok = api.LMSCommit("");
    api.LMSFinish("");
    state.textContent = ok === "true" ? "Terminé" : "Échec de l'enregistrement";
  });
})();
"""


def scorm_zip(*, title: str = "Module SCORM de test", manifest: bool = True,
              launch: str = "index.html", extra: Iterable[tuple[str, bytes]] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if manifest:
            archive.writestr("imsmanifest.xml", MANIFEST_12.format(title=title, launch=launch))
        archive.writestr("index.html", INDEX.format(title=title))
        archive.writestr("sco.js", SCO_JS)
        for name, data in extra:
            archive.writestr(name, data)
    return buffer.getvalue()
