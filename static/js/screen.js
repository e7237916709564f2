// Keys of the screening page: I include, E exclude, M maybe, N note, U back to the last reference,
// 1-9 exclude for that reason. Keys typed in the note (or any field) stay text; Esc leaves it.
(function () {
  "use strict";
  function card() { return document.getElementById("screen-card"); }
  function announce(text) {
    var status = document.getElementById("screen-status");
    if (status) { status.textContent = text; }
  }
  // A vote goes through htmx directly rather than by clicking the button: a key pressed while
  // htmx is still settling the last answer would otherwise submit the new form the old way.
  // The next reference came with this one (<template id="next-card">): it is shown at once,
  // and the server's answer, which asks for that same reference, then takes its place. One
  // vote at a time: keys pressed while a vote is on its way are ignored.
  var sending = false;
  document.addEventListener("htmx:afterRequest", function () { sending = false; });
  function submitVote(vote) {
    var current = card();
    var form = current && current.querySelector("form.vote");
    if (!form || sending) { return false; }
    sending = true;
    // The form's values are read now: the form itself is about to give way to the next card.
    var values = {};
    new FormData(form).forEach(function (value, name) { values[name] = value; });
    values.vote = vote;
    var ahead = current.querySelector("template#next-card");
    var next = ahead && ahead.content.querySelector("#screen-card");
    if (next) { values.shown = next.querySelector("article.reference").dataset.reference; }
    htmx.ajax("POST", form.getAttribute("hx-post"), {
      source: current, values: values, target: current, swap: "outerHTML"
    });
    if (next) { showAhead(current, next); }
    return true;
  }
  // Into the same element, which the answer will replace: its attributes, then its content.
  function showAhead(current, next) {
    Array.prototype.slice.call(current.attributes).forEach(function (attribute) {
      if (attribute.name !== "id") { current.removeAttribute(attribute.name); }
    });
    Array.prototype.slice.call(next.attributes).forEach(function (attribute) {
      current.setAttribute(attribute.name, attribute.value);
    });
    current.replaceChildren.apply(current, Array.prototype.slice.call(
      document.importNode(next, true).childNodes));
    htmx.process(current);
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
