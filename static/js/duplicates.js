// Keys of the duplicates page, on the first set shown: M merge, N not duplicates, U unmerge.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) { return; }
    if (event.target.matches && event.target.matches("textarea, input, select")) { return; }
    var first = document.querySelector("[data-first-set]");
    var action = { m: "merge", n: "reject", u: "unmerge" }[event.key.toLowerCase()];
    if (!first || !action) { return; }
    // Not the "Merge, keeping reference N" buttons of a set decided differently: which
    // reference stays is the lead's choice, made with the mouse or Tab, never by one key.
    var button = first.querySelector(
      'button[name="action"][value="' + action + '"]:not([formaction])'
    );
    if (button) { event.preventDefault(); button.click(); }
  });
})();
