/* Ofelia's only page script (the Content-Security-Policy forbids inline script).
 * - the main menu: one sub-menu open at a time; Escape or a click elsewhere closes it;
 * - `data-confirm="question"` on a submit button or a form: asks before sending;
 * - `data-formset-total="id_of_TOTAL_FORMS"` on an htmx button that fetches one more row
 *   of a Django formset: sends the row's index, then counts the row in.
 */
(function () {
  "use strict";

  document.addEventListener("click", function (e) {
    document.querySelectorAll(".site-nav details[open]").forEach(function (d) {
      if (!d.contains(e.target)) d.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    document.querySelectorAll(".site-nav details[open]").forEach(function (d) {
      d.removeAttribute("open");
      var summary = d.querySelector("summary");
      if (summary) summary.focus();
    });
  });

  document.addEventListener("submit", function (e) {
    var form = e.target;
    var button = e.submitter;
    var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) e.preventDefault();
  });

  function totalOf(elt) {
    var id = elt && elt.getAttribute && elt.getAttribute("data-formset-total");
    return id ? document.getElementById(id) : null;
  }
  document.addEventListener("htmx:configRequest", function (e) {
    var total = totalOf(e.detail.elt);
    if (total) e.detail.parameters.index = total.value;
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var total = totalOf(e.detail.elt);
    if (total && e.detail.successful) total.value = String(parseInt(total.value, 10) + 1);
  });
})();
