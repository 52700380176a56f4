/* Drawn signatures (signature_pad): each <canvas data-signature> fills the hidden input
   named in data-signature with a PNG data URL when its form is submitted. No inline script:
   the pages keep a strict Content-Security-Policy. */
(function () {
  "use strict";
  function setUp(canvas) {
    var input = document.getElementById(canvas.dataset.signature);
    var form = canvas.closest("form");
    var pad = new window.SignaturePad(canvas, { minWidth: 0.8, maxWidth: 2.4, penColor: "#1a1a6e" });
    function resize() {
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      var data = pad.toData();
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
      pad.fromData(data);
    }
    window.addEventListener("resize", resize);
    resize();
    var clear = form.querySelector("[data-signature-clear]");
    if (clear) {
      clear.addEventListener("click", function () { pad.clear(); input.value = ""; });
    }
    form.addEventListener("submit", function (event) {
      if (pad.isEmpty()) {
        event.preventDefault();
        var status = form.querySelector("[data-signature-status]");
        if (status) { status.textContent = "Signez dans le cadre avant de valider."; }
        return;
      }
      input.value = pad.toDataURL("image/png");
    });
  }
  document.querySelectorAll("canvas[data-signature]").forEach(setUp);
})();
