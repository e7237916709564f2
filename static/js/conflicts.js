// Keys of the conflicts page: I or E decides the first conflict on the page (outside any field).
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) { return; }
    if (event.target.matches && event.target.matches("textarea, input, select")) { return; }
    var first = document.querySelector("[data-first-conflict]");
    var decision = { i: "include", e: "exclude" }[event.key.toLowerCase()];
    if (!first || !decision) { return; }
    var button = first.querySelector('button[name="decision"][value="' + decision + '"]');
    if (button) { event.preventDefault(); button.click(); }
  });
})();
