// Live countdowns of the support deadlines (SUP-1): every element with a `data-deadline`
// ISO instant shows the real time left (or how late it is). The server gives the absolute
// deadline in business hours; this only counts down to it. `data-now` is the server's
// clock at rendering, so a page served under a fixed clock counts from that instant.
(function () {
  "use strict";
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function text(ms) {
    var late = ms < 0, s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60), sec = s % 60;
    var parts = (d ? d + " j " : "") + (d || h ? h + " h " : "") + two(m) + " min " + two(sec) + " s";
    return late ? "délai dépassé de " + parts : "reste " + parts;
  }
  function start() {
    var nodes = document.querySelectorAll("[data-deadline]");
    if (!nodes.length) { return; }
    var loaded = Date.now();
    function tick() {
      nodes.forEach(function (node) {
        var due = Date.parse(node.getAttribute("data-deadline"));
        var served = Date.parse(node.getAttribute("data-now") || "");
        var now = isNaN(served) ? Date.now() : served + (Date.now() - loaded);
        if (isNaN(due)) { return; }
        node.textContent = text(due - now);
        node.classList.toggle("overdue", due < now);
      });
    }
    tick();
    window.setInterval(tick, 1000);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else { start(); }
}());
