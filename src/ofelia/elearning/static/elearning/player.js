/* SCORM player: the scorm-again runtime in this page, the package in a same-origin iframe.
   Settings come from data- attributes (no inline script: strict CSP). Each commit is sent
   as {attempt, seq, token, cmi}; seq rises so a replayed commit changes nothing. */
(function () {
  "use strict";
  var el = document.getElementById("scorm-player");
  if (!el) return;
  var d = el.dataset;
  var status = document.getElementById("scorm-status");
  var preview = d.preview === "1";
  var seq = parseInt(d.seq || "0", 10);
  var attempt = parseInt(d.attempt || "1", 10);
  var settings = {
    autocommit: !preview,
    autocommitSeconds: 30,
    lmsCommitUrl: preview ? false : d.commitUrl,
    dataCommitFormat: "json",
    commitRequestDataType: "application/json;charset=UTF-8",
    terminationCommitContentType: "text/plain;charset=UTF-8",
    xhrHeaders: { "X-CSRFToken": d.csrf },
    logLevel: 5,
    requestHandler: function (commit) {
      seq += 1;
      return { attempt: attempt, seq: seq, token: d.token, cmi: commit };
    }
  };
  var api;
  if (d.standard === "2004") {
    api = new window.Scorm2004API(settings);
    window.API_1484_11 = api;
  } else {
    api = new window.Scorm12API(settings);
    window.API = api;
  }
  if (d.suspendData) {
    api.loadFromJSON({ suspend_data: d.suspendData }, "cmi");
  }
  function say(text) {
    if (status) status.textContent = text;
  }
  ["LMSCommit", "Commit"].forEach(function (name) {
    api.on(name, function () { say(preview ? "Aperçu : suivi non enregistré." : "Progression enregistrée."); });
  });
  ["LMSFinish", "Terminate"].forEach(function (name) {
    api.on(name, function () { say("Module fermé : votre progression est enregistrée. Revenez au parcours."); });
  });
  var frame = document.getElementById("scorm-frame");
  frame.src = d.contentUrl;
  say(preview ? "Aperçu stagiaire : le suivi n'est pas enregistré." : "Module en cours.");
})();
