// The dashboard's ranking block: a retrain asked for in place (htmx) that gets no answer, or an
// error, says so where its answer would have gone. Nothing changed on the server then: the
// queue keeps the order it had, and the lead may try again.
(function () {
  "use strict";
  function say(event, text) {
    var form = event.detail && event.detail.elt;
    var id = form && form.dataset ? form.dataset.errorTarget : "";
    var target = id ? document.getElementById(id) : null;
    if (!target) { return; }
    target.textContent = text;
    target.setAttribute("role", "alert");
    target.classList.add("error");
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail && event.detail.elt;
    var id = form && form.dataset ? form.dataset.errorTarget : "";
    var target = id ? document.getElementById(id) : null;
    if (!target) { return; }
    target.textContent = "";
    target.removeAttribute("role");
    target.classList.remove("error");
  });
  document.addEventListener("htmx:sendError", function (event) {
    say(event, "The retrain could not be asked for: the server did not answer. " +
      "The order stays as it was; try again.");
  });
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail && event.detail.xhr;
    say(event, "The retrain could not be started (the server answered " +
      (xhr ? xhr.status : "an error") + "). The order stays as it was; try again.");
  });
})();
