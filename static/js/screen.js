// Keys of the screening page: I include, E exclude, M maybe, N note, U back to the last reference,
// 1-9 exclude for that reason. Keys typed in the note (or any field) stay text; Esc leaves it.
(function () {
  "use strict";
  function card() { return document.getElementById("screen-card"); }
  function announce(text) {
    var status = document.getElementById("screen-status");
    if (status) { status.textContent = text; }
  }
  // Sent through htmx directly rather than by clicking the button: a key pressed while htmx is
  // still settling the last answer would otherwise submit the new form the old way. One vote at
  // a time: keys pressed while a vote is on its way are ignored.
  function submitVote(vote) {
    var form = card() && card().querySelector("form.vote");
    if (!form || form.dataset.sending) { return false; }
    form.dataset.sending = "1";
    htmx.ajax("POST", form.getAttribute("hx-post"), {
      source: form, values: { vote: vote }, target: "#screen-card", swap: "outerHTML"
    });
    return true;
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) { return; }
    var target = event.target;
    if (target.matches && target.matches("textarea, input, select")) {
      if (event.key === "Escape") { target.blur(); }
      if (target.type !== "radio") { return; }
    }
    if (!card()) { return; }
    var key = event.key.toLowerCase();
    var handled = false;
    if (key === "i") { handled = submitVote("include"); }
    else if (key === "e") { handled = submitVote("exclude"); }
    else if (key === "m") { handled = submitVote("maybe"); }
    else if (key === "n") {
      var note = card().querySelector("textarea[name=note]");
      if (note) { note.focus(); handled = true; announce("Writing a note; Esc to leave it."); }
    } else if (key === "u") {
      var previous = card().dataset.previousUrl;
      if (previous) {
        htmx.ajax("GET", previous, { target: "#screen-card", swap: "outerHTML" });
        announce("Back to the last reference: vote again to change it.");
        handled = true;
      }
    } else if (/^[1-9]$/.test(key)) {
      var reason = card().querySelector('input[name=reason][data-key="' + key + '"]');
      if (reason) {
        reason.checked = true;
        announce("Excluding for: " + reason.value);
        handled = submitVote("exclude");
      }
    }
    if (handled) { event.preventDefault(); }
  });
})();
