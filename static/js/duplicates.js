// Keys of the duplicates page, on the first set shown: M merge, N not duplicates, U unmerge.
// An unmerge, by key or by button, asks first ("Unmerge set N?"): Y answers yes, Esc no.
(function () {
  "use strict";
  var asking = null; // { prompt, button } while a set asks to be unmerged

  function ask(button) {
    var prompt = button.form && button.form.querySelector("[data-confirm]");
    if (!prompt) { return; }
    prompt.hidden = false;
    button.hidden = true;
    asking = { prompt: prompt, button: button };
    prompt.querySelector("[data-confirmed]").focus();
  }

  function stopAsking() {
    if (!asking) { return; }
    asking.prompt.hidden = true;
    asking.button.hidden = false;
    asking.button.focus();
    asking = null;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button") : null;
    if (!button) { return; }
    if (button.hasAttribute("data-ask")) {
      event.preventDefault();
      stopAsking(); // one question at a time: another set's prompt closes
      ask(button);
    } else if (button.hasAttribute("data-cancel")) {
      event.preventDefault();
      stopAsking();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) { return; }
    if (asking) {
      if (event.key === "Escape") {
        event.preventDefault();
        stopAsking();
      } else if (event.key.toLowerCase() === "y") {
        event.preventDefault();
        asking.prompt.querySelector("[data-confirmed]").click();
      }
      // While a set asks, no other key answers anything (Tab and Enter keep their use).
      return;
    }
    if (event.target.matches && event.target.matches("textarea, input, select")) { return; }
    var first = document.querySelector("[data-first-set]");
    var action = { m: "merge", n: "reject", u: "unmerge" }[event.key.toLowerCase()];
    if (!first || !action) { return; }
    // Not the "Merge, keeping reference N" buttons of a set decided differently: which
    // reference stays is the lead's choice, made with the mouse or Tab, never by one key.
    // Nor the unmerge's "Yes": U presses the Unmerge button, which asks.
    var button = first.querySelector(
      'button[name="action"][value="' + action + '"]:not([formaction]):not([data-confirmed])'
    );
    if (button) { event.preventDefault(); button.click(); }
  });
})();
